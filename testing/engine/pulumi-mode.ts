// Pulumi mode: the real CLI through the Automation API. A LocalWorkspace on the project directory
// (its Pulumi.yaml) or on the program function (an inline program), a file backend in a fresh temp
// dir (no account, nothing shared with the user's own state), an empty passphrase, a unique stack
// name, the request's config. destroy = `pulumi destroy` + `pulumi stack rm` (which also deletes
// the Pulumi.<stack>.yaml that config set wrote) + the temp backend. Outputs are also recorded
// for test code in other processes (testing/client), which cannot see the temp backend. The
// timeline comes from the engine's events as they arrive.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type {
  ConfigMap,
  DestroyOptions,
  EngineEvent,
  InlineProgramArgs,
  LocalProgramArgs,
  LocalWorkspaceOptions,
  OpMap,
  OpType,
  OutputMap,
  RemoveOptions,
  UpOptions,
} from "@pulumi/pulumi/automation";
import { engineConfig, StackConfig } from "../program";
import { Changes, StackMode, TimelineEntry, UpRequest, UpResult } from "./mode";
import { outputsDir as defaultOutputsDir, OutputsRecorder } from "../client/recorded-outputs";
import { fromOutputMap } from "../client/stack-outputs";
// Its home is the client (which also needs it); re-exported for the harness.
export { pulumiCli } from "../client/pulumi-cli";

/** The part of an Automation API Stack this mode uses (a seam for its unit test). */
export interface AutomationStack {
  setAllConfig(config: ConfigMap): Promise<void>;
  up(opts?: UpOptions): Promise<{ outputs: OutputMap; summary: { resourceChanges?: OpMap } }>;
  destroy(opts?: DestroyOptions): Promise<unknown>;
  workspace: { removeStack(stackName: string, opts?: RemoveOptions): Promise<void> };
}

export type StackFactory = (
  args: LocalProgramArgs | InlineProgramArgs,
  opts: LocalWorkspaceOptions,
) => Promise<AutomationStack>;

export const automationStack: StackFactory = async (args, opts) => {
  // Loaded on use: engine mode never needs the Automation API.
  const { LocalWorkspace } = await import("@pulumi/pulumi/automation");
  return "workDir" in args
    ? LocalWorkspace.createOrSelectStack(args, opts)
    : LocalWorkspace.createOrSelectStack(args, opts);
};

export const UP_OPTIONS: UpOptions = { color: "never", refresh: false };
export const DESTROY_OPTIONS: DestroyOptions = { color: "never" };

/** Stack config as `pulumi config set` takes it; the secret keys marked secret. */
export function configMap(config: StackConfig, secretKeys: readonly string[] = []): ConfigMap {
  return Object.fromEntries(
    Object.entries(engineConfig(config)).map(([k, value]) => [k, { value, secret: secretKeys.includes(k) }]),
  );
}

function changesOf(ops: OpMap = {}): Changes {
  return {
    create: ops.create ?? 0,
    update: ops.update ?? 0,
    replace: ops.replace ?? 0,
    same: ops.same ?? 0,
    delete: ops.delete ?? 0,
  };
}

/** An engine event, ms after `up` started when it reached this process. */
export interface ReceivedEvent {
  atMs: number;
  event: EngineEvent;
}

const TIMELINE_ACTIONS: Partial<Record<OpType, TimelineEntry["action"]>> = {
  create: "create",
  update: "update",
  same: "same",
  replace: "replace",
  "create-replacement": "replace",
};

/** A provider the engine made because the program named none ("default", "default_4_2_0"). */
const isDefaultProvider = (type: string, name: string) =>
  type.startsWith("pulumi:providers:") && /^default(_|$)/.test(name);

/**
 * The custom resources an up applied, from the events of their steps: each from its first step's
 * start to its last outputs, in the order they started (a replacement's steps make one entry).
 * Default providers are left out: the program does not declare them (engine mode has none).
 */
export function timelineOf(events: readonly ReceivedEvent[]): TimelineEntry[] {
  const byUrn = new Map<string, TimelineEntry>();
  for (const { atMs, event } of events) {
    const step = event.resourcePreEvent?.metadata;
    const action = step && TIMELINE_ACTIONS[step.op];
    const name = step?.urn.slice(step.urn.lastIndexOf("::") + 2) ?? "";
    if (step && action && (step.new ?? step.old)?.custom && !isDefaultProvider(step.type, name)) {
      const known = byUrn.get(step.urn);
      if (known && action === "replace") known.action = action;
      else if (!known) byUrn.set(step.urn, { type: step.type, name, action, startedMs: atMs, finishedMs: atMs });
    }
    const done = event.resOutputsEvent?.metadata;
    const entry = done && byUrn.get(done.urn);
    if (entry) entry.finishedMs = atMs;
  }
  return [...byUrn.values()];
}

export class PulumiMode implements StackMode {
  readonly kind = "pulumi" as const;
  private readonly stacks = new Map<string, { stack: AutomationStack; backendDir: string }>();
  private readonly recorder: OutputsRecorder;

  constructor(
    private readonly factory: StackFactory = automationStack,
    private readonly makeBackendDir: () => string = () => mkdtempSync(join(tmpdir(), "berth-e2e-backend-")),
    /** Where up records the outputs for test code in other processes (the temp backend is this process's); false: nowhere. */
    outputsDir: string | false = defaultOutputsDir(),
  ) {
    this.recorder = new OutputsRecorder(outputsDir, "pulumi mode");
  }

  private async open(req: UpRequest) {
    const known = this.stacks.get(req.stack);
    if (known) return known;
    const backendDir = this.makeBackendDir();
    const envVars = {
      PULUMI_BACKEND_URL: `file://${backendDir}`,
      PULUMI_CONFIG_PASSPHRASE: "",
      PULUMI_SKIP_UPDATE_CHECK: "true",
    };
    const program = async () => (await req.program()) ?? {};
    const stack = await this.factory(
      req.workDir !== undefined
        ? { stackName: req.stack, workDir: req.workDir }
        : { stackName: req.stack, projectName: req.project, program },
      { ...(req.workDir !== undefined ? { workDir: req.workDir } : {}), envVars },
    );
    const opened = { stack, backendDir };
    this.stacks.set(req.stack, opened);
    return opened;
  }

  async up<Outputs = Record<string, unknown>>(req: UpRequest): Promise<UpResult<Outputs>> {
    const { stack } = await this.open(req);
    await stack.setAllConfig(configMap(req.config ?? {}, req.secretKeys));
    const events: ReceivedEvent[] = [];
    const started = performance.now();
    const result = await stack.up({
      ...UP_OPTIONS,
      onEvent: (event) => events.push({ atMs: performance.now() - started, event }),
    });
    const { outputs, secretOutputs } = fromOutputMap(result.outputs);
    this.recorder.write({ project: req.project, stack: req.stack, outputs, secretOutputs });
    return {
      outputs: outputs as Outputs,
      changes: changesOf(result.summary.resourceChanges),
      timeline: timelineOf(events),
    };
  }

  async destroy(stackName: string): Promise<void> {
    const opened = this.stacks.get(stackName);
    if (!opened) return;
    try {
      await opened.stack.destroy(DESTROY_OPTIONS);
      await opened.stack.workspace.removeStack(stackName);
    } finally {
      this.stacks.delete(stackName);
      this.recorder.remove(stackName);
      rmSync(opened.backendDir, { recursive: true, force: true });
    }
  }
}
