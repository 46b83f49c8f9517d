// Engine mode's decision per resource on an up (testing/engine/convergence.ts): the engine's
// drift first, then the provider's semantics for the inputs that changed, with the resource's
// replaceOnChanges.
import assert from "node:assert/strict";
import { convergeStep, Declared } from "../../testing/engine/convergence";
import { containerUpdateBody } from "../../testing/engine/container-spec";

const CONTAINER = "docker:index/container:Container";
const COMMAND = "command:local:Command";
const known = (inputs: Record<string, unknown>, engine?: string) => ({ inputs, engine });
const declared = (type: string, inputs: Record<string, unknown>, extra: Partial<Declared> = {}): Declared => ({
  type,
  inputs,
  engine: undefined,
  ...extra,
});

describe("engine mode's convergence step", () => {
  const pg = {
    name: "pg",
    image: "pg:1",
    memory: 512,
    memorySwap: 512,
    restart: "on-failure",
    healthcheck: { tests: ["CMD", "true"] },
  };

  it("creates what it never made, and what went missing on the engine", () => {
    assert.deepEqual(convergeStep(undefined, declared(CONTAINER, pg)), { action: "create" });
    assert.deepEqual(convergeStep(known(pg), declared(CONTAINER, pg), "missing"), {
      action: "create",
      reason: "missing",
    });
  });

  it("replaces a drifted object even when its inputs did not change", () => {
    assert.deepEqual(convergeStep(known(pg), declared(CONTAINER, pg), "exited (137)"), {
      action: "replace",
      changed: [],
      replacedBy: [],
      reason: "exited (137)",
    });
  });

  it("replaces an object an ended up left mid-create, though it runs and its inputs did not change", () => {
    // Its outputs (an engine-picked host port) were never read: keeping it would hand on none.
    assert.deepEqual(convergeStep({ ...known(pg), unfinished: true }, declared(CONTAINER, pg)), {
      action: "replace",
      changed: [],
      replacedBy: [],
      reason: "left mid-create by an up that ended",
    });
    // Gone from the engine meanwhile: made again, as any missing object.
    assert.deepEqual(convergeStep({ ...known(pg), unfinished: true }, declared(CONTAINER, pg), "missing"), {
      action: "create",
      reason: "missing",
    });
  });

  it("keeps an object whose inputs are the same, or differ only in a set's order", () => {
    const labels = [
      { label: "a", value: "1" },
      { label: "b", value: "2" },
    ];
    assert.deepEqual(
      convergeStep(known({ ...pg, labels }), declared(CONTAINER, { ...pg, labels: [...labels].reverse() })),
      { action: "same", changed: [] },
    );
  });

  it("updates memory and swap in place (applied) and records a tmpfs change", () => {
    const step = convergeStep(
      known(pg),
      declared(CONTAINER, { ...pg, memory: 768, memorySwap: 768, tmpfs: { "/tmp": "size=1m" } }),
    );
    assert.deepEqual(step, {
      action: "update",
      changed: ["memory", "memorySwap", "tmpfs"],
      effects: { applied: ["memory", "memorySwap"], rerun: [], recorded: ["tmpfs"] },
    });
  });

  it("replaces on an input the provider replaces on, naming it", () => {
    assert.deepEqual(convergeStep(known(pg), declared(CONTAINER, { ...pg, image: "pg:2", memory: 768 })), {
      action: "replace",
      changed: ["image", "memory"],
      replacedBy: ["image"],
    });
  });

  it("replaces on a change replaceOnChanges covers, though the provider would update it", () => {
    const next = { ...pg, healthcheck: { tests: ["CMD", "false"] } };
    assert.deepEqual(convergeStep(known(pg), declared(CONTAINER, next)).action, "update");
    assert.deepEqual(convergeStep(known(pg), declared(CONTAINER, next, { replaceOnChanges: ["healthcheck"] })), {
      action: "replace",
      changed: ["healthcheck.tests[1]"],
      replacedBy: ["healthcheck.tests[1]"],
    });
  });

  it("re-runs a command in place when its environment or command line changes, and replaces it when a trigger does", () => {
    const gate = { create: "gate --a", environment: { WATCH: "c-1" }, triggers: ["x"], logging: "stderr" };
    const rerun = convergeStep(
      known(gate),
      declared(
        COMMAND,
        { ...gate, create: "gate --b", environment: { WATCH: "c-2" } },
        { replaceOnChanges: ["triggers[*]"] },
      ),
    );
    assert.deepEqual(rerun, {
      action: "update",
      changed: ["create", "environment.WATCH"],
      effects: { applied: [], rerun: ["create", "environment.WATCH"], recorded: [] },
    });
    const replaced = convergeStep(
      known(gate),
      declared(COMMAND, { ...gate, triggers: ["y"] }, { replaceOnChanges: ["triggers[*]"] }),
    );
    assert.deepEqual(replaced, { action: "replace", changed: ["triggers[0]"], replacedBy: ["triggers[0]"] });
  });

  it("sees no change where the provider sees none (an image's registry credentials), and replaces on another engine", () => {
    const image = { imageName: "r/app:1", registry: { server: "r", username: "a" } };
    assert.deepEqual(
      convergeStep(
        known(image),
        declared("docker:index/image:Image", { ...image, registry: { server: "r", username: "b" } }),
      ),
      {
        action: "same",
        changed: ["registry.username"],
      },
    );
    assert.deepEqual(convergeStep(known(pg, "tcp://a:2375"), declared(CONTAINER, pg, { engine: "tcp://b:2375" })), {
      action: "replace",
      changed: [],
      replacedBy: ["provider"],
    });
  });

  it("replaces a provider resource on any change of its inputs (no table row)", () => {
    assert.deepEqual(
      convergeStep(known({ host: "tcp://a:1" }), declared("pulumi:providers:docker", { host: "tcp://b:1" })),
      { action: "replace", changed: ["host"], replacedBy: ["host"] },
    );
  });

  it("fails naming the input when the table has no row for it", () => {
    assert.throws(
      () => convergeStep(known(pg), declared(CONTAINER, { ...pg, bogus: 1 })),
      /docker:index\/container:Container has no input "bogus" in the provider semantics table/,
    );
  });
});

describe("engine mode's ContainerUpdate body", () => {
  it("sends memory and swap in bytes (-1 swap passed through) and the restart policy, as the provider's Update", () => {
    assert.deepEqual(
      containerUpdateBody({
        name: "c",
        image: "i",
        memory: 768,
        memorySwap: 768,
        restart: "on-failure",
        maxRetryCount: 3,
      }),
      {
        Memory: 768 * 1024 * 1024,
        MemorySwap: 768 * 1024 * 1024,
        RestartPolicy: { Name: "on-failure", MaximumRetryCount: 3 },
      },
    );
    assert.deepEqual(containerUpdateBody({ name: "c", image: "i", memory: 64, memorySwap: -1 }), {
      Memory: 64 * 1024 * 1024,
      MemorySwap: -1,
      RestartPolicy: { Name: "no", MaximumRetryCount: 0 },
    });
  });
});
