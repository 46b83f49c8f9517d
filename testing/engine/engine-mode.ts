// Engine mode: `pulumi up` without the Pulumi CLI. A program runs under Pulumi's mock runtime (as
// in the recorder) with an async mock that applies each registered Docker, command and random
// resource to a real engine through dockerode: the local one, or the one an explicit
// docker.Provider names (its `host`), as the Docker provider would. Because the SDK
// awaits a resource's dependencies (dependsOn and inputs) before registering it, and the mock only
// answers once the engine object exists, resources are made in the order Pulumi's engine would.
// What it made is recorded per stack; destroy removes it in reverse creation order. The stack's
// outputs are also written for test code in other processes (testing/client/recorded-outputs.ts)
// and removed on destroy. A second up compares each resource's inputs with the recorded ones:
// unchanged → untouched; changed → deleted then created again.
//
// What it does NOT cover: the Pulumi Docker provider's own translation of arguments to Engine
// API calls (container-spec.ts, service-spec.ts and image-spec.ts are this harness's translations,
// modelled on the provider's source), the provider's diffing (any input change replaces here; the
// provider updates some in place), replacements cascading to dependents, previews, refresh, the
// state file and secrets encryption, BuildKit builds (docker.Image is built with the classic
// builder only). Those need pulumi mode (a working `pulumi` CLI).
import { performance } from "node:perf_hooks";
import { isDeepStrictEqual } from "node:util";
import Docker from "dockerode";
import * as pulumi from "@pulumi/pulumi";
import { engineConfig, resolveOutputs, unwrapSecrets, withProgramFailures } from "../program";
import { applierFor, dockerFor, Inputs, PROVIDER_TYPE } from "./resources";
import { Changes, StackMode, TimelineEntry, UpRequest, UpResult } from "./mode";
import { outputsDir as defaultOutputsDir, OutputsRecorder } from "../client/recorded-outputs";

const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
const debuggable = require("@pulumi/pulumi/runtime/debuggable") as { leakedPromises(): unknown };

interface Entry {
  key: string;
  type: string;
  name: string;
  id: string;
  inputs: Inputs;
  state: Record<string, any>;
  /** The engine it lives on: a provider's host, or undefined for the local engine. */
  engine: string | undefined;
  /** Creation order on the engine, for destroy. */
  order: number;
}

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

export class EngineMode implements StackMode {
  readonly kind = "engine" as const;
  private readonly stacks = new Map<string, Map<string, Entry>>();
  private readonly recorder: OutputsRecorder;
  private order = 0;

  private readonly clients = new Map<string, Docker>();

  /** `docker` answers for the local engine (default: DOCKER_HOST or the default socket). */
  constructor(
    private readonly docker: Docker = new Docker(),
    /** Where up records the outputs for test code in other processes (testing/client); false: nowhere. */
    outputsDir: string | false = defaultOutputsDir(),
  ) {
    this.recorder = new OutputsRecorder(outputsDir, "engine mode");
  }

  /** The client of an engine: the local one for undefined, else one per provider host. */
  private client(engine: string | undefined): Docker {
    if (engine === undefined) return this.docker;
    let client = this.clients.get(engine);
    if (!client) this.clients.set(engine, (client = dockerFor(engine)));
    return client;
  }

  async up<Outputs = Record<string, unknown>>(req: UpRequest): Promise<UpResult<Outputs>> {
    dropEchoesOfReportedFailures();
    const entries = this.stacks.get(req.stack) ?? new Map<string, Entry>();
    this.stacks.set(req.stack, entries);
    const started = performance.now();
    const since = () => Math.round(performance.now() - started);
    const seen = new Set<string>();
    const timeline: TimelineEntry[] = [];
    const failures: Error[] = [];
    const changes: Changes = { create: 0, replace: 0, same: 0, delete: 0 };
    const cwd = process.cwd();

    // Like the CLI: after the first failure no new resource starts; those in flight finish.
    let stopped = false;
    let signalFailure!: () => void;
    const failed = new Promise<void>((resolve) => (signalFailure = resolve));
    const inFlight = new Set<Promise<unknown>>();

    // Each docker.Provider's host, by the id its resources' provider references end with.
    const providerHosts = new Map<string, string | undefined>();
    const engineOf = (r: pulumi.runtime.MockResourceArgs): string | undefined => {
      const id = r.provider?.split("::").pop();
      return id !== undefined && providerHosts.has(id) ? providerHosts.get(id) : undefined;
    };

    const applyOne = async (r: pulumi.runtime.MockResourceArgs): Promise<{ id: string; state: Record<string, any> }> => {
      if (!r.custom) return { id: "", state: {} }; // components make nothing on the engine
      if (stopped) throw new Error(`${r.name}: ${NOT_STARTED}`);
      const key = `${r.type}::${r.name}`;
      if (seen.has(key)) throw new Error(`engine mode keys resources by type and name; ${key} is registered twice`);
      seen.add(key);
      const inputs = unwrapSecrets(r.inputs) as Inputs;
      const engine = r.type === PROVIDER_TYPE ? undefined : engineOf(r);
      const prev = entries.get(key);
      const startedMs = since();
      if (prev && isDeepStrictEqual(prev.inputs, inputs) && prev.engine === engine) {
        if (r.type === PROVIDER_TYPE) providerHosts.set(prev.id, prev.inputs.host);
        changes.same += 1;
        timeline.push({ type: r.type, name: r.name, action: "same", startedMs, finishedMs: since() });
        return { id: prev.id, state: prev.state };
      }
      try {
        const applier = applierFor(r.type);
        if (prev) {
          await applierFor(prev.type).delete(prev, this.client(prev.engine));
          entries.delete(key);
        }
        const entry: Entry = { key, type: r.type, name: r.name, id: "", inputs, state: {}, engine, order: ++this.order };
        const made = await applier.create(inputs, { docker: this.client(engine), cwd, made: (id) => entries.set(key, { ...entry, id }) });
        entries.set(key, { ...entry, ...made });
        if (r.type === PROVIDER_TYPE) providerHosts.set(made.id, inputs.host);
        changes[prev ? "replace" : "create"] += 1;
        timeline.push({ type: r.type, name: r.name, action: prev ? "replace" : "create", startedMs, finishedMs: since() });
        return made;
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

    await pulumi.runtime.setMocks({ newResource: apply, call: async () => ({}) }, req.project, req.stack, false);
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
      if (failures.length > 0) return stopAt(failures[0]);
      return declared;
    });
    const { outputs, secret } = await resolveOutputs(exports);

    // Resources the program no longer declares go, newest first (as the CLI deletes them last).
    for (const gone of [...entries.values()].filter((e) => !seen.has(e.key)).sort((a, b) => b.order - a.order)) {
      await applierFor(gone.type).delete(gone, this.client(gone.engine));
      entries.delete(gone.key);
      changes.delete += 1;
    }
    this.recorder.write({ project: req.project, stack: req.stack, outputs, secretOutputs: secret.sort() });
    return { outputs: outputs as Outputs, changes, timeline };
  }

  async destroy(stack: string): Promise<void> {
    const entries = [...(this.stacks.get(stack)?.values() ?? [])].sort((a, b) => b.order - a.order);
    const errors: string[] = [];
    for (const e of entries) {
      try {
        await applierFor(e.type).delete(e, this.client(e.engine));
      } catch (err) {
        errors.push(`${e.name} (${e.type}): ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    this.stacks.delete(stack);
    this.recorder.remove(stack);
    if (errors.length > 0) throw new Error(`destroy of ${stack} left ${errors.length} resource(s):\n${errors.join("\n")}`);
  }

  /** The names of what the stack holds now (engine mode's view of the state file). */
  resources(stack: string): { type: string; name: string; id: string }[] {
    return [...(this.stacks.get(stack)?.values() ?? [])].sort((a, b) => a.order - b.order).map(({ type, name, id }) => ({ type, name, id }));
  }
}
