// Engine mode: `pulumi up` without the Pulumi CLI. A program runs under Pulumi's mock runtime (as
// in the recorder) with an async mock that applies each registered Docker, command and random
// resource to a real engine through dockerode: the local one, or the one an explicit
// docker.Provider names (its `host`), as the Docker provider would. Because the SDK
// awaits a resource's dependencies (dependsOn and inputs) before registering it, and the mock only
// answers once the engine object exists, resources are made in the order Pulumi's engine would.
//
// Day two, as compose and Pulumi's refresh do it: what it made is kept per stack in a state file
// (engine-state.ts) that any process reads, and every up converges from the engine's reality.
// Before applying, up inspects each recorded object: one that is gone is created again, one that
// is not running (or unhealthy) is replaced; a resource whose inputs changed is updated in place or
// replaced as the provider would (convergence.ts, from the provider-semantics.ts table the plan
// also predicts from): an update keeps the id and applies (ContainerUpdate), re-runs (a command)
// or only records the change; a replacement's new id changes its dependents' inputs, so a gate
// watching it runs again. What the program no longer declares is removed, and so is anything carrying the stack's labels that no record knows (a
// killed run's). A name held by a dead run's object of this stack is taken over, never collided
// with. Unless the stack is kept (UpRequest.keep), a reaper removes it when this process ends
// without destroying it. SIGINT/SIGTERM during an up: nothing new starts, running commands are
// ended, the state is written, and the process exits (130/143) within 5 s; a second signal exits at once.
// The stack's outputs are also written for test code in other processes
// (testing/client/recorded-outputs.ts) and removed on destroy.
//
// What it does NOT cover: the Pulumi Docker provider's own translation of arguments to Engine
// API calls (container-spec.ts, service-spec.ts and image-spec.ts are this harness's translations,
// modelled on the provider's source), the provider's own diff code (the table is a reading of it;
// pulumi mode runs the real one), a docker.Service updated in place (replaced here, with a
// reason), previews, the Pulumi state file and secrets encryption,
// BuildKit builds (docker.Image is built with the classic builder only). Those need pulumi mode
// (a working `pulumi` CLI).
import "../sdk-load"; // first: the SDK loads without its closure serializer's tools
import { performance } from "node:perf_hooks";
import Docker from "dockerode";
import * as pulumi from "@pulumi/pulumi";
import { engineConfig, resolveOutputs, unwrapSecrets, withProgramFailures } from "../program";
import { applierFor, dockerFor, Inputs, PROVIDER_TYPE } from "./resources";
import { convergeStep, topInputs } from "./convergence";
import { onRegistration, RegistrationOptions } from "../registrations";
import { Changes, StackMode, TimelineEntry, UpRequest, UpResult } from "./mode";
import { outputsDir as defaultOutputsDir, OutputsRecorder } from "../client/recorded-outputs";
import type { StackRef } from "../client/stack-containers";
import { projectsWithState, readState, stateDir as defaultStateDir, StateEntry, writeState } from "./engine-state";
import { destroyStack, removeEntries, removeUnrecorded } from "./teardown";
import { Reaper } from "./reaper";

const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
const debuggable = require("@pulumi/pulumi/runtime/debuggable") as { leakedPromises(): unknown };

// When a resource fails, its dependents' registrations reject too; `pulumi up` just stops there.
// Those echoes of a failure already reported are dropped; any other rejection still fails mocha.
const NOT_STARTED = "not started: an earlier resource failed";
const reported: string[] = [NOT_STARTED];
let listening = false;
function dropEchoesOfReportedFailures(): void {
  if (listening) return;
  listening = true;
  process.on("unhandledRejection", (reason) => {
    const text = reason instanceof Error ? reason.message : String(reason);
    if (reported.some((m) => text.includes(m))) return;
    throw reason;
  });
}

/** How long a cancelled up waits for what is in flight before it exits anyway. */
const CANCEL_BUDGET_MS = 4000;
const EXIT_CODES: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/** Types whose objects up inspects before applying: what `pulumi refresh` would read. */
const OBSERVED = new Set([
  "docker:index/container:Container",
  "docker:index/network:Network",
  "docker:index/volume:Volume",
  "docker:index/service:Service",
]);

/** Why a recorded object cannot be kept as it is on the engine, or undefined when it can. */
export async function driftOf(e: StateEntry, docker: Docker): Promise<string | undefined> {
  const missing = (err: any) => (err?.statusCode === 404 ? "missing" : Promise.reject(err));
  switch (e.type) {
    case "docker:index/container:Container":
      return (
        docker
          .getContainer(e.id)
          .inspect()
          // Only a container that must run is replaced for not running.
          .then(
            (info) => (e.inputs.mustRun === false || e.inputs.start === false ? undefined : containerDrift(info.State)),
            missing,
          )
      );
    case "docker:index/network:Network":
      return docker
        .getNetwork(e.id)
        .inspect()
        .then(() => undefined, missing);
    case "docker:index/volume:Volume":
      return docker
        .getVolume(e.id)
        .inspect()
        .then(() => undefined, missing);
    case "docker:index/service:Service":
      return docker
        .getService(e.id)
        .inspect()
        .then(() => undefined, missing);
    default:
      return undefined;
  }
}

/** A container that must run but is not running, or runs unhealthy, is replaced: why, or undefined. */
export function containerDrift(state: {
  Status: string;
  Running: boolean;
  ExitCode?: number;
  Health?: { Status: string };
}): string | undefined {
  if (!state.Running) return state.Status === "exited" ? `exited (${state.ExitCode})` : state.Status;
  if (state.Health?.Status === "unhealthy") return "unhealthy";
  return undefined;
}

interface StackRecord extends StackRef {
  keep: boolean;
  entries: Map<string, StateEntry>;
  reaper?: Reaper;
}

export interface EngineModeOptions {
  /** Where each stack's state is kept, for other processes (engine-state.ts); false: this process's memory only. @default BERTH_STATE_DIR or a private directory under the OS temp dir */
  stateDir?: string | false;
}

export class EngineMode implements StackMode {
  readonly kind = "engine" as const;
  private readonly stacks = new Map<string, StackRecord>();
  private readonly recorder: OutputsRecorder;
  private readonly outputsDir: string | false;
  private readonly stateDir: string | false;

  private readonly clients = new Map<string, Docker>();

  /** `docker` answers for the local engine (default: DOCKER_HOST or the default socket). */
  constructor(
    private readonly docker: Docker = new Docker(),
    /** Where up records the outputs for test code in other processes (testing/client); false: nowhere. */
    outputsDir: string | false = defaultOutputsDir(),
    options: EngineModeOptions = {},
  ) {
    this.outputsDir = outputsDir;
    this.recorder = new OutputsRecorder(outputsDir, "engine mode");
    this.stateDir = options.stateDir ?? defaultStateDir();
  }

  /** The client of an engine: the local one for undefined, else one per provider host. */
  private client(engine: string | undefined): Docker {
    if (engine === undefined) return this.docker;
    let client = this.clients.get(engine);
    if (!client) this.clients.set(engine, (client = dockerFor(engine)));
    return client;
  }

  /** The stack as this process knows it, else as its state file says, else empty. */
  private load(ref: StackRef): StackRecord {
    const known = this.stacks.get(ref.stack);
    if (known && known.project === ref.project) return known;
    const saved = this.stateDir === false ? undefined : readState(ref, this.stateDir);
    const record: StackRecord = {
      ...ref,
      keep: saved?.keep ?? true,
      entries: new Map((saved?.entries ?? []).map((e) => [e.key, e])),
    };
    this.stacks.set(ref.stack, record);
    return record;
  }

  private persist(record: StackRecord): void {
    if (this.stateDir === false) return;
    writeState(
      { project: record.project, stack: record.stack, keep: record.keep, entries: [...record.entries.values()] },
      this.stateDir,
    );
  }

  async up<Outputs = Record<string, unknown>>(req: UpRequest): Promise<UpResult<Outputs>> {
    dropEchoesOfReportedFailures();
    const started = performance.now();
    const since = () => Math.round(performance.now() - started);
    const record = this.load({ project: req.project, stack: req.stack });
    record.keep = req.keep ?? false;
    const entries = record.entries;
    const save = () => this.persist(record);
    // Before anything is made: the reaper (an ephemeral stack) and the engine's reality.
    if (!record.keep && record.reaper === undefined)
      record.reaper = Reaper.start({
        project: req.project,
        stack: req.stack,
        stateDir: this.stateDir,
        outputsDir: this.outputsDir,
      });
    if (record.keep && record.reaper !== undefined) {
      record.reaper.release();
      record.reaper = undefined;
    }
    const drift = new Map<string, string>();
    await Promise.all(
      [...entries.values()]
        .filter((e) => OBSERVED.has(e.type))
        .map(async (e) => {
          const why = await driftOf(e, this.client(e.engine));
          if (why === undefined) return;
          drift.set(e.key, why);
          if (why === "missing") entries.delete(e.key);
        }),
    );
    save();

    const seen = new Set<string>();
    const timeline: TimelineEntry[] = [];
    const failures: Error[] = [];
    const changes: Changes = { create: 0, update: 0, replace: 0, same: 0, delete: 0 };
    const cwd = process.cwd();

    // Like the CLI: after the first failure no new resource starts; those in flight finish.
    let stopped = false;
    let signalFailure!: () => void;
    const failed = new Promise<void>((resolve) => (signalFailure = resolve));
    const inFlight = new Set<Promise<unknown>>();
    const cancel = new AbortController();
    let cancelledBy: NodeJS.Signals | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      if (cancelledBy !== undefined) process.exit(EXIT_CODES[signal] ?? 1); // a second one: at once
      cancelledBy = signal;
      process.stderr.write(
        `engine mode: ${signal}: stopping the up of ${req.stack}: nothing new starts, running commands end (${signal} again exits at once)\n`,
      );
      stopped = true;
      cancel.abort();
      signalFailure();
      setTimeout(() => process.exit(EXIT_CODES[signal] ?? 1), CANCEL_BUDGET_MS).unref();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);

    // Each docker.Provider's host, by the id its resources' provider references end with.
    const providerHosts = new Map<string, string | undefined>();
    const engineOf = (r: pulumi.runtime.MockResourceArgs): string | undefined => {
      const id = r.provider?.split("::").pop();
      return id !== undefined && providerHosts.has(id) ? providerHosts.get(id) : undefined;
    };
    const owner = { project: req.project, stack: req.stack };
    let order = Math.max(0, ...[...entries.values()].map((e) => e.order));

    // The options a registration carries that the mock's arguments do not (replaceOnChanges, deleteBeforeReplace).
    const options = new Map<string, RegistrationOptions>();

    const applyOne = async (
      r: pulumi.runtime.MockResourceArgs,
    ): Promise<{ id: string; state: Record<string, any> }> => {
      if (!r.custom) return { id: "", state: {} }; // components make nothing on the engine
      if (stopped) throw new Error(`${r.name}: ${NOT_STARTED}`);
      const key = `${r.type}::${r.name}`;
      if (seen.has(key)) throw new Error(`engine mode keys resources by type and name; ${key} is registered twice`);
      seen.add(key);
      const inputs = unwrapSecrets(r.inputs) as Inputs;
      const engine = r.type === PROVIDER_TYPE ? undefined : engineOf(r);
      const prev = entries.get(key);
      const reason = drift.get(key);
      const startedMs = since();
      req.onStart?.(r.type, r.name);
      const opts = options.get(key);
      let why = reason;
      const done = (
        action: "create" | "update" | "replace" | "same",
        made: { id: string; state: Record<string, any> },
      ) => {
        changes[action] += 1;
        timeline.push({
          type: r.type,
          name: r.name,
          action,
          startedMs,
          finishedMs: since(),
          ...(why ? { reason: why } : {}),
        });
        return made;
      };
      const ctx = { docker: this.client(engine), cwd, owner, signal: cancel.signal };
      try {
        let step = convergeStep(
          prev,
          {
            type: r.type,
            inputs,
            engine,
            replaceOnChanges: opts?.replaceOnChanges,
            deleteBeforeReplace: opts?.deleteBeforeReplace,
          },
          reason,
        );
        if (step.action === "replace" && step.reason !== undefined) why = step.reason;
        const applier = applierFor(r.type);
        if (
          step.action === "update" &&
          step.effects.applied.length + step.effects.rerun.length > 0 &&
          !applier.update
        ) {
          why = `engine mode cannot update ${r.type} in place`;
          step = { action: "replace", changed: step.changed, replacedBy: [] };
        }
        if (prev && step.action === "same") {
          if (r.type === PROVIDER_TYPE) providerHosts.set(prev.id, prev.inputs.host);
          // Inputs the provider does not compare (e.g. registry credentials) are still recorded.
          if (step.changed.length > 0) entries.set(key, { ...prev, inputs });
          return done("same", { id: prev.id, state: prev.state });
        }
        if (prev && step.action === "update") {
          // In place: the id stays, so nothing that carries it changes.
          const { applied, rerun, recorded } = step.effects;
          const made =
            applied.length + rerun.length > 0
              ? await applier.update!(prev, inputs, step.effects, { ...ctx, made: () => undefined })
              : {
                  id: prev.id,
                  state: { ...prev.state, ...Object.fromEntries(topInputs(recorded).map((k) => [k, inputs[k]])) },
                };
          entries.set(key, { ...prev, inputs, state: made.state });
          save();
          return done("update", made);
        }
        if (prev) {
          await applierFor(prev.type).delete(prev, this.client(prev.engine));
          entries.delete(key);
          save();
        }
        const entry: StateEntry = {
          key,
          type: r.type,
          name: r.name,
          id: "",
          inputs,
          state: {},
          engine,
          order: ++order,
        };
        const made = await applier.create(inputs, {
          ...ctx,
          made: (id) => {
            entries.set(key, { ...entry, id, unfinished: true });
            save();
          },
        });
        entries.set(key, { ...entry, ...made });
        save();
        if (r.type === PROVIDER_TYPE) providerHosts.set(made.id, inputs.host);
        return done(prev ? "replace" : "create", made);
      } catch (err) {
        const failure = new Error(`${r.name} (${r.type}): ${err instanceof Error ? err.message : String(err)}`);
        reported.push(failure.message.split("\n")[0]);
        failures.push(failure);
        stopped = true;
        signalFailure();
        throw failure;
      }
    };
    const apply = (r: pulumi.runtime.MockResourceArgs) => {
      const p = applyOne(r);
      const done = () => inFlight.delete(p);
      inFlight.add(p);
      p.then(done, done);
      return p;
    };

    try {
      await pulumi.runtime.setMocks({ newResource: apply, call: async () => ({}) }, req.project, req.stack, false);
      onRegistration((reg) => void options.set(`${reg.type}::${reg.name}`, reg));
      pulumi.runtime.setAllConfig(engineConfig(req.config ?? {}), req.secretKeys ?? []);
      const stopAt = async (err: unknown): Promise<never> => {
        // As the CLI: nothing more starts; what is in flight finishes.
        stopped = true;
        while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
        debuggable.leakedPromises(); // the CLI would exit here; do not report them at process exit
        throw err;
      };
      const exports = await withProgramFailures(async (programFailed) => {
        let declared: Record<string, unknown> | void;
        try {
          // The program itself may fail (e.g. bad config), or an input it computes (an apply that throws).
          declared = await Promise.race([req.program(), programFailed]);
          // After a failure some registrations never settle (they wait on the failed resource), so
          // the RPC queue may never drain: stop at the failure once what was in flight has finished.
          await Promise.race([settings.waitForRPCs(), failed, programFailed]);
        } catch (err) {
          return stopAt(err);
        }
        if (failures.length > 0 || cancelledBy !== undefined)
          return stopAt(failures[0] ?? new Error(`the up of ${req.stack} was cancelled (${cancelledBy})`));
        return declared;
      });
      const { outputs, secret } = await resolveOutputs(exports);

      // Resources the program no longer declares go, as the CLI deletes them: after the rest.
      const gone = [...entries.values()].filter((e) => !seen.has(e.key));
      const removals = await removeEntries(
        gone,
        (engine) => this.client(engine),
        since,
        (e) => {
          entries.delete(e.key);
          save();
        },
      );
      for (const r of removals) {
        if (r.error !== undefined) throw new Error(`${r.entry.name} (${r.entry.type}): removing it failed: ${r.error}`);
        changes.delete += 1;
        timeline.push({
          type: r.entry.type,
          name: r.entry.name,
          action: "delete",
          startedMs: r.startedMs,
          finishedMs: r.finishedMs,
        });
      }
      // Objects with the stack's labels that no record knows: a killed run's (compose's orphans).
      const known = new Set([...entries.values()].map((e) => e.id));
      for (const engine of new Set([undefined, ...[...entries.values()].map((e) => e.engine)])) {
        const startedMs = since();
        const left = await removeUnrecorded(this.client(engine), owner, known, { volumes: false });
        for (const [type, names] of [
          ["docker:index/container:Container", left.containers],
          ["docker:index/network:Network", left.networks],
        ] as const) {
          for (const name of names)
            timeline.push({
              type,
              name,
              action: "delete",
              startedMs,
              finishedMs: since(),
              reason: "unrecorded leftover",
            });
          changes.delete += names.length;
        }
      }
      this.recorder.write({ project: req.project, stack: req.stack, outputs, secretOutputs: secret.sort() });
      return { outputs: outputs as Outputs, changes, timeline };
    } finally {
      save();
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      // Cancelled: the state says what exists; an ephemeral stack is left to its reaper.
      if (cancelledBy !== undefined) process.exit(EXIT_CODES[cancelledBy] ?? 1);
    }
  }

  /**
   * Removes everything the stack made — from this process's record, else from its state file (so
   * any process can destroy it) — and every other object carrying its labels, then its state and
   * recorded outputs. `project` is needed only when neither this process nor exactly one state
   * file knows it.
   */
  async destroy(stack: string, project?: string): Promise<void> {
    const known = project ?? this.projectOf(stack);
    if (known === undefined) return; // no up here, no state anywhere: nothing is known to remove
    const ref = { project: known, stack };
    const record = this.stacks.get(stack)?.project === ref.project ? this.stacks.get(stack) : undefined;
    const entries = record ? [...record.entries.values()] : undefined;
    record?.reaper?.release();
    this.stacks.delete(stack);
    await destroyStack(
      ref,
      { stateDir: this.stateDir, outputsDir: this.outputsDir },
      (engine) => this.client(engine),
      entries,
    );
    this.recorder.remove(stack, ref.project);
  }

  /** The project of `stack`: this process's, else the one state file's; undefined when nothing knows the stack. */
  private projectOf(stack: string): string | undefined {
    const known = this.stacks.get(stack)?.project;
    if (known !== undefined) return known;
    const found = this.stateDir === false ? [] : projectsWithState(stack, this.stateDir);
    if (found.length === 1) return found[0];
    if (found.length === 0) return undefined;
    throw new Error(
      `stack ${stack} has state files of projects ${found.join(", ")}: pass the project to destroy(stack, project)`,
    );
  }

  /** The names of what the stack holds now (engine mode's view of the state file). */
  resources(stack: string, project?: string): { type: string; name: string; id: string }[] {
    const known = project ?? this.projectOf(stack);
    const record = this.stacks.get(stack) ?? (known === undefined ? undefined : this.load({ project: known, stack }));
    return [...(record?.entries.values() ?? [])]
      .sort((a, b) => a.order - b.order)
      .map(({ type, name, id }) => ({ type, name, id }));
  }
}
