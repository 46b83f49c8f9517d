// `berth/testing`: test your own Pulumi program the way berth tests its own, listed by name
// (api/berth-testing.api.md is its reviewed report).
// - recordProgram: the program under Pulumi's mock runtime, every resource recorded with its
//   parent, dependencies, inputs (secrets unwrapped) and which inputs are secret.
// - EngineMode: the program applied to a real Docker engine without the Pulumi CLI (its
//   docker.Provider honoured), destroyed again; PulumiMode does the same through the CLI.
// - stackObjects / leftovers: what a stack has on the engine while up, and what its destroy left.
// - the test-side client (berth/testing/client), re-exported: the client's types are declared once,
//   in its own entry point's rollup, which berth/testing's rollup re-exports (scripts/api-report.js).
import type { DockerClient } from "./client";
import { EngineMode as EngineModeClass } from "./engine/engine-mode";
import type { EngineModeOptions } from "./engine/engine-mode";
import type { StackMode } from "./engine/mode";

export { engineConfig, programFile, projectProgram, stackFileConfig } from "./program";
export type { Program, StackConfig } from "./program";
export { pickedPort, pickedSubnet, previewState, recordProgram, resourceNamed, upState } from "./recorder";
export type { MockState, ProgramRun, RecordedResource, RecordOptions } from "./recorder";
export type { Changes, StackMode, TimelineEntry, UpRequest, UpResult } from "./engine/mode";
export type { EngineModeOptions } from "./engine/engine-mode";
export { PulumiMode } from "./engine/pulumi-mode";
export type { AutomationStack, StackFactory } from "./engine/pulumi-mode";
export { selectMode } from "./engine/select-mode";
export { leftovers, stackObjects, sweepStack } from "./engine/stack-objects";
export type { StackObjects, StackObjectsOptions } from "./engine/stack-objects";
export * from "./client";

/** Engine mode: a program applied to a real Docker engine without the Pulumi CLI. */
export interface EngineMode extends StackMode {
  readonly kind: "engine";
  /** What the stack holds now (engine mode's view of its state file), in the order it was made. */
  resources(stack: string, project?: string): { type: string; name: string; id: string }[];
}

/**
 * `new EngineMode(docker?, outputsDir?, options?)`: `docker` answers for the local engine (default:
 * DOCKER_HOST or the default socket); up records the outputs for test code in `outputsDir` (false:
 * nowhere). Declared through DockerClient, so berth's types need no @types/dockerode.
 */
export const EngineMode = EngineModeClass as unknown as new (
  docker?: DockerClient,
  outputsDir?: string | false,
  options?: EngineModeOptions,
) => EngineMode;
