// Turns the parsed command line into the list of probes the gate runs.
import { containerProbe } from "./container-probe";
import type { EngineClient } from "./engine-client";
import type { GateOptions } from "./gate-args";
import { httpProbe } from "./http-probe";
import { postgresProbe } from "./postgres-probe";
import { readySources } from "./ready-probe";
import { redisProbe } from "./redis-probe";
import { swarmServiceProbe } from "./swarm-probe";
import { tcpProbe } from "./tcp-probe";
import type { Probe } from "./types";

/** `engine` is only asked for when a container or swarm probe needs it. */
export function buildProbes(options: GateOptions, engine: () => EngineClient): Probe[] {
  const every = options.intervalMs;
  const http = { status: options.httpStatus, minItems: options.httpMinItems };
  const sources = readySources(
    options.ready.map((r) => r.url),
    http,
    options.readyIntervalMs,
  );
  return [
    ...options.containers.map((ref) => {
      const url = options.ready.find((r) => r.container === ref)?.url;
      const pidsLimit = options.pidsLimits.find((p) => p.container === ref)?.pidsLimit;
      return containerProbe(engine, {
        ref,
        ...(pidsLimit === undefined ? {} : { pidsLimit }),
        ...(url === undefined ? {} : { ready: sources.get(url) }),
      });
    }),
    ...options.http.map((url) => httpProbe(url, http, every)),
    ...options.tcp.map((address) => tcpProbe(address, every)),
    ...options.postgres.map((url) => postgresProbe(url, every)),
    ...options.redis.map((url) => redisProbe(url, every)),
    ...(options.swarmServices ?? []).map((target) =>
      swarmServiceProbe(target, { intervalMs: every, logLines: options.logLines }, engine),
    ),
  ];
}
