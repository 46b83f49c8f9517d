// The one hardened-container helper every berth service is built on: limits, non-root user,
// no-new-privileges, read-only root with tmpfs, capabilities dropped, bounded restarts, a
// healthcheck, labels, and the pids limit applied right after create (the provider has no pids
// argument, so a command sets it through the Engine API and a `docker inspect` confirms it).
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import * as command from "@pulumi/command";
import { HardeningSettings, TierSettings } from "../config/schema";
import { LABELS, labelList } from "../naming";
import { dockerEnvironment, gateInvocation, shellQuote } from "../gate/cli-location";

export const DOCKER_SOCKET = "/var/run/docker.sock";

/** Args every berth service component takes, beside its own. */
export interface ServiceArgs {
  /** Healthcheck timing. @default the test stack's fast timing */
  timing?: TierSettings;
  /** Explicit opt-outs of the hardening rules. @default every hardening rule on */
  hardening?: HardeningSettings;
  /** Labels (project, stack, environment, service) put on every Docker object. */
  labels: Record<string, string>;
  /** Engine address for the pids-limit step, e.g. ssh://user@host. @default the local engine */
  dockerHost?: string;
}

/** Args of a service that publishes its port on the host. */
export interface PublishedServiceArgs extends ServiceArgs {
  /** Host port to publish the service's port on. @default undefined - the engine picks a free port */
  hostPort?: number;
  /** Host address the port binds to. @default "127.0.0.1" */
  hostIp?: string;
  /** @default true - false publishes no host port (internal networks) */
  publish?: boolean;
}

export interface HardenedContainerSpec {
  /** Docker container name (unique per stack). */
  containerName: string;
  image: pulumi.Input<string>;
  /** "uid:gid" the process runs as. */
  user: string;
  memoryMb: number;
  cpus: number;
  hardening: HardeningSettings;
  /** Healthcheck command in exec form, and the tier's timing. */
  healthcheck: { test: string[]; timing: TierSettings };
  networkName: pulumi.Input<string>;
  /** DNS names the service answers to on the stack's network. */
  aliases: string[];
  labels: Record<string, string>;
  envs?: pulumi.Input<pulumi.Input<string>[]>;
  command?: string[];
  /** Container port → host port (undefined: the engine picks a free one). */
  ports?: { internal: number; external?: number; hostIp: string }[];
  /** Extra tmpfs mounts (path → mount options); /tmp is always there. */
  tmpfs?: Record<string, string>;
  volumes?: { volumeName: pulumi.Input<string>; containerPath: string }[];
  /** Mount the engine's socket (explicit opt-in; the container is labelled so policy allows it). */
  dockerSocket?: boolean;
}

/** Docker duration strings ("250ms", "2s") from milliseconds. */
export function duration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

const TMP_TMPFS = "rw,noexec,nosuid,size=64m";

// Capabilities the policy pack lets a container add back (policy/catalog.ts); adding any other
// is an opt-out of the capabilities rule.
const POLICY_ALLOWED_CAPS = ["CHOWN", "SETGID", "SETUID", "NET_BIND_SERVICE"];

/** The policy rules a hardening config turns off, named as the policy pack names them. */
export function optOuts(h: HardeningSettings, user: string): string[] {
  const out: string[] = [];
  if (/^(0|root)(:|$)/.test(user)) out.push("container-non-root-user");
  if (h.capAdd.some((cap) => !POLICY_ALLOWED_CAPS.includes(cap))) out.push("container-capabilities-dropped");
  if (!h.readOnly) out.push("container-read-only-rootfs");
  if (!h.noNewPrivileges) out.push("container-no-new-privileges");
  return out;
}

/** The provider arguments for one hardened container (pure: tested without mocks). */
export function hardenedContainerArgs(spec: HardenedContainerSpec): docker.ContainerArgs {
  const h = spec.hardening;
  const labels: Record<string, string> = { ...spec.labels, [LABELS.pidsLimit]: String(h.pidsLimit) };
  if (spec.dockerSocket) labels[LABELS.allowDockerSocket] = "true";
  const user = h.user ?? spec.user;
  const opted = optOuts(h, user);
  if (opted.length > 0) labels[LABELS.optOut] = opted.join(",");
  const t = spec.healthcheck.timing;
  return {
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
    tmpfs: { "/tmp": TMP_TMPFS, ...(spec.tmpfs ?? {}) },
    volumes: [
      ...(spec.volumes ?? []).map((v) => ({ volumeName: v.volumeName, containerPath: v.containerPath })),
      ...(spec.dockerSocket ? [{ hostPath: DOCKER_SOCKET, containerPath: DOCKER_SOCKET }] : []),
    ],
    envs: spec.envs,
    command: spec.command,
    ports: (spec.ports ?? []).map((p) => ({ internal: p.internal, external: p.external, ip: p.hostIp, protocol: "tcp" })),
    networksAdvanced: [{ name: spec.networkName, aliases: spec.aliases }],
    labels: labelList(labels),
    // Containers are removed with their anonymous volumes: teardown leaves no orphans.
    removeVolumes: true,
    mustRun: true,
    logs: false,
    attach: false,
    // Readiness is the HealthGate's job: the provider's `wait` ignores `unhealthy` until its timeout.
    wait: false,
    destroyGraceSeconds: 10,
  };
}

export interface HardenedContainer {
  container: docker.Container;
  /** Applies and verifies the pids limit; gates depend on it so no tier starts unlimited. */
  pidsLimit: command.local.Command;
}

/** Creates the container and the step that applies its pids limit, both children of `opts.parent`. */
export function createHardenedContainer(
  name: string,
  spec: HardenedContainerSpec,
  dockerHost: string | undefined,
  opts: pulumi.CustomResourceOptions,
): HardenedContainer {
  const container = new docker.Container(
    name,
    hardenedContainerArgs(spec),
    // Healthcheck edits applied in place have been ignored upstream: replace instead.
    pulumi.mergeOptions(opts, { replaceOnChanges: ["healthcheck"], deleteBeforeReplace: true }),
  );
  const pidsLimit = new command.local.Command(
    `${name}-pids-limit`,
    {
      create: `${gateInvocation("set-pids-limit")} --container ${shellQuote(spec.containerName)} --pids-limit ${spec.hardening.pidsLimit}`,
      environment: dockerEnvironment(dockerHost),
      triggers: [container.id],
    },
    pulumi.mergeOptions(opts, { dependsOn: [container] }),
  );
  return { container, pidsLimit };
}
