// The hardened container of one worker, as a replicated swarm service: the arguments
// hardenedContainerArgs() gives a docker.Container, translated field by field into
// @pulumi/docker 5.2 Service arguments (Engine API 1.41's TaskTemplate). Deriving the service from
// the container's own arguments keeps the hardening identical in both modes; a container field this
// does not know, or a value the service spec cannot carry, is an error, never dropped. Pure: a table
// test pins every field.
import * as pulumi from "@pulumi/pulumi";
import type * as docker from "@pulumi/docker";
import { labelList } from "../naming";

const MIB = 1024 * 1024;

/** Where and how many: what the service adds to the container's own settings. */
export interface SwarmPlacement {
  serviceName: pulumi.Input<string>;
  replicas: number;
  /** The attachable overlay network's id (the provider wants ids for a service's networks). */
  networkId: pulumi.Input<string>;
  /** Labels of the service object itself (its containers get the container's labels). */
  labels: Record<string, string>;
  /** Placement constraints, e.g. ["node.role==worker"]. */
  constraints: string[];
}

/**
 * Container fields with no per-service setting in Engine API 1.41, and why that is safe. Each is
 * accepted only with the one value berth's hardened container gives it.
 */
export const NOT_IN_SERVICE_SPEC: Readonly<Record<string, string>> = {
  securityOpts:
    'no-new-privileges: a service spec has no such field before API 1.44; the nodes\' dockerd sets it for every container ("no-new-privileges": true), checked at run time from /proc/1/status',
  memorySwap:
    "no swap setting in a 1.41 service spec: the engine's default applies (swap up to the memory limit where the node has swap)",
  removeVolumes: "the provider's clean-up flag: swarm removes a task's container and anonymous volumes itself",
  mustRun: "the provider's check after create: the workers gate waits for every replica instead",
  logs: "the provider's log capture: read task logs with `docker service logs`",
  attach: "the provider's attach: tasks run detached",
  wait: "the provider's health wait: the workers gate waits for every replica instead",
  name: "swarm names each task's container <service>.<slot>.<task id>",
};

const HANDLED = new Set([
  "image",
  "user",
  "memory",
  "cpus",
  "readOnly",
  "capabilities",
  "restart",
  "maxRetryCount",
  "init",
  "healthcheck",
  "tmpfs",
  "volumes",
  "envs",
  "command",
  "ports",
  "networksAdvanced",
  "labels",
  "destroyGraceSeconds",
  "stopTimeout",
  "stopSignal",
  ...Object.keys(NOT_IN_SERVICE_SPEC),
]);

function fail(message: string): never {
  throw new Error(`the worker container cannot become a swarm service: ${message}`);
}

/** The value berth's hardened container gives each field the service spec cannot carry. */
function checkNotCarried(c: Record<string, any>): void {
  const opts: string[] = c.securityOpts ?? [];
  const other = opts.filter((o) => !/^no-new-privileges([:=]true)?$/.test(o));
  if (other.length > 0)
    fail(
      `securityOpts ${JSON.stringify(other)} have no service setting (only no-new-privileges, which the nodes' dockerd sets)`,
    );
  if (opts.length === 0)
    fail(
      "securityOpts lack no-new-privileges: a swarm node's dockerd sets it for every container, so it cannot be left out for one service",
    );
  if (c.memorySwap !== undefined && c.memorySwap !== c.memory)
    fail(`memorySwap ${c.memorySwap} differs from memory ${c.memory}; a 1.41 service spec has no swap setting`);
  const lifecycle: Record<string, unknown> = {
    removeVolumes: true,
    mustRun: true,
    logs: false,
    attach: false,
    wait: false,
  };
  for (const [key, expected] of Object.entries(lifecycle)) {
    if (c[key] !== undefined && c[key] !== expected)
      fail(
        `${key}: ${JSON.stringify(c[key])} has no service equivalent (only ${JSON.stringify(expected)} does: ${NOT_IN_SERVICE_SPEC[key]})`,
      );
  }
}

const SIZE = /^([0-9]+)([kmg]?)$/;
const UNIT: Record<string, number> = { "": 1, k: 1024, m: MIB, g: 1024 * MIB };
// A service's tmpfs mounts are always nosuid, nodev and noexec (the engine's defaults for tmpfs mounts).
const IMPLIED_TMPFS_OPTIONS = new Set(["rw", "nosuid", "nodev", "noexec"]);

/** "rw,noexec,nosuid,size=64m[,mode=1777]" → the service's tmpfs options. */
export function tmpfsOptions(path: string, options: string): { sizeBytes?: number; mode?: number } {
  const out: { sizeBytes?: number; mode?: number } = {};
  for (const option of options.split(",").filter(Boolean)) {
    const [key, value] = option.split("=");
    if (value === undefined && IMPLIED_TMPFS_OPTIONS.has(key)) continue;
    const size = key === "size" ? SIZE.exec(value ?? "") : null;
    if (size) out.sizeBytes = Number(size[1]) * UNIT[size[2]];
    else if (key === "mode" && /^[0-7]{3,4}$/.test(value ?? "")) out.mode = parseInt(value, 8);
    else
      fail(
        `tmpfs ${path}: option "${option}" has no service setting (a 1.41 service's tmpfs takes only a size and a mode)`,
      );
  }
  return out;
}

/** ["K=V", …] → { K: V } (the provider's env of a service is a map; a later duplicate wins). */
export function envMap(envs: readonly string[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const entry of envs) {
    const at = entry.indexOf("=");
    if (at <= 0) fail(`env entry without a name: ${entry.slice(0, 20)}…`);
    map[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return map;
}

function restartPolicy(c: Record<string, any>): docker.types.input.ServiceTaskSpecRestartPolicy {
  const name = c.restart ?? "no";
  // A replacement starts at once (the default waits 5 s), so a drained node's workers move fast.
  if (name === "on-failure") return { condition: "on-failure", maxAttempts: c.maxRetryCount ?? 0, delay: "0s" };
  if (name === "no") return { condition: "none" };
  return fail(`restart "${name}": a service restarts "on-failure" (bounded, CIS 5.15) or not at all`);
}

/** The service arguments for `replicas` copies of the container `container` (hardenedContainerArgs' output). */
export function swarmServiceArgs(container: docker.ContainerArgs, placement: SwarmPlacement): docker.ServiceArgs {
  const c = container as Record<string, any>;
  const unknown = Object.keys(c).filter((k) => c[k] !== undefined && !HANDLED.has(k));
  if (unknown.length > 0) fail(`no translation for ${unknown.sort().join(", ")}`);
  checkNotCarried(c);
  if ((c.ports ?? []).length > 0)
    fail("workers publish no port (a swarm publishes through the routing mesh, which berth does not use)");
  if ((c.volumes ?? []).length > 0)
    fail("workers mount no volume on a swarm (berth:workers.dockerSocket is one engine's)");
  const networks: Array<{ name: pulumi.Input<string>; aliases?: string[] }> = c.networksAdvanced ?? [];
  if (networks.length !== 1) fail(`one network expected, got ${networks.length}`);
  if (typeof c.memory !== "number" || c.memory <= 0) fail("no memory limit (MB) to give each replica");
  if (!(Number(c.cpus) > 0)) fail("no CPU limit to give each replica");
  const hc = c.healthcheck;
  if (!hc?.tests?.length) fail("no healthcheck: the gate and swarm's own start wait read it");
  // A task has one grace for every stop (removal, update, scale-down): the container's two must agree.
  if (c.stopTimeout !== undefined && c.destroyGraceSeconds !== undefined && c.stopTimeout !== c.destroyGraceSeconds) {
    fail(
      `stopTimeout ${c.stopTimeout} differs from destroyGraceSeconds ${c.destroyGraceSeconds}; a service has one stop grace period`,
    );
  }
  const grace = c.stopTimeout ?? c.destroyGraceSeconds;

  const containerSpec: docker.types.input.ServiceTaskSpecContainerSpec = {
    image: c.image,
    user: c.user,
    readOnly: c.readOnly ?? false,
    ...(c.command === undefined ? {} : { commands: c.command }),
    ...(c.envs === undefined
      ? {}
      : { env: pulumi.output(c.envs as pulumi.Input<string[]>).apply((list) => envMap(list)) }),
    capDrops: c.capabilities?.drops ?? [],
    capAdds: c.capabilities?.adds ?? [],
    init: c.init ?? false,
    healthcheck: {
      tests: hc.tests,
      interval: hc.interval,
      timeout: hc.timeout,
      startPeriod: hc.startPeriod,
      retries: hc.retries,
    },
    mounts: Object.entries((c.tmpfs ?? {}) as Record<string, string>).map(([target, options]) => ({
      type: "tmpfs",
      target,
      tmpfsOptions: tmpfsOptions(target, options),
    })),
    labels: c.labels,
    ...(grace === undefined ? {} : { stopGracePeriod: `${grace}s` }),
    ...(c.stopSignal === undefined ? {} : { stopSignal: c.stopSignal }),
  };
  return {
    name: placement.serviceName,
    labels: labelList(placement.labels),
    mode: { replicated: { replicas: placement.replicas } },
    // No virtual IP: nothing calls the workers, and VIP load balancing needs IPVS on every node.
    endpointSpec: { mode: "dnsrr" },
    // All replicas at once, old tasks stopped first. The pids update right after create then waits
    // a few seconds for tasks still preparing to stop, but starts every worker once: start-first
    // started both generations and took 43 s instead of 25 s for 32 workers on 2 cores (bench).
    updateConfig: { parallelism: 0, order: "stop-first", delay: "0s", failureAction: "pause" },
    taskSpec: {
      containerSpec,
      resources: { limits: { memoryBytes: c.memory * MIB, nanoCpus: Math.round(Number(c.cpus) * 1e9) } },
      restartPolicy: restartPolicy(c),
      placement: { constraints: placement.constraints },
      networksAdvanceds: [{ id: placement.networkId, aliases: networks[0].aliases ?? [] }],
    },
  };
}
