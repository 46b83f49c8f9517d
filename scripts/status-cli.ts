// `npm run status -- --stack <name> [--project berth] [--json]`: one row per container of a stack
// on the engine DOCKER_HOST names: every container its outputs declare (`containerNames`, as
// engine mode recorded them, else through the Automation API from --program-dir), a declared one
// the engine lacks as MISSING, and every container carrying its labels (berth.project,
// berth.stack). The rows are the test-side client's health report (testing/client/health-report.ts).
import type Docker from "dockerode";
import { Command } from "commander";
import { LABELS } from "../components/contract";
import { createDockerClient } from "../gate/docker-client";
import { engineAddress, unreachableMessageFor } from "../gate/engine-errors";
import { REPO_ROOT } from "../lab/berth-program";
import { declaredContainers } from "../testing/client/endpoints";
import { DeclaredContainer, downRows, Inspected, statusRows, statusTable } from "../testing/client/health-report";
import { stackAndNamedContainers, StackRef } from "../testing/client/stack-containers";
import { readStackOutputs } from "../testing/client/stack-outputs";

export const EXIT = { ok: 0, notUp: 1, engineUnreachable: 2 } as const;

const EXIT_HELP =
  "\nExit codes: 0 every container up (none missing, stopped or unhealthy), 1 a declared container is missing, " +
  "one is stopped or unhealthy, or the stack has no container at all, 2 the engine cannot be reached.";

export interface StatusIo {
  out: (text: string) => void;
  err: (text: string) => void;
}
export interface StatusDeps {
  docker: () => Docker;
  env: NodeJS.ProcessEnv;
  now: () => Date;
  /** The containers the stack's outputs declare; rejects when they cannot be read. */
  declared: (ref: StackRef, programDir: string, env: NodeJS.ProcessEnv) => Promise<DeclaredContainer[]>;
}
const stdio: StatusIo = { out: (t) => void process.stdout.write(t), err: (t) => void process.stderr.write(t) };
/** The stack's `containerNames` output: engine mode's record (BERTH_OUTPUTS_DIR), else the Automation API in programDir. */
export const declaredFromOutputs: StatusDeps["declared"] = async (ref, programDir, env) =>
  declaredContainers((await readStackOutputs({ ...ref, programDir, env })).outputs);
const real: StatusDeps = {
  docker: createDockerClient,
  env: process.env,
  now: () => new Date(),
  declared: declaredFromOutputs,
};

/** Runs the command with user arguments; resolves to the exit code (see EXIT). */
export async function statusCommand(args: string[], io: StatusIo = stdio, deps: StatusDeps = real): Promise<number> {
  const opts = new Command("status")
    .description(
      "Show each container of a stack: every one its outputs declare (MISSING when the engine lacks it) and every one carrying its labels; state by its Docker healthcheck, uptime, published ports.",
    )
    .requiredOption("-s, --stack <name>", "the stack whose containers to show (label berth.stack)")
    .option("-p, --project <name>", "the project label (berth.project)", "berth")
    .option(
      "--program-dir <dir>",
      "the Pulumi program whose stack outputs declare the containers, read through the Automation API when engine mode recorded none",
      REPO_ROOT,
    )
    .option("--json", "print the rows as JSON for scripts")
    .addHelpText("after", EXIT_HELP)
    .parse(args, { from: "user" })
    .opts<{ stack: string; project: string; programDir: string; json?: boolean }>();
  const ref = { project: opts.project, stack: opts.stack };

  let docker: Docker | undefined;
  let infos: Inspected[];
  let declared: DeclaredContainer[];
  try {
    docker = deps.docker(); // a malformed DOCKER_HOST throws here
    await docker.ping();
    // Without the outputs a removed container leaves no trace: say so, and show what the labels find.
    declared = await deps.declared(ref, opts.programDir, deps.env).catch((err: unknown) => {
      io.err(
        `declared containers unknown, so a missing one cannot be shown: ${err instanceof Error ? err.message : String(err)}\n`,
      );
      return [];
    });
    infos = await stackAndNamedContainers(
      docker,
      ref,
      declared.map((d) => d.container),
    );
  } catch (err) {
    io.err(`${await unreachableMessageFor(docker, err, deps.env)}\n`);
    return EXIT.engineUnreachable;
  }
  const rows = statusRows(infos, deps.now(), declared);
  if (opts.json) io.out(`${JSON.stringify(rows, null, 2)}\n`);
  if (rows.length === 0) {
    io.err(
      `no container carries ${LABELS.project}=${opts.project} and ${LABELS.stack}=${opts.stack} on ${await engineAddress(docker, deps.env)}: ` +
        `is the stack up? (npx pulumi up --stack ${opts.stack})\n`,
    );
    return EXIT.notUp;
  }
  if (!opts.json)
    io.out(
      `stack ${opts.stack} (project ${opts.project}) on ${await engineAddress(docker, deps.env)}\n${statusTable(rows)}\n`,
    );
  const down = downRows(rows);
  if (down.length > 0) {
    const which = down.map((r) => `${r.container} (${r.detail ? `${r.state}: ${r.detail}` : r.state})`).join(", ");
    io.err(
      `${down.length} of ${rows.length} containers of stack ${opts.stack} are not up: ${which}. Bring the stack up again (npx pulumi up --stack ${opts.stack})\n`,
    );
    return EXIT.notUp;
  }
  return EXIT.ok;
}
