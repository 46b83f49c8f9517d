// The common edits (tests/support/stack-edits.ts) applied one after another to one test stack in
// engine mode on the real engine: for each, engine mode's actual changes and timeline equal the
// plan's prediction from the same two configs resource by resource, what is updated keeps its id
// (and the engine shows the new value), what is replaced gets a new one, and a rescale keeps every
// worker it keeps and loses no task. Then engine mode's error for an image the engine lacks.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import Docker from "dockerode";
import * as docker from "@pulumi/docker";
import { BerthOutputs, berthRequest, REPO_ROOT, runProgram } from "../../lab/berth-program";
import { GATE_CLI, requireBuilt } from "../../lab/gate-runner";
import { nodeBaseImageUnavailable } from "../../lab/images/node-base-image";
import { dataImageUnavailable, ensureDataImage, ensureWorkloadImage } from "../../lab/images/e2e-images";
import { predictOperations } from "../../scripts/plan-operations";
import { EngineMode } from "../../testing/engine/engine-mode";
import type { UpResult } from "../../testing/engine/mode";
import { sweepStack } from "../../testing/engine/stack-objects";
import type { StackConfig } from "../../testing/program";
import { mockId } from "../../testing/recorder";
import { requireEngine, requireOfflineImages } from "../support/required-service";
import { EditImages, STACK_EDITS } from "../support/stack-edits";
import { submitTask, waitForTask } from "./harness/workload-client";

const engine = new Docker();
const RUN = `${Date.now().toString(36).slice(-4)}${process.pid.toString(36)}`;
const STACK = `e2e-edits-${RUN}`;
const MB = 1024 * 1024;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** `over` laid on `base` key by key, into objects (a stack file's nested config keys), values replaced. */
function layered(base: StackConfig, over: StackConfig): StackConfig {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over))
    out[k] = isObject(v) && isObject(out[k]) ? layered(out[k] as StackConfig, v as StackConfig) : v;
  return out;
}

/** The changes counted from a list of `<action> <name>`. */
const counts = (ops: string[]) =>
  Object.fromEntries(
    (["create", "update", "replace", "delete"] as const).map((a) => [
      a,
      ops.filter((o) => o.startsWith(`${a} `)).length,
    ]),
  );

describe("e2e: the common edits, as the plan predicts them, applied by engine mode", function () {
  this.timeout(180_000);
  const mode = new EngineMode(engine, false, { stateDir: false });
  let started = 0;
  let config: StackConfig;
  let editImages: EditImages;
  let last: UpResult<BerthOutputs>;
  const up = async (c: StackConfig) => (last = await mode.up<BerthOutputs>(berthRequest(STACK, "test", c)));
  const ids = () => new Map(mode.resources(STACK).map((r) => [r.name, r.id]));

  before(async function () {
    started = Date.now();
    this.timeout(25 * 60_000); // a cold image build takes minutes
    await requireEngine(this, engine);
    await requireOfflineImages(this, "the offline image build", dataImageUnavailable, nodeBaseImageUnavailable);
    requireBuilt(GATE_CLI);
    const data = ensureDataImage().tag;
    const app = ensureWorkloadImage().tag;
    // Local images stand for another app image and for two registries' copies of Postgres and
    // Redis (the regular stack's: the data image is Debian's): each the base plus one label, so a
    // distinct image id, as another build or mirror would have; the engine has them, nothing is pulled.
    const derived = (base: string, ref: string) => {
      const inspect = () =>
        JSON.parse(
          execFileSync("docker", ["image", "inspect", ref], { stdio: ["ignore", "pipe", "ignore"] }).toString(),
        )[0];
      const has = (() => {
        try {
          return inspect().Config.Labels?.["berth.e2e.edit"] === `${base} ${ref}`;
        } catch {
          return false;
        }
      })();
      if (!has)
        execFileSync("docker", ["build", "-q", "-t", ref, "-"], {
          input: `FROM ${base}\nLABEL berth.e2e.edit="${base} ${ref}"\n`,
          env: { ...process.env, DOCKER_BUILDKIT: "0" },
          stdio: ["pipe", "ignore", "pipe"],
        });
      return ref;
    };
    const prefixes = ["berth-e2e-a.local/hub", "berth-e2e-b.local/hub"];
    for (const prefix of prefixes)
      for (const image of ["postgres:16-bookworm", "redis:7-bookworm"]) derived(data, `${prefix}/${image}`);
    editImages = { app: derived(app, `${app}-edit`), registryPrefix: prefixes[1] };
    config = {
      "berth:useAlpine": false,
      "berth:registryPrefix": prefixes[0],
      "berth:images": { app },
      "berth:hardening": { postgres: { user: "999:999" }, redis: { user: "999:999" } },
    };
    await up(config);
    assert.equal(last.changes.create, last.timeline.length, "the first up creates every resource");
  });

  after(async function () {
    this.timeout(180_000);
    await mode
      .destroy(STACK)
      .catch((err) => console.log(`    cleanup: destroy ${STACK}: ${err instanceof Error ? err.message : err}`));
    const left = await sweepStack(engine, STACK);
    if (left.containers.length + left.networks.length + left.volumes.length > 0)
      console.log(`    cleanup: swept ${JSON.stringify(left)}`);
    console.log(`    edits suite: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  for (const edit of STACK_EDITS) {
    it(`${edit.edit}: engine mode does what the plan predicts, resource by resource`, async function () {
      const next = layered(config, edit.config(editImages));
      const record = (c: StackConfig) => runProgram(STACK, c, { stackFile: path.join(REPO_ROOT, "Pulumi.test.yaml") });
      const predicted = predictOperations((await record(config)).resources, (await record(next)).resources, mockId).map(
        (o) => `${o.action} ${o.name}`,
      );
      const before = ids();
      const rescale = edit.edit.startsWith("replicas");
      // A rescale: tasks go in all through it, through the orchestrator, and every one finishes.
      const api = last.outputs.hostUrls.orchestrator!;
      const submitted: Promise<string>[] = [];
      let submitting = rescale;
      const feed = (async () => {
        for (let i = 0; submitting; i++) {
          submitted.push(submitTask(api, "echo", `${edit.edit} #${i}`));
          await new Promise((r) => setTimeout(r, 150));
        }
      })();
      const result = await up(next).finally(() => (submitting = false));
      await feed;
      config = next;

      const actual = result.timeline.filter((e) => e.action !== "same").map((e) => `${e.action} ${e.name}`);
      assert.deepEqual([...actual].sort(), [...predicted].sort(), "engine mode's operations are the plan's");
      assert.deepEqual(
        result.changes,
        { ...counts(predicted), same: result.timeline.length - predicted.length },
        "its changes are the plan's counts",
      );
      assert.deepEqual(
        result.timeline.filter((e) => e.reason !== undefined),
        [],
        "no drift: every operation comes from the edit",
      );
      const after = ids();
      for (const e of result.timeline) {
        if (e.action === "same" || e.action === "update")
          assert.equal(after.get(e.name), before.get(e.name), `${e.name} (${e.action}) keeps its id`);
        if (e.action === "replace")
          assert.notEqual(after.get(e.name), before.get(e.name), `${e.name} is replaced: a new id`);
      }
      for (const tier of ["data", "orchestrator", "workers"] as const)
        assert.equal(result.outputs.gateResults[tier]?.status, "passed", `the ${tier} gate`);

      if (rescale) {
        assert.equal(result.changes.replace, 0, "a rescale replaces nothing");
        const tasks = await Promise.all(
          submitted.map(async (id) =>
            waitForTask(result.outputs.hostUrls.orchestrator!, await id, { timeoutMs: 60_000 }),
          ),
        );
        assert.ok(tasks.length >= 3, `tasks were submitted during the up (${tasks.length})`);
        assert.deepEqual(
          tasks.filter((t) => t.status !== "succeeded"),
          [],
          "no task lost or failed during the change",
        );
        const servedBy = new Set(tasks.map((t) => t.workerId));
        assert.ok(
          ["worker-0", "worker-1"].some((w) => servedBy.has(w)),
          `the kept workers served tasks during the change (served by ${[...servedBy].sort().join(", ")})`,
        );
      }
      if (edit.edit === "postgres.memoryMb") {
        const pg = await engine.getContainer(result.outputs.containerNames.postgres).inspect();
        assert.deepEqual(
          [pg.Id, pg.HostConfig.Memory, pg.HostConfig.MemorySwap, pg.State.Running],
          [before.get("berth-postgres"), 768 * MB, 768 * MB, true],
        );
      }
    });
  }

  it("fails when a container's image is not on the engine, naming the resource and the image", async function () {
    const program = async () => {
      new docker.Container("lonely", {
        name: `${STACK}-lonely`,
        image: "berth-e2e/absent:never",
        labels: [{ label: "berth.stack", value: `${STACK}-absent` }],
      });
    };
    const lone = new EngineMode(engine, false, { stateDir: false });
    await assert.rejects(lone.up({ stack: `${STACK}-absent`, project: "berth", program }), (err: Error) => {
      assert.equal(
        err.message,
        `lonely (docker:index/container:Container): container ${STACK}-lonely: image berth-e2e/absent:never is not on the engine: build or load it there, or push it to a registry the engine reaches and declare it as a docker.RemoteImage (a container does not pull its image)`,
      );
      return true;
    });
    await lone.destroy(`${STACK}-absent`, "berth");
  });
});
