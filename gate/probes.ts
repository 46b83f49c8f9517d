// Turns the parsed command line into the list of probes the gate runs.
import type Docker from "dockerode";
import { containerProbe } from "./container-probe";
import type { GateOptions } from "./gate-args";
import { httpProbe } from "./http-probe";
import { postgresProbe } from "./postgres-probe";
import { redisProbe } from "./redis-probe";
import { swarmServiceProbe } from "./swarm-probe";
import { tcpProbe } from "./tcp-probe";
import type { Probe } from "./types";

/** `docker` is only asked for when a container probe needs it. */
export function buildProbes(options: GateOptions, docker: () => Docker): Probe[] {
  const every = options.intervalMs;
  return [
    ...options.containers.map((ref) => containerProbe(docker, ref)),
    ...options.http.map((url) => httpProbe(url, { status: options.httpStatus, minItems: options.httpMinItems }, every)),
    ...options.tcp.map((address) => tcpProbe(address, every)),
    ...options.postgres.map((url) => postgresProbe(url, every)),
    ...options.redis.map((url) => redisProbe(url, every)),
    ...(options.swarmServices ?? []).map((target) => swarmServiceProbe(target, { intervalMs: every, logLines: options.logLines })),
  ];
}
