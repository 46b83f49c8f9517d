// Evaluates a stack offline and compares the result with its committed snapshot under plan/.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createTwoFilesPatch } from "diff";
import { REPO_ROOT, runProgram } from "../lab/berth-program";
import type { ProgramRun, RecordedResource } from "../testing/recorder";
import { describePlan } from "./plan-describe";

export const PLAN_DIR = path.join(REPO_ROOT, "plan");

export function snapshotPath(stack: string, dir: string = PLAN_DIR): string {
  return path.join(dir, `Pulumi.${stack}.plan.md`);
}

/** The stacks that have a stack file in the project, sorted. */
export function projectStacks(): string[] {
  return fs
    .readdirSync(REPO_ROOT)
    .map((f) => f.match(/^Pulumi\.(.+)\.yaml$/)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

/**
 * The plan text of `stack` (with config `overrides`, keyed "berth:…"). The program runs in the
 * project directory, as `pulumi up` runs it, so relative paths in inputs do not depend on the caller.
 */
export async function renderPlan(
  stack: string,
  overrides: Record<string, unknown> = {},
  secretKeys: string[] = [],
): Promise<string> {
  return describePlan(stack, await planRun(stack, overrides, secretKeys), [REPO_ROOT]);
}

/** The offline run of `stack` (the program in `programDir`, default the project's, run from that directory as `pulumi up` runs it). */
export async function planRun(
  stack: string,
  overrides: Record<string, unknown> = {},
  secretKeys: string[] = [],
  programDir: string = REPO_ROOT,
): Promise<ProgramRun> {
  const cwd = process.cwd();
  process.chdir(programDir);
  try {
    return await runProgram(stack, overrides, { secretKeys, programDir });
  } finally {
    process.chdir(cwd);
  }
}

/**
 * The resources of `stack`'s offline run as the project was at git `ref` (a branch, tag or commit): its files
 * exported to a temporary directory that borrows this checkout's node_modules, run there, removed.
 * A stack the ref has no stack file for has no resources there.
 */
export async function planResourcesAt(ref: string, stack: string): Promise<RecordedResource[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-plan-"));
  try {
    let archive: Buffer;
    try {
      archive = execFileSync("git", ["-C", REPO_ROOT, "archive", "--format=tar", ref], {
        maxBuffer: 512 * 1024 * 1024,
        stdio: ["ignore", "pipe", "pipe"],
      });
    } catch (err) {
      const why = (err as { stderr?: Buffer }).stderr?.toString().trim() || String(err);
      throw new Error(
        `cannot read the project at ${ref}: ${why}. Give a branch, tag or commit of this repository (e.g. origin/main)`,
        { cause: err },
      );
    }
    execFileSync("tar", ["-x", "-C", dir], { input: archive });
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    if (!fs.existsSync(path.join(dir, `Pulumi.${stack}.yaml`))) return [];
    return (await planRun(stack, {}, [], dir)).resources;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface Comparison {
  status: "same" | "different" | "missing";
  /** Unified diff from the committed snapshot to the program's plan now ("" when the same). */
  diff: string;
  /** The snapshot's path relative to the project, for messages. */
  file: string;
}

export function compareSnapshot(stack: string, rendered: string, dir: string = PLAN_DIR): Comparison {
  const abs = snapshotPath(stack, dir);
  const rel = path.relative(REPO_ROOT, abs);
  const file = rel.startsWith("..") || path.isAbsolute(rel) ? abs : rel;
  const committed = fs.existsSync(abs) ? fs.readFileSync(abs, "utf8") : undefined;
  if (committed === rendered) return { status: "same", diff: "", file };
  const diff = createTwoFilesPatch(`a/${file}`, `b/${file}`, committed ?? "", rendered, "committed", "program now", {
    context: 3,
  });
  return { status: committed === undefined ? "missing" : "different", diff, file };
}

/** What to run to bring a stale snapshot up to date. */
export function updateHint(stack: string): string {
  return `npm run plan -- --stack ${stack}`;
}
