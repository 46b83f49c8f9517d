#!/usr/bin/env node
// berth build-template: makes sure the engine has, or is making, the Postgres template that
// components/postgres/template.ts names. It never waits for the template: when the engine has none,
// it creates the template's volume and starts a helper container of the base image that makes it
// there (berth-postgres-template.sh) and returns; the helper runs on the engine, so the work goes
// on when the process that ran the up exits, at the lowest CPU weight (2 of the default 1024), no
// network, read-only root, every capability dropped. The helper stays, exited, as the template's
// marker (exit 0: ready; else its logs say why, and no Postgres uses a template until it is
// removed). Then it prunes: at most TEMPLATES_KEPT templates (helper and volume) stay on the engine.
// Usage: node dist/tools/build-template.js --context <dir> --name <template> --base <image> --user <role> --database <db> --run-as <uid:gid>
// Prints {"template":"<name>","state":"ready"|"making"|"failed","pruned":[…]}; a helper that cannot
// start is a warning (the up goes on without a template); exit 1 when the engine cannot be reached
// or answers the state with an error, 2 on usage errors.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type Docker from "dockerode";
import {
  MAKE_SCRIPT,
  TEMPLATE_DIR,
  TEMPLATE_LABEL,
  TEMPLATE_MOUNT,
  TEMPLATES_KEPT,
} from "../components/postgres/template";
import { demuxFrames } from "../gate/container-diagnostics";
import { createDockerClient } from "../gate/docker-client";
import { isEngineUnreachable, unreachableMessageFor } from "../gate/engine-errors";
import { exitAfterFlush, runMain } from "../gate/process-exit";
import { errorMessage } from "../gate/types";
import { parseTemplateArgs, TemplateOptions, TEMPLATE_TOOL as TOOL } from "./template-args";
import { templateState, TemplateState, templatesToPrune } from "./template-plan";

/** The helper's log lines shown when it failed. */
const TAIL_LINES = 20;
/** The lowest CPU weight the engine takes (the default is 1024): the helper runs on idle CPU. */
const HELPER_CPU_SHARES = 2;
const MB = 1024 * 1024;

const statusOf = (err: unknown) => (err as { statusCode?: number }).statusCode;

/** The helper's create call: the base image, as its postgres user, the script as `sh -c` text. */
export function helperSpec(o: TemplateOptions, script: string): Docker.ContainerCreateOptions {
  return {
    name: o.name,
    Image: o.base,
    User: o.runAs,
    // Through the image's entrypoint, which execs a command that is not `postgres`.
    Cmd: ["sh", "-c", script, "berth-postgres-template", TEMPLATE_DIR],
    Env: [`TEMPLATE_USER=${o.user}`, `TEMPLATE_DB=${o.database}`],
    Labels: { [TEMPLATE_LABEL]: o.name },
    HostConfig: {
      Binds: [`${o.name}:${TEMPLATE_MOUNT}`],
      NetworkMode: "none",
      ReadonlyRootfs: true,
      Tmpfs: { "/tmp": "rw,noexec,nosuid,size=16m" },
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges:true"],
      PidsLimit: 64,
      Memory: 256 * MB,
      MemorySwap: 256 * MB,
      CpuShares: HELPER_CPU_SHARES,
    },
  };
}

async function helperState(docker: Docker, name: string): Promise<TemplateState> {
  const info = await docker
    .getContainer(name)
    .inspect()
    .catch((err) => (statusOf(err) === 404 ? undefined : Promise.reject(err)));
  return templateState(
    info && { running: info.State.Running || info.State.Status === "created", exitCode: info.State.ExitCode },
  );
}

async function startHelper(docker: Docker, o: TemplateOptions): Promise<void> {
  // Labelled when this creates it (a Postgres container that mounts it first makes it unlabelled).
  await docker.createVolume({ Name: o.name, Labels: { [TEMPLATE_LABEL]: o.name } });
  const script = readFileSync(join(o.context, MAKE_SCRIPT), "utf8");
  let helper: Docker.Container;
  try {
    helper = await docker.createContainer(helperSpec(o, script));
  } catch (err) {
    // Another up made the same helper a moment ago: it is at work.
    if (statusOf(err) === 409) return;
    throw err;
  }
  // A helper that never started would read as "at work" forever.
  await helper.start().catch(async (err) => {
    await helper.remove({ force: true }).catch(() => undefined);
    throw err;
  });
}

async function failedHelperLines(docker: Docker, name: string): Promise<string> {
  const logs = await docker
    .getContainer(name)
    .logs({ stdout: true, stderr: true, tail: TAIL_LINES })
    .then((b) => demuxFrames(b as unknown as Buffer))
    .catch((err) => `(its logs could not be read: ${errorMessage(err)})`);
  return logs
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => `  ${l}`)
    .join("\n");
}

/** Removes templates beyond TEMPLATES_KEPT: a helper, then its volume unless a container still uses it. */
async function prune(docker: Docker, current: string): Promise<string[]> {
  const helpers = await docker.listContainers({ all: true, filters: { label: [TEMPLATE_LABEL] } });
  const names = templatesToPrune(
    helpers.map((h) => ({ name: h.Names[0].replace(/^\//, ""), created: h.Created, running: h.State === "running" })),
    current,
    TEMPLATES_KEPT,
  );
  const pruned: string[] = [];
  for (const name of names) {
    const users = await docker.listContainers({ all: true, filters: { volume: [name] } });
    if (users.some((u) => u.Names[0] !== `/${name}`)) continue; // a stack's Postgres still mounts it
    await docker.getContainer(name).remove({ force: true });
    await docker.getVolume(name).remove();
    pruned.push(name);
  }
  return pruned;
}

async function main(argv: string[]): Promise<number> {
  const parsed = parseTemplateArgs(argv);
  if (parsed.kind === "exit") {
    if (parsed.message) process.stderr.write(`${parsed.message}\n`);
    return parsed.code;
  }
  const o = parsed.value;
  let docker: Docker | undefined;
  try {
    docker = createDockerClient();
    let state = await helperState(docker, o.name);
    if (state === "start") {
      process.stderr.write(
        `${TOOL}: making ${o.name} from ${o.base} for user ${o.user}, database ${o.database} in a helper container; this up initialises Postgres as the image does\n`,
      );
      state = await startHelper(docker, o).then(
        () => "making" as const,
        (err) => {
          // The template only saves time: without it Postgres initialises as the image does.
          if (isEngineUnreachable(err)) throw err;
          process.stderr.write(
            `${TOOL}: could not start the helper making ${o.name} from ${o.base}, so Postgres initialises as the image does: ${errorMessage(err)}\n`,
          );
          return "failed" as const;
        },
      );
    } else if (state === "failed") {
      process.stderr.write(
        `${TOOL}: the helper that made ${o.name} from ${o.base} failed, so Postgres initialises as the image does; its last lines:\n${await failedHelperLines(docker, o.name)}\n` +
          `  (to try again: docker rm ${o.name})\n`,
      );
    }
    const pruned = await prune(docker, o.name).catch((err) => {
      process.stderr.write(`${TOOL}: could not prune old templates: ${errorMessage(err)}\n`);
      return [];
    });
    process.stdout.write(`${JSON.stringify({ template: o.name, state, pruned })}\n`);
    return 0;
  } catch (err) {
    const why = isEngineUnreachable(err)
      ? await unreachableMessageFor(docker, err)
      : `could not read the template ${o.name}'s state: ${errorMessage(err)}`;
    process.stderr.write(`${TOOL}: ${why}\n`);
    return 1;
  }
}

if (require.main === module) runMain(TOOL, () => main(process.argv.slice(2))).then(exitAfterFlush);
