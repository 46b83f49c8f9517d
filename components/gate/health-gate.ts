import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import * as command from "@pulumi/command";
import type { GateResult } from "./result";
import { LABELS } from "../contract";
import { engineEnvironment, engineOf } from "../container/engine";
import { childOptions } from "../options";
import { gateCommandLine, probeVariable } from "./command-line";
import { DEFAULT_GATE_TIMEOUT_SECONDS } from "./settings";

/**
 * What a gate can watch: a container, or a berth component with its containers and, per container,
 * a URL (seen from the machine running Pulumi) whose answer means the service is ready.
 */
export type Gated =
  | docker.Container
  | { readonly containers: readonly docker.Container[]; readonly readyUrls?: pulumi.Output<(string | undefined)[]> };

export interface HealthGateArgs {
  /** Shown in progress lines and failure reports, e.g. "data". @default the resource name */
  gateName?: string;
  /**
   * Containers, or berth components (Postgres, Redis, Orchestrator, WorkerPool, AppContainer), that
   * must turn ready: Docker's healthcheck says healthy, or — for a component with a published port
   * — its service answers the gate directly (SELECT 1, PING, its HTTP health) without waiting for
   * Docker's next healthcheck. Before watching, the gate sets each container's pids limit from its
   * berth.pids-limit label (the provider has no pids argument). It runs again when one is replaced.
   * @default []
   */
  watch?: Gated[];
  /** Retry interval of the direct readiness probes. @default 50 */
  readyIntervalMs?: number;
  /**
   * Swarm services (e.g. a SwarmWorkerPool) whose replicas must all be running and healthy; a task
   * that fails ends the gate at once with the task, its node and its logs. The container probes
   * and these ask the engine of the gate's docker provider: give the swarm's manager. @default []
   */
  swarm?: SwarmGated[];
  /** Containers this program does not declare, by name or id. @default [] */
  containerNames?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * URLs that must answer `httpStatus`. Like every probe but the container ones, they run on the
   * machine running `pulumi up` (the gate is a local command): give host-side URLs (`hostUrl`), not
   * network aliases. @default []
   */
  http?: pulumi.Input<pulumi.Input<string>[]>;
  /** @default 200 */
  httpStatus?: number;
  /** Each HTTP body's top-level `key` must list at least `count` items. @default no body check */
  httpMinItems?: { key: string; count: number };
  /** host:port endpoints (seen from the machine running Pulumi) that must accept TCP connections. @default [] */
  tcp?: pulumi.Input<pulumi.Input<string>[]>;
  /** Postgres URLs (host side, e.g. Postgres.hostUrl) that must answer SELECT 1; kept secret, never on a command line. @default [] */
  postgres?: pulumi.Input<pulumi.Input<string | undefined>[]>;
  /** Redis URLs (host side, e.g. Redis.hostUrl) that must answer PING. @default [] */
  redis?: pulumi.Input<pulumi.Input<string | undefined>[]>;
  /** Retry interval of the HTTP, TCP, Postgres and Redis probes. @default 200 */
  intervalMs?: number;
  /** Container log lines in a failure report. @default 50 */
  logLines?: number;
  /**
   * The whole gate's time budget. A container that exits, is OOM-killed or turns unhealthy fails it at once.
   * @default 90 - DEFAULT_GATE_TIMEOUT_SECONDS, the test environment's budget
   */
  timeoutSeconds?: number;
  /** More values whose change must run the gate again (the watched containers' ids are always in). @default [] */
  triggers?: pulumi.Input<unknown>[];
  /** Gates before this one: when one of them runs again for what it watches, this one runs again too. @default [] */
  after?: HealthGate[];
  /**
   * The engine the container probes ask. @default the engine of the docker provider this gate was
   * given or inherited, else the local one (DOCKER_HOST); giving both that disagree is an error
   */
  dockerHost?: pulumi.Input<string>;
  /** Printed after a failure report, e.g. which stack file and key to change. @default none */
  hint?: string;
}

/** A swarm service a gate waits for: every replica running and healthy (SwarmWorkerPool is one). */
export interface SwarmGated {
  readonly service: docker.Service;
  /** The replica count the service must ask for and run. */
  readonly replicas: number;
  /** Steps the service's spec still gets after create (e.g. its pids limit): the gate runs again when they do. */
  readonly pidsLimit?: pulumi.CustomResource;
}

/** The gate's environment variable that holds what it runs again for (HealthGate.runsFor); the gate CLI does not read it. */
export const RUNS_FOR_VARIABLE = "BERTH_GATE_RUNS_FOR";

const containersOf = (g: Gated): readonly docker.Container[] => (docker.Container.isInstance(g) ? [g] : g.containers);
const readyUrlsOf = (g: Gated): pulumi.Output<(string | undefined)[]> =>
  docker.Container.isInstance(g) || g.readyUrls === undefined
    ? pulumi.output(containersOf(g).map(() => undefined))
    : g.readyUrls;

/** The pids limit berth's hardened container carries in its labels (none on other containers). */
function pidsLimitOf(labels: { label: string; value: string }[] | undefined): number | undefined {
  const value = labels?.find((l) => l.label === LABELS.pidsLimit)?.value;
  return value !== undefined && /^[1-9][0-9]*$/.test(value) ? Number(value) : undefined;
}

/**
 * Waits until a tier is ready and fails fast, naming the service with its healthcheck output and
 * logs. Dependents list the gate in `dependsOn`; `dependsOn` alone only orders creation.
 */
export class HealthGate extends pulumi.ComponentResource {
  public readonly command: command.local.Command;
  /** The gate's JSON report: per probe, status and time to healthy. */
  public readonly result: pulumi.Output<GateResult | undefined>;
  /**
   * What the gate runs again for: the ids of what it watches, its triggers, and those of the gates
   * it comes after. A new value changes the command's environment, so the gate re-runs in place
   * (the command provider's update runs `create` again) and keeps its id; a `triggers` change
   * would replace it, and every resource that carries its id with it.
   */
  public readonly runsFor: pulumi.Output<string[]>;

  constructor(name: string, args: HealthGateArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("berth:index:HealthGate", name, {}, opts);
    const gateName = args.gateName ?? name;
    const watched = (args.watch ?? []).flatMap(containersOf);
    // Per watched container: its name, its pids limit, and its readiness URL (kept secret: it may carry a password).
    const watchedFacts = pulumi.all(
      watched.map((c) =>
        pulumi.all([c.name, c.labels]).apply(([n, labels]) => ({ name: n, pidsLimit: pidsLimitOf(labels) })),
      ),
    );
    const readyUrls = pulumi.all((args.watch ?? []).map(readyUrlsOf)).apply((lists) => lists.flat());
    // The command line holds none of these URLs (they travel in the environment), only which are
    // given: that much is not secret, so plans and previews show the gate's command line.
    const given = (urls: pulumi.Input<pulumi.Input<string | undefined>[]>) =>
      pulumi.unsecret(pulumi.output(urls).apply((l) => l.map((u) => u !== undefined)));
    const swarm = args.swarm ?? [];
    const lists = pulumi.all([
      watchedFacts,
      args.containerNames ?? [],
      args.http ?? [],
      args.tcp ?? [],
      given(args.postgres ?? []),
      given(args.redis ?? []),
    ]);
    const create = pulumi
      .all([lists, pulumi.all(swarm.map((s) => s.service.name)), given(readyUrls)])
      .apply(([[facts, named, http, tcp, postgres, redis], services, ready]) => {
        const watchedNames = facts.map((f) => f.name);
        const unpublished = [
          ...postgres.map((has, i) => [`postgres[${i}]`, has] as const),
          ...redis.map((has, i) => [`redis[${i}]`, has] as const),
        ].filter(([, has]) => !has);
        if (unpublished.length > 0) {
          const which = unpublished.map(([k]) => k).join(", ");
          throw new pulumi.ResourceError(
            `HealthGate ${name}: ${which} has no URL: a hostUrl is undefined when the service publishes no port; publish it or drop the probe`,
            this,
          );
        }
        if (
          watchedNames.length +
            named.length +
            http.length +
            tcp.length +
            postgres.length +
            redis.length +
            services.length ===
          0
        ) {
          throw new pulumi.ResourceError(
            `HealthGate ${name} has nothing to watch: give watch, swarm, containerNames, http, tcp, postgres or redis`,
            this,
          );
        }
        return gateCommandLine(gateName, args.timeoutSeconds ?? DEFAULT_GATE_TIMEOUT_SECONDS, {
          containers: [...watchedNames, ...named],
          pidsLimits: facts.flatMap((f) =>
            f.pidsLimit === undefined ? [] : [{ container: f.name, limit: f.pidsLimit }],
          ),
          ready: facts.flatMap((f, i) => (ready[i] ? [{ container: f.name, env: probeVariable("ready", i) }] : [])),
          readyIntervalMs: args.readyIntervalMs,
          http,
          httpStatus: args.httpStatus,
          httpMinItems: args.httpMinItems,
          tcp,
          postgresEnv: postgres.map((_, i) => probeVariable("postgres", i)),
          redisEnv: redis.map((_, i) => probeVariable("redis", i)),
          ...(services.length === 0
            ? {}
            : { swarmServices: services.map((service, i) => ({ name: service, replicas: swarm[i].replicas })) }),
          intervalMs: args.intervalMs,
          logLines: args.logLines,
          hint: args.hint,
        });
      });
    // URLs with passwords travel in the command's environment, which Pulumi keeps encrypted.
    const secretUrls = pulumi
      .all([args.postgres ?? [], args.redis ?? [], readyUrls])
      .apply(([postgres, redis, ready]): Record<string, string> => ({
        ...Object.fromEntries(postgres.map((url, i) => [probeVariable("postgres", i), url ?? ""])),
        ...Object.fromEntries(redis.map((url, i) => [probeVariable("redis", i), url ?? ""])),
        ...Object.fromEntries(ready.flatMap((url, i) => (url === undefined ? [] : [[probeVariable("ready", i), url]]))),
      }));
    const text = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
    this.runsFor = pulumi
      .all([
        pulumi.all([
          ...watched.map((c) => c.id),
          ...swarm.flatMap((s) => [s.service.id, ...(s.pidsLimit ? [s.pidsLimit.id] : [])]),
        ]),
        pulumi.all(args.triggers ?? []),
        // Through each earlier gate's command id (not its value): this gate also waits for those gates to pass.
        pulumi.all((args.after ?? []).map((g) => pulumi.all([g.runsFor, g.command.id]).apply(([r]) => r))),
      ])
      .apply(([ids, triggers, after]) => [...new Set([...ids, ...triggers.map(text), ...after.flat()])]);
    const environment = pulumi
      .all([engineEnvironment(engineOf(this, args.dockerHost)), secretUrls, this.runsFor])
      .apply(([engine, urls, runsFor]) => ({ ...engine, ...urls, [RUNS_FOR_VARIABLE]: runsFor.join(" ") }));
    this.command = new command.local.Command(
      `${name}-wait`,
      {
        create,
        environment: pulumi.secret(environment),
        // Progress goes to stderr and shows in `pulumi up`; stdout carries the JSON result.
        logging: "stderr",
      },
      childOptions(this, opts),
    );
    this.result = this.command.stdout.apply((out) => (out ? (JSON.parse(out) as GateResult) : undefined));
    this.registerOutputs({ result: this.result, runsFor: this.runsFor });
  }
}
