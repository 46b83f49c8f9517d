// The one hardened-container helper every berth service is built on: limits, non-root user,
// no-new-privileges, read-only root with tmpfs, capabilities dropped, bounded restarts, a
// healthcheck and labels. The provider has no pids argument: the container carries its limit in
// the berth.pids-limit label, and the HealthGate that watches it applies it through the Engine
// API before anything depends on the container (and reads it back).
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { DOCKER_SOCKET, isRootUser, LABELS, RULE_NAMES, RuleName } from "../contract";
import { labelList } from "../naming";
import { Hardening, HealthcheckTiming } from "./settings";

export interface HardenedContainerSpec {
  /** Docker container name (unique on the engine). */
  containerName: pulumi.Input<string>;
  image: pulumi.Input<string>;
  /** "uid:gid" the image's service runs as; hardening.user overrides it. */
  user: string;
  memoryMb: number;
  cpus: number;
  hardening: Hardening;
  /** Healthcheck command in exec form, and its timing. */
  healthcheck: { test: string[]; timing: HealthcheckTiming };
  /** Seconds the container gets to stop on its stop signal before it is killed (destroy, replace, `docker stop`). */
  stopGraceSeconds: number;
  /** The signal that asks the service to stop. @default the image's STOPSIGNAL, else SIGTERM */
  stopSignal?: string;
  networkName: pulumi.Input<string>;
  /** DNS names the service answers to on the stack's network. */
  aliases: string[];
  /**
   * Id of a container whose network namespace this one joins (the engine's `container:<id>`
   * mode) instead of joining networkName with aliases of its own: it answers to that container's
   * aliases, from its address. @default none - a namespace of its own on networkName
   */
  networkNamespaceOf?: pulumi.Input<string>;
  labels: Record<string, string>;
  envs?: pulumi.Input<pulumi.Input<string>[]>;
  command?: string[];
  /** Container port → host port (undefined: the engine picks a free one). */
  ports?: { internal: number; external?: pulumi.Input<number>; hostIp: string }[];
  /** Extra tmpfs mounts (path → mount options); /tmp is always there. */
  tmpfs?: Record<string, string>;
  /** tmpfs mounts the process writes its data to: owned by the user it runs as (path → mount options). */
  ownedTmpfs?: Record<string, string>;
  /** Named volumes; `readOnly` for one the container must not write. */
  volumes?: { volumeName: pulumi.Input<string>; containerPath: string; readOnly?: boolean }[];
  /** Mount the engine's socket (explicit opt-in; the container is labelled so policy allows it). */
  dockerSocket?: boolean;
}

/** Docker duration strings ("250ms", "2s") from milliseconds. */
export function duration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

const TMP_TMPFS = "rw,noexec,nosuid,size=64m";

/** The "uid:gid" the process runs as: the explicit hardening.user, else the image's service user. */
export function runAs(spec: Pick<HardenedContainerSpec, "user" | "hardening">): string {
  return spec.hardening.user ?? spec.user;
}

/** tmpfs options owned by `user` ("uid:gid", or "uid" for uid:uid). */
export function ownedBy(options: string, user: string): string {
  const [uid, gid] = user.split(":");
  return `${options},uid=${uid},gid=${gid ?? uid}`;
}

/**
 * The waivable rules (contract.ts WAIVABLE_RULES) a hardened container's settings turn off: what
 * its opt-out label lists. Every other rule these arguments always pass. tests/unit/specs.test.ts
 * holds the label against the policy pack's own checks (policy/catalog.ts waivedBy), so the two
 * cannot drift, without every program loading the pack's catalog.
 */
export function waivedRules(user: string, hardening: Pick<Hardening, "readOnly" | "noNewPrivileges">): RuleName[] {
  return [
    ...(isRootUser(user) ? [RULE_NAMES.nonRootUser] : []),
    ...(hardening.readOnly ? [] : [RULE_NAMES.readOnlyRootfs]),
    ...(hardening.noNewPrivileges ? [] : [RULE_NAMES.noNewPrivileges]),
  ];
}

/** The provider arguments for one hardened container (pure: tested without mocks). */
export function hardenedContainerArgs(spec: HardenedContainerSpec): docker.ContainerArgs {
  const h = spec.hardening;
  const labels: Record<string, string> = { ...spec.labels, [LABELS.pidsLimit]: String(h.pidsLimit) };
  if (spec.dockerSocket) labels[LABELS.allowDockerSocket] = "true";
  const user = runAs(spec);
  const t = spec.healthcheck.timing;
  const args: docker.ContainerArgs = {
    name: spec.containerName,
    image: spec.image,
    user,
    memory: spec.memoryMb,
    memorySwap: spec.memoryMb, // no swap beyond the limit
    cpus: String(spec.cpus),
    readOnly: h.readOnly,
    securityOpts: h.noNewPrivileges ? ["no-new-privileges:true"] : [],
    capabilities: { drops: ["ALL"], adds: [...h.capAdd] },
    restart: "on-failure",
    maxRetryCount: h.maxRetryCount,
    init: false,
    healthcheck: {
      tests: ["CMD", ...spec.healthcheck.test],
      interval: duration(t.intervalMs),
      timeout: duration(t.timeoutMs),
      startPeriod: duration(t.startPeriodMs),
      retries: t.retries,
    },
    tmpfs: {
      "/tmp": TMP_TMPFS,
      ...(spec.tmpfs ?? {}),
      ...Object.fromEntries(
        Object.entries(spec.ownedTmpfs ?? {}).map(([path, options]) => [path, ownedBy(options, user)]),
      ),
    },
    volumes: [
      ...(spec.volumes ?? []).map((v) => ({
        volumeName: v.volumeName,
        containerPath: v.containerPath,
        ...(v.readOnly ? { readOnly: true } : {}),
      })),
      ...(spec.dockerSocket ? [{ hostPath: DOCKER_SOCKET, containerPath: DOCKER_SOCKET }] : []),
    ],
    envs: spec.envs,
    command: spec.command,
    ports: (spec.ports ?? []).map((p) => ({
      internal: p.internal,
      external: p.external,
      ip: p.hostIp,
      protocol: "tcp",
    })),
    ...(spec.networkNamespaceOf === undefined
      ? { networksAdvanced: [{ name: spec.networkName, aliases: spec.aliases }] }
      : // The engine reads the mode back as container:<id>: the id, not a name, keeps plans free of diffs.
        { networkMode: pulumi.interpolate`container:${spec.networkNamespaceOf}` }),
    labels: labelList(labels),
    // Containers are removed with their anonymous volumes: teardown leaves no orphans.
    removeVolumes: true,
    mustRun: true,
    logs: false,
    attach: false,
    // Readiness is the HealthGate's job: the provider's `wait` ignores `unhealthy` until its timeout.
    wait: false,
    // One grace for every way a container is stopped: the provider's destroy, replace and
    // scale-down stop it with destroyGraceSeconds; `docker stop`/`restart` and the engine's own
    // shutdown use the container's StopTimeout.
    ...(spec.stopSignal === undefined ? {} : { stopSignal: spec.stopSignal }),
    stopTimeout: spec.stopGraceSeconds,
    destroyGraceSeconds: spec.stopGraceSeconds,
  };
  const waived = waivedRules(user, h);
  if (waived.length > 0) args.labels = labelList({ ...labels, [LABELS.optOut]: waived.join(",") });
  return args;
}

/** Creates the container, a child of `opts.parent`. */
export function createHardenedContainer(
  name: string,
  spec: HardenedContainerSpec,
  opts: pulumi.CustomResourceOptions,
): docker.Container {
  return new docker.Container(
    name,
    hardenedContainerArgs(spec),
    // Healthcheck edits applied in place have been ignored upstream: replace instead.
    pulumi.mergeOptions(opts, { replaceOnChanges: ["healthcheck"], deleteBeforeReplace: true }),
  );
}
