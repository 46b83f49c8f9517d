// `npm run status -- --stack <name> [--project berth] [--json]`: one row per container of a stack,
// found by its labels (berth.project, berth.stack) on the engine DOCKER_HOST names. The rows are the
// test-side client's health report (testing/client/health-report.ts).
import type Docker from "dockerode";
import { Command } from "commander";
import { LABELS } from "../components/contract";
import { createDockerClient } from "../gate/docker-client";
import { engineAddress, unreachableMessageFor } from "../gate/engine-errors";
import { Inspected, statusRows, statusTable } from "../testing/client/health-report";
import { stackContainers } from "../testing/client/stack-containers";

export const EXIT = { ok: 0, nothingFound: 1, engineUnreachable: 2 } as const;

export interface StatusIo {
  out: (text: string) => void;
  err: (text: string) => void;
}
export interface StatusDeps {
  docker: () => Docker;
  env: NodeJS.ProcessEnv;
  now: () => Date;
}
const stdio: StatusIo = { out: (t) => void process.stdout.write(t), err: (t) => void process.stderr.write(t) };
const real: StatusDeps = { docker: createDockerClient, env: process.env, now: () => new Date() };

/** Runs the command with user arguments; resolves to the exit code (see EXIT). */
export async function statusCommand(args: string[], io: StatusIo = stdio, deps: StatusDeps = real): Promise<number> {
  const opts = new Command("status")
    .description("Show each container of a stack: state by its Docker healthcheck, uptime, published ports.")
    .requiredOption("-s, --stack <name>", "the stack whose containers to show (label berth.stack)")
    .option("-p, --project <name>", "the project label (berth.project)", "berth")
    .option("--json", "print the rows as JSON for scripts")
    .addHelpText("after", "\nExit codes: 0 rows shown, 1 no container carries the stack's labels, 2 the engine cannot be reached.")
    .parse(args, { from: "user" })
    .opts<{ stack: string; project: string; json?: boolean }>();

  let docker: Docker | undefined;
  let infos: Inspected[];
  try {
    docker = deps.docker(); // a malformed DOCKER_HOST throws here
    await docker.ping();
    infos = await stackContainers(docker, { project: opts.project, stack: opts.stack });
  } catch (err) {
    io.err(`${await unreachableMessageFor(docker, err, deps.env)}\n`);
    return EXIT.engineUnreachable;
  }
  const rows = statusRows(infos, deps.now());
  if (opts.json) io.out(`${JSON.stringify(rows, null, 2)}\n`);
  if (rows.length === 0) {
    io.err(
      `no container carries ${LABELS.project}=${opts.project} and ${LABELS.stack}=${opts.stack} on ${await engineAddress(docker, deps.env)}: ` +
        `is the stack up? (npx pulumi up --stack ${opts.stack})\n`,
    );
    return EXIT.nothingFound;
  }
  if (!opts.json) io.out(`stack ${opts.stack} (project ${opts.project}) on ${await engineAddress(docker, deps.env)}\n${statusTable(rows)}\n`);
  return EXIT.ok;
}
