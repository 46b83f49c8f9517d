import * as pulumi from "@pulumi/pulumi";
import { childOptions } from "../container/options";
import * as docker from "@pulumi/docker";
import * as command from "@pulumi/command";
import { DEFAULT_HARDENING, DEFAULT_HOST_IP, DEFAULT_TIMING } from "../config/defaults";
import { labelList } from "../naming";
import { PGDATA, postgresCommand, postgresHealthcheck, postgresTmpfs } from "./spec";
import { createHardenedContainer, PublishedServiceArgs } from "../container/hardened";

export const POSTGRES_PORT = 5432;

export interface PostgresArgs extends PublishedServiceArgs {
  /** Docker container name, unique on the engine. */
  containerName: string;
  /** Network the container joins, answering to the alias `postgres`. */
  networkName: pulumi.Input<string>;
  /** Image reference (official postgres image layout). */
  image: pulumi.Input<string>;
  /** "uid:gid" of the image's postgres user (Alpine 70:70, Debian 999:999). */
  user: string;
  /** Password of `username`; keep it secret. */
  password: pulumi.Input<string>;
  /** @default "berth" */
  database?: string;
  /** @default "berth" */
  username?: string;
  /**
   * Data on tmpfs and fsync, synchronous_commit and full_page_writes off (for throw-away test data).
   * @default true - false stores data on a named volume with durable defaults
   */
  ephemeral?: boolean;
  /** @default 256 - size of the tmpfs data directory when ephemeral */
  tmpfsSizeMb?: number;
  /** @default 64 */
  sharedBuffersMb?: number;
  /** @default 512 - includes the tmpfs pages, which count against the container's memory */
  memoryMb?: number;
  /** @default 1 */
  cpus?: number;
}

/** PostgreSQL with a pg_isready healthcheck; tmpfs-backed when ephemeral. */
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
    const database = args.database ?? "berth";
    const username = args.username ?? "berth";
    const ephemeral = args.ephemeral ?? true;
    const tuning = { ephemeral, sharedBuffersMb: args.sharedBuffersMb ?? 64, tmpfsSizeMb: args.tmpfsSizeMb ?? 256, user: args.user };
    if (!/^[0-9]+(:[0-9]+)?$/.test(args.user)) {
      throw new pulumi.ResourceError(`Postgres user must be a numeric "uid:gid" (the tmpfs is owned by it); got "${args.user}"`, this);
    }
    if (!ephemeral) {
      this.volume = new docker.Volume(`${name}-data`, { name: `${args.containerName}-data`, labels: labelList(args.labels) }, childOptions(this, opts));
    }
    const { container, pidsLimit } = createHardenedContainer(
      name,
      {
        containerName: args.containerName,
        image: args.image,
        user: args.user,
        memoryMb: args.memoryMb ?? 512,
        cpus: args.cpus ?? 1,
        hardening: args.hardening ?? DEFAULT_HARDENING,
        healthcheck: { test: postgresHealthcheck(username, database), timing: args.timing ?? DEFAULT_TIMING },
        networkName: args.networkName,
        aliases: ["postgres"],
        labels: args.labels,
        envs: pulumi.secret(pulumi.all([args.password]).apply(([password]) => [`POSTGRES_USER=${username}`, `POSTGRES_DB=${database}`, `POSTGRES_PASSWORD=${password}`, `PGDATA=${PGDATA}`])),
        command: postgresCommand(tuning),
        ports: args.publish === false ? [] : [{ internal: POSTGRES_PORT, external: args.hostPort, hostIp: args.hostIp ?? DEFAULT_HOST_IP }],
        tmpfs: postgresTmpfs(tuning),
        volumes: this.volume ? [{ volumeName: this.volume.name, containerPath: PGDATA }] : [],
      },
      args.dockerHost,
      childOptions(this, opts),
    );
    this.container = container;
    this.pidsLimit = pidsLimit;
    this.containerName = container.name;
    this.hostPort = container.ports.apply((ports) => ports?.[0]?.external);
    this.url = pulumi.secret(pulumi.interpolate`postgres://${username}:${args.password}@postgres:${POSTGRES_PORT}/${database}`);
    this.registerOutputs({ containerName: this.containerName, hostPort: this.hostPort, url: this.url });
  }
}
