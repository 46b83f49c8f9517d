// The reference workload (services/) on a real PostgreSQL and Redis: the compiled entry points
// run as child processes on free ports with short heartbeat settings.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  entryPath,
  ensureServicesBuilt,
  killAllServices,
  request,
  SERVICES,
  type ServiceProcess,
  startService,
  waitFor,
  waitHealthy,
} from "../support/workload-process";
import { freePort } from "../support/poll";
import {
  createTestDatabase,
  createTestRedis,
  requireServers,
  type TestDatabase,
  type TestRedis,
  type TestServers,
} from "../support/workload-servers";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const MIGRATION_LOCK_KEY = 0x6265727468; // services/src/db.ts

describe("workload: orchestrator and worker on real Postgres and Redis", function () {
  this.timeout(60_000);
  let servers: TestServers;
  let db: TestDatabase;
  let redis: TestRedis;
  // A worker stores a task's result, then acknowledges it (removes it from its in-flight list): a
  // test that saw the task finish waits for that step before reading Redis.
  // On a timeout the caller's assertion shows the keys left.
  const keysOnceAcked = async () => {
    const empty = async () => ((await redis.keys()).length === 0 ? true : undefined);
    await waitFor("every task acknowledged", 5000, empty).catch(() => undefined);
    return redis.keys();
  };

  before(async function () {
    servers = await requireServers(this);
    ensureServicesBuilt();
  });

  beforeEach(async function () {
    db = await createTestDatabase(servers);
    redis = createTestRedis(servers);
  });

  afterEach(async function () {
    await killAllServices();
    await db?.drop();
    await redis?.drop();
  });

  function env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      DATABASE_URL: db.url,
      REDIS_URL: servers.redisUrl,
      REDIS_KEY_PREFIX: redis.prefix,
      HEARTBEAT_INTERVAL_MS: "200",
      HEARTBEAT_TTL_MS: "1000",
      ...extra,
    };
  }

  async function orchestrator(
    extra: Record<string, string> = {},
  ): Promise<{ proc: ServiceProcess; url: string; port: number }> {
    const port = await freePort();
    const proc = startService("orchestrator", env({ ORCHESTRATOR_PORT: String(port), ...extra }));
    await waitHealthy(proc, port);
    return { proc, url: `http://127.0.0.1:${port}`, port };
  }

  async function worker(
    id: string,
    extra: Record<string, string> = {},
  ): Promise<{ proc: ServiceProcess; port: number }> {
    const port = await freePort();
    const proc = startService("worker", env({ WORKER_ID: id, WORKER_PORT: String(port), ...extra }));
    await waitHealthy(proc, port);
    return { proc, port };
  }

  async function submit(url: string, namespace: string, name: string, input: unknown): Promise<string> {
    const res = await request("POST", `${url}/v1/tasks`, JSON.stringify({ namespace, name, input }));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.id as string;
  }

  async function task(url: string, id: string): Promise<any> {
    const res = await request("GET", `${url}/v1/tasks/${id}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body;
  }

  async function finished(url: string, id: string, timeoutMs = 10_000): Promise<any> {
    return waitFor(`task ${id} to finish`, timeoutMs, async () => {
      const t = await task(url, id);
      return t.status === "succeeded" || t.status === "failed" ? t : undefined;
    });
  }

  async function running(url: string, id: string): Promise<any> {
    return waitFor(`task ${id} to run`, 10_000, async () => {
      const t = await task(url, id);
      return t.status === "running" ? t : undefined;
    });
  }

  async function workerRows(): Promise<string[]> {
    return (await db.query<{ id: string }>("SELECT id FROM berth_workers ORDER BY id")).map((r) => r.id);
  }

  it("registers a worker, runs submitted tasks and stores their exact results", async function () {
    const orch = await orchestrator();
    const health = await request("GET", `${orch.url}/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(Object.keys(health.body), ["status", "checks"]);
    assert.equal(health.body.status, "ok");
    for (const check of ["postgres", "redis"]) {
      assert.deepEqual(Object.keys(health.body.checks[check]), ["ok", "latencyMs"]);
      assert.equal(health.body.checks[check].ok, true);
      assert.ok(Number.isInteger(health.body.checks[check].latencyMs) && health.body.checks[check].latencyMs >= 0);
    }

    const w = await worker("w1");
    const wHealth = await request("GET", `http://127.0.0.1:${w.port}/health`);
    assert.deepEqual(wHealth.body, {
      status: "ok",
      workerId: "w1",
      registered: true,
      heartbeatOk: true,
      stopping: false,
      redis: "ready",
    });
    const workers = await request("GET", `${orch.url}/v1/workers`);
    assert.equal(workers.status, 200);
    assert.equal(workers.body.workers.length, 1);
    const [w1] = workers.body.workers;
    assert.deepEqual(Object.keys(w1), ["id", "namespaces", "startedAt", "heartbeatAt"]);
    assert.equal(w1.id, "w1");
    assert.deepEqual(w1.namespaces, ["default"]);
    assert.match(w1.startedAt, ISO);
    assert.match(w1.heartbeatAt, ISO);

    const created = await request(
      "POST",
      `${orch.url}/v1/tasks`,
      JSON.stringify({ namespace: "default", name: "sum", input: [1, 2, 3] }),
    );
    assert.equal(created.status, 201);
    assert.match(created.body.id, UUID);
    assert.equal(created.headers.get("location"), `/v1/tasks/${created.body.id}`);
    assert.equal(created.body.status, "queued");
    assert.deepEqual(created.body.input, [1, 2, 3]);
    assert.equal(created.body.workerId, null);

    const sum = await finished(orch.url, created.body.id);
    assert.deepEqual(
      {
        id: sum.id,
        namespace: sum.namespace,
        name: sum.name,
        input: sum.input,
        status: sum.status,
        result: sum.result,
        error: sum.error,
        workerId: sum.workerId,
        attempts: sum.attempts,
      },
      {
        id: created.body.id,
        namespace: "default",
        name: "sum",
        input: [1, 2, 3],
        status: "succeeded",
        result: 6,
        error: null,
        workerId: "w1",
        attempts: 1,
      },
    );
    for (const at of ["createdAt", "startedAt", "finishedAt"]) assert.match(sum[at], ISO);

    const echo = await finished(
      orch.url,
      await submit(orch.url, "default", "echo", { a: [1, "x", null], b: { c: true } }),
    );
    assert.equal(echo.status, "succeeded");
    assert.deepEqual(echo.result, { a: [1, "x", null], b: { c: true } });
    const slept = await finished(orch.url, await submit(orch.url, "default", "sleep", { ms: 50 }));
    assert.deepEqual([slept.status, slept.result], ["succeeded", { sleptMs: 50 }]);
    const failed = await finished(orch.url, await submit(orch.url, "default", "fail", { message: "boom" }));
    assert.deepEqual([failed.status, failed.result, failed.error, failed.workerId], ["failed", null, "boom", "w1"]);
    const failedDefault = await finished(orch.url, await submit(orch.url, "default", "fail", null));
    assert.deepEqual([failedDefault.status, failedDefault.error], ["failed", "failed on purpose"]);

    // Every id left both the queue and the in-flight list: no Redis key remains.
    assert.deepEqual(await keysOnceAcked(), []);
  });

  it("routes tasks by namespace: a worker takes only from the namespaces it serves", async function () {
    const orch = await orchestrator({ NAMESPACES: "alpha, beta" });
    await worker("only-alpha", { NAMESPACES: "alpha" });
    const alpha = await submit(orch.url, "alpha", "sum", [2, 3]);
    const beta = await submit(orch.url, "beta", "sum", [4, 5]);
    assert.deepEqual(
      [(await finished(orch.url, alpha)).result, (await finished(orch.url, alpha)).workerId],
      [5, "only-alpha"],
    );
    await sleep(1000);
    assert.equal((await task(orch.url, beta)).status, "queued");
    assert.deepEqual(await redis.client.lrange(`${redis.prefix}queue:beta`, 0, -1), [beta]);

    await worker("both", { NAMESPACES: "beta,alpha" });
    const done = await finished(orch.url, beta);
    assert.deepEqual([done.status, done.result, done.workerId], ["succeeded", 9, "both"]);
    const workers = await request("GET", `${orch.url}/v1/workers`);
    assert.deepEqual(
      workers.body.workers.map((w: any) => [w.id, w.namespaces]),
      [
        ["both", ["beta", "alpha"]],
        ["only-alpha", ["alpha"]],
      ],
    );
    assert.deepEqual(await keysOnceAcked(), []);
  });

  it("re-queues the task of a SIGKILLed worker once its heartbeat expires; another worker completes it", async function () {
    const orch = await orchestrator();
    const first = await worker("doomed");
    const id = await submit(orch.url, "default", "sleep", { ms: 1500 });
    const inFlight = await running(orch.url, id);
    assert.equal(inFlight.workerId, "doomed");
    assert.deepEqual(await redis.client.lrange(`${redis.prefix}inflight:default:doomed`, 0, -1), [id]);

    assert.deepEqual(await first.proc.signal("SIGKILL"), { code: null, signal: "SIGKILL" });
    await worker("rescuer");
    const reaped = await orch.proc.waitForLog("worker heartbeat expired: re-queued its tasks");
    assert.deepEqual(
      [reaped.workerId, reaped.requeued, reaped.releasedTasks, reaped.removed],
      ["doomed", [id], 1, true],
    );

    const done = await finished(orch.url, id);
    assert.deepEqual(
      [done.status, done.result, done.workerId, done.attempts],
      ["succeeded", { sleptMs: 1500 }, "rescuer", 2],
    );
    const workers = await request("GET", `${orch.url}/v1/workers`);
    assert.deepEqual(
      workers.body.workers.map((w: any) => w.id),
      ["rescuer"],
    );
    assert.deepEqual(await workerRows(), ["rescuer"]);
    assert.deepEqual(await keysOnceAcked(), []);
  });

  it("a worker restarted under the same WORKER_ID takes back what its killed process left in flight", async function () {
    // A TTL far beyond the test: only the restarted worker itself can recover the task.
    const slow = { HEARTBEAT_TTL_MS: "600000" };
    const orch = await orchestrator(slow);
    const before = await worker("w1", slow);
    const id = await submit(orch.url, "default", "sleep", { ms: 300 });
    await running(orch.url, id);
    await before.proc.signal("SIGKILL");
    const after = await worker("w1", slow);
    const recovered = await after.proc.waitForLog("re-queued tasks left in flight by an earlier run");
    assert.deepEqual(recovered.requeued, [id]);
    const done = await finished(orch.url, id);
    assert.deepEqual(
      [done.status, done.result, done.workerId, done.attempts],
      ["succeeded", { sleptMs: 300 }, "w1", 2],
    );
    assert.deepEqual(await keysOnceAcked(), []);
  });

  it("on SIGTERM a worker finishes its current task, takes no new one, deregisters and exits 0", async function () {
    const orch = await orchestrator();
    const w = await worker("w1");
    const current = await submit(orch.url, "default", "sleep", { ms: 1000 });
    await running(orch.url, current);
    w.proc.child.kill("SIGTERM");
    await w.proc.waitForLog("shutting down");
    const later = await submit(orch.url, "default", "echo", "later");

    const exit = await w.proc.exited;
    assert.deepEqual(exit, { code: 0, signal: null });
    const done = await task(orch.url, current);
    assert.deepEqual([done.status, done.result, done.workerId], ["succeeded", { sleptMs: 1000 }, "w1"]);
    const waiting = await task(orch.url, later);
    assert.deepEqual([waiting.status, waiting.workerId, waiting.attempts], ["queued", null, 0]);
    // Deregistered by the worker itself, not by heartbeat expiry.
    assert.deepEqual(await workerRows(), []);
    assert.deepEqual(await redis.keys(), [`${redis.prefix}queue:default`]);
    assert.deepEqual(await redis.client.lrange(`${redis.prefix}queue:default`, 0, -1), [later]);
    assert.deepEqual(
      w.proc
        .logs()
        .map((l) => l.msg)
        .slice(-4),
      ["shutting down", "task succeeded", "worker deregistered", "stopped"],
    );
  });

  it("an idle worker waits in one BLMOVE until a task comes, and SIGTERM ends that wait: exit 0, deregistered", async function () {
    const orch = await orchestrator();
    const w = await worker("idle");
    // Redis counts a client's idle seconds since its last command: a worker that sent BLMOVE again
    // every second (a block timeout) would never reach 2.
    const blockedFor = async (seconds: number) =>
      waitFor(`the worker's BLMOVE to wait ${seconds} s`, 10_000, async () => {
        const line = String(await redis.client.call("CLIENT", "LIST"))
          .split("\n")
          .find((l) => / cmd=blmove /.test(l));
        return line && Number(/ idle=(\d+) /.exec(line)?.[1]) >= seconds ? true : undefined;
      });
    await blockedFor(2);
    const echoed = await finished(orch.url, await submit(orch.url, "default", "echo", "woken"));
    assert.deepEqual([echoed.status, echoed.result, echoed.workerId], ["succeeded", "woken", "idle"]);
    await blockedFor(2);

    w.proc.child.kill("SIGTERM");
    assert.deepEqual(await w.proc.exited, { code: 0, signal: null });
    assert.deepEqual(await workerRows(), []);
    assert.deepEqual(await keysOnceAcked(), []);
    assert.deepEqual(
      w.proc
        .logs()
        .map((l) => l.msg)
        .slice(-5),
      ["task started", "task succeeded", "shutting down", "worker deregistered", "stopped"],
    );
  });

  it("on SIGTERM with its network gone (sockets open, nothing answers) a worker exits 1 within the clean-up budget, saying so; the heartbeat expiry deregisters it", async function () {
    const orch = await orchestrator();
    // Postgres and Redis through a proxy that can stop forwarding without closing a socket: what
    // a WorkerPool's worker sees when the container holding its namespace stops first.
    const pg = await stallingProxy(new URL(db.url));
    const rd = await stallingProxy(new URL(servers.redisUrl));
    try {
      const w = await worker("cut", { DATABASE_URL: pg.url(db.url), REDIS_URL: rd.url(servers.redisUrl) });
      pg.stall();
      rd.stall();
      w.proc.child.kill("SIGTERM");
      assert.deepEqual(await w.proc.exited, { code: 1, signal: null });
      const last = w.proc.logs().slice(-2);
      assert.deepEqual(
        last.map((l) => [l.msg, l.error]),
        [
          ["shutting down", undefined],
          ["shutdown failed", "clean-up did not finish within 1000 ms (is the network gone?): exiting without it"],
        ],
      );
      // The budget ended it (its message is the last line, nothing after it), not ioredis' own
      // wait for a close that never comes: a test stack's whole stop grace is 2 s.
      // Not deregistered by itself: the orchestrator's sweep removes it once its heartbeat expires.
      await waitFor("the expired worker to be swept", 10_000, async () =>
        (await workerRows()).length === 0 ? true : undefined,
      );
    } finally {
      pg.close();
      rd.close();
    }
    orch.proc.child.kill("SIGTERM");
    assert.deepEqual(await orch.proc.exited, { code: 0, signal: null });
  });

  it("a worker started before the schema exists answers 503, then registers once the orchestrator has migrated", async function () {
    const port = await freePort();
    const w = startService("worker", env({ WORKER_ID: "early", WORKER_PORT: String(port) }));
    const notYet = await waitFor("worker /health to answer", 10_000, async () =>
      request("GET", `http://127.0.0.1:${port}/health`),
    );
    assert.equal(notYet.status, 503);
    assert.deepEqual([notYet.body.status, notYet.body.registered], ["unavailable", false]);
    const orch = await orchestrator();
    await waitHealthy(w, port);
    const workers = await request("GET", `${orch.url}/v1/workers`);
    assert.deepEqual(
      workers.body.workers.map((x: any) => x.id),
      ["early"],
    );
  });

  it("two orchestrators migrating the same fresh database at once: one applies, the other finds it done", async function () {
    // Hold the migration lock so that both are surely waiting on it, then let them race.
    const { Client } = await import("pg");
    const holder = new Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
      const ports = [await freePort(), await freePort()];
      const procs = ports.map((port) => startService("orchestrator", env({ ORCHESTRATOR_PORT: String(port) })));
      await waitFor("both orchestrators to wait on the migration lock", 10_000, async () => {
        const [row] = await db.query<{ n: string }>(
          "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        );
        return row!.n === "2" ? true : undefined;
      });
      await holder.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]);
      await Promise.all(procs.map((p, i) => waitHealthy(p, ports[i]!)));
      const outcomes = procs
        .map((p) => p.logs().find((l) => l.msg === "migrations applied" || l.msg === "schema up to date"))
        .map((l) => [l?.msg, l?.applied]);
      assert.deepEqual(
        outcomes.sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
        [
          ["migrations applied", [1]],
          ["schema up to date", []],
        ],
      );
    } finally {
      await holder.end();
    }
    assert.deepEqual(await db.query("SELECT version, name FROM berth_schema_migrations"), [
      { version: 1, name: "tasks and workers" },
    ]);
    assert.deepEqual(
      (
        await db.query<{ tablename: string }>(
          "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
        )
      ).map((r) => r.tablename),
      ["berth_schema_migrations", "berth_tasks", "berth_workers"],
    );
    // A third start later is a no-op as well.
    const third = await orchestrator();
    assert.deepEqual((await third.proc.waitForLog("schema up to date")).applied, []);
  });

  it("a task id popped before its submit commits is claimed after the commit; one whose submit rolled back is dropped", async function () {
    // The order in store.createTask: INSERT, push to Redis, COMMIT, all under an advisory lock on
    // the id. A worker fast enough to pop the id before the COMMIT must wait for it, not drop it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the services' own build, not part of this project
    const dist = (m: string) => require(join(SERVICES, "dist", m));
    const quiet = { debug() {}, info() {}, warn() {}, error() {} };
    const pool = dist("db.js").createPool(db.url, quiet);
    const store = dist("store.js");
    const gates: Array<() => void> = [];
    try {
      await dist("db.js").migrate(pool);
      const submit = (id: string, outcome: "commit" | "rollback") => {
        let open!: () => void;
        const gate = new Promise<void>((r) => (open = r));
        gates.push(open);
        let pushed!: () => void;
        const inTransaction = new Promise<void>((r) => (pushed = r));
        const done = store.createTask(pool, { id, namespace: "default", name: "echo", input: 1 }, async () => {
          pushed();
          await gate;
          if (outcome === "rollback") throw new Error("the push failed");
        });
        return {
          inTransaction,
          open,
          done: done.then(
            () => "committed",
            (e: Error) => e.message,
          ),
        };
      };
      const pending = Symbol("pending");
      const within = <T>(p: Promise<T>, ms: number) => Promise.race([p, sleep(ms).then(() => pending)]);

      const committed = submit("11111111-1111-4111-8111-111111111111", "commit");
      await committed.inTransaction;
      const claim = store.claimTask(pool, "11111111-1111-4111-8111-111111111111", "w1");
      assert.equal(await within(claim, 300), pending);
      committed.open();
      assert.equal(await committed.done, "committed");
      const claimed = await claim;
      assert.deepEqual([claimed.kind, claimed.task.status, claimed.task.workerId], ["claimed", "running", "w1"]);

      const rolledBack = submit("22222222-2222-4222-8222-222222222222", "rollback");
      await rolledBack.inTransaction;
      const orphan = store.claimTask(pool, "22222222-2222-4222-8222-222222222222", "w1");
      assert.equal(await within(orphan, 300), pending);
      rolledBack.open();
      assert.equal(await rolledBack.done, "the push failed");
      assert.deepEqual(await orphan, { kind: "missing" });
      assert.deepEqual(await db.query("SELECT id::text FROM berth_tasks"), [
        { id: "11111111-1111-4111-8111-111111111111" },
      ]);
    } finally {
      for (const open of gates) open(); // a failed assertion must not leave a transaction waiting
      await pool.end();
    }
  });

  it("the healthcheck script exits 0 only when /health answers 200", async function () {
    const orch = await orchestrator();
    const healthcheck = (port: number) =>
      spawnSync(process.execPath, [entryPath("healthcheck"), String(port)], { encoding: "utf8", timeout: 5000 });
    const ok = healthcheck(orch.port);
    assert.deepEqual([ok.status, ok.stderr], [0, ""]);
    const closed = healthcheck(await freePort());
    assert.equal(closed.status, 1);
    assert.match(closed.stderr, /^healthcheck: connect ECONNREFUSED 127\.0\.0\.1:\d+\n$/);

    const degradedPort = await freePort();
    const degraded = startService(
      "orchestrator",
      env({ ORCHESTRATOR_PORT: String(degradedPort), REDIS_URL: `redis://127.0.0.1:${await freePort()}` }),
    );
    await degraded.waitForLog("orchestrator listening");
    const res = healthcheck(degradedPort);
    assert.deepEqual([res.status, res.stderr], [1, "healthcheck: GET /health answered 503\n"]);
  });

  it("the components' probe script answers as the node script does, by bash, by busybox's wget or by node alone", async function () {
    // The image's /app/dist layout (healthcheck.sh beside healthcheck.js), run with a PATH that
    // holds only the client under test, as in a Debian image (bash), an Alpine one (busybox) or
    // an image with neither.
    const dist = mkdtempSync(join(tmpdir(), "berth-probe-"));
    try {
      copyFileSync(join(SERVICES, "healthcheck.sh"), join(dist, "healthcheck.sh"));
      symlinkSync(entryPath("healthcheck"), join(dist, "healthcheck.js"));
      const clients: Record<string, Record<string, string>> = {
        bash: { bash: "/bin/bash" },
        busybox: { wget: "/bin/busybox", timeout: "/bin/busybox" },
        node: { node: process.execPath },
      };
      const probe = (client: string, port: number | string) => {
        const bin = join(dist, `bin-${client}`);
        if (!existsSync(bin)) {
          mkdirSync(bin);
          for (const [name, target] of Object.entries(clients[client]!)) symlinkSync(target, join(bin, name));
        }
        const r = spawnSync("/bin/sh", [join(dist, "healthcheck.sh"), String(port)], {
          encoding: "utf8",
          env: { PATH: bin },
          timeout: 5000,
        });
        return [r.status, r.stderr];
      };
      const orch = await orchestrator();
      const degradedPort = await freePort();
      const degraded = startService(
        "orchestrator",
        env({ ORCHESTRATOR_PORT: String(degradedPort), REDIS_URL: `redis://127.0.0.1:${await freePort()}` }),
      );
      await degraded.waitForLog("orchestrator listening");
      const closed = await freePort();
      assert.deepEqual(
        Object.keys(clients).map((client) => [
          client,
          probe(client, orch.port),
          probe(client, degradedPort),
          probe(client, closed),
        ]),
        [
          [
            "bash",
            [0, ""],
            [1, "healthcheck: GET /health answered 503\n"],
            [
              1,
              `healthcheck: connect: Connection refused\nhealthcheck: line 2: /dev/tcp/127.0.0.1/${closed}: Connection refused\n`,
            ],
          ],
          [
            "busybox",
            [0, ""],
            [1, "wget: server returned error: HTTP/1.1 503 Service Unavailable\nhealthcheck: GET /health failed\n"],
            [
              1,
              "wget: can't connect to remote host (127.0.0.1): Connection refused\nhealthcheck: GET /health failed\n",
            ],
          ],
          [
            "node",
            [0, ""],
            [1, "healthcheck: GET /health answered 503\n"],
            [1, `healthcheck: connect ECONNREFUSED 127.0.0.1:${closed}\n`],
          ],
        ],
      );
      assert.deepEqual(probe("bash", "8080; true"), [1, 'healthcheck: invalid port "8080; true"\n']);
    } finally {
      rmSync(dist, { recursive: true, force: true });
    }
  });

  describe("bad input", function () {
    let orch: { url: string };

    beforeEach(async function () {
      orch = await orchestrator({ NAMESPACES: "default,other", MAX_BODY_BYTES: "1024" });
    });

    async function assertNothingWritten(): Promise<void> {
      assert.deepEqual(await db.query("SELECT id FROM berth_tasks"), []);
      assert.deepEqual(await redis.keys(), []);
    }

    const cases: Array<[string, string | undefined, number, string]> = [
      ["fails when the body is not JSON", '{"namespace":', 400, "request body is not valid JSON"],
      ["fails when the body is empty", undefined, 400, "request body is not valid JSON"],
      [
        "fails when the body is not an object",
        "[1]",
        400,
        'request body must be a JSON object {"namespace", "name", "input"}',
      ],
      ["fails when a field is missing", '{"namespace":"default"}', 400, '"name" is required'],
      ["fails when a field has the wrong type", '{"namespace":1,"name":"echo"}', 400, '"namespace" must be a string'],
      [
        "fails when a field is unknown",
        '{"namespace":"default","name":"echo","inputs":1}',
        400,
        'unknown field "inputs"',
      ],
      [
        "fails when the namespace is unknown",
        '{"namespace":"nope","name":"echo","input":1}',
        400,
        'unknown namespace "nope" (accepted: default, other)',
      ],
      [
        "fails when the handler is unknown",
        '{"namespace":"default","name":"rm","input":1}',
        400,
        'unknown handler "rm" (known: echo, fail, sleep, sum)',
      ],
      [
        "fails when the handler name is an Object prototype key",
        '{"namespace":"default","name":"constructor"}',
        400,
        'unknown handler "constructor" (known: echo, fail, sleep, sum)',
      ],
      [
        "fails when sum gets something else than numbers",
        '{"namespace":"default","name":"sum","input":[1,"2"]}',
        400,
        'invalid input for "sum": expected an array of finite numbers',
      ],
      [
        "fails when sleep gets a negative time",
        '{"namespace":"default","name":"sleep","input":{"ms":-1}}',
        400,
        'invalid input for "sleep": expected an object {"ms": integer from 0 to 600000}',
      ],
      [
        "fails when the body is larger than MAX_BODY_BYTES",
        JSON.stringify({ namespace: "default", name: "echo", input: "x".repeat(1100) }),
        413,
        "request body exceeds 1024 bytes",
      ],
      // Megabytes: the server drains them, so the client reads the 413 instead of an EPIPE.
      [
        "fails when the body is megabytes large",
        JSON.stringify({ namespace: "default", name: "echo", input: "x".repeat(8_000_000) }),
        413,
        "request body exceeds 1024 bytes",
      ],
    ];
    for (const [title, body, status, error] of cases) {
      it(`${title}: ${status} ${JSON.stringify(error)}`, async function () {
        const res = await request("POST", `${orch.url}/v1/tasks`, body);
        assert.equal(res.headers.get("content-type"), "application/json; charset=utf-8");
        assert.deepEqual([res.status, res.body], [status, { error }]);
        await assertNothingWritten();
      });
    }

    it("fails when a chunked body (no Content-Length) grows past MAX_BODY_BYTES: 413", async function () {
      const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = http.request(
          `${orch.url}/v1/tasks`,
          { method: "POST", headers: { "content-type": "application/json" } },
          (res) => {
            let text = "";
            res.on("data", (c: Buffer) => (text += c.toString()));
            res.on("end", () => resolve({ status: res.statusCode!, text }));
          },
        );
        req.on("error", reject);
        for (let i = 0; i < 1000; i++) req.write("x".repeat(1000));
        req.end();
      });
      assert.deepEqual([status, JSON.parse(text)], [413, { error: "request body exceeds 1024 bytes" }]);
      await assertNothingWritten();
    });

    it("fails when the task does not exist: 404", async function () {
      const id = "7d6f1f7e-2c1a-4f3b-9a51-0c0f4f1f2b3c";
      assert.deepEqual(await request("GET", `${orch.url}/v1/tasks/${id}`).then((r) => [r.status, r.body]), [
        404,
        { error: `task "${id}" not found` },
      ]);
      assert.deepEqual(await request("GET", `${orch.url}/v1/tasks/not-a-uuid`).then((r) => [r.status, r.body]), [
        404,
        { error: 'task "not-a-uuid" not found' },
      ]);
    });

    it("fails when the route or method is unknown: 404 and 405 with Allow", async function () {
      assert.deepEqual(await request("GET", `${orch.url}/v2/tasks`).then((r) => [r.status, r.body]), [
        404,
        { error: "no route for GET /v2/tasks" },
      ]);
      const wrong = await request("DELETE", `${orch.url}/v1/tasks`);
      assert.deepEqual(
        [wrong.status, wrong.body, wrong.headers.get("allow")],
        [405, { error: "method DELETE is not allowed on /v1/tasks (allowed: POST)" }, "POST"],
      );
      await assertNothingWritten();
    });
  });

  it("fails when Redis is unreachable: /health is 503 degraded and a submit is 503 with no row left", async function () {
    const port = await freePort();
    const proc = startService(
      "orchestrator",
      env({ ORCHESTRATOR_PORT: String(port), REDIS_URL: `redis://127.0.0.1:${await freePort()}` }),
    );
    await proc.waitForLog("orchestrator listening");
    const url = `http://127.0.0.1:${port}`;
    const health = await request("GET", `${url}/health`);
    assert.equal(health.status, 503);
    assert.equal(health.body.status, "degraded");
    assert.equal(health.body.checks.postgres.ok, true);
    assert.equal(health.body.checks.redis.ok, false);
    assert.match(health.body.checks.redis.error, /^connection is (connecting|reconnecting)$/);

    const res = await request(
      "POST",
      `${url}/v1/tasks`,
      JSON.stringify({ namespace: "default", name: "echo", input: 1 }),
    );
    assert.deepEqual(
      [res.status, res.body],
      [503, { error: "the task could not be stored and queued; nothing was kept, try again" }],
    );
    assert.deepEqual(await db.query("SELECT id FROM berth_tasks"), []);
  });

  describe("environment validation", function () {
    const run = (entry: "orchestrator" | "worker", vars: Record<string, string>) =>
      spawnSync(process.execPath, [entryPath(entry)], {
        env: { PATH: process.env.PATH ?? "", ...vars },
        encoding: "utf8",
        timeout: 10_000,
      });

    it("fails when orchestrator variables are missing or invalid: every problem named, exit 1, no stack trace", function () {
      const r = run("orchestrator", {
        REDIS_URL: "http://cache:6379",
        LOG_LEVEL: "verbose",
        NAMESPACES: "ok, not:ok",
        ORCHESTRATOR_PORT: "80a",
        HEARTBEAT_INTERVAL_MS: "2000",
        HEARTBEAT_TTL_MS: "1000",
      });
      assert.equal(r.status, 1);
      assert.equal(r.stdout, "");
      assert.equal(
        r.stderr,
        [
          "orchestrator: invalid configuration (6 problems):",
          "  - DATABASE_URL is required: a PostgreSQL URL such as postgres://user:password@host:5432/database",
          "  - REDIS_URL must be a Redis URL (redis:// or rediss://)",
          '  - LOG_LEVEL must be one of debug, info, warn, error (got "verbose")',
          '  - NAMESPACES must be a comma-separated list of names made of letters, digits, ".", "_" and "-" (starting with a letter or digit, at most 64 characters) (got "ok, not:ok")',
          '  - ORCHESTRATOR_PORT must be an integer from 1 to 65535 (got "80a")',
          '  - HEARTBEAT_TTL_MS must be greater than HEARTBEAT_INTERVAL_MS (2000) (got "1000")',
          "",
        ].join("\n"),
      );
    });

    it("fails when the worker has no WORKER_ID or a bad port: exit 1", function () {
      const r = run("worker", {
        DATABASE_URL: "postgres://u:secret@db/x",
        REDIS_URL: "redis://cache",
        WORKER_PORT: "70000",
        MAX_BODY_BYTES: "ignored",
      });
      assert.equal(r.status, 1);
      assert.equal(
        r.stderr,
        [
          "worker: invalid configuration (2 problems):",
          '  - WORKER_ID is required: a unique name for this worker, made of letters, digits, ".", "_" and "-" (starting with a letter or digit, at most 64 characters)',
          '  - WORKER_PORT must be an integer from 1 to 65535 (got "70000")',
          "",
        ].join("\n"),
      );
      assert.doesNotMatch(r.stderr, /secret/);
    });

    it("fails when DATABASE_URL is not a postgres URL, without echoing its value", function () {
      const r = run("orchestrator", { DATABASE_URL: "mysql://u:hunter2@db/x", REDIS_URL: "redis://cache" });
      assert.equal(r.status, 1);
      assert.equal(
        r.stderr,
        "orchestrator: invalid configuration (1 problem):\n  - DATABASE_URL must be a PostgreSQL URL (postgres:// or postgresql://)\n",
      );
    });
  });
});

/**
 * A TCP proxy to `target`'s host and port; stall() stops forwarding data and FINs in both
 * directions and keeps every socket open, so the client waits as on a network that is gone.
 */
async function stallingProxy(target: URL): Promise<{ url(of: string): string; stall(): void; close(): void }> {
  const sockets: net.Socket[] = [];
  let stalled = false;
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    const upstream = net.connect({ port: Number(target.port), host: target.hostname, allowHalfOpen: true });
    sockets.push(client, upstream);
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      from.on("data", (chunk) => void (stalled || to.write(chunk)));
      from.on("end", () => void (stalled || to.end()));
      from.on("error", () => undefined);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url(of: string) {
      const u = new URL(of);
      u.hostname = "127.0.0.1";
      u.port = String(port);
      return u.toString();
    },
    stall: () => void (stalled = true),
    close() {
      server.close();
      for (const s of sockets) s.destroy();
    },
  };
}
