#!/usr/bin/env node
// berth set-service-pids: CIS Docker Benchmark 5.29 for a swarm service the Pulumi Docker provider
// creates (it has no pids argument; Engine API 1.41 has TaskTemplate.Resources.Limits.Pids): update
// the service's spec with the limit, then read it back. Swarm replaces the tasks once to apply it
// (the service's UpdateConfig decides how); the workers gate waits for the tasks of the new spec.
// Usage: node dist/tools/set-service-pids.js --service <name-or-id> --pids-limit <n>
// Prints {"service":"…","pidsLimit":n,"updated":true|false}; exit 1 when the engine or service is
// missing or the update does not hold, 2 on usage errors.
import type Docker from "dockerode";
import { createDockerClient } from "../gate/docker-client";
import {
  isEngineUnreachable,
  isNoSuchContainer,
  isNotSwarmManager,
  unreachableMessageFor,
} from "../gate/engine-errors";
import { exitAfterFlush, runMain } from "../gate/process-exit";
import { errorMessage } from "../gate/types";
import { parseServicePidsArgs, SERVICE_PIDS_TOOL as TOOL } from "./service-pids-args";

type Fields = Record<string, unknown>;

interface ServiceInfo {
  ID: string;
  Version: { Index: number };
  Spec: { TaskTemplate?: Fields & { Resources?: Fields & { Limits?: Fields & { Pids?: number } } } } & Fields;
}

/** Another writer between our read and update makes the manager refuse it ("out of sequence"): read again. */
const ATTEMPTS = 3;

/** The spec with the pids limit set (pure). */
export function withPidsLimit(spec: ServiceInfo["Spec"], pidsLimit: number): ServiceInfo["Spec"] {
  const template = spec.TaskTemplate ?? {};
  const resources = template.Resources ?? {};
  return {
    ...spec,
    TaskTemplate: {
      ...template,
      Resources: { ...resources, Limits: { ...(resources.Limits ?? {}), Pids: pidsLimit } },
    },
  };
}

async function main(argv: string[]): Promise<number> {
  const parsed = parseServicePidsArgs(argv);
  if (parsed.kind === "exit") {
    if (parsed.message) process.stderr.write(`${parsed.message}\n`);
    return parsed.code;
  }
  const { service, pidsLimit } = parsed.value;
  let docker: Docker | undefined;
  let updated = false;
  try {
    docker = createDockerClient();
    const handle = docker.getService(service);
    for (let attempt = 1; ; attempt++) {
      const info = (await handle.inspect()) as ServiceInfo;
      if (info.Spec.TaskTemplate?.Resources?.Limits?.Pids === pidsLimit) break;
      try {
        await handle.update({ version: info.Version.Index, ...withPidsLimit(info.Spec, pidsLimit) });
        updated = true;
      } catch (err) {
        if (attempt < ATTEMPTS && /out of sequence/i.test(errorMessage(err))) continue;
        throw err;
      }
    }
    const applied = ((await handle.inspect()) as ServiceInfo).Spec.TaskTemplate?.Resources?.Limits?.Pids;
    if (applied !== pidsLimit) {
      process.stderr.write(
        `${TOOL}: the manager accepted the update but service "${service}" has Pids ${applied}, not ${pidsLimit}\n`,
      );
      return 1;
    }
  } catch (err) {
    process.stderr.write(`${TOOL}: ${await failure(docker, service, err)}\n`);
    return 1;
  }
  process.stdout.write(`${JSON.stringify({ service, pidsLimit, updated })}\n`);
  return 0;
}

async function failure(docker: Docker | undefined, service: string, err: unknown): Promise<string> {
  if (isNoSuchContainer(err)) return `no such service "${service}" (is DOCKER_HOST a manager of the swarm?)`;
  if (isNotSwarmManager(err)) return `the engine is not a swarm manager: ${errorMessage(err)}`;
  if (isEngineUnreachable(err)) return unreachableMessageFor(docker, err);
  return `could not update service "${service}": ${errorMessage(err)}`;
}

if (require.main === module) runMain(TOOL, () => main(process.argv.slice(2))).then(exitAfterFlush);
