// One interface for the two ways the test kit brings a program up on a real Docker engine:
// pulumi mode (Automation API + a `pulumi` CLI) and engine mode (mock runtime + dockerode).
import type { Program, StackConfig } from "../program";

/** What `up` changed, in the CLI's summary terms. */
export interface Changes {
  create: number;
  /** Changed in place, keeping their ids (engine mode: as provider-semantics.ts says the provider does). */
  update: number;
  replace: number;
  same: number;
  delete: number;
}

/**
 * When one custom resource was applied, ms after `up` started: engine mode times its own steps,
 * pulumi mode the engine's events as they reach it (their order is the engine's).
 */
export interface TimelineEntry {
  type: string;
  name: string;
  action: "create" | "update" | "replace" | "same" | "delete";
  startedMs: number;
  finishedMs: number;
  /**
   * Engine mode: why a resource whose inputs did not change was made again, or removed — the
   * engine's state of the object it had made ("missing", "exited (137)", "unhealthy") or
   * "unrecorded leftover" (an object with the stack's labels that no state knew: a killed run's).
   */
  reason?: string;
}

export interface UpResult<Outputs = Record<string, unknown>> {
  /** The stack outputs, secrets unwrapped. */
  outputs: Outputs;
  changes: Changes;
  /** The resources applied, in the order they started. */
  timeline: TimelineEntry[];
}

export interface UpRequest {
  /** Unique stack name: berth's Docker names and the berth.stack label derive from it. */
  stack: string;
  /** The project name, as Pulumi.yaml gives it. */
  project: string;
  /** The program: a function declaring resources, e.g. programFile("index.ts"). */
  program: Program;
  /** Stack config, "namespace:key" → value, e.g. stackFileConfig("Pulumi.test.yaml") plus overrides. */
  config?: StackConfig;
  /** Config keys that are secrets (`pulumi config set --secret`). */
  secretKeys?: string[];
  /** Pulumi mode runs the project in this directory (its Pulumi.yaml) instead of the function. */
  workDir?: string;
  /**
   * Engine mode: true keeps the stack when this process ends, for a later up (which converges it)
   * or destroy from any process. @default false - a reaper removes the stack when the process that
   * brought it up ends without destroying it (exit, crash, Ctrl-C, kill -9)
   */
  keep?: boolean;
  /** Engine mode: told as each resource starts to be applied (before it exists), e.g. for progress lines. @default none */
  onStart?: (type: string, name: string) => void;
}

export interface StackMode {
  readonly kind: "engine" | "pulumi";
  /** Creates or updates the stack; rejects with the failing resource's error (e.g. a gate's report). */
  up<Outputs = Record<string, unknown>>(request: UpRequest): Promise<UpResult<Outputs>>;
  /**
   * Removes everything the stack made (also after a failed up, and from a process other than the
   * one that made it) and forgets the stack. `project`: when this process did not bring it up.
   */
  destroy(stack: string, project?: string): Promise<void>;
}
