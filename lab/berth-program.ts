// berth's own program under the test kit: the one Pulumi.yaml names (the compiled index.ts) or,
// recorded under mocks, index.ts itself, with a stack file's config. Used by berth's tests, scripts and bench.
import * as path from "node:path";
import { Program, programFile, projectProgram, StackConfig, stackFileConfig } from "../testing/program";
import { MockState, ProgramRun, recordProgram } from "../testing/recorder";
import type { UpRequest } from "../testing/engine/mode";
import type { GateResult } from "../components/gate/result";
import { SECRET_KEYS } from "../components/config/schema";
import { DEFAULT_PROJECT } from "../testing/client/stack-outputs";

export const REPO_ROOT = path.resolve(__dirname, "..");
/** The project name of berth's Pulumi.yaml: the client's default project. */
export const BERTH_PROJECT = DEFAULT_PROJECT;
/** berth's program as `pulumi up` runs it (Pulumi.yaml main: the compiled index.ts), loaded afresh on every run. */
export const berthProgram: Program = projectProgram(REPO_ROOT);

/** Pulumi.<stack>.yaml of berth (or of `programDir`) with `overrides` ("berth:…" keys) layered over it. */
export function berthConfig(
  stack: string,
  overrides: StackConfig = {},
  file = path.join(REPO_ROOT, `Pulumi.${stack}.yaml`),
): StackConfig {
  return { ...stackFileConfig(file), ...overrides };
}

/**
 * Records berth's program (or another program directory's index.ts) under mocks with `stack`'s
 * config plus `overrides`. A config error surfaces as the thrown pulumi.RunError, as the CLI shows it.
 */
export function runProgram(
  stack: string,
  overrides: StackConfig = {},
  options: { secretKeys?: string[]; state?: MockState; project?: string; programDir?: string; stackFile?: string } = {},
): Promise<ProgramRun> {
  const dir = options.programDir ?? REPO_ROOT;
  return recordProgram(programFile(path.join(dir, "index.ts")), {
    project: options.project ?? BERTH_PROJECT,
    stack,
    config: berthConfig(stack, overrides, options.stackFile ?? path.join(dir, `Pulumi.${stack}.yaml`)),
    secretKeys: options.secretKeys,
    state: options.state,
  });
}

/** berth's stack outputs (index.ts), secrets unwrapped. */
export interface BerthOutputs {
  environment: string;
  imageStack: string;
  networkName: string;
  containerNames: { postgres: string; redis: string; orchestrator: string; workers: string[] };
  /** With berth:cluster swarm: the workers' service (containerNames.workers is then empty). */
  workerService?: string;
  hostPorts: { postgres?: number; redis?: number; orchestrator?: number };
  hostUrls: { postgres?: string; redis?: string; orchestrator?: string };
  networkUrls: { postgres: string; redis: string };
  gateResults: { data: GateResult; orchestrator: GateResult; workers?: GateResult };
}

/**
 * The container holding the workers' network namespace, which the outputs do not list: Environment
 * names it `<project>-<stack>-worker-net`, beside `<project>-<stack>-postgres`. Undefined without
 * local workers (none, or a swarm service).
 */
export function workersNetworkContainer(o: Pick<BerthOutputs, "containerNames">): string | undefined {
  return o.containerNames.workers.length === 0
    ? undefined
    : o.containerNames.postgres.replace(/-postgres$/, "-worker-net");
}

/** An up of berth's own program: Pulumi.<configFrom>.yaml plus `overrides`, as stack `stack`. */
export function berthRequest(stack: string, configFrom: string, overrides: StackConfig = {}): UpRequest {
  return {
    stack,
    project: BERTH_PROJECT,
    program: berthProgram,
    config: berthConfig(configFrom, overrides),
    secretKeys: SECRET_KEYS.map((k) => `${BERTH_PROJECT}:${k}`),
    workDir: REPO_ROOT,
  };
}
