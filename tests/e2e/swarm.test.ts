// The environment with `berth:cluster: swarm` on a real three-node swarm started by this suite: a
// manager and two worker nodes (Docker-in-Docker, built offline), images through the lab registry.
// Postgres, Redis and the orchestrator run on the manager, the workers as one service spread over
// the worker nodes, all on one attachable overlay network. One environment serves the checks in
// turn (they depend on each other: the node failures come last, destroy at the end); the swarm
// gate's own failure reports are checked apart, on services made for them.
import assert from "node:assert/strict";
import { join } from "node:path";
import Docker from "dockerode";
import { inspectReport, noNewPrivsOf } from "../../policy/inspect";
import { formatResultTable } from "../../policy/report-table";
import { BerthOutputs, berthRequest, REPO_ROOT } from "../../lab/berth-program";
import { LAB_PREFIX_LABEL, uniquePrefix } from "../../lab/dind-node";
import { TEMPLATE_PREFIX } from "../../components/postgres/template";
import { ensureBusyboxImage } from "../../lab/images/busybox-image";
import { dindImageUnavailable } from "../../lab/images/dind-image";
import { dataImageUnavailable, ensureDataImage, ensureWorkloadImage } from "../../lab/images/e2e-images";
import { nodeBaseImageUnavailable } from "../../lab/images/node-base-image";
import { gateJson, requireBuilt, runCli, GATE_CLI } from "../../lab/gate-runner";
import { registryUnavailable } from "../../lab/registry";
import {
  execIn,
  managerClient,
  pushToSwarm,
  serviceTasks,
  setNodeAvailability,
  startNode,
  startSwarm,
  stopNode,
  swarmLeftovers,
  taskContainers,
  teardownSwarm,
  waitForNodeState,
  type LabSwarm,
  type TaskRow,
} from "../../lab/swarm";
import { StackMode, UpResult } from "../../testing/engine/mode";
import { selectMode } from "../../testing/engine/select-mode";
import { labelledObjects } from "../../testing/engine/stack-objects";
import { requireService, SERVICES_HINT } from "../support/required-service";
import { pollUntil } from "../support/poll";
import { getJson, submitTask, Task, waitForTask } from "./harness/workload-client";

const RUN = `${Date.now().toString(36).slice(-4)}${process.pid.toString(36)}`;
const STACK = `e2e-${RUN}-swarm`;
const REPLICAS = 4;

const running = (tasks: TaskRow[]) => tasks.filter((t) => t.desiredState === "running" && t.state === "running");
const countBy = (tasks: TaskRow[]) =>
  Object.fromEntries(
    [...new Set(tasks.map((t) => t.node))].sort().map((node) => [node, tasks.filter((t) => t.node === node).length]),
  );
const workerIds = (tasks: TaskRow[]) => tasks.map((t) => `worker-${t.slot}-${t.id}`).sort();

async function labPrerequisites(): Promise<void> {
  await new Docker().ping();
  const missing =
    dataImageUnavailable() ?? nodeBaseImageUnavailable() ?? dindImageUnavailable() ?? registryUnavailable();
  if (missing) throw new Error(missing);
}

describe("e2e: the environment on a three-node swarm", function () {
  this.timeout(180_000);
  const prefix = uniquePrefix("swarme2e");
  const manager = `${prefix}-manager`;
  const worker1 = `${prefix}-worker-1`;
  const worker2 = `${prefix}-worker-2`;
  let swarm: LabSwarm | undefined;
  let mode: StackMode | undefined;
  let images: { data: string; app: string };
  let stackUp = false;
  const s = () => swarm!;

  before(async function () {
    this.timeout(25 * 60_000); // a cold image build (debootstraps, npm ci) takes minutes
    for (const script of ["gate/cli", "tools/set-service-pids"]) requireBuilt(join(REPO_ROOT, "dist", `${script}.js`));
    // With CI=true a swarm that cannot start fails the run; elsewhere the suite skips saying why.
    await requireService(
      this,
      "the lab swarm (Docker engine, offline images, DinD image, docker-registry)",
      async () => {
        await labPrerequisites();
        const log = (line: string) => console.log(`      ${line}`);
        const data = ensureDataImage(log).tag;
        const app = ensureWorkloadImage(log).tag;
        swarm = await startSwarm({ prefix, managerPorts: 3, log });
        const [dataRef, appRef] = await Promise.all([pushToSwarm(swarm, data), pushToSwarm(swarm, app)]);
        images = { data: dataRef, app: appRef };
      },
      SERVICES_HINT,
    );
    const chosen = selectMode();
    mode = chosen.mode;
    console.log(`      swarm e2e: ${mode.kind} mode (${chosen.why}); images ${images.data}, ${images.app}`);
  });

  after(async function () {
    this.timeout(180_000);
    if (stackUp)
      await mode
        ?.destroy(STACK)
        .catch((err) => console.log(`      cleanup: destroy ${STACK}: ${err instanceof Error ? err.message : err}`));
    // The nodes, and everything in them, go with the lab swarm.
    if (swarm) await teardownSwarm(prefix);
  });

  describe("one environment: up, used, nodes lost, destroyed", () => {
    let first: UpResult<BerthOutputs>;
    let out: BerthOutputs;
    let api: string;
    let service: string;

    before(async function () {
      this.timeout(300_000);
      const [postgres, redis, orchestrator] = s().managerPorts;
      stackUp = true;
      first = await mode!.up<BerthOutputs>(
        berthRequest(STACK, "test", {
          "berth:useAlpine": false,
          "berth:cluster": "swarm",
          "berth:docker": { host: s().managerHost },
          "berth:images": { postgres: images.data, redis: images.data, app: images.app },
          "berth:hardening": { postgres: { user: "999:999" }, redis: { user: "999:999" } },
          "berth:workers": { replicas: REPLICAS, namespaces: ["default"] },
          // Published on the manager at the ports the lab forwards from 127.0.0.1 (no routing mesh).
          "berth:ports": { publish: "fixed", hostIp: "0.0.0.0", postgres, redis, orchestrator },
        }),
      );
      out = first.outputs;
      api = out.hostUrls.orchestrator!;
      service = out.workerService!;
    });

    it("spreads the workers over both worker nodes and runs the rest on the manager", async () => {
      assert.equal(service, `berth-${STACK}-worker`);
      assert.deepEqual(countBy(running(await serviceTasks(s(), service))), {
        [worker1]: REPLICAS / 2,
        [worker2]: REPLICAS / 2,
      });
      const onManager = await labelledObjects(managerClient(s()), STACK);
      assert.deepEqual(onManager, {
        containers: [`berth-${STACK}-orchestrator`, `berth-${STACK}-postgres`, `berth-${STACK}-redis`],
        networks: [`berth-${STACK}-net`],
        volumes: [],
      });
      const net = await managerClient(s()).getNetwork(`berth-${STACK}-net`).inspect();
      assert.deepEqual(
        { driver: net.Driver, attachable: net.Attachable, scope: net.Scope },
        { driver: "overlay", attachable: true, scope: "swarm" },
      );
      assert.deepEqual(first.changes, { create: 15, update: 0, replace: 0, same: 0, delete: 0 });
    });

    it("passed the workers gate once every replica ran healthy and registered", () => {
      const g = out.gateResults.workers!;
      assert.deepEqual(
        g.probes.map((p) => [p.kind, p.target, p.status, p.detail]),
        [
          ["http", `${api}/v1/workers`, "healthy", `HTTP 200, workers: ${REPLICAS} items (need >= ${REPLICAS})`],
          [
            "swarm-service",
            service,
            "healthy",
            `${REPLICAS} of ${REPLICAS} replicas running and healthy on ${worker1} (2), ${worker2} (2)`,
          ],
        ],
      );
      assert.equal(g.status, "passed");
    });

    it("runs every task container hardened as on one engine, read back from its node", async () => {
      const seen = await Promise.all(
        (await taskContainers(s(), service)).map(async ({ node, docker, containerId }) => {
          const c = await docker.getContainer(containerId).inspect();
          return {
            node: node.role,
            user: c.Config.User,
            readOnly: c.HostConfig.ReadonlyRootfs,
            capDrop: c.HostConfig.CapDrop,
            pidsLimit: c.HostConfig.PidsLimit,
            memoryMb: (c.HostConfig.Memory ?? 0) / 1024 / 1024,
            cpus: (c.HostConfig.NanoCpus ?? 0) / 1e9,
            noNewPrivs: noNewPrivsOf(await execIn(docker, containerId, ["cat", "/proc/1/status"])),
            health: c.State.Health?.Status,
            labels: Object.fromEntries(Object.entries(c.Config.Labels ?? {}).filter(([k]) => k.startsWith("berth."))),
          };
        }),
      );
      const expected = {
        node: "worker",
        user: "1000:1000",
        readOnly: true,
        capDrop: ["ALL"],
        pidsLimit: 256,
        memoryMb: 256,
        cpus: 0.5,
        noNewPrivs: true,
        health: "healthy",
        labels: {
          "berth.environment": "test",
          "berth.pids-limit": "256",
          "berth.project": "berth",
          "berth.service": "workers",
          "berth.stack": STACK,
        },
      };
      assert.deepEqual(
        seen,
        Array.from({ length: REPLICAS }, () => expected),
      );
    });

    it("passes every applicable CIS rule for every container of the stack, on every node", async () => {
      const onManager = (await labelledObjects(managerClient(s()), STACK)).containers.map((name) => ({
        docker: managerClient(s()),
        containerId: name,
      }));
      const all = [...onManager, ...(await taskContainers(s(), service))];
      const reports = await Promise.all(
        all.map(async ({ docker, containerId }) => {
          const status = await execIn(docker, containerId, ["cat", "/proc/1/status"]);
          return inspectReport(await docker.getContainer(containerId).inspect(), undefined, {
            noNewPrivs: noNewPrivsOf(status),
          });
        }),
      );
      console.log(formatResultTable(reports).replace(/^/gm, "      "));
      assert.deepEqual(
        reports.flatMap((r) =>
          r.results.filter((x) => !x.passed).map((x) => `${r.container} ${x.id} ${x.rule}: ${x.detail}`),
        ),
        [],
      );
      assert.deepEqual(
        reports.map((r) => r.results.length),
        all.map(() => 16),
      );
      assert.equal(reports.length, 3 + REPLICAS);
    });

    it("answers tasks through the orchestrator, every replica registered by its task's id", async () => {
      assert.equal(api, `http://127.0.0.1:${s().managerPorts[2]}`);
      const ids = await Promise.all([submitTask(api, "sum", [1, 2, 3]), submitTask(api, "echo", { on: "swarm" })]);
      const done = await Promise.all(ids.map((id) => waitForTask(api, id)));
      assert.deepEqual(
        done.map((t) => [t.name, t.status, t.result]),
        [
          ["sum", "succeeded", 6],
          ["echo", "succeeded", { on: "swarm" }],
        ],
      );
      const { body } = await getJson<{ workers: { id: string }[] }>(`${api}/v1/workers`);
      assert.deepEqual(body.workers.map((w) => w.id).sort(), workerIds(running(await serviceTasks(s(), service))));
    });

    /** Submits `count` sleep tasks and waits until every replica is busy with one. */
    async function busyWorkers(count: number, ms: number): Promise<{ ids: string[]; busy: Task[] }> {
      const ids = await Promise.all(Array.from({ length: count }, () => submitTask(api, "sleep", { ms })));
      const busy = await pollUntil(
        `${REPLICAS} tasks running`,
        async () =>
          (await Promise.all(ids.map((id) => getJson<Task>(`${api}/v1/tasks/${id}`))))
            .map((r) => r.body)
            .filter((t) => t.status === "running"),
        (list) => list.length === REPLICAS,
        30_000,
      );
      return { ids, busy };
    }

    it("moves a drained node's workers to the other worker node, losing no task", async function () {
      this.timeout(150_000);
      const before = running(await serviceTasks(s(), service));
      const onWorker1 = new Set(workerIds(before.filter((t) => t.node === worker1)));
      const { ids, busy } = await busyWorkers(8, 3000);
      assert.equal(
        busy.filter((t) => onWorker1.has(t.workerId!)).length,
        2,
        "two tasks were in flight on the node being drained",
      );

      await setNodeAvailability(s(), worker1, "drain");
      const after = running(
        await pollUntil(
          `${REPLICAS} replicas on ${worker2}`,
          () => serviceTasks(s(), service),
          (t) => running(t).length === REPLICAS && running(t).every((r) => r.node === worker2),
        ),
      );
      assert.deepEqual(countBy(after), { [worker2]: REPLICAS });

      const done = await Promise.all(ids.map((id) => waitForTask(api, id, { timeoutMs: 60_000 })));
      assert.deepEqual(
        done.map((t) => [t.status, t.result]),
        ids.map(() => ["succeeded", { sleptMs: 3000 }]),
      );
      // The drained workers finished what they had started (SIGTERM: finish the task, then exit).
      assert.deepEqual(
        busy.filter((t) => onWorker1.has(t.workerId!)).map((t) => done.find((d) => d.id === t.id)!.workerId),
        busy.filter((t) => onWorker1.has(t.workerId!)).map((t) => t.workerId),
      );
      await setNodeAvailability(s(), worker1, "active");
    });

    it("reschedules the workers of a stopped node on the other, and its unfinished tasks run again", async function () {
      this.timeout(180_000);
      const { ids, busy } = await busyWorkers(8, 3000);
      assert.deepEqual(new Set(running(await serviceTasks(s(), service)).map((t) => t.node)), new Set([worker2]));
      await stopNode(s(), worker2); // killed, as a machine failure would
      await waitForNodeState(s(), worker2, "down");
      const after = running(
        await pollUntil(
          `${REPLICAS} replicas on ${worker1}`,
          () => serviceTasks(s(), service),
          (t) => running(t).length === REPLICAS && running(t).every((r) => r.node === worker1),
          90_000,
        ),
      );
      assert.deepEqual(countBy(after), { [worker1]: REPLICAS });

      // The orchestrator re-queues a dead worker's tasks once its heartbeat expires; none is lost.
      const done = await Promise.all(ids.map((id) => waitForTask(api, id, { timeoutMs: 90_000 })));
      assert.deepEqual(
        done.map((t) => [t.status, t.result]),
        ids.map(() => ["succeeded", { sleptMs: 3000 }]),
      );
      const newIds = new Set(workerIds(after));
      for (const t of busy) {
        const d = done.find((x) => x.id === t.id)!;
        assert.deepEqual(
          { attempts: d.attempts, rescued: newIds.has(d.workerId!) },
          { attempts: 2, rescued: true },
          `task ${t.id} was running on ${t.workerId} when its node died`,
        );
      }
      await startNode(s(), worker2);
    });

    it("destroy leaves no service, network, container, volume, secret or config on any node", async function () {
      this.timeout(150_000);
      await mode!.destroy(STACK);
      stackUp = false;
      // A restarted node removes its dead tasks' containers once the manager tells it to.
      // The engine's shared Postgres template (its volume and the exited helper that made it) is
      // kept on purpose for the next stack's up (README: a few per engine, pruned); it is no stack's.
      const notTemplate = (name: string) => !name.startsWith(TEMPLATE_PREFIX);
      const left = await pollUntil(
        "nothing left on any node",
        async () =>
          (await swarmLeftovers(s())).map((n) => ({
            ...n,
            containers: n.containers.filter(notTemplate),
            volumes: n.volumes.filter(notTemplate),
          })),
        (nodes) =>
          nodes.every((n) =>
            [n.containers, n.networks, n.volumes, n.services, n.secrets, n.configs].every((list) => list.length === 0),
          ),
        90_000,
      );
      assert.deepEqual(
        left,
        [manager, worker1, worker2].map((node) => ({
          node,
          containers: [],
          networks: [],
          volumes: [],
          services: [],
          secrets: [],
          configs: [],
        })),
      );
    });
  });

  describe("the swarm gate on the real swarm", () => {
    let busybox = "";
    const created: string[] = [];
    before(async function () {
      this.timeout(60_000);
      busybox = await pushToSwarm(s(), ensureBusyboxImage());
    });
    after(async function () {
      for (const name of created)
        await managerClient(s())
          .getService(name)
          .remove()
          .catch(() => undefined);
    });

    const createService = async (
      name: string,
      replicas: number,
      command: string,
      constraints = ["node.role==worker"],
    ) => {
      created.push(name);
      await managerClient(s()).createService({
        Name: name,
        Labels: { [LAB_PREFIX_LABEL]: prefix },
        TaskTemplate: {
          ContainerSpec: {
            Image: busybox,
            Command: ["sh", "-c", command],
            Healthcheck: { Test: ["CMD", "true"], Interval: 200e6, Timeout: 1e9, Retries: 1 },
          },
          Placement: { Constraints: constraints },
          RestartPolicy: { Condition: "on-failure", MaxAttempts: 1, Delay: 0 },
        },
        Mode: { Replicated: { Replicas: replicas } },
        EndpointSpec: { Mode: "dnsrr" },
      } as Docker.CreateServiceOptions);
    };
    const gate = (name: string, replicas: number, timeoutSeconds = 60) =>
      runCli(
        GATE_CLI,
        [
          "--name",
          "swarm",
          "--timeout-seconds",
          String(timeoutSeconds),
          "--interval-ms",
          "200",
          "--swarm-service",
          `${name}=${replicas}`,
        ],
        { DOCKER_HOST: s().managerHost },
      );

    it("passes once every replica runs healthy, naming where they run", async () => {
      await createService("gate-ok", 2, "trap 'exit 0' TERM; sleep 3600 & wait");
      const run = await gate("gate-ok", 2);
      const result = gateJson(run);
      assert.deepEqual(
        {
          code: run.code,
          status: result.status,
          probes: result.probes.map((p) => [p.kind, p.target, p.status, p.detail]),
        },
        {
          code: 0,
          status: "passed",
          probes: [
            [
              "swarm-service",
              "gate-ok",
              "healthy",
              `2 of 2 replicas running and healthy on ${worker1} (1), ${worker2} (1)`,
            ],
          ],
        },
      );
    });

    it("fails fast when a replica fails, naming the task, its node and its logs", async () => {
      await createService("gate-crash", 2, "echo starting >&2; echo 'boom: cannot reach the database' >&2; exit 3");
      const run = await gate("gate-crash", 2);
      assert.equal(run.code, 1, run.stderr);
      const report = run.stderrLines.slice(run.stderrLines.findIndex((l) => l.startsWith('berth gate "swarm" failed')));
      const task = report.find((l) => l.startsWith("  task gate-crash."))!;
      const name = /task (gate-crash\.\d+) \(([a-z0-9]+)\) on node (\S+): failed: task: non-zero exit \(3\)$/.exec(
        task,
      );
      assert.ok(name, `no task line in:\n${run.stderr}`);
      assert.ok([worker1, worker2].includes(name[3]), name[3]);
      assert.equal((await serviceTasks(s(), "gate-crash")).find((t) => t.id === name[2])?.node, name[3]);
      assert.deepEqual(report.slice(report.indexOf(task) + 1), [
        `  last 50 log lines of task ${name[1]}:`,
        "    starting",
        "    boom: cannot reach the database",
      ]);
      assert.match(
        report[0],
        new RegExp(
          `^berth gate "swarm" failed after \\d+\\.\\ds: swarm-service gate-crash: task ${name[1].replace(".", "\\.")} \\(${name[2].slice(0, 12)}\\) on node ${name[3]} failed: task: non-zero exit \\(3\\)$`,
        ),
      );
    });

    it("times out with the scheduler's reason when no node can take a replica", async () => {
      await createService("gate-nowhere", 1, "sleep 3600", ["node.labels.berth-nowhere==yes"]);
      const run = await gate("gate-nowhere", 1, 3);
      assert.equal(run.code, 1);
      assert.deepEqual(
        gateJson(run).probes.map((p) => [p.status, p.detail]),
        [
          [
            "timeout",
            "not healthy within 3s; last: 0 of 1 replicas running and healthy; slot 1 pending (no suitable node (scheduling constraints not satisfied on 3 nodes))",
          ],
        ],
      );
    });
  });
});
