// A stack from test code: its outputs (typed, secrets included), its services' host URLs, a
// health report per container, and service restarts behind the service's gate. Containers are
// found by the components' labels, so any program built from the components works.
import Docker from "dockerode";
import type { ContainerInspectInfo } from "dockerode";
import { LABELS } from "../../components/contract";
import { probeHost } from "../../components/environment/urls";
import type { GateResult } from "../../gate/result";
import { hostUrlFromOutputs, movedPorts, Published, publishedPorts, servicePort, urlFromContainer, withLivePort } from "./endpoints";
import { StatusRow, statusRows, statusTable } from "./health-report";
import { RestartOptions, restartService } from "./service-control";
import { StackRef, stackContainers } from "./stack-containers";
import { ReadOutputsOptions, readStackOutputs, stackRef } from "./stack-outputs";

export interface OpenStackOptions extends ReadOutputsOptions {
  /** @default new Docker(): DOCKER_HOST or the default socket */
  docker?: Docker;
  /** false: find the stack by its labels only (no outputs; URLs come from the containers). @default true */
  outputs?: boolean;
}

export class StackHandle<T = Record<string, unknown>> {
  constructor(
    readonly ref: StackRef,
    /** The stack's outputs; `{}` when opened with outputs: false. */
    readonly outputs: T,
    readonly secretOutputs: string[],
    /** Where the outputs came from. */
    readonly source: "recorded" | "automation" | "labels",
    readonly docker: Docker,
  ) {}

  /** Every container of the stack (or of one service), inspected. */
  containers(service?: string): Promise<ContainerInspectInfo[]> {
    return stackContainers(this.docker, this.ref, service);
  }

  /**
   * A host URL of one service: the exported `hostUrls` entry (berth's program) with the port its
   * container publishes now — an engine-picked port changes when the container restarts — else
   * derived from the container alone (postgres://, redis://, http:// for other services).
   */
  async url(service: string): Promise<string> {
    const exported = hostUrlFromOutputs(this.outputs, service);
    const found = await this.containers(service);
    if (found.length !== 1) {
      if (exported) return exported;
      throw new Error(`stack ${this.ref.project}/${this.ref.stack} has ${found.length} containers of service "${service}"; one is needed to derive its URL (or export hostUrls from the program)`);
    }
    if (exported) return withLivePort(exported, servicePort(found[0]));
    return urlFromContainer(service, found[0], (hostIp) => probeHost(process.env.DOCKER_HOST, hostIp));
  }

  /** postgres://user:password@host:port/database of the stack's Postgres. */
  postgresUrl(): Promise<string> {
    return this.url("postgres");
  }

  redisUrl(): Promise<string> {
    return this.url("redis");
  }

  /** One row per container, as `npm run status` prints them. */
  async health(now: Date = new Date()): Promise<StatusRow[]> {
    return statusRows(await this.containers(), now);
  }

  /** The same rows as a table, for a failing test's message. */
  async healthTable(now: Date = new Date()): Promise<string> {
    return statusTable(await this.health(now));
  }

  /**
   * Restarts one service's containers and waits on its gate again: the gate named in the
   * gateResults output, its probes following any host port that moved since `up`.
   */
  async restart(service: string, opts: RestartOptions = {}): Promise<GateResult> {
    const gateResults = (this.outputs as { gateResults?: Record<string, GateResult | undefined> }).gateResults;
    return restartService(this.docker, this.ref, service, { gateResults, movedPorts: await this.movedPorts(), ...opts });
  }

  /** Recorded host port → the one published now, for the services the hostPorts output names. */
  private async movedPorts(): Promise<Map<number, number>> {
    const byService = new Map<string, ContainerInspectInfo[]>();
    for (const c of await this.containers()) {
      const service = c.Config.Labels?.[LABELS.service] ?? "";
      byService.set(service, [...(byService.get(service) ?? []), c]);
    }
    const live: Record<string, Published | undefined> = {};
    for (const [service, infos] of byService) {
      if (infos.length === 1) live[service] = publishedPorts(infos[0]).length === 1 ? publishedPorts(infos[0])[0] : undefined;
    }
    return movedPorts(this.outputs, live);
  }
}

/** Opens a stack: its outputs (recorded by engine mode, else through the Automation API) and its engine. */
export async function openStack<T = Record<string, unknown>>(opts: OpenStackOptions): Promise<StackHandle<T>> {
  const ref = stackRef(opts);
  const docker = opts.docker ?? new Docker();
  if (opts.outputs === false) return new StackHandle<T>(ref, {} as T, [], "labels", docker);
  const read = await readStackOutputs<T>(opts);
  const stack = new StackHandle<T>(ref, read.outputs, read.secretOutputs, read.source, docker);
  // A record outlives its stack only when the process that made it died before destroy.
  if (read.source === "recorded" && (await stack.containers()).length === 0) {
    throw new Error(`${read.where} records stack ${ref.project}/${ref.stack}, but no container on the engine carries its labels: the process that brought it up ended without destroy. Remove the file and bring the stack up again`);
  }
  return stack;
}
