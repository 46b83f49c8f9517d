import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import * as command from "@pulumi/command";
import { createHardenedContainer, PublishedServiceArgs, withDefaults } from "../container/hardened";
import { DEFAULT_HOST_IP } from "../environment/ports";
import { labelList } from "../naming";
import { childOptions } from "../options";
import { postgresDefaults, postgresProblems } from "./settings";
import { PGDATA, POSTGRES_PORT, postgresCommand, postgresHealthcheck, postgresTmpfs, postgresUrl } from "./spec";

export { POSTGRES_PORT };

/** What the component uses for what its args leave out: the test environment's settings. */
const DEFAULTS = postgresDefaults("test");

export interface PostgresArgs extends PublishedServiceArgs {
  /** Docker container name, unique on the engine. */
  containerName: string;
  /** Network the container joins, answering to the alias `postgres`. */
  networkName: pulumi.Input<string>;
  /** Image reference (official postgres image layout). */
  image: pulumi.Input<string>;
  /** "uid:gid" of the image's postgres user (Alpine 70:70, Debian 999:999); hardening.user overrides it. */
  user: string;
  /** Password of `username`; keep it secret. */
  password: pulumi.Input<string>;
  /** @default "berth" */
  database?: string;
  /** @default "berth" */
  username?: string;
  /**
   * false: data on tmpfs with fsync, synchronous_commit and full_page_writes off (throw-away test data).
   * @default false - true stores data on a named volume with durable defaults
   */
  durable?: boolean;
  /** @default 256 - size of the tmpfs data directory when not durable */
  tmpfsSizeMb?: number;
  /** @default 64 */
  sharedBuffersMb?: number;
  /** @default 512 - must cover shared buffers + 96 MB, plus the tmpfs when not durable (its pages count) */
  memoryMb?: number;
  /** @default 1 */
  cpus?: number;
}

/** PostgreSQL with a pg_isready healthcheck; tmpfs-backed unless durable. */
export class Postgres extends pulumi.ComponentResource {
  public readonly container: docker.Container;
  public readonly pidsLimit: command.local.Command;
  public readonly volume?: docker.Volume;
  public readonly containerName: pulumi.Output<string>;
  /** Published host port (undefined when not published). */
  public readonly hostPort: pulumi.Output<number | undefined>;
  /** URL for containers on the stack's network (secret). */
  public readonly url: pulumi.Output<string>;

  constructor(name: string, args: PostgresArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("berth:index:Postgres", name, {}, opts);
    const s = {
      database: args.database ?? DEFAULTS.database,
      user: args.username ?? DEFAULTS.user,
      memoryMb: args.memoryMb ?? DEFAULTS.memoryMb,
      cpus: args.cpus ?? DEFAULTS.cpus,
      tmpfsSizeMb: args.tmpfsSizeMb ?? DEFAULTS.tmpfsSizeMb,
      sharedBuffersMb: args.sharedBuffersMb ?? DEFAULTS.sharedBuffersMb,
      durable: args.durable ?? DEFAULTS.durable,
    };
    const problems = postgresProblems(s, { tmpfsSizeMb: args.tmpfsSizeMb });
    if (problems.length > 0) {
      throw new pulumi.ResourceError(`Postgres ${name}: ${problems.map((p) => `${p.path.join(".")} is ${p.given}; allowed: ${p.allowed}`).join("; ")}`, this);
    }
    const { hardening, healthcheck } = withDefaults(args);
    if (!/^[0-9]+(:[0-9]+)?$/.test(hardening.user ?? args.user)) {
      throw new pulumi.ResourceError(`Postgres ${name}: user must be a numeric "uid:gid" (the data tmpfs is owned by it); got "${hardening.user ?? args.user}"`, this);
    }
    if (s.durable) {
      this.volume = new docker.Volume(`${name}-data`, { name: `${args.containerName}-data`, labels: labelList(args.labels) }, childOptions(this, opts));
    }
    const { container, pidsLimit } = createHardenedContainer(
      name,
      {
        containerName: args.containerName,
        image: args.image,
        user: args.user,
        memoryMb: s.memoryMb,
        cpus: s.cpus,
        hardening,
        healthcheck: { test: postgresHealthcheck(s.user, s.database), timing: healthcheck },
        networkName: args.networkName,
        aliases: ["postgres"],
        labels: args.labels,
        envs: pulumi.secret(pulumi.all([args.password]).apply(([password]) => [`POSTGRES_USER=${s.user}`, `POSTGRES_DB=${s.database}`, `POSTGRES_PASSWORD=${password}`, `PGDATA=${PGDATA}`])),
        command: postgresCommand(s),
        ports: args.publish === false ? [] : [{ internal: POSTGRES_PORT, external: args.hostPort, hostIp: args.hostIp ?? DEFAULT_HOST_IP }],
        ownedTmpfs: postgresTmpfs(s),
        volumes: this.volume ? [{ volumeName: this.volume.name, containerPath: PGDATA }] : [],
      },
      args.dockerHost,
      childOptions(this, opts),
    );
    this.container = container;
    this.pidsLimit = pidsLimit;
    this.containerName = container.name;
    this.hostPort = container.ports.apply((ports) => ports?.[0]?.external);
    this.url = pulumi.secret(pulumi.output(args.password).apply((password) => postgresUrl({ user: s.user, password, host: "postgres", port: POSTGRES_PORT, database: s.database })));
    this.registerOutputs({ containerName: this.containerName, hostPort: this.hostPort, url: this.url });
  }
}
