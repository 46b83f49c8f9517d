// The common edits to the test stack (issue 29): one list for the plan's table of predicted
// operations (tests/unit/plan-operations.test.ts) and for the comparison of those predictions with
// what engine mode does on a real engine (tests/e2e/edits.test.ts). Image references are
// parameters: the unit table names placeholders, the e2e suite images the engine has.
import type { StackConfig } from "../../testing/program";

/** Values of an edit that must resolve on an engine when it is applied there. */
export interface EditImages {
  /** Another app image (berth:images.app). */
  app: string;
  /** Another registry prefix (berth:registryPrefix). */
  registryPrefix: string;
}

export interface StackEdit {
  edit: string;
  /** The config keys the edit sets (each key's whole value), over the stack's config. */
  config: (images: EditImages) => StackConfig;
  /** The config the edit starts from, over Pulumi.test.yaml, when not the stack file alone. */
  from?: StackConfig;
  /** What the plan predicts on the test stack (Pulumi.test.yaml): `<action> <name>`, in the program's order, then the deletes. */
  ops: string[];
}

/** Placeholders for the offline table: nothing is pulled. */
export const PLACEHOLDER_IMAGES: EditImages = {
  app: "registry.local/berth/app:2",
  registryPrefix: "mirror.internal:5000/hub",
};

const gates = {
  data: "berth-data-gate-wait",
  orchestrator: "berth-orchestrator-gate-wait",
  workers: "berth-workers-gate-wait",
};
const workers = (replicas: number, namespaces = ["default"]) => ({ "berth:workers": { replicas, namespaces } });

export const STACK_EDITS: StackEdit[] = [
  { edit: "replicas 2 → 3", config: () => workers(3), ops: ["create berth-worker-2", `update ${gates.workers}`] },
  {
    edit: "replicas 3 → 2",
    from: workers(3),
    config: () => workers(2),
    ops: [`update ${gates.workers}`, "delete berth-worker-2"],
  },
  {
    edit: "postgres.memoryMb",
    config: () => ({ "berth:postgres": { memoryMb: 768 } }),
    ops: ["update berth-postgres"],
  },
  {
    edit: "postgres.sharedBuffersMb",
    config: () => ({ "berth:postgres": { sharedBuffersMb: 128 } }),
    ops: [
      "replace berth-postgres",
      `update ${gates.data}`,
      "replace berth-orchestrator",
      `update ${gates.orchestrator}`,
      `update ${gates.workers}`,
    ],
  },
  {
    edit: "redis.maxmemoryMb",
    config: () => ({ "berth:redis": { maxmemoryMb: 96 } }),
    ops: ["replace berth-redis", `update ${gates.data}`, `update ${gates.orchestrator}`, `update ${gates.workers}`],
  },
  {
    edit: "workers.namespaces",
    config: () => workers(2, ["default", "billing"]),
    ops: [
      "replace berth-orchestrator",
      "replace berth-worker-0",
      "replace berth-worker-1",
      `update ${gates.orchestrator}`,
      `update ${gates.workers}`,
    ],
  },
  {
    edit: "images.app",
    config: (i) => ({ "berth:images": { app: i.app } }),
    ops: [
      "create berth-app-image",
      "replace berth-worker-net",
      "replace berth-orchestrator",
      "replace berth-worker-0",
      "replace berth-worker-1",
      `update ${gates.orchestrator}`,
      `update ${gates.workers}`,
      "delete berth-app-image",
    ],
  },
  {
    edit: "tiers.data.gateTimeoutSeconds",
    config: () => ({ "berth:tiers": { data: { gateTimeoutSeconds: 120 } } }),
    ops: [`update ${gates.data}`],
  },
  {
    edit: "registryPrefix",
    config: (i) => ({ "berth:registryPrefix": i.registryPrefix }),
    ops: [
      "replace berth-postgres-image",
      "replace berth-redis-image",
      "update berth-app-image",
      "replace berth-postgres-template",
      "replace berth-redis",
      "replace berth-postgres",
      `update ${gates.data}`,
      "replace berth-orchestrator",
      `update ${gates.orchestrator}`,
      `update ${gates.workers}`,
    ],
  },
  {
    edit: "hardening.workers.user",
    config: () => ({ "berth:hardening": { workers: { user: "1001:1001" } } }),
    ops: ["replace berth-worker-net", "replace berth-worker-0", "replace berth-worker-1", `update ${gates.workers}`],
  },
];
