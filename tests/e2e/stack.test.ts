// The test stack end to end on a real Docker engine: images built offline, the stack brought up
// (engine mode here, pulumi mode wherever a `pulumi` CLI works), used through the orchestrator's
// published port, broken, and torn down. To keep CI under 30 minutes on 2 cores one environment
// serves several checks in turn: the `it`s of "one environment" run top to bottom and depend on
// each other (faults last, destroy at the end).
import assert from "node:assert/strict";
import Docker from "dockerode";
import { Client } from "pg";
import { demuxFrames } from "../../gate/container-diagnostics";
import { inspectReport } from "../../policy/inspect";
import { formatResultTable } from "../../policy/report-table";
import { statusRows } from "../../testing/client/health-report";
import { stackContainers } from "../../testing/client/stack-containers";
import { BerthOutputs as StackOutputs, berthRequest, workersNetworkContainer } from "../../lab/berth-program";
import { GATE_CLI, requireBuilt } from "../../lab/gate-runner";
import { nodeBaseImageUnavailable } from "../../lab/images/node-base-image";
import { requireEngine, requireOfflineImages } from "../support/required-service";
import { StackMode, UpResult } from "../../testing/engine/mode";
import { selectMode } from "../../testing/engine/select-mode";
import { labelledObjects, sweepStack } from "../../testing/engine/stack-objects";
import { eventually, getJson, submitTask, waitForTask } from "./harness/workload-client";
import {
  dataImageUnavailable,
  ensureDataImage,
  ensureNeverHealthyImage,
  ensureWorkloadImage,
} from "../../lab/images/e2e-images";

const docker = new Docker();
const RUN = `${Date.now().toString(36).slice(-4)}${process.pid.toString(36)}`;
const stackName = (part: string) => `e2e-${RUN}-${part}`;
const NOTHING = { containers: [], networks: [], volumes: [] };
const ONE_WORKER = { "berth:workers": { replicas: 1, namespaces: ["default"] } };

const workersNetwork = (o: StackOutputs) =>
  workersNetworkContainer(o) ?? assert.fail("the stack has no workers' network container");
const allContainers = (o: StackOutputs) => {
  const network = workersNetworkContainer(o);
  return [
    o.containerNames.postgres,
    o.containerNames.redis,
    o.containerNames.orchestrator,
    ...o.containerNames.workers,
    ...(network ? [network] : []),
  ];
};
const inspect = (name: string) => docker.getContainer(name).inspect();

describe("e2e: the test stack on a real Docker engine", function () {
  this.timeout(120_000);
  let started = 0; // set when the suite begins, not when mocha loads the file
  let mode: StackMode | undefined;
  let images: { data: string; app: string; neverHealthy: string };
  const stacks: string[] = [];

  // The images go in through the per-image overrides, as for a user with a private mirror. The
  // images are Debian-based, so postgres and redis run as 999:999. useAlpine=false keeps the
  // Postgres tmpfs owner (taken from the image stack's user, not from hardening.*.user) at 999.
  const config = (extra: Record<string, unknown> = {}) => ({
    "berth:useAlpine": false,
    "berth:images": { postgres: images.data, redis: images.data, app: images.app },
    "berth:hardening": { postgres: { user: "999:999" }, redis: { user: "999:999" } },
    ...extra,
  });
  const up = (part: string, extra: Record<string, unknown> = {}): Promise<UpResult<StackOutputs>> => {
    const stack = stackName(part);
    if (!stacks.includes(stack)) stacks.push(stack);
    return mode!.up<StackOutputs>(berthRequest(stack, "test", config(extra)));
  };

  before(async function () {
    started = Date.now();
    this.timeout(25 * 60_000); // a cold image build (two debootstraps, npm ci) takes minutes
    await requireEngine(this, docker);
    await requireOfflineImages(this, "the offline image build", dataImageUnavailable, nodeBaseImageUnavailable);
    requireBuilt(GATE_CLI);
    const t = Date.now();
    const log = (line: string) => console.log(`    ${line}`);
    const data = ensureDataImage(log);
    const app = ensureWorkloadImage(log);
    images = { data: data.tag, app: app.tag, neverHealthy: ensureNeverHealthyImage() };
    console.log(
      `    e2e images ready in ${((Date.now() - t) / 1000).toFixed(1)} s (data ${data.built ? "built" : "cached"}, workload ${app.built ? "built" : "cached"})`,
    );
    const chosen = selectMode();
    mode = chosen.mode;
    console.log(`    e2e: ${mode.kind} mode (${chosen.why})`);
  });

  after(async function () {
    this.timeout(180_000);
    // Whatever a failed test left: destroy through the mode, then sweep by label.
    for (const stack of stacks) {
      await mode
        ?.destroy(stack)
        .catch((err) => console.log(`    cleanup: destroy ${stack}: ${err instanceof Error ? err.message : err}`));
      const left = await sweepStack(docker, stack);
      if (left.containers.length + left.networks.length + left.volumes.length > 0)
        console.log(`    cleanup: swept ${JSON.stringify(left)}`);
    }
    if (mode) console.log(`    e2e time: ${((Date.now() - started) / 1000).toFixed(1)} s (${mode.kind} mode)`);
  });

  describe("one environment, used and then broken", () => {
    const main = stackName("main");
    let first: UpResult<StackOutputs>;
    let out: StackOutputs;
    let api: string;

    before(async function () {
      this.timeout(180_000);
      first = await up("main");
      out = first.outputs;
      api = out.hostUrls.orchestrator!;
    });

    it("brings the tiers up in order: the orchestrator after the data gate, the workers after the orchestrator's container, the workers gate after the orchestrator's", function () {
      // Engine mode times its own steps; pulumi mode reads the CLI engine's events.
      const timeline = first.timeline;
      const at = (name: string) => {
        const entry = timeline.find((e) => e.name === name);
        assert.ok(entry, `${name} was not applied`);
        return entry;
      };
      const startsAfter = (later: string, earlier: string) =>
        assert.ok(
          at(later).startedMs >= at(earlier).finishedMs,
          `${later} started at ${at(later).startedMs} ms, before ${earlier} finished at ${at(earlier).finishedMs} ms`,
        );
      startsAfter("berth-network", "berth-network-subnet");
      for (const c of ["berth-postgres", "berth-redis"]) startsAfter(c, "berth-network");
      for (const c of ["berth-postgres", "berth-redis"]) startsAfter("berth-data-gate-wait", c);
      startsAfter("berth-orchestrator", "berth-data-gate-wait");
      startsAfter("berth-orchestrator-gate-wait", "berth-orchestrator");
      // The workers' network container comes with the orchestrator's, after the data gate.
      startsAfter("berth-worker-net", "berth-data-gate-wait");
      assert.ok(
        at("berth-worker-net").startedMs < at("berth-orchestrator").finishedMs,
        "the workers' network container waited for the orchestrator's",
      );
      for (const w of ["berth-worker-0", "berth-worker-1"]) {
        startsAfter(w, "berth-orchestrator");
        startsAfter(w, "berth-worker-net");
        // Not after the orchestrator's gate: the workers' containers start while it waits.
        assert.ok(
          at(w).startedMs < at("berth-orchestrator-gate-wait").finishedMs,
          `${w} waited for the orchestrator's gate`,
        );
        startsAfter("berth-workers-gate-wait", w);
      }
      startsAfter("berth-workers-gate-wait", "berth-orchestrator-gate-wait");
      // No helper process per container: the gates apply the pids limits.
      assert.deepEqual(
        timeline.filter((e) => e.name.endsWith("-pids-limit")),
        [],
      );
      // Independent resources are applied side by side, as the engine does: the Postgres template
      // step (waiting only for its base image) runs while the network and Redis are created.
      assert.ok(
        at("berth-postgres-template").startedMs < at("berth-redis").finishedMs,
        "the Postgres template step waited for Redis",
      );
      assert.ok(at("berth-redis").startedMs < at("berth-postgres").finishedMs, "Redis waited for Postgres");
      assert.deepEqual([timeline.length, [...new Set(timeline.map((e) => e.action))]], [16, ["create"]]);
      assert.deepEqual(first.changes, { create: 16, update: 0, replace: 0, same: 0, delete: 0 });
    });

    it("runs every container hardened as declared, pids limit applied, healthy by Docker's own (calm) healthcheck too", async function () {
      this.timeout(120_000);
      // The gates asked the services directly; Docker's checks run every 60 s and catch up.
      await eventually(
        "Docker's healthchecks call every container healthy",
        async () =>
          (await Promise.all(allContainers(out).map(inspect))).every((c) => c.State.Health?.Status === "healthy")
            ? true
            : undefined,
        90_000,
      );
      const seen = await Promise.all(
        allContainers(out).map(async (name) => {
          const c = await inspect(name);
          return {
            name,
            user: c.Config.User,
            readOnly: c.HostConfig.ReadonlyRootfs,
            capDrop: c.HostConfig.CapDrop,
            securityOpt: c.HostConfig.SecurityOpt,
            pidsLimit: c.HostConfig.PidsLimit,
            memoryMb: (c.HostConfig.Memory ?? 0) / 1024 / 1024,
            health: c.State.Health?.Status,
          };
        }),
      );
      const expected = (name: string, user: string, memoryMb: number) => ({
        name,
        user,
        readOnly: true,
        capDrop: ["ALL"],
        securityOpt: ["no-new-privileges:true"],
        pidsLimit: 256,
        memoryMb,
        health: "healthy",
      });
      const [w0, w1] = out.containerNames.workers;
      assert.deepEqual(seen, [
        expected(out.containerNames.postgres, "999:999", 512),
        expected(out.containerNames.redis, "999:999", 128),
        expected(out.containerNames.orchestrator, "1000:1000", 256),
        expected(w0, "1000:1000", 256),
        expected(w1, "1000:1000", 256),
        expected(workersNetwork(out), "1000:1000", 16),
      ]);
    });

    it("starts Postgres from the engine's template of the data image, or as the image does while there is none: the configured credentials, durability off", async () => {
      const c = await inspect(out.containerNames.postgres);
      // Read-only, at a path the image lacks (the engine copies nothing into the shared volume for it).
      const template =
        c.HostConfig.Binds?.find((b) => b.endsWith(":/var/lib/berth-postgres-template:ro"))?.split(":")[0] ?? "";
      assert.match(template, /^berth-postgres-template-[0-9a-f]{16}$/);
      // From the template: neither the data image's initdb ("entrypoint: initialised …") nor the
      // start script's words; on an engine that had none yet: both, saying why.
      const logs = demuxFrames(
        await docker.getContainer(out.containerNames.postgres).logs({ stdout: true, stderr: true }),
      );
      const init = logs.split("\n").filter((l) => /entrypoint: initialised|berth-postgres-start:/.test(l));
      assert.ok(
        init.length === 0 ||
          JSON.stringify(init) ===
            JSON.stringify([
              "berth-postgres-start: initialising as the image does: no template on this engine yet (one is being made for the next start)",
              "entrypoint: initialised /var/lib/postgresql/data (user berth, database berth)",
            ]),
        init.join("\n"),
      );
      const client = new Client({ connectionString: out.hostUrls.postgres });
      await client.connect();
      try {
        const row = (
          await client.query(
            "SELECT current_user AS u, current_database() AS db, current_setting('fsync') AS f, current_setting('synchronous_commit') AS s, current_setting('full_page_writes') AS w",
          )
        ).rows[0];
        assert.deepEqual(row, { u: "berth", db: "berth", f: "off", s: "off", w: "off" });
      } finally {
        await client.end();
      }
    });

    it("passes every applicable CIS rule for every container, read back with docker inspect", async () => {
      const reports = await Promise.all(allContainers(out).map(async (name) => inspectReport(await inspect(name))));
      console.log(formatResultTable(reports).replace(/^/gm, "      "));
      const failed = reports.flatMap((r) =>
        r.results.filter((x) => !x.passed).map((x) => `${r.container} ${x.id} ${x.rule}: ${x.detail}`),
      );
      assert.deepEqual(failed, []);
      // Every container was checked against all 16 rules of the pack.
      assert.deepEqual(
        reports.map((r) => [r.container, r.results.length]),
        allContainers(out).map((name) => [name, 16]),
      );
    });

    it("answers tasks through the orchestrator's published port with exact results", async () => {
      assert.equal(api, `http://127.0.0.1:${out.hostPorts.orchestrator}`);
      const ids = await Promise.all([
        submitTask(api, "sum", [1, 2, 3]),
        submitTask(api, "echo", { greeting: "hello", n: [1, 2] }),
        submitTask(api, "fail", { message: "on purpose" }),
      ]);
      const done = await Promise.all(ids.map((id) => waitForTask(api, id)));
      assert.deepEqual(
        done.map((t) => ({ name: t.name, status: t.status, result: t.result, error: t.error })),
        [
          { name: "sum", status: "succeeded", result: 6, error: null },
          { name: "echo", status: "succeeded", result: { greeting: "hello", n: [1, 2] }, error: null },
          { name: "fail", status: "failed", result: null, error: "on purpose" },
        ],
      );
    });

    it("has every worker registered with the orchestrator", async () => {
      const { status, body } = await getJson<{ workers: { id: string }[] }>(`${api}/v1/workers`);
      assert.deepEqual({ status, ids: body.workers.map((w) => w.id) }, { status: 200, ids: ["worker-0", "worker-1"] });
    });

    it("reports every gate probe ready in the gateResults output, seen by asking each service directly", () => {
      const g = out.gateResults;
      const brief = (r: (typeof g)["data"]) => ({
        gate: r.gate,
        status: r.status,
        probes: r.probes.map((p) => `${p.kind} ${p.target}: ${p.status}; ${p.detail}`),
      });
      const [w0, w1] = out.containerNames.workers;
      const port = out.hostPorts;
      const workers = `http://127.0.0.1:${port.orchestrator}/v1/workers: HTTP 200, workers: 2 items (need >= 2)`;
      // Docker's first healthcheck comes 10 s after start: each gate passed on the service's own answer.
      assert.deepEqual(
        { data: brief(g.data), orchestrator: brief(g.orchestrator), workers: brief(g.workers!) },
        {
          data: {
            gate: "data",
            status: "passed",
            probes: [
              `container ${out.containerNames.postgres}: healthy; postgres://berth:***@127.0.0.1:${port.postgres}/berth: SELECT 1 answered`,
              `container ${out.containerNames.redis}: healthy; redis://127.0.0.1:${port.redis}: PING answered PONG`,
            ],
          },
          orchestrator: {
            gate: "orchestrator",
            status: "passed",
            probes: [
              `container ${out.containerNames.orchestrator}: healthy; http://127.0.0.1:${port.orchestrator}/health: HTTP 200`,
            ],
          },
          workers: {
            gate: "workers",
            status: "passed",
            probes: [
              `container ${w0}: healthy; ${workers}`,
              `container ${w1}: healthy; ${workers}`,
              `container ${workersNetwork(out)}: healthy; ${workers}`,
            ],
          },
        },
      );
    });

    it("replaces nothing on a second up with no change", async function () {
      this.timeout(60_000);
      const identity = async () =>
        Promise.all(
          allContainers(out).map(async (name) => ({
            name,
            id: (await inspect(name)).Id,
            startedAt: (await inspect(name)).State.StartedAt,
          })),
        );
      const before = await identity();
      const again = await up("main");
      assert.deepEqual(again.changes, { create: 0, update: 0, replace: 0, same: 16, delete: 0 });
      assert.deepEqual(await identity(), before);
      assert.deepEqual(again.outputs.hostPorts, out.hostPorts);
      assert.deepEqual([...new Set(again.timeline.map((e) => e.action))], ["same"]);
    });

    it("runs three stacks side by side with no name or port collision", async function () {
      this.timeout(240_000);
      const others = [await up("b", ONE_WORKER), await up("c", ONE_WORKER)];
      const all = [out, ...others.map((o) => o.outputs)];
      // Each on a bridge with a /26 of its own from berth:network.subnetPool, none of the engine's default pools.
      const subnets = await Promise.all(
        all.map(async (o) =>
          ((await docker.getNetwork(o.networkName).inspect()).IPAM?.Config ?? []).map(
            (c: { Subnet?: string }) => c.Subnet,
          ),
        ),
      );
      for (const [i, list] of subnets.entries())
        assert.match(String(list), /^172\.16\.\d+\.\d+\/26$/, all[i].networkName);
      assert.equal(new Set(subnets.map(String)).size, 3);
      const names = all.flatMap(allContainers);
      const ports = all.flatMap((o) => [o.hostPorts.postgres, o.hostPorts.redis, o.hostPorts.orchestrator]);
      assert.equal(new Set(names).size, 16, `container names: ${names.join(", ")}`);
      assert.equal(new Set(ports).size, 9, `host ports: ${ports.join(", ")}`);
      assert.ok(
        ports.every((p) => typeof p === "number"),
        `host ports: ${ports.join(", ")}`,
      );
      assert.equal(new Set(all.map((o) => o.networkName)).size, 3);
      for (const [i, part] of ["b", "c"].entries()) {
        const o = others[i].outputs;
        assert.deepEqual(await labelledObjects(docker, stackName(part)), {
          containers: allContainers(o).sort(),
          networks: [o.networkName],
          volumes: [],
        });
        // Each orchestrator runs its own stack's tasks with its own workers.
        const id = await submitTask(o.hostUrls.orchestrator!, "echo", part);
        assert.deepEqual((await waitForTask(o.hostUrls.orchestrator!, id)).result, part);
        assert.deepEqual(
          (await getJson(`${o.hostUrls.orchestrator}/v1/workers`)).body.workers.map((w: { id: string }) => w.id),
          ["worker-0"],
        );
      }
      for (const part of ["b", "c"]) {
        await mode!.destroy(stackName(part));
        assert.deepEqual(await labelledObjects(docker, stackName(part)), NOTHING);
      }
    });

    it("completes a task whose worker is killed mid-task", async function () {
      this.timeout(90_000);
      const id = await submitTask(api, "sleep", { ms: 3000 });
      const running = await waitForTask(api, id, { until: (t) => t.status === "running", timeoutMs: 15_000 });
      const victim = running.workerId!;
      const survivor = victim === "worker-0" ? "worker-1" : "worker-0";
      const victimContainer = out.containerNames.workers[Number(victim.split("-")[1])];
      await docker.getContainer(victimContainer).kill();
      // The orchestrator re-queues the dead worker's task once its heartbeat expires (5 s TTL).
      const done = await waitForTask(api, id, { timeoutMs: 60_000 });
      assert.deepEqual(
        { status: done.status, result: done.result, workerId: done.workerId, attempts: done.attempts },
        { status: "succeeded", result: { sleptMs: 3000 }, workerId: survivor, attempts: 2 },
      );
      const state = (await inspect(victimContainer)).State;
      assert.deepEqual({ status: state.Status, exitCode: state.ExitCode }, { status: "exited", exitCode: 137 });
    });

    it("reports Postgres down in the orchestrator's health when Postgres is killed", async function () {
      this.timeout(150_000);
      await docker.getContainer(out.containerNames.postgres).kill();
      const pg = (await inspect(out.containerNames.postgres)).State;
      assert.deepEqual(
        { status: pg.Status, running: pg.Running, exitCode: pg.ExitCode },
        { status: "exited", running: false, exitCode: 137 },
      );
      const health = await eventually("GET /health answers 503", async () => {
        const r = await getJson(`${api}/health`);
        return r.status === 503 ? r.body : undefined;
      });
      assert.deepEqual(
        { status: health.status, postgres: health.checks.postgres.ok, redis: health.checks.redis.ok },
        { status: "degraded", postgres: false, redis: true },
      );
      assert.equal(typeof health.checks.postgres.error, "string");
      // Docker sees it too: the orchestrator's own healthcheck (GET /health) turns it unhealthy.
      // Every 60 s, one failure: unhealthy within a minute of the kill.
      await eventually(
        "the orchestrator container turns unhealthy",
        async () =>
          (await inspect(out.containerNames.orchestrator)).State.Health?.Status === "unhealthy" ? true : undefined,
        90_000,
      );
      // And so does `npm run status`: Postgres stopped with its exit code, the orchestrator unhealthy
      // (the workers' states depend on the kill above and on timing: only their rows are checked).
      const rows = statusRows(await stackContainers(docker, { project: "berth", stack: main }), new Date());
      assert.deepEqual(
        rows.map((r) => [
          r.service,
          r.container,
          r.service === "workers" ? "-" : r.state,
          r.service === "workers" ? "-" : r.detail,
        ]),
        [
          ["postgres", out.containerNames.postgres, "STOPPED", "exited with code 137"],
          ["redis", out.containerNames.redis, "HEALTHY", null],
          ["orchestrator", out.containerNames.orchestrator, "UNHEALTHY", null],
          ...out.containerNames.workers.map((w) => ["workers", w, "-", "-"]),
          ["workers-network", workersNetwork(out), "HEALTHY", null],
        ],
      );
    });

    it("destroy removes every container, network and volume carrying the stack's label", async function () {
      this.timeout(90_000);
      assert.equal((await labelledObjects(docker, main)).containers.length, 6);
      await mode!.destroy(main);
      assert.deepEqual(await labelledObjects(docker, main), NOTHING);
    });
  });

  describe("a gate that times out", () => {
    it("fails when the orchestrator never turns healthy: the error names it with its logs, and destroy still removes everything", async function () {
      this.timeout(180_000);
      const stack = stackName("gate");
      const failure = await up("gate", {
        ...ONE_WORKER,
        "berth:images": { postgres: images.data, redis: images.data, app: images.neverHealthy },
        "berth:tiers": { orchestrator: { gateTimeoutSeconds: 3, startPeriodMs: 3000 } },
      }).then(
        () => assert.fail("up succeeded with an orchestrator that is never healthy"),
        (err: Error) => err,
      );
      const orchestrator = `berth-${stack}-orchestrator`;
      for (const part of [
        `berth gate "orchestrator" failed`,
        `container ${orchestrator} was not healthy within 3s`,
        `last 50 log lines of ${orchestrator}:`,
        "never-healthy app: started /app/dist/orchestrator.js, will never answer on its port",
      ]) {
        assert.ok(failure.message.includes(part), `"${part}" is not in the error:\n${failure.message}`);
      }
      // Up stopped at that tier: the worker (started right after the orchestrator's container) and
      // its network container are there, its gate never ran.
      assert.deepEqual((await labelledObjects(docker, stack)).containers, [
        orchestrator,
        `berth-${stack}-postgres`,
        `berth-${stack}-redis`,
        `berth-${stack}-worker-0`,
        `berth-${stack}-worker-net`,
      ]);
      await mode!.destroy(stack);
      assert.deepEqual(await labelledObjects(docker, stack), NOTHING);
    });
  });

  describe("stops", () => {
    // `docker stop` with each container's own StopTimeout (the test tiers' 2 s grace): a container
    // that ignored its stop signal, or outlived the grace, would be killed and exit 137.
    it("every container stops on its signal within the test stack's 2 s grace, Postgres by fast shutdown with a client connected, a worker whose namespace holder stopped first by its clean-up budget", async function () {
      this.timeout(180_000);
      const stack = stackName("stops");
      const o = (await up("stops")).outputs;
      const [w0, w1] = o.containerNames.workers;
      const order = [
        w0,
        workersNetwork(o),
        w1,
        o.containerNames.orchestrator,
        o.containerNames.redis,
        o.containerNames.postgres,
      ];
      const settings = await Promise.all(
        order.map(async (name) =>
          ((c) => [c.StopSignal, c.StopTimeout])(
            (await inspect(name)).Config as { StopSignal?: string; StopTimeout?: number },
          ),
        ),
      );
      assert.deepEqual(settings, [
        [undefined, 2],
        [undefined, 2],
        [undefined, 2],
        [undefined, 2],
        [undefined, 2],
        ["SIGINT", 2],
      ]);

      const client = new Client({ connectionString: o.hostUrls.postgres });
      const clientError = new Promise<{ code?: string }>((resolve) =>
        client.on("error", (err) => resolve(err as Error & { code?: string })),
      );
      await client.connect();
      assert.deepEqual((await client.query("SELECT 1 AS one")).rows, [{ one: 1 }]);
      const stopped: [string, number][] = [];
      const took: string[] = [];
      try {
        for (const name of order) {
          const t = Date.now();
          await docker.getContainer(name).stop();
          took.push(`${name.replace(`berth-${stack}-`, "")} ${((Date.now() - t) / 1000).toFixed(2)} s`);
          stopped.push([name, (await inspect(name)).State.ExitCode]);
        }
      } finally {
        await client.end().catch(() => undefined);
      }
      console.log(`      docker stop: ${took.join(", ")}`);
      assert.deepEqual(stopped, [
        [w0, 0],
        [workersNetwork(o), 0],
        // Its network went with the holder: handing back and deregistering cannot finish, so it
        // gives up after the clean-up budget (the orchestrator's heartbeat expiry covers it).
        [w1, 1],
        [o.containerNames.orchestrator, 0],
        [o.containerNames.redis, 0],
        [o.containerNames.postgres, 0],
      ]);
      // Fast shutdown ended the session (admin_shutdown) instead of waiting for it.
      assert.equal((await clientError).code, "57P01");
      await mode!.destroy(stack);
      assert.deepEqual(await labelledObjects(docker, stack), NOTHING);
    });
  });
});
