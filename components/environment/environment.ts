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
import { imageFor, imageOf } from "./images-resources";
import { PortPlan } from "../ports";
import { tierGate } from "./tier-gate";
import { HostUrls } from "./urls";

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
  public readonly containerNames: pulumi.Output<{ postgres: string; redis: string; orchestrator: string; workers: string[] }>;
  /** URLs for clients on the host (secret: the Postgres one carries the password). */
  public readonly hostUrls: pulumi.Output<HostUrls>;
  /** The workers' swarm service (cluster: swarm), else undefined. */
  public readonly workerService: pulumi.Output<string | undefined>;

  constructor(name: string, args: EnvironmentArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("berth:index:Environment", name, {}, opts);
    const s = args.settings;
    const base: LabelSet = { project: args.project ?? pulumi.getProject(), stack: args.stack ?? pulumi.getStack(), environment: s.environment };
    const prefix = stackPrefix(base.project, base.stack);
    const stackFile = `Pulumi.${base.stack}.yaml`;
    const dockerHost = s.docker.host;
    const hostIp = s.ports.hostIp;
    this.imageStack = s.imageStack;

    // One explicit provider for a remote engine; components pass it down to their containers.
    const provider = dockerHost ? new docker.Provider(`${name}-docker`, { host: dockerHost }, { parent: this }) : undefined;
    const childOpts = (extra: pulumi.ComponentResourceOptions = {}): pulumi.ComponentResourceOptions =>
      pulumi.mergeOptions({ parent: this, ...(provider ? { providers: [provider] } : {}) }, extra);
    const images = { prefix, imageStack: s.imageStack, opts: { parent: this, ...(provider ? { provider } : {}) } };
    // What every service component takes from the settings. Services find each other by these
    // aliases (the workload's contract), whatever the components are called.
    const tierOf = (svc: ServiceName) => s.tiers[svc === "postgres" || svc === "redis" ? "data" : svc];
    const service = (svc: ServiceName) => ({
      hardening: s.hardening[svc],
      healthcheck: tierOf(svc).healthcheck,
      stopGraceSeconds: tierOf(svc).stopGraceSeconds,
      labels: labelMap(base, svc),
      hostIp,
      publish: s.ports.publish !== "none",
      networkName: this.network.name,
    });
    const gate = { stackFile };

    const password =
      args.postgresPassword ?? new random.RandomPassword(`${name}-postgres-password`, { length: 32, special: false }, { parent: this }).result;

    const swarm = s.cluster === "swarm";
    this.network = new Network(
      `${name}-network`,
      {
        networkName: objectName(prefix, "net"),
        labels: labelMap(base),
        internal: s.network.internal,
        ...(swarm ? { overlay: true } : { subnetPool: s.network.subnetPool, subnetPrefixLength: s.network.subnetPrefixLength }),
      },
      childOpts(),
    );

    this.postgres = new Postgres(
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
    this.redis = new Redis(
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
    const dataGate = tierGate(
      name,
      { ...gate, tier: "data", settings: s.tiers.data, serviceKeys: ["postgres", "redis"], watch: [this.postgres, this.redis] },
      childOpts({ dependsOn: [this.postgres, this.redis] }),
    );

    const app = imageOf(name, "app", s.images.app, images);
    const appImage = app.id;
    this.orchestrator = new Orchestrator(
      `${name}-orchestrator`,
      {
        ...service("orchestrator"),
        containerName: objectName(prefix, "orchestrator"),
        aliases: ["orchestrator"],
        image: appImage,
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
    const orchestratorGate = tierGate(
      name,
      { ...gate, tier: "orchestrator", settings: s.tiers.orchestrator, serviceKeys: ["orchestrator", "images.app"], watch: [this.orchestrator], after: [dataGate] },
      childOpts({ dependsOn: [this.orchestrator] }),
    );
    this.gates = { data: dataGate, orchestrator: orchestratorGate };

    // Worker health means "registered". With the API published the gate asks the orchestrator,
    // the cross-service check a Docker healthcheck cannot make: every worker is ready once it
    // lists them all, without waiting for their next healthcheck.
    const registered = s.ports.publish !== "none" ? pulumi.interpolate`${this.orchestrator.hostUrl}${WORKERS_PATH}` : undefined;
    const workersGate = { ...gate, tier: "workers" as const, settings: s.tiers.workers, serviceKeys: ["workers", "images.app"], httpMinItems: { key: WORKERS_KEY, count: s.workers.replicas } };
    if (s.workers.replicas > 0 && swarm) {
      const { hardening, healthcheck, stopGraceSeconds, labels } = service("workers");
      this.swarmWorkers = new SwarmWorkerPool(
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
      this.gates.workers = tierGate(
        name,
        { ...workersGate, serviceKeys: ["workers", "swarm", "images.app"], watch: [], swarm: [this.swarmWorkers], http: registered ? [registered] : [], after: [orchestratorGate] },
        childOpts({ dependsOn: [this.swarmWorkers] }),
      );
    } else if (s.workers.replicas > 0) {
      this.workers = new WorkerPool(
        `${name}-worker`,
        {
          ...service("workers"),
          containerNamePrefix: objectName(prefix, "worker"),
          alias: WORKERS_ALIAS,
          image: appImage,
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
          // it is up while they are created (bench/RESULTS.md, "The orchestrator's container first").
          // The container holding their network namespace waits for none of it.
          workersDependOn: [this.orchestrator],
        },
        childOpts({ dependsOn: [dataGate] }),
      );
      this.gates.workers = tierGate(name, { ...workersGate, watch: [this.workers], after: [orchestratorGate] }, childOpts({ dependsOn: [this.workers, orchestratorGate] }));
    }

    this.hostPorts = pulumi
      .all([this.postgres.hostPort, this.redis.hostPort, this.orchestrator.hostPort])
      .apply(([postgres, redis, orchestrator]) => ({ postgres, redis, orchestrator }));
    this.containerNames = pulumi
      .all([this.postgres.containerName, this.redis.containerName, this.orchestrator.containerName, this.workers?.containerNames ?? []])
      .apply(([postgres, redis, orchestrator, workers]) => ({ postgres, redis, orchestrator, workers }));
    this.hostUrls = pulumi.secret(
      pulumi.all([this.postgres.hostUrl, this.redis.hostUrl, this.orchestrator.hostUrl]).apply(([postgres, redis, orchestrator]): HostUrls => ({ postgres, redis, orchestrator })),
    );
    this.workerService = pulumi.output(this.swarmWorkers?.serviceName);
    this.registerOutputs({ imageStack: this.imageStack, hostPorts: this.hostPorts, containerNames: this.containerNames, hostUrls: this.hostUrls, workerService: this.workerService });
  }
}
