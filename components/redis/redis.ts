import * as pulumi from "@pulumi/pulumi";
import { childOptions } from "../container/options";
import * as docker from "@pulumi/docker";
import * as command from "@pulumi/command";
import { DEFAULT_HARDENING, DEFAULT_HOST_IP, DEFAULT_TIMING } from "../config/defaults";
import { labelList } from "../naming";
import { REDIS_DATA, REDIS_HEALTHCHECK, redisCommand } from "./spec";
import { createHardenedContainer, PublishedServiceArgs } from "../container/hardened";

export const REDIS_PORT = 6379;

export interface RedisArgs extends PublishedServiceArgs {
  /** Docker container name, unique on the engine. */
  containerName: string;
  /** Network the container joins, answering to the alias `redis`. */
  networkName: pulumi.Input<string>;
  /** Image reference (official redis image layout). */
  image: pulumi.Input<string>;
  /** "uid:gid" of the image's redis user. */
  user: string;
  /**
   * Append-only file on a named volume.
   * @default false - no persistence; /data is a tmpfs
   */
  persistence?: boolean;
  /** @default 64 */
  maxmemoryMb?: number;
  /** @default "allkeys-lru" */
  maxmemoryPolicy?: string;
  /** @default 128 */
  memoryMb?: number;
  /** @default 0.5 */
  cpus?: number;
}

/** Redis with a redis-cli ping healthcheck. */
export class Redis extends pulumi.ComponentResource {
  public readonly container: docker.Container;
  public readonly pidsLimit: command.local.Command;
  public readonly volume?: docker.Volume;
  public readonly containerName: pulumi.Output<string>;
  public readonly hostPort: pulumi.Output<number | undefined>;
  /** URL for containers on the stack's network. */
  public readonly url: pulumi.Output<string>;

  constructor(name: string, args: RedisArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("berth:index:Redis", name, {}, opts);
    const persistence = args.persistence ?? false;
    const [uid, gid] = args.user.split(":");
    if (persistence) {
      this.volume = new docker.Volume(`${name}-data`, { name: `${args.containerName}-data`, labels: labelList(args.labels) }, childOptions(this, opts));
    }
    const { container, pidsLimit } = createHardenedContainer(
      name,
      {
        containerName: args.containerName,
        image: args.image,
        user: args.user,
        memoryMb: args.memoryMb ?? 128,
        cpus: args.cpus ?? 0.5,
        hardening: args.hardening ?? DEFAULT_HARDENING,
        healthcheck: { test: REDIS_HEALTHCHECK, timing: args.timing ?? DEFAULT_TIMING },
        networkName: args.networkName,
        aliases: ["redis"],
        labels: args.labels,
        command: redisCommand({ persistence, maxmemoryMb: args.maxmemoryMb ?? 64, maxmemoryPolicy: args.maxmemoryPolicy ?? "allkeys-lru" }),
        ports: args.publish === false ? [] : [{ internal: REDIS_PORT, external: args.hostPort, hostIp: args.hostIp ?? DEFAULT_HOST_IP }],
        tmpfs: persistence ? {} : { [REDIS_DATA]: `rw,nosuid,nodev,size=16m,uid=${uid},gid=${gid ?? uid},mode=0700` },
        volumes: this.volume ? [{ volumeName: this.volume.name, containerPath: REDIS_DATA }] : [],
      },
      args.dockerHost,
      childOptions(this, opts),
    );
    this.container = container;
    this.pidsLimit = pidsLimit;
    this.containerName = container.name;
    this.hostPort = container.ports.apply((ports) => ports?.[0]?.external);
    this.url = pulumi.output(`redis://redis:${REDIS_PORT}`);
    this.registerOutputs({ containerName: this.containerName, hostPort: this.hostPort, url: this.url });
  }
}
