// What every berth service component (Postgres, Redis, Orchestrator, WorkerPool, AppContainer)
// takes and gives: the common args with their defaults, and the one way they become a hardened
// container with its outputs. Each component adds only what is its own (command, env, healthcheck).
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { DEFAULT_HOST_IP, probeHost } from "../ports";
import { componentLabels, defaultObjectName, labelList } from "../naming";
import { given } from "../fields";
import { childOptions } from "../options";
import { engineOf } from "./engine";
import { createHardenedContainer, HardenedContainerSpec } from "./hardened";
import {
  DEFAULT_HARDENING,
  DEFAULT_STOP_GRACE_SECONDS,
  defaultHealthcheck,
  Hardening,
  HealthcheckTiming,
} from "./settings";

/** Args every berth service component takes, beside its own. */
export interface ServiceArgs {
  /** Network the container joins. */
  networkName: pulumi.Input<string>;
  /** Docker container name, unique on the engine. @default `<project>-<stack>-<name>`, name being the component's */
  containerName?: pulumi.Input<string>;
  /** DNS names the container answers to on the network; `url` uses the first. @default [name] - the component's name */
  aliases?: string[];
  /**
   * Labels on the container (and its volume), merged over berth's own: berth.project, berth.stack
   * and berth.service (the kind of service). berth.pids-limit, berth.allow-docker-socket and
   * berth.opt-out are refused: berth derives them from the arguments.
   */
  labels?: Record<string, string>;
  /** Memory limit in MB, no swap. @default the kind's default (see its settings) */
  memoryMb?: number;
  /** CPU limit in cores. @default the kind's default */
  cpus?: number;
  /**
   * Docker healthcheck timing; keys left out keep theirs.
   * @default defaultHealthcheck() - the test stack's: every 60 s when the gate asks the service itself, else every 500 ms
   */
  healthcheck?: Partial<HealthcheckTiming>;
  /**
   * Seconds the container gets to stop on its stop signal before it is killed (destroy, replace,
   * `docker stop`). Changing it replaces the container (the provider's stopTimeout).
   * @default DEFAULT_STOP_GRACE_SECONDS - the test stack's, 2
   */
  stopGraceSeconds?: number;
  /** Explicit opt-outs of the hardening rules; keys left out stay on. @default DEFAULT_HARDENING (every rule on) */
  hardening?: Partial<Hardening>;
  /** Extra environment variables (values may be secrets or outputs of other resources). @default none */
  env?: Record<string, pulumi.Input<string>>;
}

/** Args of a service that can publish its port on the host. */
export interface PublishedServiceArgs extends ServiceArgs {
  /** Host port to publish the service's port on. @default undefined - the engine picks a free one */
  hostPort?: pulumi.Input<number>;
  /** Host address the port binds to. @default "127.0.0.1" */
  hostIp?: string;
  /** @default true - false publishes no host port (internal networks) */
  publish?: boolean;
}

/** Partial overrides over the defaults: a component's args become the container's full settings. */
export function withDefaults(
  args: Pick<ServiceArgs, "hardening" | "healthcheck" | "stopGraceSeconds">,
  gatedDirectly = false,
): { hardening: Hardening; healthcheck: HealthcheckTiming; stopGraceSeconds: number } {
  return {
    hardening: { ...DEFAULT_HARDENING, ...given(args.hardening) },
    healthcheck: { ...defaultHealthcheck(gatedDirectly), ...given(args.healthcheck) },
    stopGraceSeconds: args.stopGraceSeconds ?? DEFAULT_STOP_GRACE_SECONDS,
  };
}

/** What a component says of its own container: the parts of the spec no common arg decides. */
export type OwnSpec = Omit<
  HardenedContainerSpec,
  "containerName" | "networkName" | "aliases" | "labels" | "hardening" | "ports" | "healthcheck" | "stopGraceSeconds"
> & {
  healthcheckTest: string[];
  /** The port clients use; published on the host unless publish is false. */
  port?: number;
  /** A gate can ask the service itself (so Docker's healthcheck may be calm). @default the port is published */
  gatedDirectly?: boolean;
};

/** A service's container and what clients need to reach it. */
export interface ServiceContainer {
  container: docker.Container;
  containerName: pulumi.Output<string>;
  aliases: string[];
  /** Published host port (undefined when not published). */
  hostPort: pulumi.Output<number | undefined>;
  /** Where the host port is reached from the machine running Pulumi: the engine's host, else the bind address. */
  hostAddress: pulumi.Output<string>;
}

/** Declares the hardened container of one service component (the component is `parent`). */
export function serviceContainer(
  parent: pulumi.ComponentResource,
  name: string,
  kind: string,
  args: PublishedServiceArgs,
  own: OwnSpec,
  opts: pulumi.ComponentResourceOptions,
): ServiceContainer {
  const aliases = args.aliases ?? [name];
  if (aliases.length === 0)
    throw new pulumi.ResourceError(
      `${kind} ${name}: aliases is empty; give at least one DNS name (url uses the first)`,
      parent,
    );
  const hostIp = args.hostIp ?? DEFAULT_HOST_IP;
  const publish = own.port !== undefined && args.publish !== false;
  const { gatedDirectly = publish, healthcheckTest, port: _port, ...spec } = own;
  const { hardening, healthcheck, stopGraceSeconds } = withDefaults(args, gatedDirectly);
  const envs =
    own.envs === undefined && Object.keys(args.env ?? {}).length === 0
      ? undefined
      : mergedEnvs(own.envs ?? [], args.env);
  const engine = engineOf(parent);
  const container = createHardenedContainer(
    name,
    {
      ...spec,
      envs,
      containerName: args.containerName ?? defaultObjectName(name),
      networkName: args.networkName,
      aliases,
      labels: componentLabels(`${parent.constructor.name} ${name}`, args.labels, kind),
      hardening,
      healthcheck: { test: healthcheckTest, timing: healthcheck },
      stopGraceSeconds,
      ports: publish ? [{ internal: own.port as number, external: args.hostPort, hostIp }] : [],
    },
    childOptions(parent, opts),
  );
  return {
    container,
    containerName: container.name,
    aliases,
    hostPort: container.ports.apply((ports) => ports?.[0]?.external),
    hostAddress: engine.apply((host) => probeHost(host, hostIp)),
  };
}

/** A named volume for a durable service's data, labelled like its container. */
export function dataVolume(
  parent: pulumi.ComponentResource,
  name: string,
  kind: string,
  args: ServiceArgs,
  opts: pulumi.ComponentResourceOptions,
): docker.Volume {
  const volumeName = pulumi.output(args.containerName ?? defaultObjectName(name)).apply((c) => `${c}-data`);
  return new docker.Volume(
    `${name}-data`,
    { name: volumeName, labels: labelList(componentLabels(`${parent.constructor.name} ${name}`, args.labels, kind)) },
    childOptions(parent, opts),
  );
}

/**
 * A component's own `KEY=value` entries, then the caller's `env` after them. Secret as a whole:
 * the component's own entries often carry a password, and so may the caller's.
 */
export function mergedEnvs(
  own: pulumi.Input<pulumi.Input<string>[]>,
  env: ServiceArgs["env"],
): pulumi.Output<string[]> {
  const extra = Object.entries(env ?? {}).map(([k, v]) => pulumi.interpolate`${k}=${v}`);
  return pulumi.secret(pulumi.all([own, pulumi.all(extra)]).apply(([base, more]) => [...base, ...more]));
}
