// --ready: a container counts healthy as soon as its service answers (real engine; real Postgres
// and Redis from .ci/services.sh stand in for the service), while the engine's die/unhealthy
// events still fail the gate at once.
import assert from "node:assert/strict";
import { createServer as createHttpServer } from "node:http";
import { randomBytes } from "node:crypto";
import { AddressInfo } from "node:net";
import { Client } from "pg";
import { GATE_CLI, gateJson, requireBuilt, runCli } from "../../lab/gate-runner";
import { TestContainers } from "../../lab/gate-containers";
import { envUrl, requireEngine, requireService, SERVICES_HINT } from "../support/required-service";
import { freePort } from "../support/poll";

const containers = new TestContainers("ready");
const gate = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(GATE_CLI, ["--name", "ready", ...args], env);
const seconds = /\d+\.\ds/g;
/** Docker's own probe cannot pass for a minute: only --ready can make these healthy in time. */
const SLOW_HEALTHCHECK = { test: "test -f /tmp/never", intervalMs: 60_000, startPeriodMs: 60_000 };

/**
 * Progress lines, times masked: the healthy line last, and before it at most the engine's
 * "starting" (whether the inspect or the service's answer comes first is a race).
 */
function assertProgress(lines: string[], name: string, healthyDetail: string): void {
  const all = lines.map((l) => l.replace(seconds, "<t>"));
  assert.equal(all[all.length - 1], `gate ready: ${name} healthy <t> (${healthyDetail})`);
  assert.deepEqual(
    all.slice(0, -1).filter((l) => l !== `gate ready: ${name} starting <t>`),
    [],
  );
}

const redacted = (url: string) => {
  const u = new URL(url);
  if (u.password) u.password = "***";
  return u.toString();
};

describe("gate CLI: --ready probes (real engine, Postgres, Redis)", function () {
  this.timeout(30_000);
  let pgUrl = "";
  let redisUrl = "";

  // A role of its own with a long random password: the gate scrubs the password from all it
  // prints, so a short one (the test server's "berth") would also mask container names.
  const role = `berth_ready_${process.pid}`;
  const admin = () =>
    new Client({ connectionString: envUrl("BERTH_TEST_DATABASE_URL"), connectionTimeoutMillis: 3000 });

  before(async function () {
    requireBuilt(GATE_CLI);
    await requireEngine(this);
    await requireService(
      this,
      "PostgreSQL and Redis",
      async () => {
        redisUrl = envUrl("BERTH_TEST_REDIS_URL");
        const password = randomBytes(12).toString("hex");
        const client = admin();
        await client.connect();
        try {
          await client.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
        } finally {
          await client.end();
        }
        const url = new URL(envUrl("BERTH_TEST_DATABASE_URL"));
        url.username = role;
        url.password = password;
        pgUrl = url.toString();
      },
      SERVICES_HINT,
    );
  });
  afterEach(() => containers.removeAll());
  after(async () => {
    if (!pgUrl) return;
    const client = admin();
    await client.connect();
    await client.query(`DROP ROLE IF EXISTS ${role}`).finally(() => client.end());
  });

  it("passes when Postgres answers, while Docker's healthcheck is still starting; the password never printed", async () => {
    const name = await containers.start({ script: "sleep 60", healthcheck: SLOW_HEALTHCHECK });
    const run = await gate(["--timeout-seconds", "20", "--container", name, "--ready", `${name}=env:BERTH_READY_DB`], {
      BERTH_READY_DB: pgUrl,
    });
    assert.equal(run.code, 0, run.stderr);
    const detail = `${redacted(pgUrl)}: SELECT 1 answered`;
    assert.deepEqual(
      { ...gateJson(run).probes[0], timeToHealthyMs: null },
      { kind: "container", target: name, status: "healthy", timeToHealthyMs: null, detail },
    );
    assertProgress(run.stderrLines, name, detail);
    assert.equal((await containers.docker.getContainer(name).inspect()).State.Health?.Status, "starting");
    const password = new URL(pgUrl).password;
    assert.ok(!`${run.stdout}${run.stderr}`.includes(password), "the password must not be printed");
  });

  it("passes when Redis answers PING, for a container with no healthcheck at all", async () => {
    const name = await containers.start({ script: "sleep 60" });
    const run = await gate(["--timeout-seconds", "20", "--container", name, "--ready", `${name}=${redisUrl}`]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(
      gateJson(run).probes.map((p) => [p.status, p.detail]),
      [["healthy", `${redisUrl}: PING answered PONG`]],
    );
    assertProgress(run.stderrLines, name, `${redisUrl}: PING answered PONG`);
  });

  it("polls one URL once per interval for every container that names it, and passes them together", async () => {
    let requests = 0;
    const server = createHttpServer((_req, res) => {
      requests += 1;
      res
        .writeHead(requests <= 2 ? 503 : 200, { "content-type": "application/json" })
        .end(JSON.stringify({ workers: ["worker-0", "worker-1"] }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/workers`;
    try {
      const a = await containers.start({ script: "sleep 60", healthcheck: SLOW_HEALTHCHECK });
      const b = await containers.start({ script: "sleep 60", healthcheck: SLOW_HEALTHCHECK });
      const run = await gate([
        "--timeout-seconds",
        "20",
        "--ready-interval-ms",
        "20",
        "--container",
        a,
        "--container",
        b,
        "--ready",
        `${a}=${url}`,
        "--ready",
        `${b}=${url}`,
        "--http-min-items",
        "workers=2",
      ]);
      assert.equal(run.code, 0, run.stderr);
      const detail = `${url}: HTTP 200, workers: 2 items (need >= 2)`;
      assert.deepEqual(
        gateJson(run).probes.map((p) => [p.target, p.status, p.detail]),
        [
          [a, "healthy", detail],
          [b, "healthy", detail],
        ],
      );
      assert.equal(requests, 3, "one shared poll: 503, 503, 200");
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("fails at once when the container exits while its --ready probe has no answer yet", async () => {
    const port = await freePort();
    const name = await containers.start({ script: "echo bye; sleep 1; exit 3", healthcheck: SLOW_HEALTHCHECK });
    // A budget beyond the test's timeout: only the exit can end this gate in time.
    const run = await gate([
      "--timeout-seconds",
      "3600",
      "--container",
      name,
      "--ready",
      `${name}=redis://127.0.0.1:${port}`,
    ]);
    assert.equal(run.code, 1);
    assert.deepEqual(gateJson(run).probes[0], {
      kind: "container",
      target: name,
      status: "exited",
      timeToHealthyMs: null,
      detail: "exited with code 3",
    });
  });

  it("fails at once when the container turns unhealthy while its --ready probe has no answer yet", async () => {
    const port = await freePort();
    const name = await containers.start({
      script: "sleep 60",
      healthcheck: { test: "exit 1", intervalMs: 100, retries: 2 },
    });
    const run = await gate([
      "--timeout-seconds",
      "3600",
      "--container",
      name,
      "--ready",
      `${name}=http://127.0.0.1:${port}/health`,
    ]);
    assert.equal(run.code, 1);
    assert.deepEqual(
      gateJson(run).probes.map((p) => [p.status, p.detail]),
      [["unhealthy", "health: unhealthy; last healthcheck: [exit 1] (no output)"]],
    );
  });

  it("fails at once when Postgres rejects the password, naming the container and never printing it", async () => {
    const wrong = new URL(pgUrl);
    wrong.password = `wrong-secret-${process.pid}`;
    const name = await containers.start({ script: "sleep 60", healthcheck: SLOW_HEALTHCHECK });
    const run = await gate(
      ["--timeout-seconds", "3600", "--container", name, "--ready", `${name}=env:BERTH_READY_DB`],
      { BERTH_READY_DB: wrong.toString() },
    );
    assert.equal(run.code, 1);
    const user = decodeURIComponent(wrong.username);
    const detail = `${redacted(wrong.toString())}: authentication failed: password authentication failed for user "${user}"`;
    assert.deepEqual(gateJson(run).probes[0], {
      kind: "container",
      target: name,
      status: "error",
      timeToHealthyMs: null,
      detail,
    });
    assert.equal(
      run.stderrLines.find((l) => l.startsWith("berth gate"))?.replace(seconds, "<t>"),
      `berth gate "ready" failed after <t>: container ${name}: ${detail}`,
    );
    assert.ok(!`${run.stdout}${run.stderr}`.includes("wrong-secret"), "the password must not be printed");
  });

  it("fails on timeout with the --ready probe's last answer when the service never answers", async () => {
    const port = await freePort();
    const name = await containers.start({ script: "sleep 60" });
    const run = await gate([
      "--timeout-seconds",
      "1",
      "--log-lines",
      "0",
      "--container",
      name,
      "--ready",
      `${name}=redis://127.0.0.1:${port}`,
    ]);
    assert.equal(run.code, 1);
    assert.deepEqual(gateJson(run).probes[0], {
      kind: "container",
      target: name,
      status: "timeout",
      timeToHealthyMs: null,
      detail: `not healthy within 1s; last: health: none (no healthcheck); redis://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`,
    });
  });
});
