// `npm run plan -- [--stack <name>...] [--check] [--dir <dir>] [--against <ref>]`: the offline plan
// of each stack (under Pulumi's mock runtime: no engine, backend or credentials). Without --check it
// writes the snapshots; with --check it prints a unified diff for each stale one and returns 1.
// Before either, the operations a change makes (plan-operations.ts): against --against's ref, or
// against HEAD when --check finds a stale snapshot.
import * as fs from "node:fs";
import * as path from "node:path";
import { Command } from "commander";
import { mockId, RecordedResource } from "../testing/recorder";
import { formatOperations, predictOperations } from "./plan-operations";
import {
  compareSnapshot,
  PLAN_DIR,
  planResourcesAt,
  planRun,
  projectStacks,
  snapshotPath,
  updateHint,
} from "./plan-snapshot";
import { describePlan } from "./plan-describe";
import { REPO_ROOT } from "../lab/berth-program";

interface Options {
  stack?: string[];
  check?: boolean;
  dir?: string;
  against?: string;
}

/** Where the command writes, and where it reads a stack's resources at a git ref; tests pass their own. */
export interface Io {
  out: (text: string) => void;
  resourcesAt?: (ref: string, stack: string) => Promise<RecordedResource[]>;
}
const stdout: Io = { out: (text) => void process.stdout.write(text) };

/** Runs the command with user arguments (`["--stack", "test", "--check"]`); resolves to the exit code. */
export async function planCommand(args: string[], io: Io = stdout): Promise<number> {
  const say = (line: string) => io.out(`${line}\n`);
  const program = new Command("plan")
    .description(
      "Describe every resource of a stack offline, and keep plan/Pulumi.<stack>.plan.md in step with the program.",
    )
    .option("-s, --stack <names...>", "stacks to plan (default: every Pulumi.<stack>.yaml of the project)")
    .option("--check", "compare with the committed snapshot; print a unified diff and exit 1 when they differ")
    .option("--dir <dir>", "where the snapshots live (default: plan/ of the project)")
    .option(
      "--against <ref>",
      "first print what `pulumi up` would do to go from the project at this git ref (e.g. origin/main) to the program now; --check does it against HEAD when a snapshot differs",
    )
    .addHelpText(
      "after",
      "\nExit codes: 0 up to date (or written), 1 a snapshot differs, 2 the program failed (e.g. a config error).",
    )
    .parse(args, { from: "user" });
  const opts = program.opts<Options>();
  const dir = opts.dir === undefined ? PLAN_DIR : path.resolve(opts.dir);
  const stacks = opts.stack ?? projectStacks();
  let stale = 0;
  const resourcesAt = io.resourcesAt ?? planResourcesAt;
  const operations = async (ref: string, stack: string, now: RecordedResource[]) => {
    const lines = formatOperations(predictOperations(await resourcesAt(ref, stack), now, mockId));
    say(`stack ${stack}, from ${ref} to the program now: ${lines[0]}`);
    for (const line of lines.slice(1)) say(line);
  };
  for (const stack of stacks) {
    const run = await planRun(stack);
    const text = describePlan(stack, run, [REPO_ROOT]);
    const result = compareSnapshot(stack, text, dir);
    if (opts.against !== undefined) await operations(opts.against, stack, run.resources);
    else if (opts.check && result.status === "different") {
      // Outside a git checkout (or before the first commit) the diff alone still says what changed.
      await operations("HEAD", stack, run.resources).catch((err: Error) =>
        say(`stack ${stack}: no operations against HEAD (${err.message})`),
      );
    }
    const count = (text.match(/^### /gm) ?? []).length;
    if (!opts.check) {
      if (result.status !== "same") {
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(snapshotPath(stack, dir), text);
      }
      say(`${result.file}: ${result.status === "same" ? "up to date" : "written"} (${count} resources)`);
    } else if (result.status === "same") {
      say(`${result.file}: matches the program (${count} resources)`);
    } else {
      stale++;
      const extra = dir === PLAN_DIR ? "" : ` --dir ${opts.dir}`;
      io.out(result.diff);
      say(
        result.status === "missing"
          ? `${result.file}: no snapshot yet. Run \`${updateHint(stack)}${extra}\` and commit the file.`
          : `${result.file}: out of date — the program now plans the changes above. If they are intended, run \`${updateHint(stack)}${extra}\` and commit the file.`,
      );
    }
  }
  return stale > 0 ? 1 : 0;
}
