import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { componentError } from "../problems";
import { dataVolume, PublishedServiceArgs, serviceContainer } from "../container/service";
import { IMAGE_STACKS } from "../images";
import { postgresDefaults, postgresProblems } from "./settings";
import {
  PGDATA,
  POSTGRES_PORT,
  POSTGRES_STOP_SIGNAL,
  postgresCommand,
  postgresHealthcheck,
  postgresTmpfs,
  postgresUrl,
} from "./spec";
import * as command from "@pulumi/command";
import { engineEnvironment, engineOf } from "../container/engine";
import { START_TEMPLATE_MOUNT, templateBuildCommand, templateName, templateStartCommand } from "./template";

export { POSTGRES_PORT };

/** What the component uses for what its args leave out: the test environment's settings. */
const DEFAULTS = postgresDefaults("test");
const DEFAULT_IMAGE = IMAGE_STACKS.alpine.postgres;

export interface PostgresArgs extends PublishedServiceArgs {
  /**
   * Image in the official postgres image's layout. When not durable, a data directory initialised
   * with it is kept on the engine for the next start (template.ts): pass an image id (as
   * Environment passes a RemoteImage's imageId) so that template is made again when this one changes.
   * @default "postgres:16-alpine"
   */
  image?: pulumi.Input<string>;
  /** "uid:gid" of the image's postgres user; hardening.user overrides it. @default "70:70" - Alpine's; Debian-based images use "999:999" */
  user?: string;
  /** Password of `username` (secret). */
  password: pulumi.Input<string>;
  /** Database created at start. @default "berth" */
  database?: string;
  /** Role that owns it. @default "berth" */
  username?: string;
  /**
   * false: data on a tmpfs, fsync, synchronous_commit and full_page_writes off (throw-away test
   * data), started from the engine's template of `image` (template.ts) instead of initdb once the
   * engine has one.
   * @default false - true keeps data on a named volume with Postgres' durable defaults
   */
  durable?: boolean;
  /** Size of the tmpfs data directory when not durable. @default 256 */
  tmpfsSizeMb?: number;
  /** shared_buffers. @default 64 */
  sharedBuffersMb?: number;
  /** @default 512 - must cover shared buffers + 96 MB, plus the tmpfs when not durable (its pages count) */
  memoryMb?: number;
  /** @default 1 */
  cpus?: number;
  /** More server settings, each passed as `postgres -c key=value` (e.g. { max_connections: "200" }). @default none */
  serverSettings?: Record<string, string>;
}

/** PostgreSQL with a pg_isready healthcheck; on a tmpfs unless durable. */
export class Postgres extends pulumi.ComponentResource {
  public readonly container: docker.Container;
  /** The containers a HealthGate watches for this service. */
  public readonly containers: docker.Container[];
  public readonly volume?: docker.Volume;
  /** When not durable: the engine's template volume (and its helper container) the start copies from. */
  public readonly template?: pulumi.Output<string>;
  /** The step that has a helper container make the template unless the engine has it; the container does not wait for it. */
  public readonly templateBuild?: command.local.Command;
  public readonly containerName: pulumi.Output<string>;
  /** DNS names on the network; `url` uses the first. */
  public readonly aliases: string[];
  /** Published host port (undefined when not published). */
  public readonly hostPort: pulumi.Output<number | undefined>;
  /** URL for containers on the network, by the first alias (secret). */
  public readonly url: pulumi.Output<string>;
  /** URL for clients on the machine running Pulumi, through the published port (secret; undefined when not published). */
  public readonly hostUrl: pulumi.Output<string | undefined>;
  /** Per container, the URL the gate asks to see the service ready before Docker's next healthcheck (secret; undefined when not published). */
  public readonly readyUrls: pulumi.Output<(string | undefined)[]>;

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
      throw new pulumi.ResourceError(componentError("Postgres", name, problems), this);
    }
    const badSetting = Object.keys(args.serverSettings ?? {}).find((k) => !/^[a-z_][a-z0-9_.]*$/.test(k));
    if (badSetting !== undefined) {
      throw new pulumi.ResourceError(
        `Postgres ${name}: serverSettings key "${badSetting}" is not a Postgres setting name (lower-case letters, digits, _ and .)`,
        this,
      );
    }
    const user = args.user ?? DEFAULT_IMAGE.user;
    const runAs = args.hardening?.user ?? user;
    if (!/^[0-9]+(:[0-9]+)?$/.test(runAs)) {
      throw new pulumi.ResourceError(
        `Postgres ${name}: user must be a numeric "uid:gid" (the data tmpfs is owned by it); got "${runAs}"`,
        this,
      );
    }
    if (s.durable) this.volume = dataVolume(this, name, "postgres", args, opts);
    const image = args.image ?? DEFAULT_IMAGE.ref;
    const server = postgresCommand({ ...s, serverSettings: args.serverSettings });
    // Not durable: the container mounts the template's volume and starts from it when it is
    // complete, else as the image does; the step runs beside it (it waits only for its base image)
    // and never delays it: a template that is missing, being made or failed costs this up nothing.
    let template: pulumi.Output<string> | undefined;
    if (!s.durable) {
      template = pulumi
        .output(image)
        .apply((baseImage) => templateName({ baseImage, user: s.user, database: s.database }));
      this.templateBuild = new command.local.Command(
        `${name}-template`,
        {
          create: pulumi
            .all([image, template])
            .apply(([baseImage, t]) =>
              templateBuildCommand({ baseImage, user: s.user, database: s.database, runAs: user }, t),
            ),
          environment: engineEnvironment(engineOf(this)),
          triggers: [template],
          logging: "stderr",
        },
        { parent: this },
      );
      this.template = template;
    }
    const made = serviceContainer(
      this,
      name,
      "postgres",
      args,
      {
        image,
        user,
        memoryMb: s.memoryMb,
        cpus: s.cpus,
        healthcheckTest: postgresHealthcheck(s.user, s.database),
        stopSignal: POSTGRES_STOP_SIGNAL,
        port: POSTGRES_PORT,
        envs: pulumi.secret(
          pulumi
            .output(args.password)
            .apply((password) => [
              `POSTGRES_USER=${s.user}`,
              `POSTGRES_DB=${s.database}`,
              `POSTGRES_PASSWORD=${password}`,
              `PGDATA=${PGDATA}`,
            ]),
        ),
        command: template === undefined ? server : templateStartCommand(server),
        ownedTmpfs: postgresTmpfs(s),
        volumes: this.volume
          ? [{ volumeName: this.volume.name, containerPath: PGDATA }]
          : template
            ? [{ volumeName: template, containerPath: START_TEMPLATE_MOUNT, readOnly: true }]
            : [],
      },
      opts,
    );
    this.container = made.container;
    this.containers = [made.container];
    this.containerName = made.containerName;
    this.aliases = made.aliases;
    this.hostPort = made.hostPort;
    const login = (password: string, host: string, port: number) =>
      postgresUrl({ user: s.user, password, host, port, database: s.database });
    this.url = pulumi.secret(
      pulumi.output(args.password).apply((password) => login(password, made.aliases[0], POSTGRES_PORT)),
    );
    this.hostUrl = pulumi.secret(
      pulumi
        .all([args.password, made.hostAddress, made.hostPort])
        .apply(([password, host, port]) => (port === undefined ? undefined : login(password, host, port))),
    );
    this.readyUrls = pulumi.secret(this.hostUrl.apply((url) => [url]));
    this.registerOutputs({
      containerName: this.containerName,
      hostPort: this.hostPort,
      url: this.url,
      hostUrl: this.hostUrl,
    });
  }
}
