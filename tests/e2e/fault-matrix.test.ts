// Day two on a real engine: the test stack brought up in processes of their own (the compiled
// bench/engine-child.ts, as CI or a person runs one up per process), each run broken a different
// way — kill -9 or SIGINT at a tier, abandoned, drifted, rescaled across processes — then brought up
// again from a new process and destroyed from another. In every row the next up exits 0 with every
// gate passed and exactly the declared containers running (pids limit applied) and healthy, and
// destroy leaves nothing with the stack's labels: no container, network, volume, state file or
// recorded outputs. The rows run a few at a time; the table is printed at the end.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import Docker from "dockerode";
import { ENGINE_CHILD, runChild } from "../../bench/child-process";
import type { ChildRequest, ChildResult } from "../../bench/engine-child";
import { CONTAINER_TYPE } from "../../policy/crossguard";
import { BerthOutputs, berthRequest, REPO_ROOT, workersNetworkContainer } from "../../lab/berth-program";
import { nodeBaseImageUnavailable } from "../../lab/images/node-base-image";
import { dataImageUnavailable, ensureDataImage, ensureWorkloadImage } from "../../lab/images/e2e-images";
import { recordPath } from "../../testing/client/recorded-outputs";
import { stackContainers } from "../../testing/client/stack-containers";
import { UNFINISHED } from "../../testing/engine/convergence";
import { readState, statePath, writeState } from "../../testing/engine/engine-state";
import { labelledObjects, sweepStack } from "../../testing/engine/stack-objects";
import { requireEngine, requireOfflineImages } from "../support/required-service";

const docker = new Docker();
const RUN = `${Date.now().toString(36).slice(-4)}${process.pid.toString(36)}`;
const PROJECT = "berth";
const CANCEL_LIMIT_MS = 5000;
/** Rows at a time: each is a few processes and a stack on two cores. */
const PARALLEL = 3;

/** Gate CLI processes still running for `stack` (their arguments name its containers). */
function gateProcesses(stack: string): string[] {
  const ps = execFileSync("ps", ["-eo", "pid,args"], { encoding: "utf8" });
  return ps.split("\n").filter((l) => l.includes("gate/cli.js") && l.includes(`-${stack}-`));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await probe();
    if (got !== undefined) return got;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(200);
  }
}

interface Row {
  case: string;
  /** What the broken run did: "killed at berth-data-gate-wait", "exit 130 in 0.4 s", … */
  broken: string;
  /** The next up from a new process: its changes and how long it took. */
  next: string;
  destroy: string;
  error?: string;
}

describe("e2e: day two, a fault matrix on a real engine", function () {
  this.timeout(20 * 60_000);
  let images: { data: string; app: string };
  const rows: Row[] = [];
  const stacks: string[] = [];

  const request = (part: string, extra: Record<string, unknown> = {}, keep = true): ChildRequest => {
    const stack = `fm-${RUN}-${part}`;
    if (!stacks.includes(stack)) stacks.push(stack);
    const { program: _program, ...rest } = berthRequest(stack, "test", {
      "berth:useAlpine": false,
      "berth:images": { postgres: images.data, redis: images.data, app: images.app },
      "berth:hardening": { postgres: { user: "999:999" }, redis: { user: "999:999" } },
      ...extra,
    });
    return { ...rest, workDir: REPO_ROOT, keep, then: "exit" };
  };

  /** An up in a new process that must pass; returns its result. */
  const upOk = async (req: ChildRequest): Promise<ChildResult> => {
    const run = await runChild(req).ended;
    if (run.code !== 0 || !run.result)
      throw new Error(
        `up of ${req.stack} exited ${run.code ?? run.signal}:\n${run.stderr.split("\n").slice(-25).join("\n")}`,
      );
    return run.result;
  };

  /** The checks of every row's next up: gates passed, exactly the declared containers, running, pids limit, healthy. */
  const converged = async (req: ChildRequest, result: ChildResult, workers: number): Promise<void> => {
    const out = result.outputs as unknown as BerthOutputs;
    for (const tier of ["data", "orchestrator", "workers"] as const)
      assert.equal(out.gateResults[tier]?.status, "passed", `${req.stack}: the ${tier} gate`);
    const declared = [
      out.containerNames.postgres,
      out.containerNames.redis,
      out.containerNames.orchestrator,
      ...out.containerNames.workers,
      workersNetworkContainer(out)!,
    ].sort();
    assert.equal(out.containerNames.workers.length, workers, `${req.stack}: workers`);
    const found = await stackContainers(docker, { project: PROJECT, stack: req.stack });
    assert.deepEqual(
      found.map((c) => c.Name.replace(/^\//, "")).sort(),
      declared,
      `${req.stack}: the containers on the engine`,
    );
    for (const c of found) {
      assert.equal(c.State.Running, true, `${c.Name} runs`);
      assert.equal(c.HostConfig.PidsLimit, 256, `${c.Name}: pids limit applied`);
    }
    // Docker's own healthcheck runs every 60 s in the test stack: wait for its verdict.
    await until(
      `${req.stack}: every container healthy`,
      async () =>
        (await stackContainers(docker, { project: PROJECT, stack: req.stack })).every(
          (c) => c.State.Health?.Status === "healthy",
        )
          ? true
          : undefined,
      90_000,
    );
  };

  const destroyedClean = async (req: ChildRequest): Promise<string> => {
    const run = await runChild({ ...req, op: "destroy" }).ended;
    if (run.code !== 0 || !run.result)
      throw new Error(`destroy of ${req.stack} exited ${run.code ?? run.signal}:\n${run.stderr}`);
    assert.deepEqual(
      await labelledObjects(docker, req.stack),
      { containers: [], networks: [], volumes: [] },
      `${req.stack}: left on the engine after destroy`,
    );
    assert.equal(existsSync(statePath({ project: PROJECT, stack: req.stack })), false, `${req.stack}: state file left`);
    assert.equal(
      existsSync(recordPath({ project: PROJECT, stack: req.stack })),
      false,
      `${req.stack}: recorded outputs left`,
    );
    return `${(run.result.upMs / 1000).toFixed(1)} s, nothing left`;
  };

  const summary = (r: ChildResult) => `${(r.upMs / 1000).toFixed(1)} s ${JSON.stringify(r.changes).replace(/"/g, "")}`;

  /** kill -9 or SIGINT when the run starts `at`, then the next up and destroy. */
  const interrupted =
    (signal: "SIGKILL" | "SIGINT", at: string) =>
    async (part: string): Promise<Row> => {
      const req = request(part);
      const first = runChild(req);
      await first.started(at);
      const sentAt = Date.now();
      first.process.kill(signal);
      const end = await first.ended;
      const tookMs = Date.now() - sentAt;
      if (signal === "SIGINT") {
        assert.equal(end.code, 130, `${part}: exit code after SIGINT\n${end.stderr}`);
        assert.ok(tookMs <= CANCEL_LIMIT_MS, `${part}: exited ${tookMs} ms after SIGINT`);
      }
      // A gate that the dead run started ends by itself within a fraction of a second.
      await until(
        `${part}: no gate process left`,
        async () => (gateProcesses(req.stack).length === 0 ? true : undefined),
        3000,
      );
      const next = await upOk(req);
      await converged(req, next, 2);
      return {
        case: part,
        broken: `${signal} at ${at}: ${end.code ?? end.signal} after ${(tookMs / 1000).toFixed(1)} s`,
        next: summary(next),
        destroy: await destroyedClean(req),
      };
    };

  /** Up, break it from outside with `docker`, up again from a new process: the broken container comes back. */
  const drifted =
    (breakIt: (out: BerthOutputs) => Promise<string>, expect: (r: ChildResult) => void) =>
    async (part: string): Promise<Row> => {
      const req = request(part);
      const first = await upOk(req);
      const broken = await breakIt(first.outputs as unknown as BerthOutputs);
      const next = await upOk(req);
      expect(next);
      await converged(req, next, 2);
      return { case: part, broken, next: summary(next), destroy: await destroyedClean(req) };
    };
  const action = (r: ChildResult, name: string) => r.timeline.find((e) => e.name === name && e.action !== "same");

  const CASES: Record<string, (part: string) => Promise<Row>> = {
    "kill9-before-network": interrupted("SIGKILL", "berth-network"),
    "kill9-data-gate": interrupted("SIGKILL", "berth-data-gate-wait"),
    "kill9-orchestrator-gate": interrupted("SIGKILL", "berth-orchestrator-gate-wait"),
    "kill9-workers-gate": interrupted("SIGKILL", "berth-workers-gate-wait"),
    "kill9-after-up": async (part) => {
      const req = request(part);
      const first = runChild({ ...req, then: "destroy" }); // holds the stack until told
      const result = await new Promise<void>((resolve) => first.process.stdout!.once("data", () => resolve()));
      void result;
      first.process.kill("SIGKILL");
      await first.ended;
      const next = await upOk(req);
      assert.equal(next.changes.same, next.timeline.length, `${part}: an unchanged, running stack is reused as it is`);
      await converged(req, next, 2);
      return { case: part, broken: "SIGKILL after up", next: summary(next), destroy: await destroyedClean(req) };
    },
    "unfinished-orchestrator": async (part) => {
      // What a kill -9 between the orchestrator's create and the read of its outputs leaves: the
      // container runs, the state knows its id and nothing else (no engine-picked host port).
      const req = request(part);
      await upOk(req);
      const ref = { project: PROJECT, stack: req.stack };
      const state = readState(ref);
      assert.ok(state, `${part}: no state file after up`);
      const key = `${CONTAINER_TYPE}::berth-orchestrator`;
      assert.ok(
        state.entries.some((e) => e.key === key),
        `${part}: no ${key} in the state`,
      );
      writeState({
        ...state,
        entries: state.entries.map((e) => (e.key === key ? { ...e, state: {}, unfinished: true } : e)),
      });
      const next = await upOk(req);
      assert.deepEqual(
        [action(next, "berth-orchestrator")?.action, action(next, "berth-orchestrator")?.reason],
        ["replace", UNFINISHED],
      );
      await converged(req, next, 2);
      return {
        case: part,
        broken: "the orchestrator's create left unfinished in the state",
        next: summary(next),
        destroy: await destroyedClean(req),
      };
    },
    "sigint-data-gate": interrupted("SIGINT", "berth-data-gate-wait"),
    "sigint-orchestrator-gate": interrupted("SIGINT", "berth-orchestrator-gate-wait"),
    "sigint-workers-gate": interrupted("SIGINT", "berth-workers-gate-wait"),
    abandoned: async (part) => {
      // Not kept: the process ends without destroy, and its reaper removes the stack.
      const req = request(part, {}, false);
      await upOk(req);
      const t = Date.now();
      await until(
        `${part}: reaped`,
        async () => {
          const left = await labelledObjects(docker, req.stack);
          return left.containers.length + left.networks.length + left.volumes.length === 0 &&
            !existsSync(statePath({ project: PROJECT, stack: req.stack }))
            ? true
            : undefined;
        },
        30_000,
      );
      const broken = `ended without destroy: reaped in ${((Date.now() - t) / 1000).toFixed(1)} s`;
      const next = await upOk(req);
      assert.equal(next.changes.same, 0, `${part}: nothing of the reaped stack was left to reuse`);
      await converged(req, next, 2);
      return { case: part, broken, next: summary(next), destroy: await destroyedClean(req) };
    },
    "drift-stop-orchestrator": drifted(
      async (out) => {
        await docker.getContainer(out.containerNames.orchestrator).stop({ t: 1 });
        return "docker stop orchestrator";
      },
      (r) => {
        assert.deepEqual(
          [action(r, "berth-orchestrator")?.action, action(r, "berth-orchestrator")?.reason],
          ["replace", "exited (0)"],
        );
        // The gates run again in place (the new container's id is in their environment).
        for (const g of ["berth-orchestrator-gate-wait", "berth-workers-gate-wait"])
          assert.equal(action(r, g)?.action, "update", `${g} runs again`);
        assert.equal(action(r, "berth-data-gate-wait"), undefined, "the data gate is not run again");
      },
    ),
    "drift-remove-worker": drifted(
      async (out) => {
        await docker.getContainer(out.containerNames.workers[1]).remove({ force: true });
        return "docker rm -f worker-1";
      },
      (r) => {
        assert.deepEqual(
          [action(r, "berth-worker-1")?.action, action(r, "berth-worker-1")?.reason],
          ["create", "missing"],
        );
        assert.equal(action(r, "berth-workers-gate-wait")?.action, "update");
        assert.equal(action(r, "berth-worker-0"), undefined, "the other worker is kept");
      },
    ),
    "drift-kill-postgres": drifted(
      async (out) => {
        await docker.getContainer(out.containerNames.postgres).kill();
        return "docker kill postgres";
      },
      (r) => {
        assert.deepEqual(
          [action(r, "berth-postgres")?.action, action(r, "berth-postgres")?.reason],
          ["replace", "exited (137)"],
        );
        // A new database needs the orchestrator's migrations: it follows, and every gate runs again.
        assert.equal(action(r, "berth-orchestrator")?.action, "replace");
        for (const g of ["berth-data-gate-wait", "berth-orchestrator-gate-wait", "berth-workers-gate-wait"])
          assert.equal(action(r, g)?.action, "update", `${g} runs again`);
      },
    ),
    "scale-2-4-1": async (part) => {
      const workers = (n: number) => request(part, { "berth:workers": { replicas: n, namespaces: ["default"] } });
      const two = await upOk(workers(2));
      // The workers answer to one alias whatever their count: the container holding their
      // namespace, and with it every worker kept, stays as it is.
      const actions = (r: ChildResult, name: string) => r.timeline.filter((e) => e.name === name).map((e) => e.action);
      const kept = (r: ChildResult, names: string[]) =>
        assert.deepEqual(
          names.map((n) => [n, actions(r, n)]),
          names.map((n) => [n, ["same"]]),
        );
      const four = await upOk(workers(4));
      kept(four, ["berth-worker-net", "berth-worker-0", "berth-worker-1"]);
      assert.deepEqual([actions(four, "berth-worker-2"), actions(four, "berth-worker-3")], [["create"], ["create"]]);
      await converged(workers(4), four, 4);
      const one = await upOk(workers(1));
      kept(one, ["berth-worker-net", "berth-worker-0"]);
      const deleted = one.timeline
        .filter((e) => e.action === "delete" && e.type === CONTAINER_TYPE)
        .map((e) => e.name)
        .sort();
      assert.deepEqual(
        deleted,
        ["berth-worker-1", "berth-worker-2", "berth-worker-3"],
        "4 → 1 deletes exactly the workers no longer declared, shown in the timeline",
      );
      await converged(workers(1), one, 1);
      return {
        case: part,
        broken: `2 → 4 → 1 workers in three processes (2: ${summary(two)}; 4: ${summary(four)})`,
        next: summary(one),
        destroy: await destroyedClean(workers(1)),
      };
    },
  };

  before(async function () {
    this.timeout(25 * 60_000);
    await requireEngine(this, docker);
    await requireOfflineImages(this, "the offline image build", dataImageUnavailable, nodeBaseImageUnavailable);
    assert.ok(existsSync(ENGINE_CHILD), `${ENGINE_CHILD} is missing: run npm run build`);
    images = { data: ensureDataImage().tag, app: ensureWorkloadImage().tag };
    const queue = Object.entries(CASES);
    const work = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const [part, run] = next;
        const t = Date.now();
        try {
          rows.push(await run(part));
        } catch (err) {
          rows.push({
            case: part,
            broken: "",
            next: "",
            destroy: "",
            error: err instanceof Error ? err.message : String(err),
          });
        }
        console.log(`    ${part}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, work));
    console.log(
      [
        "    | case | broken run | next up from a new process | destroy from a new process |",
        "    | --- | --- | --- | --- |",
        ...rows.map(
          (r) =>
            `    | ${r.case} | ${r.broken} | ${r.error ? `FAILED: ${r.error.split("\n")[0]}` : r.next} | ${r.destroy} |`,
        ),
      ].join("\n"),
    );
  });

  after(async function () {
    this.timeout(120_000);
    for (const stack of stacks) await sweepStack(docker, stack);
  });

  for (const part of [
    "kill9-before-network",
    "kill9-data-gate",
    "kill9-orchestrator-gate",
    "kill9-workers-gate",
    "kill9-after-up",
    "unfinished-orchestrator",
    "sigint-data-gate",
    "sigint-orchestrator-gate",
    "sigint-workers-gate",
    "abandoned",
    "drift-stop-orchestrator",
    "drift-remove-worker",
    "drift-kill-postgres",
    "scale-2-4-1",
  ]) {
    it(`${part}: the next up from a new process converges, and destroy from another leaves nothing`, function () {
      const row = rows.find((r) => r.case === part);
      assert.ok(row, `${part} did not run`);
      if (row.error) assert.fail(row.error);
    });
  }
});
