// Host ports of the services that publish one (Postgres, Redis, the orchestrator's API): the
// config fragment under berth:ports, its defaults, the plan of which host port each service gets,
// the rules that keep two services (or berth's policy pack) from refusing the plan, and the host
// that reaches a published port.
import { isIP } from "node:net";
import { z } from "zod";
import { FIRST_UNPRIVILEGED_PORT } from "./contract";
import { ConfigProblem } from "./problems";
import { Assert, EnvironmentType, Same, wholeNumber } from "./fields";

/** The host port of each service that publishes one; undefined: not published (or not known yet). */
export interface PortPlan {
  postgres: number | undefined;
  redis: number | undefined;
  /** The orchestrator's API. */
  orchestrator: number | undefined;
}
export const PUBLISHED_SERVICES = ["postgres", "redis", "orchestrator"] as const;
export type PublishedService = (typeof PUBLISHED_SERVICES)[number];
export type PublishedServicesListed = Assert<Same<PublishedService, keyof PortPlan>>;
/**
 * How the services publish host ports (berth:ports.publish): auto, the engine picks free ports;
 * fixed, ports.postgres/redis/orchestrator; range, the first three of ports.range; none.
 */
export type PublishMode = "auto" | "fixed" | "range" | "none";
export const PUBLISH_MODES = ["auto", "fixed", "range", "none"] as const;
export type PublishModesListed = Assert<Same<(typeof PUBLISH_MODES)[number], PublishMode>>;

const hostPort = wholeNumber(1, 65535);

export const portsSchema = z.strictObject({
  publish: z
    .enum(PUBLISH_MODES)
    .describe(
      "auto: the engine picks free host ports; fixed: ports.postgres/redis/orchestrator; range: the first three of ports.range; none",
    )
    .optional(),
  hostIp: z.string().describe("address the host ports bind to").optional(),
  range: z.string().describe('host ports "from-to" for publish: range, e.g. "41000-41099"').optional(),
  postgres: hostPort.describe("Postgres' host port with publish: fixed").optional(),
  redis: hostPort.describe("Redis' host port with publish: fixed").optional(),
  orchestrator: hostPort.describe("the orchestrator API's host port with publish: fixed").optional(),
});
export type PortsInput = z.infer<typeof portsSchema>;

/** berth:ports with every default applied: how the services publish, on which address, and the ports planned. */
export interface PortSettings {
  publish: PublishMode;
  /** Address the host ports bind to. */
  hostIp: string;
  hostPorts: PortPlan;
}

export function portsDefaults(environment: EnvironmentType): Required<Omit<PortsInput, "range">> {
  return {
    publish: environment === "test" ? "auto" : "fixed",
    hostIp: "127.0.0.1",
    postgres: 5432,
    redis: 6379,
    orchestrator: 8080,
  };
}

/** The default bind address of published ports (loopback: nothing outside the machine reaches them). */
export const DEFAULT_HOST_IP = portsDefaults("test").hostIp;

const NONE: PortPlan = { postgres: undefined, redis: undefined, orchestrator: undefined };

type Range = { from: number; to: number };

function parseRange(text: string): Range | undefined {
  const m = /^\s*(\d{1,5})\s*-\s*(\d{1,5})\s*$/.exec(text);
  return m ? { from: Number(m[1]), to: Number(m[2]) } : undefined;
}

/** Why a range cannot serve the three published services, in the user's words; undefined when it can. */
export function rangeProblem(text: string): string | undefined {
  const r = parseRange(text);
  const need = PUBLISHED_SERVICES.length;
  if (!r) return `a range "from-to" of host ports such as "41000-41099"`;
  if (r.to > 65535) return `a range ending at 65535 at the most`;
  if (r.from > r.to) return `a range whose first port is the lower one, e.g. "${r.to}-${r.from}"`;
  if (r.from < FIRST_UNPRIVILEGED_PORT)
    return `a range starting at ${FIRST_UNPRIVILEGED_PORT} or above (lower host ports need root, and berth's policy pack refuses them, CIS 5.8)`;
  if (r.to - r.from + 1 < need)
    return `a range of at least ${need} ports (one each for ${PUBLISHED_SERVICES.join(", ")}), e.g. "${r.from}-${r.from + need - 1}"`;
  return undefined;
}

/** Host ports from a "from-to" range: postgres, redis, orchestrator take the first three. */
export function portsFromRange(text: string): PortPlan | undefined {
  const r = parseRange(text);
  if (!r || rangeProblem(text) !== undefined) return undefined;
  return { postgres: r.from, redis: r.from + 1, orchestrator: r.from + 2 };
}

export function portSettings(filled: Required<Omit<PortsInput, "range">> & Pick<PortsInput, "range">): PortSettings {
  const hostPorts: PortPlan =
    filled.publish === "fixed"
      ? { postgres: filled.postgres, redis: filled.redis, orchestrator: filled.orchestrator }
      : filled.publish === "range"
        ? (portsFromRange(filled.range ?? "") ?? NONE)
        : NONE;
  return { publish: filled.publish, hostIp: filled.hostIp, hostPorts };
}

/** Rules between the fields, paths relative to berth:ports. `internal`: the network is internal. */
export function portsProblems(p: PortSettings, given: PortsInput, internal: boolean): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (isIP(p.hostIp) === 0)
    problems.push({
      path: ["hostIp"],
      given: p.hostIp,
      allowed: "an IPv4 or IPv6 address such as 127.0.0.1, 0.0.0.0 or ::1",
    });
  if (p.publish === "range") {
    const why =
      given.range === undefined
        ? `a range "from-to" such as "41000-41099" (ports.publish is "range")`
        : rangeProblem(given.range);
    if (why) problems.push({ path: ["range"], given: given.range, allowed: why });
  }
  if (p.publish === "fixed") {
    for (const service of PUBLISHED_SERVICES) {
      const port = p.hostPorts[service] ?? 0;
      if (port < FIRST_UNPRIVILEGED_PORT) {
        problems.push({
          path: [service],
          given: port,
          allowed: `a host port from ${FIRST_UNPRIVILEGED_PORT} to 65535 (lower ports need root, and berth's policy pack refuses them, CIS 5.8)`,
        });
      }
      const first = PUBLISHED_SERVICES.find((other) => p.hostPorts[other] === port);
      if (first !== service)
        problems.push({
          path: [service],
          given: port,
          allowed: `a host port other than ports.${first}'s (two services cannot bind one port)`,
        });
    }
  }
  if (internal && p.publish !== "none") {
    problems.push({
      path: ["publish"],
      given: p.publish,
      allowed: '"none" when network.internal is true (an internal network cannot publish host ports)',
    });
  }
  return problems;
}

/** The host to reach published ports on: the remote engine's host, else the bind address. */
export function probeHost(dockerHost: string | undefined, hostIp: string): string {
  const remote = dockerHost?.match(/^(?:tcp|ssh):\/\/(?:[^@/]+@)?(\[[^\]]+\]|[^:/]+)/);
  if (remote) return remote[1];
  return hostIp === "0.0.0.0" ? "127.0.0.1" : hostIp;
}
