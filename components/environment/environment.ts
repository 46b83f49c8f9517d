import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import * as random from "@pulumi/random";
import { ServiceName, Settings } from "../config/schema";
import { HealthGate } from "../gate/health-gate";
import { LabelSet, labelMap, objectName, stackPrefix } from "../naming";
import { Network } from "../network";
import { Postgres } from "../postgres/postgres";
import { Redis } from "../redis/redis";
import { Orchestrator } from "../workload/orchestrator";
import { namespacesOf } from "../workload/settings";
import { WORKERS_ALIAS, WORKERS_KEY, WORKERS_PATH } from "../workload/contract";
import { WorkerPool } from "../workload/worker-pool";
import { SwarmWorkerPool } from "../workload/swarm-worker-pool";
import { imageFor, ImageOutputs, imageOf, ImageResourceArgs } from "./images-resources";
import { PortPlan } from "../ports";
import { tierGate } from "./tier-gate";
import { HostUrls } from "./urls";

/** What every tier of an Environment takes from the stack. */
interface StackContext {
  /** The Environment's resource name: the prefix of its children's names. */
  name: string;
  settings: Settings;
  base: LabelSet;
  /** Docker name prefix of the stack's objects. */
  prefix: string;
  /** The stack file a failing gate's hint names. */
  stackFile: string;
  childOpts(extra?: pulumi.ComponentResourceOptions): pulumi.ComponentResourceOptions;
  images: ImageResourceArgs;
  service(svc: ServiceName): {
    hardening: Settings["hardening"][ServiceName];
    healthcheck: Settings["tiers"]["data"]["healthcheck"];
    stopGraceSeconds: number;
    labels: Record<string, string>;
    hostIp: string;
    publish: boolean;
    networkName: pulumi.Output<string>;
  };
}

export interface EnvironmentArgs {
  /** Normalised settings, usually from `loadStackConfig()` (config/schema.ts documents every default). */
  settings: Settings;
  /** Postgres password (secret). @default a random password generated once per stack */
  postgresPassword?: pulumi.Input<string>;
  /** Project part of Docker names and labels. @default pulumi.getProject() */
  project?: string;
  /** Stack part of Docker names and labels. @default pulumi.getStack() */
  stack?: string;
}

/**
 * A whole environment in tiers: network → Postgres ∥ Redis → gate → orchestrator → gate →
 * workers → gate (every worker registered). Each gate fails fast with the failing service's logs.
 * With `cluster: swarm` the workers are one replicated service of the swarm whose manager runs the
 * rest, all on an attachable overlay network.
 */
export class Environment extends pulumi.ComponentResource {
  public readonly imageStack: string;
  public readonly network: Network;
  public readonly postgres: Postgres;
  public readonly redis: Redis;
  public readonly orchestrator: Orchestrator;
  /** The workers on one engine (cluster: none). */
  public readonly workers?: WorkerPool;
  /** The workers as a swarm service (cluster: swarm). */
  public readonly swarmWorkers?: SwarmWorkerPool;
  public readonly gates: { data: HealthGate; orchestrator: HealthGate; workers?: HealthGate };
  /** Published host ports per service (undefined when not published). */
  public readonly hostPorts: pulumi.Output<PortPlan>;
  /** Container names per service. */
  public readonly containerNames: pulumi.Output<{
    postgres: string;
    redis: string;
    orchestrator: string;
    workers: string[];
  }>;
  /** URLs for clients on the host (secret: the Postgres one carries the password). */
  public readonly hostUrls: pulumi.Output<HostUrls>;
  /** The workers' swarm service (cluster: swarm), else undefined. */
  public readonly workerService: pulumi.Output<string | undefined>;

  constructor(name: string, args: EnvironmentArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("berth:index:Environment", name, {}, opts);
    const stack = this.stackContext(name, args);
    this.imageStack = stack.settings.imageStack;
    const password =
      args.postgresPassword ??
      new random.RandomPassword(`${name}-postgres-password`, { length: 32, special: false }, { parent: this }).result;
    this.network = this.networkTier(stack);
    const data = this.dataTier(stack, password);
    this.postgres = data.postgres;
    this.redis = data.redis;
    const app = imageOf(name, "app", stack.settings.images.app, stack.images);
    const orchestrator = this.orchestratorTier(stack, app, data.gate);
    this.orchestrator = orchestrator.orchestrator;
    const workers = this.workersTier(stack, app, data.gate, orchestrator.gate);
    this.workers = workers.pool;
    this.swarmWorkers = workers.swarmPool;
    this.gates = {
      data: data.gate,
      orchestrator: orchestrator.gate,
      ...(workers.gate ? { workers: workers.gate } : {}),
    };

    this.hostPorts = pulumi
      .all([this.postgres.hostPort, this.redis.hostPort, this.orchestrator.hostPort])
      .apply(([postgres, redis, orchestrator]) => ({ postgres, redis, orchestrator }));
    this.containerNames = pulumi
      .all([
        this.postgres.containerName,
        this.redis.containerName,
        this.orchestrator.containerName,
        this.workers?.containerNames ?? [],
      ])
      .apply(([postgres, redis, orchestrator, workers]) => ({ postgres, redis, orchestrator, workers }));
    this.hostUrls = pulumi.secret(
      pulumi
        .all([this.postgres.hostUrl, this.redis.hostUrl, this.orchestrator.hostUrl])
        .apply(([postgres, redis, orchestrator]): HostUrls => ({ postgres, redis, orchestrator })),
    );
    this.workerService = pulumi.output(this.swarmWorkers?.serviceName);
    this.registerOutputs({
      imageStack: this.imageStack,
      hostPorts: this.hostPorts,
      containerNames: this.containerNames,
      hostUrls: this.hostUrls,
      workerService: this.workerService,
    });
  }

  /** What every tier takes from the stack: its settings, names and labels, the engine's provider. */
  private stackContext(name: string, args: EnvironmentArgs): StackContext {
    const s = args.settings;
    const base: LabelSet = {
      project: args.project ?? pulumi.getProject(),
      stack: args.stack ?? pulumi.getStack(),
      environment: s.environment,
    };
    const prefix = stackPrefix(base.project, base.stack);
    // One explicit provider for a remote engine; components pass it down to their containers.
    const provider = s.docker.host
      ? new docker.Provider(`${name}-docker`, { host: s.docker.host }, { parent: this })
      : undefined;
    const childOpts = (extra: pulumi.ComponentResourceOptions = {}): pulumi.ComponentResourceOptions =>
      pulumi.mergeOptions({ parent: this, ...(provider ? { providers: [provider] } : {}) }, extra);
    const tierOf = (svc: ServiceName) => s.tiers[svc === "postgres" || svc === "redis" ? "data" : svc];
    return {
      name,
      settings: s,
      base,
      prefix,
      stackFile: `Pulumi.${base.stack}.yaml`,
      childOpts,
      images: { prefix, imageStack: s.imageStack, opts: { parent: this, ...(provider ? { provider } : {}) } },
      // What every service component takes from the settings. Services find each other by their
      // aliases (the workload's contract), whatever the components are called.
      service: (svc) => ({
        hardening: s.hardening[svc],
        healthcheck: tierOf(svc).healthcheck,
        stopGraceSeconds: tierOf(svc).stopGraceSeconds,
        labels: labelMap(base, svc),
        hostIp: s.ports.hostIp,
        publish: s.ports.publish !== "none",
        networkName: this.network.name,
      }),
    };
  }

  private networkTier({ name, settings: s, base, prefix, childOpts }: StackContext): Network {
    return new Network(
      `${name}-network`,
      {
        networkName: objectName(prefix, "net"),
        labels: labelMap(base),
        internal: s.network.internal,
        ...(s.cluster === "swarm"
          ? { overlay: true }
          : { subnetPool: s.network.subnetPool, subnetPrefixLength: s.network.subnetPrefixLength }),
      },
      childOpts(),
    );
  }

  /** Postgres ∥ Redis, then the data gate. */
  private dataTier(
    stack: StackContext,
    password: pulumi.Input<string>,
  ): { postgres: Postgres; redis: Redis; gate: HealthGate } {
    const { name, settings: s, prefix, childOpts, images, service } = stack;
    const postgres = new Postgres(
      `${name}-postgres`,
      {
        ...service("postgres"),
        containerName: objectName(prefix, "postgres"),
        aliases: ["postgres"],
        image: imageFor(name, "postgres", s.images.postgres, images),
        user: s.images.postgres.user,
        password,
        database: s.postgres.database,
        username: s.postgres.user,
        durable: s.postgres.durable,
        tmpfsSizeMb: s.postgres.durable ? undefined : s.postgres.tmpfsSizeMb,
        sharedBuffersMb: s.postgres.sharedBuffersMb,
        memoryMb: s.postgres.memoryMb,
        cpus: s.postgres.cpus,
        hostPort: s.ports.hostPorts.postgres,
      },
      // No dependsOn on the network: the container waits for it through networkName, and the
      // template check runs meanwhile (a child waits for its parent to register, i.e. for the
      // parent's dependsOn).
      childOpts(),
    );
    const redis = new Redis(
      `${name}-redis`,
      {
        ...service("redis"),
        containerName: objectName(prefix, "redis"),
        aliases: ["redis"],
        image: imageFor(name, "redis", s.images.redis, images),
        user: s.images.redis.user,
        durable: s.redis.durable,
        maxmemoryMb: s.redis.maxmemoryMb,
        maxmemoryPolicy: s.redis.maxmemoryPolicy,
        memoryMb: s.redis.memoryMb,
        cpus: s.redis.cpus,
        hostPort: s.ports.hostPorts.redis,
      },
      childOpts(),
    );
    const gate = tierGate(
      name,
      {
        stackFile: stack.stackFile,
        tier: "data",
        settings: s.tiers.data,
        serviceKeys: ["postgres", "redis"],
        watch: [postgres, redis],
      },
      childOpts({ dependsOn: [postgres, redis] }),
    );
    return { postgres, redis, gate };
  }

  /** The orchestrator, once the data gate passed, then its gate. */
  private orchestratorTier(
    stack: StackContext,
    app: ImageOutputs,
    dataGate: HealthGate,
  ): { orchestrator: Orchestrator; gate: HealthGate } {
    const { name, settings: s, prefix, childOpts, service } = stack;
    const orchestrator = new Orchestrator(
      `${name}-orchestrator`,
      {
        ...service("orchestrator"),
        containerName: objectName(prefix, "orchestrator"),
        aliases: ["orchestrator"],
        image: app.id,
        user: s.images.app.user,
        databaseUrl: this.postgres.url,
        databaseContainerId: this.postgres.container.id,
        redisUrl: this.redis.url,
        namespaces: [...new Set(s.workers.namespaces.flat())].sort(),
        memoryMb: s.orchestrator.memoryMb,
        cpus: s.orchestrator.cpus,
        hostPort: s.ports.hostPorts.orchestrator,
      },
      childOpts({ dependsOn: [dataGate] }),
    );
    const gate = tierGate(
      name,
      {
        stackFile: stack.stackFile,
        tier: "orchestrator",
        settings: s.tiers.orchestrator,
        serviceKeys: ["orchestrator", "images.app"],
        watch: [orchestrator],
        after: [dataGate],
      },
      childOpts({ dependsOn: [orchestrator] }),
    );
    return { orchestrator, gate };
  }

  /** The workers (containers on one engine, or a swarm service) and their gate: every worker registered. */
  private workersTier(
    stack: StackContext,
    app: ImageOutputs,
    dataGate: HealthGate,
    orchestratorGate: HealthGate,
  ): { pool?: WorkerPool; swarmPool?: SwarmWorkerPool; gate?: HealthGate } {
    const { name, settings: s, prefix, childOpts, service } = stack;
    if (s.workers.replicas === 0) return {};
    // Worker health means "registered". With the API published the gate asks the orchestrator,
    // the cross-service check a Docker healthcheck cannot make: every worker is ready once it
    // lists them all, without waiting for their next healthcheck.
    const registered =
      s.ports.publish !== "none" ? pulumi.interpolate`${this.orchestrator.hostUrl}${WORKERS_PATH}` : undefined;
    const workersGate = {
      stackFile: stack.stackFile,
      tier: "workers" as const,
      settings: s.tiers.workers,
      serviceKeys: ["workers", "images.app"],
      httpMinItems: { key: WORKERS_KEY, count: s.workers.replicas },
    };
    if (s.cluster === "swarm") {
      const { hardening, healthcheck, stopGraceSeconds, labels } = service("workers");
      const swarmPool = new SwarmWorkerPool(
        `${name}-worker`,
        {
          hardening,
          healthcheck,
          stopGraceSeconds,
          labels,
          serviceName: objectName(prefix, "worker"),
          alias: WORKERS_ALIAS,
          networkId: this.network.networkId,
          // Nodes pull it by digest: every replica runs the very image the manager pulled.
          image: app.pinnedRef,
          user: s.images.app.user,
          databaseUrl: this.postgres.url,
          redisUrl: this.redis.url,
          replicas: s.workers.replicas,
          namespaces: namespacesOf(s.workers, 0),
          memoryMb: s.workers.memoryMb,
          cpus: s.workers.cpus,
          constraints: s.swarm.constraints,
        },
        childOpts({ dependsOn: [orchestratorGate] }),
      );
      const gate = tierGate(
        name,
        {
          ...workersGate,
          serviceKeys: ["workers", "swarm", "images.app"],
          watch: [],
          swarm: [swarmPool],
          http: registered ? [registered] : [],
          after: [orchestratorGate],
        },
        childOpts({ dependsOn: [swarmPool] }),
      );
      return { swarmPool, gate };
    }
    const pool = new WorkerPool(
      `${name}-worker`,
      {
        ...service("workers"),
        containerNamePrefix: objectName(prefix, "worker"),
        alias: WORKERS_ALIAS,
        image: app.id,
        user: s.images.app.user,
        databaseUrl: this.postgres.url,
        redisUrl: this.redis.url,
        replicas: s.workers.replicas,
        namespaces: Array.from({ length: s.workers.replicas }, (_, i) => namespacesOf(s.workers, i)),
        memoryMb: s.workers.memoryMb,
        cpus: s.workers.cpus,
        dockerSocket: s.workers.dockerSocket,
        readyUrl: registered,
        // Right after the orchestrator's container, not after its gate: a worker retries its
        // registration until the orchestrator's migrations made the table. Created beside the
        // workers, the orchestrator's container came out of the engine among the last (2.6–4.2 s
        // after up() at 16 workers), so every worker waited on its start and migrations; first,
        // it is up while they are created (bench/HISTORY.md, "The orchestrator's container first").
        // The container holding their network namespace waits for none of it.
        workersDependOn: [this.orchestrator],
      },
      childOpts({ dependsOn: [dataGate] }),
    );
    const gate = tierGate(
      name,
      { ...workersGate, watch: [pool], after: [orchestratorGate] },
      childOpts({ dependsOn: [pool, orchestratorGate] }),
    );
    return { pool, gate };
  }
}
