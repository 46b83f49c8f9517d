import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { componentError } from "../problems";
import { dataVolume, PublishedServiceArgs, serviceContainer } from "../container/service";
import { IMAGE_STACKS } from "../images";
import { MaxmemoryPolicy, redisDefaults, redisProblems } from "./settings";
import { REDIS_DATA, REDIS_HEALTHCHECK, REDIS_PORT, redisCommand, redisTmpfs, redisUrl } from "./spec";

export { REDIS_PORT };

/** What the component uses for what its args leave out: the test environment's settings. */
const DEFAULTS = redisDefaults("test");
const DEFAULT_IMAGE = IMAGE_STACKS.alpine.redis;

export interface RedisArgs extends PublishedServiceArgs {
  /** Image in the official redis image's layout. @default "redis:7-alpine" */
  image?: pulumi.Input<string>;
  /** "uid:gid" of the image's redis user; hardening.user overrides it. @default "999:1000" - Alpine's; Debian-based images use "999:999" */
  user?: string;
  /** Password clients must give (secret). @default none - no AUTH */
  password?: pulumi.Input<string>;
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
  /** The containers a HealthGate watches for this service. */
  public readonly containers: docker.Container[];
  public readonly volume?: docker.Volume;
  public readonly containerName: pulumi.Output<string>;
  /** DNS names on the network; `url` uses the first. */
  public readonly aliases: string[];
  public readonly hostPort: pulumi.Output<number | undefined>;
  /** URL for containers on the network, by the first alias (secret when there is a password). */
  public readonly url: pulumi.Output<string>;
  /** URL for clients on the machine running Pulumi (undefined when not published). */
  public readonly hostUrl: pulumi.Output<string | undefined>;
  /** Per container, the URL the gate asks to see the service ready before Docker's next healthcheck (secret; undefined when not published). */
  public readonly readyUrls: pulumi.Output<(string | undefined)[]>;

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
      throw new pulumi.ResourceError(componentError("Redis", name, problems), this);
    }
    if (s.durable) this.volume = dataVolume(this, name, "redis", args, opts);
    const password = args.password === undefined ? undefined : pulumi.secret(args.password);
    const made = serviceContainer(
      this,
      name,
      "redis",
      args,
      {
        image: args.image ?? DEFAULT_IMAGE.ref,
        user: args.user ?? DEFAULT_IMAGE.user,
        memoryMb: s.memoryMb,
        cpus: s.cpus,
        healthcheckTest: REDIS_HEALTHCHECK,
        port: REDIS_PORT,
        // redis-cli reads REDISCLI_AUTH, so the healthcheck works with a password too.
        envs: password === undefined ? undefined : password.apply((p) => [`REDIS_PASSWORD=${p}`, `REDISCLI_AUTH=${p}`]),
        command: redisCommand({ ...s, passwordFromEnv: password !== undefined }),
        ownedTmpfs: redisTmpfs(s),
        volumes: this.volume ? [{ volumeName: this.volume.name, containerPath: REDIS_DATA }] : [],
      },
      opts,
    );
    this.container = made.container;
    this.containers = [made.container];
    this.containerName = made.containerName;
    this.aliases = made.aliases;
    this.hostPort = made.hostPort;
    const secretIf = <T>(o: pulumi.Output<T>) => (password === undefined ? o : pulumi.secret(o));
    this.url = secretIf(pulumi.output(password).apply((p) => redisUrl(made.aliases[0], REDIS_PORT, p)));
    this.hostUrl = secretIf(
      pulumi
        .all([password, made.hostAddress, made.hostPort])
        .apply(([p, host, port]) => (port === undefined ? undefined : redisUrl(host, port, p))),
    );
    this.readyUrls = secretIf(this.hostUrl.apply((url) => [url]));
    this.registerOutputs({
      containerName: this.containerName,
      hostPort: this.hostPort,
      url: this.url,
      hostUrl: this.hostUrl,
    });
  }
}
