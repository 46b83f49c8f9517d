// A stack from test code: its outputs (typed, secrets included), its services' host URLs, a
// health report per container (declared ones the engine lacks included), and service restarts behind the service's gate. Containers are
// found by the components' labels, so any program built from the components works.
import type Docker from "dockerode";
import type { ContainerInspectInfo } from "dockerode";
import { LABELS } from "../../components/contract";
import { probeHost } from "../../components/ports";
import type { GateResult } from "../../components/gate/result";
import { DockerClient, dockerode } from "./docker-client";
import {
  containerNamesOf,
  declaredContainers,
  hostUrlFromOutputs,
  hostUrlsOf,
  movedPorts,
  Published,
  publishedPorts,
  servicePort,
  urlFromContainer,
  withLivePort,
} from "./endpoints";
import { StatusRow, statusRows, statusTable } from "./health-report";
import { RestartOptions, restartService } from "./service-control";
import { StackRef, stackAndNamedContainers, stackContainers } from "./stack-containers";
import { projectOf, ReadOutputsOptions, readStackOutputs } from "./stack-outputs";

export interface OpenStackOptions extends ReadOutputsOptions {
  /** @default a dockerode client for DOCKER_HOST or the default socket */
  docker?: DockerClient;
  /** false: find the stack by its labels only (no outputs; URLs come from the containers). @default true */
  outputs?: boolean;
}

export class StackHandle<T = Record<string, unknown>> {
  private readonly docker: Docker;

  constructor(
    readonly ref: StackRef,
    /** The stack's outputs; `{}` when opened with outputs: false. */
    readonly outputs: T,
    readonly secretOutputs: string[],
    /** Where the outputs came from. */
    readonly source: "recorded" | "automation" | "labels",
    docker?: DockerClient,
  ) {
    this.docker = dockerode(docker);
  }

  /** Every container of the stack (or of one service, by its berth.service label), inspected. */
  private containers(service?: string): Promise<ContainerInspectInfo[]> {
    return stackContainers(this.docker, this.ref, service);
  }

  /**
   * The containers of `name`: those the program's `containerNames` output lists under that key
   * (berth's program and examples/consumer export one, keyed like `hostUrls`), else those labelled
   * berth.service=<name> — so one of two Postgres of a program can be addressed by its key.
   */
  private async containersOf(name: string): Promise<ContainerInspectInfo[]> {
    const listed = this.containerNames(name);
    return listed ? Promise.all(listed.map((c) => this.docker.getContainer(c).inspect())) : this.containers(name);
  }

  private containerNames(name: string): string[] | undefined {
    return containerNamesOf(this.outputs, name);
  }

  /**
   * A host URL of one service (a `hostUrls` key or a berth.service label): the exported
   * `hostUrls` entry with the port its container publishes now — an engine-picked port changes
   * when the container restarts — else derived from the container alone (postgres:// and
   * redis:// with the credentials in its environment, http:// for other services).
   */
  async url(name: string): Promise<string> {
    const exported = hostUrlFromOutputs(this.outputs, name);
    const found = await this.containersOf(name);
    const known = found.length === 0 && !exported ? await this.serviceNames() : [name];
    if (!known.includes(name)) {
      throw new Error(
        `stack ${this.ref.project}/${this.ref.stack} has no service "${name}": known are ${known.length === 0 ? "none" : known.map((k) => `"${k}"`).join(", ")} ` +
          "(keys of its hostUrls and containerNames outputs, and the berth.service labels of its containers)",
      );
    }
    if (found.length !== 1) {
      if (exported) return exported;
      throw new Error(
        `stack ${this.ref.project}/${this.ref.stack} has ${found.length} containers of "${name}"; one is needed to derive its URL (or export hostUrls and containerNames from the program, keyed by "${name}")`,
      );
    }
    if (exported) return withLivePort(exported, servicePort(found[0]));
    const kind = found[0].Config.Labels?.[LABELS.service] ?? name;
    return urlFromContainer(kind, found[0], (hostIp) => probeHost(process.env.DOCKER_HOST, hostIp));
  }

  /** What `url` takes: the keys of the hostUrls and containerNames outputs, and the stack's berth.service labels. */
  private async serviceNames(): Promise<string[]> {
    const labelled = (await this.containers())
      .map((c) => c.Config.Labels?.[LABELS.service])
      .filter((s): s is string => s !== undefined);
    const keys = [
      ...Object.keys(hostUrlsOf(this.outputs)),
      ...declaredContainers(this.outputs).map((d) => d.service),
      ...labelled,
    ];
    return [...new Set(keys)].sort();
  }

  /** postgres://user:password@host:port/database of the stack's Postgres. */
  postgresUrl(): Promise<string> {
    return this.url("postgres");
  }

  redisUrl(): Promise<string> {
    return this.url("redis");
  }

  /**
   * One row per container, as `npm run status` prints them: every container carrying the stack's
   * labels, and every one its `containerNames` output declares — MISSING when the engine does not
   * have it. `downRows` of the result lists those missing, not running or unhealthy.
   */
  async health(now: Date = new Date()): Promise<StatusRow[]> {
    const declared = declaredContainers(this.outputs);
    const rows = statusRows(
      await stackAndNamedContainers(
        this.docker,
        this.ref,
        declared.map((d) => d.container),
      ),
      now,
      declared,
    );
    // No row would pass every "all healthy" check: say why instead.
    if (rows.length === 0)
      throw new Error(nothingFound(this.ref, "its outputs declare none (no containerNames output)"));
    return rows;
  }

  /** The same rows as a table, for a failing test's message. */
  async healthTable(now: Date = new Date()): Promise<string> {
    return statusTable(await this.health(now));
  }

  /**
   * Restarts the containers of `name` (see containersOf) and waits on their gate again: the gate
   * of the gateResults output that watched them, its probes following host ports that moved.
   */
  async restart(name: string, opts: RestartOptions = {}): Promise<GateResult> {
    const gateResults = (this.outputs as { gateResults?: Record<string, GateResult | undefined> }).gateResults;
    // The ports are read after the restart: it moves an engine-picked host port itself.
    return restartService(this.docker, this.ref, name, {
      gateResults,
      containers: this.containerNames(name),
      movedPorts: () => this.movedPorts(),
      ...opts,
    });
  }

  /** Exported host port → the one published now, for each `hostUrls` entry whose container is known. */
  private async movedPorts(): Promise<Map<number, number>> {
    const live: Record<string, Published | undefined> = {};
    for (const key of Object.keys(hostUrlsOf(this.outputs))) {
      const found = await this.containersOf(key).catch(() => []);
      const ports = found.length === 1 ? publishedPorts(found[0]) : [];
      if (ports.length === 1) live[key] = ports[0];
    }
    return movedPorts(this.outputs, live);
  }
}

/** The error for a stack of which the engine has nothing: the wrong project or stack, or objects without berth's labels. */
export function nothingFound(ref: StackRef, also: string): string {
  return (
    `no container on the engine carries the labels ${LABELS.project}=${ref.project} and ${LABELS.stack}=${ref.stack}, and ${also}: ` +
    "is the stack up, on this engine (DOCKER_HOST), and are project and stack right (project: the option, else the name in the program's Pulumi.yaml)?"
  );
}

/**
 * Opens a stack: its outputs (recorded by engine mode, else through the Automation API) and its
 * engine. `project` defaults to the name in the Pulumi.yaml of `programDir`, else of the working
 * directory, else "berth".
 */
export async function openStack<T = Record<string, unknown>>(opts: OpenStackOptions): Promise<StackHandle<T>> {
  const ref: StackRef = { project: projectOf(opts), stack: opts.stack };
  const docker = dockerode(opts.docker);
  if (opts.outputs === false) return new StackHandle<T>(ref, {} as T, [], "labels", docker);
  const read = await readStackOutputs<T>({ ...opts, project: ref.project });
  const stack = new StackHandle<T>(ref, read.outputs, read.secretOutputs, read.source, docker);
  // A record outlives its stack only when the process that made it died before destroy.
  if (read.source === "recorded" && (await stackContainers(docker, ref)).length === 0) {
    throw new Error(
      `${read.where} records stack ${ref.project}/${ref.stack}, but no container on the engine carries its labels: the process that brought it up ended without destroy. Remove the file and bring the stack up again`,
    );
  }
  return stack;
}
