// The plan's predicted operations: input paths compared, each change looked up in the providers'
// semantics, replacements followed through the ids that dependents carry; and the table of the
// common edits to the test stack, each predicted resource by resource.
import assert from "node:assert/strict";
import { runProgram } from "../../lab/berth-program";
import { mockId, ProgramRun, RecordedResource } from "../../testing/recorder";
import { formatOperations, predictOperations } from "../../scripts/plan-operations";
import { changedPaths } from "../../testing/engine/input-changes";

const CONTAINER = "docker:index/container:Container";
const COMMAND = "command:local:Command";

const resource = (name: string, type: string, inputs: Record<string, unknown>, extra: Partial<RecordedResource> = {}): RecordedResource => ({
  urn: `urn:pulumi:s::p::${type}::${name}`,
  type,
  name,
  custom: true,
  parent: "",
  inputs,
  secretInputs: [],
  dependencies: [],
  replaceOnChanges: [],
  deleteBeforeReplace: false,
  provider: "",
  ...extra,
});

describe("plan operations", () => {
  it("finds the changed paths: into objects and equal-length lists, else the whole value", () => {
    assert.deepEqual(changedPaths({ a: 1, b: { c: [1, 2], d: "x" } }, { a: 1, b: { c: [1, 3], d: "y" } }), ["b.c[1]", "b.d"]);
    assert.deepEqual(changedPaths({ envs: ["A=1"] }, { envs: ["A=1", "B=2"] }), ["envs"]);
    assert.deepEqual(changedPaths({ a: 1 }, { b: 1 }), ["a", "b"]);
    assert.deepEqual(changedPaths({ a: [1] }, { a: [1] }), []);
  });

  it("updates in place, replaces, creates and deletes as the provider would, and sees no change in a reordered set", () => {
    const before = [
      resource("db", CONTAINER, { image: "pg:1", memory: 512, capabilities: { drops: ["ALL"], adds: ["A", "B"] } }),
      resource("gone", CONTAINER, { image: "x" }),
      resource("cache", CONTAINER, { image: "redis:1" }),
    ];
    const after = [
      resource("db", CONTAINER, { image: "pg:1", memory: 768, capabilities: { drops: ["ALL"], adds: ["B", "A"] } }),
      resource("cache", CONTAINER, { image: "redis:2" }),
      resource("new", CONTAINER, { image: "y" }),
    ];
    assert.deepEqual(formatOperations(predictOperations(before, after, mockId)), [
      "1 to create, 1 to update, 1 to replace, 1 to delete",
      "  ~  update  docker:Container db (changes memory)",
      "  +- replace docker:Container cache (replaced by image)",
      "  +  create  docker:Container new",
      "  -  delete  docker:Container gone",
    ]);
  });

  it("follows a replacement to every resource whose inputs carry the replaced one's id, and on from there", () => {
    const before = [
      resource("holder", CONTAINER, { image: "a", networksAdvanced: [{ name: "n", aliases: ["w-0"] }] }),
      resource("w", CONTAINER, { image: "a", networkMode: "container:holder-id" }),
      resource("gate", COMMAND, { create: "wait", triggers: ["w-id"] }),
      resource("next-gate", COMMAND, { create: "wait", triggers: ["gate-id"] }),
      resource("other", CONTAINER, { image: "b" }),
    ];
    const after = before.map((r) => (r.name === "holder" ? { ...r, inputs: { ...r.inputs, networksAdvanced: [{ name: "n", aliases: ["w"] }] } } : r));
    const ops = predictOperations(before, after, mockId);
    assert.deepEqual(
      ops.map((o) => [o.name, o.action, o.replacedBy, o.following]),
      [
        ["holder", "replace", ["networksAdvanced[0].aliases[0]"], []],
        ["w", "replace", ["networkMode"], ["holder"]],
        ["gate", "replace", ["triggers[0]"], ["w"]],
        ["next-gate", "replace", ["triggers[0]"], ["gate"]],
      ],
    );
    assert.equal(formatOperations(ops)[2], "  +- replace docker:Container w (replaced by networkMode; follows the new id of holder)");
  });

  it("reports nothing for an unchanged stack", () => {
    const same = [resource("db", CONTAINER, { image: "pg:1" })];
    assert.deepEqual(formatOperations(predictOperations(same, same, mockId)), ["0 to create, 0 to update, 0 to replace, 0 to delete"]);
  });
});

describe("plan operations: the common edits to the test stack", function () {
  this.timeout(120_000);
  let baseline: ProgramRun;
  before(async function () {
    baseline = await runProgram("test");
  });
  const gates = { data: "berth-data-gate-wait", orchestrator: "berth-orchestrator-gate-wait", workers: "berth-workers-gate-wait" };
  const edits: { edit: string; config: Record<string, unknown>; ops: string[] }[] = [
    { edit: "replicas 2 → 3", config: { "berth:workers": { replicas: 3, namespaces: ["default"] } }, ops: ["create berth-worker-2", `replace ${gates.workers}`] },
    { edit: "replicas 2 → 1", config: { "berth:workers": { replicas: 1, namespaces: ["default"] } }, ops: [`replace ${gates.workers}`, "delete berth-worker-1"] },
    { edit: "postgres.memoryMb", config: { "berth:postgres": { memoryMb: 768 } }, ops: ["update berth-postgres"] },
    {
      edit: "postgres.sharedBuffersMb",
      config: { "berth:postgres": { sharedBuffersMb: 128 } },
      ops: ["replace berth-postgres", `replace ${gates.data}`, "replace berth-orchestrator", `replace ${gates.orchestrator}`, `replace ${gates.workers}`],
    },
    { edit: "redis.maxmemoryMb", config: { "berth:redis": { maxmemoryMb: 96 } }, ops: ["replace berth-redis", `replace ${gates.data}`, `replace ${gates.orchestrator}`, `replace ${gates.workers}`] },
    {
      edit: "workers.namespaces",
      config: { "berth:workers": { replicas: 2, namespaces: ["default", "billing"] } },
      ops: ["replace berth-orchestrator", "replace berth-worker-0", "replace berth-worker-1", `replace ${gates.orchestrator}`, `replace ${gates.workers}`],
    },
    {
      edit: "images.app",
      config: { "berth:images": { app: "registry.local/berth/app:2" } },
      ops: [
        "create berth-app-image",
        "replace berth-worker-net",
        "replace berth-orchestrator",
        "replace berth-worker-0",
        "replace berth-worker-1",
        `replace ${gates.orchestrator}`,
        `replace ${gates.workers}`,
        "delete berth-app-image",
      ],
    },
    { edit: "tiers.data.gateTimeoutSeconds", config: { "berth:tiers": { data: { gateTimeoutSeconds: 120 } } }, ops: [`update ${gates.data}`] },
    {
      edit: "registryPrefix",
      config: { "berth:registryPrefix": "mirror.internal:5000/hub" },
      ops: [
        "replace berth-postgres-image",
        "replace berth-redis-image",
        "update berth-app-image",
        "replace berth-postgres-template",
        "replace berth-redis",
        "replace berth-postgres",
        `replace ${gates.data}`,
        "replace berth-orchestrator",
        `replace ${gates.orchestrator}`,
        `replace ${gates.workers}`,
      ],
    },
    {
      edit: "hardening.workers.user",
      config: { "berth:hardening": { workers: { user: "1001:1001" } } },
      ops: ["replace berth-worker-net", "replace berth-worker-0", "replace berth-worker-1", `replace ${gates.workers}`],
    },
  ];
  for (const { edit, config, ops } of edits) {
    it(`${edit}: exactly these operations, in the order of the program`, async function () {
      const after = await runProgram("test", config);
      assert.deepEqual(predictOperations(baseline.resources, after.resources, mockId).map((o) => `${o.action} ${o.name}`), ops);
    });
  }
});
