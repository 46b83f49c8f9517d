// `npm run plan -- [--stack <name>...] [--check] [--dir <dir>]`: the offline plan of each stack
// (under Pulumi's mock runtime: no engine, backend or credentials). Without --check it writes the
// snapshots; with --check it prints a unified diff for each stale one and returns 1.
import * as fs from "node:fs";
import * as path from "node:path";
import { Command } from "commander";
import { compareSnapshot, PLAN_DIR, projectStacks, renderPlan, snapshotPath, updateHint } from "./plan-snapshot";

interface Options {
  stack?: string[];
  check?: boolean;
  dir?: string;
}

/** Where the command writes; tests pass their own. */
export interface Io {
  out: (text: string) => void;
}
const stdout: Io = { out: (text) => void process.stdout.write(text) };

/** Runs the command with user arguments (`["--stack", "test", "--check"]`); resolves to the exit code. */
export async function planCommand(args: string[], io: Io = stdout): Promise<number> {
  const say = (line: string) => io.out(`${line}\n`);
  const program = new Command("plan")
    .description("Describe every resource of a stack offline, and keep plan/Pulumi.<stack>.plan.md in step with the program.")
    .option("-s, --stack <names...>", "stacks to plan (default: every Pulumi.<stack>.yaml of the project)")
    .option("--check", "compare with the committed snapshot; print a unified diff and exit 1 when they differ")
    .option("--dir <dir>", "where the snapshots live (default: plan/ of the project)")
    .addHelpText("after", "\nExit codes: 0 up to date (or written), 1 a snapshot differs, 2 the program failed (e.g. a config error).")
    .parse(args, { from: "user" });
  const opts = program.opts<Options>();
  const dir = opts.dir === undefined ? PLAN_DIR : path.resolve(opts.dir);
  const stacks = opts.stack ?? projectStacks();
  let stale = 0;
  for (const stack of stacks) {
    const text = await renderPlan(stack);
    const result = compareSnapshot(stack, text, dir);
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
