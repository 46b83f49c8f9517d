import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import * as command from "@pulumi/command";
import { createHardenedContainer, PublishedServiceArgs, withDefaults } from "../container/hardened";
import { DEFAULT_HOST_IP } from "../environment/ports";
import { labelList } from "../naming";
import { childOptions } from "../options";
import { MaxmemoryPolicy, redisDefaults, redisProblems } from "./settings";
import { REDIS_DATA, REDIS_HEALTHCHECK, REDIS_PORT, redisCommand, redisTmpfs } from "./spec";

export { REDIS_PORT };

/** What the component uses for what its args leave out: the test environment's settings. */
const DEFAULTS = redisDefaults("test");

export interface RedisArgs extends PublishedServiceArgs {
  /** Docker container name, unique on the engine. */
  containerName: string;
  /** Network the container joins, answering to the alias `redis`. */
  networkName: pulumi.Input<string>;
  /** Image reference (official redis image layout). */
  image: pulumi.Input<string>;
  /** "uid:gid" of the image's redis user; hardening.user overrides it. */
  user: string;
  /**
   * An append-only file on a named volume.
   * @default false - no persistence; /data is a tmpfs
   */
  durable?: boolean;
  /** @default 64 */
  maxmemoryMb?: number;
  /** @default "allkeys-lru" */
  maxmemoryPolicy?: MaxmemoryPolicy;
  /** @default 128 - must cover maxmemory + 16 MB */
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
    const s = {
      memoryMb: args.memoryMb ?? DEFAULTS.memoryMb,
      cpus: args.cpus ?? DEFAULTS.cpus,
      maxmemoryMb: args.maxmemoryMb ?? DEFAULTS.maxmemoryMb,
      maxmemoryPolicy: args.maxmemoryPolicy ?? DEFAULTS.maxmemoryPolicy,
      durable: args.durable ?? DEFAULTS.durable,
    };
    const problems = redisProblems(s);
    if (problems.length > 0) {
      throw new pulumi.ResourceError(`Redis ${name}: ${problems.map((p) => `${p.path.join(".")} is ${p.given}; allowed: ${p.allowed}`).join("; ")}`, this);
    }
    const { hardening, healthcheck } = withDefaults(args);
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
        healthcheck: { test: REDIS_HEALTHCHECK, timing: healthcheck },
        networkName: args.networkName,
        aliases: ["redis"],
        labels: args.labels,
        command: redisCommand(s),
        ports: args.publish === false ? [] : [{ internal: REDIS_PORT, external: args.hostPort, hostIp: args.hostIp ?? DEFAULT_HOST_IP }],
        ownedTmpfs: redisTmpfs(s),
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
