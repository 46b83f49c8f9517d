#!/usr/bin/env node
// berth gate: waits until a tier's services are healthy, or says fast and clearly why not.
// Usage: node dist/gate/cli.js --name <gate> --timeout-seconds <n> [--interval-ms 200] [--log-lines 50]
//          [--container <name>]... [--pids-limit <name>=<n>]... [--ready <name>=<url|env:VAR>]...
//          [--ready-interval-ms 50] [--http <url>]... [--http-status 200] [--http-min-items key=n]
//          [--tcp host:port]... [--postgres url|env:VAR]... [--redis url|env:VAR]...
//          [--swarm-service service[=replicas]]... [--hint text]
// Exit 0 passed, 1 failed (probe failed, timed out, engine/server unreachable), 2 usage error.
import { ContainerDiagnostics, diagnoseContainer } from "./container-diagnostics";
import { createEngineClient, EngineClient } from "./engine-client";
import { GateOptions, parseGateArgs } from "./gate-args";
import { buildProbes } from "./probes";
import { swarmReport } from "./swarm-report";
import { makeScrubber, secretsOfUrl } from "./redact";
import { failureReport, withDiagnostics } from "./report";
import { gateResult } from "./result";
import { runGate } from "./run-gate";
import { exitAfterFlush, runMain } from "./process-exit";
import type { ProbeOutcome } from "./types";

/** Diagnostics must not hold a failure report back for long. */
const DIAGNOSTICS_BUDGET_MS = 5000;
const DIAGNOSED: ReadonlySet<string> = new Set(["unhealthy", "exited", "oom", "timeout"]);

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const parsed = parseGateArgs(argv, env);
  if (parsed.kind === "exit") {
    if (parsed.message) process.stderr.write(`${parsed.message}\n`);
    return parsed.code;
  }
  const options = parsed.value;
  const scrub = makeScrubber(
    [...options.http, ...options.postgres, ...options.redis, ...options.ready.map((r) => r.url)].flatMap(secretsOfUrl),
  );
  const say = (line: string): void => void process.stderr.write(`${scrub(line)}\n`);
  let client: EngineClient | undefined;
  const engine = (): EngineClient => (client ??= createEngineClient());

  const probes = buildProbes(options, engine);
  const gate = await runGate({ name: options.name, timeoutSeconds: options.timeoutSeconds, probes, progress: say });
  let outcomes = gate.outcomes;
  if (gate.ending !== "passed") {
    const diagnostics = client ? await diagnose(client, outcomes, options) : new Map<string, ContainerDiagnostics>();
    outcomes = outcomes.map((o) => withDiagnostics(o, o.kind === "container" ? diagnostics.get(o.target) : undefined));
    failureReport({
      gate: options.name,
      elapsedMs: gate.elapsedMs,
      outcomes,
      diagnostics,
      logLines: options.logLines,
    }).forEach(say);
    swarmReport(probes).forEach(say);
    if (options.hint) say(options.hint);
  }
  const result = gateResult(options.name, gate.elapsedMs, outcomes);
  // Scrub the values, not the JSON text: a secret with a quote or backslash is escaped there.
  process.stdout.write(
    `${JSON.stringify(result, (_key, value: unknown) => (typeof value === "string" ? scrub(value) : value))}\n`,
  );
  return gate.ending === "passed" ? 0 : 1;
}

async function diagnose(
  engine: EngineClient,
  outcomes: readonly ProbeOutcome[],
  options: GateOptions,
): Promise<Map<string, ContainerDiagnostics>> {
  const failed = outcomes.filter((o) => o.kind === "container" && DIAGNOSED.has(o.status) && !o.engineUnreachable);
  const found = new Map<string, ContainerDiagnostics>();
  const all = Promise.all(
    failed.map(async (o) => found.set(o.target, await diagnoseContainer(engine, o.target, options.logLines))),
  );
  await Promise.race([all, new Promise((resolve) => setTimeout(resolve, DIAGNOSTICS_BUDGET_MS).unref())]);
  return found;
}

runMain("berth gate", () => main(process.argv.slice(2), process.env)).then(exitAfterFlush);
