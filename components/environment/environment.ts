import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import * as random from "@pulumi/random";
import { Settings, ServiceName, namespacesOf } from "../config/schema";
import { distRoot } from "../gate/cli-location";
import { HealthGate } from "../gate/health-gate";
import { tierHint } from "../gate/command-line";
import { LabelSet, labelMap, objectName, stackPrefix } from "../naming";
import { Network } from "../network";
import { Orchestrator } from "../workload/orchestrator";
import { Postgres } from "../postgres/postgres";
import { Redis } from "../redis/redis";
import { WorkerPool } from "../workload/worker-pool";
import { ResolvedImage } from "./images";

export interface EnvironmentArgs {
  /** Normalised settings, usually from `loadStackConfig()` (config.ts documents every default). */
  settings: Settings;
  /** Postgres password (secret). @default a random password generated once per stack */
  postgresPassword?: pulumi.Input<string>;
  /** Project part of Docker names and labels. @default pulumi.getProject() */
  project?: string;
  /** Stack part of Docker names and labels. @default pulumi.getStack() */
  stack?: string;
}

/** The host to reach published ports on: the remote engine's host, else the bind address. */
export function probeHost(dockerHost: string | undefined, hostIp: string): string {
  const remote = dockerHost?.match(/^(?:tcp|ssh):\/\/(?:[^@/]+@)?(\[[^\]]+\]|[^:/]+)/);
  if (remote) return remote[1];
  return hostIp === "0.0.0.0" ? "127.0.0.1" : hostIp;
}

/**
 * A whole environment in tiers: network → Postgres ∥ Redis → gate → orchestrator → gate →
 * workers → gate (every worker registered). Each gate fails fast with the failing service's logs.
 */
export class Environment extends pulumi.ComponentResource {
  public readonly imageStack: string;
  public readonly network: Network;
  public readonly postgres: Postgres;
  public readonly redis: Redis;
  public readonly orchestrator: Orchestrator;
  public readonly workers?: WorkerPool;
  public readonly gates: { data: HealthGate; orchestrator: HealthGate; workers?: HealthGate };
  /** Published host ports per service (undefined when not published). */
  public readonly hostPorts: pulumi.Output<Record<"postgres" | "redis" | "orchestrator", number | undefined>>;
  /** Container names per service. */
  public readonly containerNames: pulumi.Output<{ postgres: string; redis: string; orchestrator: string; workers: string[] }>;
  /** URLs for clients on the host (secret: the Postgres one carries the password). */
  public readonly hostUrls: pulumi.Output<Record<"postgres" | "redis" | "orchestrator", string | undefined>>;

  constructor(name: string, args: EnvironmentArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("berth:index:Environment", name, {}, opts);
    const s = args.settings;
    const base: LabelSet = { project: args.project ?? pulumi.getProject(), stack: args.stack ?? pulumi.getStack(), environment: s.environment };
    const prefix = stackPrefix(base.project, base.stack);
    const stackFile = `Pulumi.${base.stack}.yaml`;
    const labels = (service?: string) => labelMap(base, service);
    const dockerHost = s.docker.host;
    const publish = s.ports.publish !== "none";
    const hostIp = s.ports.hostIp;
    this.imageStack = s.imageStack;

    // One explicit provider for a remote engine; components pass it down to their containers.
    const provider = dockerHost ? new docker.Provider(`${name}-docker`, { host: dockerHost }, { parent: this }) : undefined;
    const childOpts = (extra: pulumi.ComponentResourceOptions = {}): pulumi.ComponentResourceOptions =>
      pulumi.mergeOptions({ parent: this, ...(provider ? { providers: [provider] } : {}) }, extra);
    const imageOpts: pulumi.CustomResourceOptions = { parent: this, ...(provider ? { provider } : {}) };

    const password =
      args.postgresPassword ?? new random.RandomPassword(`${name}-postgres-password`, { length: 32, special: false }, { parent: this }).result;
    const image = (role: "postgres" | "redis" | "app", resolved: ResolvedImage): pulumi.Output<string> =>
      role === "app" && !resolved.overridden
        ? new docker.Image(
            `${name}-app-image`,
            {
              imageName: `${prefix.toLowerCase()}-workload:${s.imageStack}`,
              build: { context: path.relative(process.cwd(), path.join(path.dirname(distRoot()), "services")) || ".", args: { BASE_IMAGE: resolved.nodeBase ?? "" } },
              skipPush: true,
            },
            imageOpts,
          ).imageName
        : new docker.RemoteImage(`${name}-${role}-image`, { name: resolved.ref, keepLocally: true }, imageOpts).imageId;

    this.network = new Network(`${name}-network`, { networkName: objectName(prefix, "net"), labels: labels(), internal: s.network.internal }, childOpts());
    const networkName = this.network.name;
    const svc = (service: ServiceName) => ({ hardening: s.hardening[service], labels: labels(service), dockerHost, hostIp, publish });

    this.postgres = new Postgres(
      `${name}-postgres`,
      {
        ...svc("postgres"),
        containerName: objectName(prefix, "postgres"),
        networkName,
        image: image("postgres", s.images.postgres),
        user: s.images.postgres.user,
        password,
        database: s.postgres.database,
        username: s.postgres.user,
        ephemeral: !s.postgres.durable,
        tmpfsSizeMb: s.postgres.tmpfsSizeMb,
        sharedBuffersMb: s.postgres.sharedBuffersMb,
        memoryMb: s.postgres.memoryMb,
        cpus: s.postgres.cpus,
        hostPort: s.ports.hostPorts.postgres,
        timing: s.tiers.data,
      },
      childOpts({ dependsOn: [this.network] }),
    );
    this.redis = new Redis(
      `${name}-redis`,
      {
        ...svc("redis"),
        containerName: objectName(prefix, "redis"),
        networkName,
        image: image("redis", s.images.redis),
        user: s.images.redis.user,
        persistence: s.redis.persistence,
        maxmemoryMb: s.redis.maxmemoryMb,
        maxmemoryPolicy: s.redis.maxmemoryPolicy,
        memoryMb: s.redis.memoryMb,
        cpus: s.redis.cpus,
        hostPort: s.ports.hostPorts.redis,
        timing: s.tiers.data,
      },
      childOpts({ dependsOn: [this.network] }),
    );
    const dataGate = new HealthGate(
      `${name}-data-gate`,
      {
        gateName: "data",
        hint: tierHint(stackFile, "data", s.tiers.data.gateTimeoutSeconds, ["postgres", "redis"]),
        containers: [this.postgres.containerName, this.redis.containerName],
        timeoutSeconds: s.tiers.data.gateTimeoutSeconds,
        triggers: [this.postgres.container.id, this.redis.container.id],
        dockerHost,
      },
      childOpts({ dependsOn: [this.postgres, this.redis] }),
    );

    const appImage = image("app", s.images.app);
    const appUser = s.images.app.user;
    this.orchestrator = new Orchestrator(
      `${name}-orchestrator`,
      {
        ...svc("orchestrator"),
        containerName: objectName(prefix, "orchestrator"),
        networkName,
        image: appImage,
        user: appUser,
        databaseUrl: this.postgres.url,
        redisUrl: this.redis.url,
        namespaces: [...new Set(s.workers.namespaces.flat())].sort(),
        memoryMb: s.orchestrator.memoryMb,
        cpus: s.orchestrator.cpus,
        hostPort: s.ports.hostPorts.orchestrator,
        timing: s.tiers.orchestrator,
      },
      childOpts({ dependsOn: [dataGate] }),
    );
    const orchestratorGate = new HealthGate(
      `${name}-orchestrator-gate`,
      {
        gateName: "orchestrator",
        hint: tierHint(stackFile, "orchestrator", s.tiers.orchestrator.gateTimeoutSeconds, ["orchestrator", "images.app"]),
        containers: [this.orchestrator.containerName],
        timeoutSeconds: s.tiers.orchestrator.gateTimeoutSeconds,
        triggers: [this.orchestrator.container.id],
        dockerHost,
      },
      childOpts({ dependsOn: [this.orchestrator] }),
    );
    this.gates = { data: dataGate, orchestrator: orchestratorGate };

    const apiHost = probeHost(dockerHost, hostIp);
    if (s.workers.replicas > 0) {
      this.workers = new WorkerPool(
        `${name}-worker`,
        {
          ...svc("workers"),
          containerNamePrefix: objectName(prefix, "worker"),
          networkName,
          image: appImage,
          user: appUser,
          databaseUrl: this.postgres.url,
          redisUrl: this.redis.url,
          replicas: s.workers.replicas,
          namespaces: Array.from({ length: s.workers.replicas }, (_, i) => namespacesOf(s, i)),
          memoryMb: s.workers.memoryMb,
          cpus: s.workers.cpus,
          dockerSocket: s.workers.dockerSocket,
          timing: s.tiers.workers,
        },
        childOpts({ dependsOn: [orchestratorGate] }),
      );
      // Worker health means "registered"; with the API published the gate also asks the
      // orchestrator, which is the cross-service check a Docker healthcheck cannot make.
      this.gates.workers = new HealthGate(
        `${name}-workers-gate`,
        {
          gateName: "workers",
          hint: tierHint(stackFile, "workers", s.tiers.workers.gateTimeoutSeconds, ["workers", "images.app"]),
          containers: this.workers.containerNames,
          httpUrls: publish ? [pulumi.interpolate`http://${apiHost}:${this.orchestrator.hostPort}/v1/workers`] : [],
          httpMinItems: { key: "workers", count: s.workers.replicas },
          timeoutSeconds: s.tiers.workers.gateTimeoutSeconds,
          triggers: this.workers.containers.map((c) => c.id),
          dockerHost,
        },
        childOpts({ dependsOn: [this.workers] }),
      );
    }

    this.hostPorts = pulumi
      .all([this.postgres.hostPort, this.redis.hostPort, this.orchestrator.hostPort])
      .apply(([postgres, redis, orchestrator]) => ({ postgres, redis, orchestrator }));
    this.containerNames = pulumi
      .all([this.postgres.containerName, this.redis.containerName, this.orchestrator.containerName, this.workers?.containerNames ?? []])
      .apply(([postgres, redis, orchestrator, workers]) => ({ postgres, redis, orchestrator, workers }));
    const user = s.postgres.user;
    const db = s.postgres.database;
    this.hostUrls = pulumi.secret(
      pulumi.all([this.hostPorts, password]).apply(([ports, pw]) => ({
        postgres: ports.postgres === undefined ? undefined : `postgres://${user}:${pw}@${apiHost}:${ports.postgres}/${db}`,
        redis: ports.redis === undefined ? undefined : `redis://${apiHost}:${ports.redis}`,
        orchestrator: ports.orchestrator === undefined ? undefined : `http://${apiHost}:${ports.orchestrator}`,
      })),
    );
    this.registerOutputs({ imageStack: this.imageStack, hostPorts: this.hostPorts, containerNames: this.containerNames, hostUrls: this.hostUrls });
  }
}

