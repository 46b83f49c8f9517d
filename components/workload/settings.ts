// Settings of the workload's services: the config fragments under berth:orchestrator and
// berth:workers, their per-environment defaults and the rules between their fields.
import { z } from "zod";
import { ConfigProblem } from "../problems";
import { Assert, cpus, EnvironmentType, Filled, memoryMb, Same, wholeNumber } from "../fields";

const namespaceName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, { message: "lower-case letters, digits, _ and -, at most 63 characters" });

export const orchestratorSchema = z.strictObject({
  memoryMb: memoryMb(32).describe("memory limit, no swap").optional(),
  cpus: cpus.describe("CPU limit in cores").optional(),
});
/** berth:orchestrator with every default applied. */
export interface OrchestratorSettings {
  /** Memory limit, no swap. */
  memoryMb: number;
  /** CPU limit in cores. */
  cpus: number;
}
export type OrchestratorSettingsMatchesSchema = Assert<
  Same<OrchestratorSettings, Filled<z.infer<typeof orchestratorSchema>>>
>;

export const workersSchema = z.strictObject({
  replicas: wholeNumber(0, 500).describe("how many workers; 0 declares none").optional(),
  namespaces: z
    .union([z.array(namespaceName).min(1), z.array(z.array(namespaceName).min(1)).min(1)])
    .describe("task namespaces: one list for every replica, or one list per replica")
    .optional(),
  memoryMb: memoryMb(32).describe("memory limit of each worker, no swap").optional(),
  cpus: cpus.describe("CPU limit of each worker in cores").optional(),
  dockerSocket: z
    .boolean()
    .describe("mount the engine's socket into the workers: root on the host (README, Security)")
    .optional(),
});
export type WorkersInput = z.infer<typeof workersSchema>;
/** berth:workers with every default applied, in the stack file's shape (what `workersDefaults` returns). */
export interface WorkersDefaults {
  /** How many workers; 0 declares none. */
  replicas: number;
  /** Task namespaces: one list for every replica, or one list per replica. */
  namespaces: string[] | string[][];
  /** Memory limit of each worker, no swap. */
  memoryMb: number;
  /** CPU limit of each worker in cores. */
  cpus: number;
  /** Mount the engine's socket into the workers: root on the host (README, Security). */
  dockerSocket: boolean;
}
export type WorkersDefaultsMatchesSchema = Assert<Same<WorkersDefaults, Filled<WorkersInput>>>;
/** berth:workers with every default applied, the namespaces normalised to lists. */
export interface WorkersSettings extends Omit<WorkersDefaults, "namespaces"> {
  /** One list per replica, or a single list every replica serves. */
  namespaces: string[][];
}

export function orchestratorDefaults(_environment: EnvironmentType): OrchestratorSettings {
  return { memoryMb: 256, cpus: 0.5 };
}

export function workersDefaults(environment: EnvironmentType): WorkersDefaults {
  return {
    replicas: environment === "prod" ? 3 : 2,
    namespaces: ["default"],
    memoryMb: 256,
    cpus: 0.5,
    dockerSocket: false,
  };
}

export function workersSettings(filled: Filled<WorkersInput>): WorkersSettings {
  const lists = filled.namespaces;
  return { ...filled, namespaces: typeof lists[0] === "string" ? [lists as string[]] : (lists as string[][]) };
}

/** The namespaces replica `index` serves. */
export function namespacesOf(workers: Pick<WorkersSettings, "namespaces">, index: number): string[] {
  const lists = workers.namespaces;
  return lists.length === 1 ? lists[0] : lists[index];
}

/** The container holding a WorkerPool's network namespace runs sh and sleep: a few MB, next to no CPU. */
export const NETWORK_HOLDER_LIMITS = Object.freeze({ memoryMb: 16, cpus: 0.1 });

/** What a Node service of the workload needs at the least. */
export const APP_MIN_MEMORY_MB = 64;

export function orchestratorProblems(s: OrchestratorSettings): ConfigProblem[] {
  return s.memoryMb < APP_MIN_MEMORY_MB
    ? [{ path: ["memoryMb"], given: s.memoryMb, allowed: `at least ${APP_MIN_MEMORY_MB}` }]
    : [];
}

/** Rules between the fields, paths relative to berth:workers. */
export function workersProblems(s: WorkersSettings): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (s.memoryMb < APP_MIN_MEMORY_MB)
    problems.push({ path: ["memoryMb"], given: s.memoryMb, allowed: `at least ${APP_MIN_MEMORY_MB}` });
  if (s.namespaces.length !== 1 && s.namespaces.length !== s.replicas) {
    problems.push({
      path: ["namespaces"],
      given: `${s.namespaces.length} lists`,
      allowed: `one list per replica (${s.replicas}) or a single list of names for every replica`,
      secret: true,
    });
  }
  return problems;
}
