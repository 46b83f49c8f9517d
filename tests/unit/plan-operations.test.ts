// The plan's predicted operations: input paths compared, each change looked up in the providers'
// semantics, replacements followed through the ids that dependents carry; and the table of the
// common edits to the test stack (tests/support/stack-edits.ts), each predicted resource by resource.
import assert from "node:assert/strict";
import { runProgram } from "../../lab/berth-program";
import { mockId, ProgramRun, RecordedResource } from "../../testing/recorder";
import { formatOperations, predictOperations } from "../../scripts/plan-operations";
import { changedPaths } from "../../testing/engine/input-changes";
import { PLACEHOLDER_IMAGES, STACK_EDITS } from "../support/stack-edits";

const CONTAINER = "docker:index/container:Container";
const COMMAND = "command:local:Command";

const resource = (
  name: string,
  type: string,
  inputs: Record<string, unknown>,
  extra: Partial<RecordedResource> = {},
): RecordedResource => ({
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
    assert.deepEqual(changedPaths({ a: 1, b: { c: [1, 2], d: "x" } }, { a: 1, b: { c: [1, 3], d: "y" } }), [
      "b.c[1]",
      "b.d",
    ]);
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
    const after = before.map((r) =>
      r.name === "holder" ? { ...r, inputs: { ...r.inputs, networksAdvanced: [{ name: "n", aliases: ["w"] }] } } : r,
    );
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
    assert.equal(
      formatOperations(ops)[2],
      "  +- replace docker:Container w (replaced by networkMode; follows the new id of holder)",
    );
  });

  it("reports nothing for an unchanged stack", () => {
    const same = [resource("db", CONTAINER, { image: "pg:1" })];
    assert.deepEqual(formatOperations(predictOperations(same, same, mockId)), [
      "0 to create, 0 to update, 0 to replace, 0 to delete",
    ]);
  });
});

describe("plan operations: the common edits to the test stack", function () {
  this.timeout(120_000);
  let baseline: ProgramRun;
  before(async function () {
    baseline = await runProgram("test");
  });
  for (const { edit, config, from, ops } of STACK_EDITS) {
    it(`${edit}: exactly these operations, in the order of the program`, async function () {
      const before = from === undefined ? baseline : await runProgram("test", from);
      const after = await runProgram("test", config(PLACEHOLDER_IMAGES));
      assert.deepEqual(
        predictOperations(before.resources, after.resources, mockId).map((o) => `${o.action} ${o.name}`),
        ops,
      );
    });
  }
});
