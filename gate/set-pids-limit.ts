#!/usr/bin/env node
// berth set-pids-limit: CIS Docker Benchmark 5.29 for containers the Pulumi Docker provider
// creates (it has no pids argument): set HostConfig.PidsLimit through the Engine API, then read
// it back so a silently ignored update cannot pass.
// Usage: node dist/gate/set-pids-limit.js --container <name-or-id> --pids-limit <n>
// Prints {"container":"…","pidsLimit":n}; exit 1 when the engine or container is missing, 2 on usage errors.
import { createEngineClient, EngineClient } from "./engine-client";
import { engineAddress, engineUnreachableMessage, isEngineUnreachable, isNoSuchContainer, unreachableReason } from "./engine-errors";
import { exitAfterFlush, runMain } from "./process-exit";
import { errorMessage } from "./types";
import { parsePidsArgs, PIDS_TOOL as TOOL } from "./pids-args";

async function main(argv: string[]): Promise<number> {
  const parsed = parsePidsArgs(argv);
  if (parsed.kind === "exit") {
    if (parsed.message) process.stderr.write(`${parsed.message}\n`);
    return parsed.code;
  }
  const { container, pidsLimit } = parsed.value;
  let engine: EngineClient | undefined;
  try {
    engine = createEngineClient();
    await engine.update(container, { PidsLimit: pidsLimit });
    const applied = (await engine.inspect(container)).HostConfig.PidsLimit;
    if (applied !== pidsLimit) {
      process.stderr.write(`${TOOL}: the engine accepted the update but reports PidsLimit ${applied} for container "${container}", not ${pidsLimit}\n`);
      return 1;
    }
  } catch (err) {
    process.stderr.write(`${TOOL}: ${await failure(engine, container, err)}\n`);
    return 1;
  }
  process.stdout.write(`${JSON.stringify({ container, pidsLimit })}\n`);
  return 0;
}

async function failure(engine: EngineClient | undefined, container: string, err: unknown): Promise<string> {
  if (isNoSuchContainer(err)) return `no such container "${container}"`;
  if (isEngineUnreachable(err)) return engineUnreachableMessage(await engineAddress(engine, process.env), unreachableReason(err));
  return `could not update container "${container}": ${errorMessage(err)}`;
}

runMain(TOOL, () => main(process.argv.slice(2))).then(exitAfterFlush);
