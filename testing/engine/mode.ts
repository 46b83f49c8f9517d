// One interface for the two ways the e2e suite brings a stack up on a real Docker engine:
// pulumi mode (Automation API + a `pulumi` CLI) and engine mode (mock runtime + dockerode).
import type { GateResult } from "../../gate/result";

/** What `up` changed, in the CLI's summary terms. */
export interface Changes {
  create: number;
  replace: number;
  same: number;
  delete: number;
}

/** The berth program's stack outputs (see index.ts), secrets unwrapped. */
export interface StackOutputs {
  environment: string;
  imageStack: string;
  networkName: string;
  containerNames: { postgres: string; redis: string; orchestrator: string; workers: string[] };
  hostPorts: { postgres?: number; redis?: number; orchestrator?: number };
  hostUrls: { postgres?: string; redis?: string; orchestrator?: string };
  gateResults: { data: GateResult; orchestrator: GateResult; workers?: GateResult };
}

/** When one resource was applied, relative to the start of `up` (engine mode only). */
export interface TimelineEntry {
  type: string;
  name: string;
  action: "create" | "replace" | "same";
  startedMs: number;
  finishedMs: number;
}

export interface UpResult {
  outputs: StackOutputs;
  changes: Changes;
  /** Engine mode records the order it applied resources in; pulumi mode leaves it out. */
  timeline?: TimelineEntry[];
}

export interface UpRequest {
  /** Unique stack name: Docker names and the berth.stack label derive from it. */
  stack: string;
  /** Stack file the base config comes from (Pulumi.<configFrom>.yaml). */
  configFrom: string;
  /** "berth:…" keys layered over that file, as `pulumi config set` would. */
  config: Record<string, unknown>;
}

export interface StackMode {
  readonly kind: "engine" | "pulumi";
  /** Creates or updates the stack; rejects with the failing resource's error (e.g. a gate's report). */
  up(request: UpRequest): Promise<UpResult>;
  /** Removes everything the stack made (also after a failed up) and forgets the stack. */
  destroy(stack: string): Promise<void>;
}
