// Redis per test worker on a real Redis (BERTH_TEST_REDIS_URL). Database mode uses indexes 12–14,
// which nothing else in berth's suites touches; prefix mode uses a run id unique to this process.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import Redis from "ioredis";
import { openRedisSlot, RedisSlot } from "../../testing/client/redis-slot";
import { freePort } from "../support/poll";
import { requireService, SERVICES_HINT } from "../support/required-service";
import { requireServers } from "../support/workload-servers";

const RUN = `it${process.pid.toString(36)}`;

describe("client: Redis per test worker on a real server", function () {
  this.timeout(20_000);
  let url: string;
  const open: RedisSlot[] = [];
  const slot = async (...args: Parameters<typeof openRedisSlot>) => {
    const s = await openRedisSlot(...args);
    open.push(s);
    return s;
  };

  before(async function () {
    url = (await requireServers(this)).redisUrl;
  });

  afterEach(async () => {
    for (const s of open.splice(0)) {
      await s.flush();
      await s.close();
    }
  });

  it("gives each worker its own database index and flushes only that one", async () => {
    const [w0, w1] = [await slot(url, { worker: 0, firstIndex: 12 }), await slot(url, { worker: 1, firstIndex: 12 })];
    assert.deepEqual([w0.db, w0.url, w1.db, w1.url], [12, `${url}/12`, 13, `${url}/13`]);
    await w0.client.mset("a", "1", "b", "2", "c", "3");
    await w1.client.set("a", "other worker");
    assert.deepEqual(
      [await w0.client.dbsize(), await w1.client.dbsize(), await w1.client.get("a")],
      [3, 1, "other worker"],
    );
    await w0.flush();
    assert.deepEqual([await w0.client.dbsize(), await w1.client.dbsize()], [0, 1]);
  });

  it("starts a worker's slot empty whatever an earlier run left in it", async () => {
    const leftover = new Redis(`${url}/14`);
    await leftover.set("left-by-an-earlier-run", "x");
    await leftover.quit();
    const w = await slot(url, { worker: 2, firstIndex: 12 });
    assert.deepEqual([w.db, await w.client.dbsize()], [14, 0]);
  });

  it("takes the worker index from MOCHA_WORKER_ID", async () => {
    const w = await slot(url, { firstIndex: 11, env: { MOCHA_WORKER_ID: "3" } });
    assert.equal(w.db, 14);
  });

  it("fails when the worker's index is beyond the server's databases, saying what to change", async () => {
    const probe = new Redis(url);
    const databases = await probe.config("GET", "databases").finally(() => probe.quit());
    assert.deepEqual(databases, ["databases", "16"]);
    await assert.rejects(openRedisSlot(url, { worker: 15 }), {
      message:
        `Redis at ${url} has 16 databases (indexes 0–15, \`databases\` in its config); test worker 15 needs index 16 (firstIndex 1 + worker 15). ` +
        'Run at most 15 workers (mocha --jobs), raise `databases` in the Redis config, or use { mode: "prefix" } (one keyspace, a key prefix per worker).',
    });
  });

  it("fails when a server without CONFIG (as managed ones) refuses the index, instead of falling back to database 0", async function () {
    await requireService(
      this,
      "the redis-server binary",
      async () => void execFileSync("redis-server", ["--version"]),
      SERVICES_HINT,
    );
    // A Redis of this test's own: 4 databases, CONFIG renamed away.
    const port = await freePort();
    const server = spawn(
      "redis-server",
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--databases",
        "4",
        "--rename-command",
        "CONFIG",
        "",
      ],
      { stdio: "ignore" },
    );
    const own = `redis://127.0.0.1:${port}`;
    try {
      const probe = new Redis(own, { retryStrategy: (n) => (n > 50 ? null : 100) });
      probe.on("error", () => undefined); // refused until the server listens: retried
      await probe.ping();
      await probe.select(0);
      await probe.set("the-application's", "kept");
      const w2 = await slot(own, { worker: 2 });
      await w2.client.set("k", "v");
      await probe.select(3);
      assert.deepEqual([w2.db, await probe.get("k")], [3, "v"]);
      await assert.rejects(openRedisSlot(own, { worker: 3 }), {
        message: `Redis at ${own} refused database 4 for test worker 3: ERR DB index is out of range. Use fewer workers, a lower firstIndex, or { mode: "prefix" }`,
      });
      await probe.select(0);
      assert.equal(await probe.get("the-application's"), "kept");
      await probe.quit();
    } finally {
      for (const s of open.splice(0)) await s.close().catch(() => undefined);
      server.kill();
    }
  });

  it("in prefix mode, prefixes each worker's keys and flushes only its own", async () => {
    const opts = { mode: "prefix" as const, keyPrefix: `berth-test:${RUN}:` };
    const [w0, w1] = [await slot(url, { ...opts, worker: 0 }), await slot(url, { ...opts, worker: 1 })];
    assert.deepEqual([w0.keyPrefix, w1.keyPrefix, w0.db], [`berth-test:${RUN}:w0:`, `berth-test:${RUN}:w1:`, 0]);
    for (let i = 0; i < 2500; i += 500)
      await w0.client.mset(...Array.from({ length: 500 }, (_, j) => [`k${i + j}`, "v"]).flat());
    await w1.client.set("k0", "w1's");
    const plain = new Redis(url);
    try {
      const keysOf = async (prefix: string) => (await plain.keys(`${prefix}*`)).length;
      assert.deepEqual(
        [await keysOf(w0.keyPrefix!), await keysOf(w1.keyPrefix!), await plain.get(`${w1.keyPrefix}k0`)],
        [2500, 1, "w1's"],
      );
      await w0.flush();
      assert.deepEqual([await keysOf(w0.keyPrefix!), await keysOf(w1.keyPrefix!)], [0, 1]);
    } finally {
      await plain.quit();
    }
  });
});
