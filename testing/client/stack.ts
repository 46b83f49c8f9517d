// A stack from test code: its outputs (typed, secrets included), its Postgres and Redis URLs, a
// health report per container, and service restarts behind the service's gate. Containers are
// found by the components' labels, so any program built from the components works.
import Docker from "dockerode";
import type { ContainerInspectInfo } from "dockerode";
import type { GateResult } from "../../components/gate/command-line";
import type { StackOutputs } from "../engine/mode";
import { DataService, hostUrlFromOutputs, postgresUrlOf, redisUrlOf } from "./endpoints";
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

export class StackHandle<T = StackOutputs> {
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

  /** A host URL of the stack's Postgres (as its user, on its database). */
  postgresUrl(): Promise<string> {
    return this.dataUrl("postgres");
  }

  redisUrl(): Promise<string> {
    return this.dataUrl("redis");
  }

  /** One row per container, as `npm run status` prints them. */
  async health(now: Date = new Date()): Promise<StatusRow[]> {
    return statusRows(await this.containers(), now);
  }

  /** The same rows as a table, for a failing test's message. */
  async healthTable(now: Date = new Date()): Promise<string> {
    return statusTable(await this.health(now));
  }

  /** Restarts one service's containers and waits on its gate again (gate chosen from the gateResults output). */
  restart(service: string, opts: RestartOptions = {}): Promise<GateResult> {
    const gateResults = (this.outputs as { gateResults?: Record<string, GateResult | undefined> }).gateResults;
    return restartService(this.docker, this.ref, service, { gateResults, ...opts });
  }

  private async dataUrl(service: DataService): Promise<string> {
    const exported = hostUrlFromOutputs(this.outputs, service);
    if (exported) return exported;
    const found = await this.containers(service);
    if (found.length !== 1) {
      throw new Error(`stack ${this.ref.project}/${this.ref.stack} has ${found.length} containers labelled ${service}; one is needed to derive its URL (or export hostUrls from the program)`);
    }
    // Loaded only here: the components' modules bring the Pulumi SDK, which test processes need not load.
    const { probeHost } = await import("../../components/environment/environment");
    const host = (hostIp: string) => probeHost(process.env.DOCKER_HOST, hostIp);
    if (service === "postgres") return postgresUrlOf(found[0], (await import("../../components/postgres/postgres")).POSTGRES_PORT, host);
    return redisUrlOf(found[0], (await import("../../components/redis/redis")).REDIS_PORT, host);
  }
}

/** Opens a stack: its outputs (recorded by engine mode, else through the Automation API) and its engine. */
export async function openStack<T = StackOutputs>(opts: OpenStackOptions): Promise<StackHandle<T>> {
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
