// Evaluates a stack offline and compares the result with its committed snapshot under plan/.
import * as fs from "node:fs";
import * as path from "node:path";
import { createTwoFilesPatch } from "diff";
import { REPO_ROOT, runProgram } from "../lab/berth-program";
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
export async function renderPlan(stack: string, overrides: Record<string, unknown> = {}, secretKeys: string[] = []): Promise<string> {
  const cwd = process.cwd();
  process.chdir(REPO_ROOT);
  try {
    const run = await runProgram(stack, overrides, { secretKeys });
    return describePlan(stack, run, [REPO_ROOT]);
  } finally {
    process.chdir(cwd);
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
  const diff = createTwoFilesPatch(`a/${file}`, `b/${file}`, committed ?? "", rendered, "committed", "program now", { context: 3 });
  return { status: committed === undefined ? "missing" : "different", diff, file };
}

/** What to run to bring a stale snapshot up to date. */
export function updateHint(stack: string): string {
  return `npm run plan -- --stack ${stack}`;
}
