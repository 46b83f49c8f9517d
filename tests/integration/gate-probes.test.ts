// The gate's HTTP, TCP, Postgres and Redis probes against real local servers.
import assert from "node:assert/strict";
import { createServer as createHttpServer, Server } from "node:http";
import { AddressInfo, createServer as createTcpServer, Socket } from "node:net";
import { Client } from "pg";
import Redis from "ioredis";
import { GATE_CLI, gateJson, requireBuilt, runCli } from "../../lab/gate-runner";
import { envUrl, requireService, SERVICES_HINT } from "../support/required-service";
import { freePort } from "../support/poll";

const gate = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(GATE_CLI, ["--name", "probes", ...args], env);

/** A local HTTP server whose n-th answer (from 1) is `answer(n)`. */
async function httpServer(
  answer: (n: number) => { status: number; body?: unknown },
): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let count = 0;
  const server: Server = createHttpServer((_req, res) => {
    count += 1;
    const { status, body } = answer(count);
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/ready`,
    requests: () => count,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const elapsedSecondsLine = /\d+\.\ds/g;

describe("gate CLI: HTTP and TCP probes", function () {
  this.timeout(20_000);
  before(() => requireBuilt(GATE_CLI));

  it("passes once the status matches, after answers with another status", async () => {
    const server = await httpServer((n) => ({ status: n <= 2 ? 503 : 200 }));
    try {
      const run = await gate(["--timeout-seconds", "10", "--interval-ms", "50", "--http", server.url]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(server.requests(), 3);
      const probe = gateJson(run).probes[0];
      assert.deepEqual(
        { ...probe, timeToHealthyMs: null },
        { kind: "http", target: server.url, status: "healthy", timeToHealthyMs: null, detail: "HTTP 200" },
      );
      assert.deepEqual(
        run.stderrLines.map((l) => l.replace(elapsedSecondsLine, "<t>")),
        [
          `gate probes: ${server.url} starting <t> (HTTP 503 (expected 200))`,
          `gate probes: ${server.url} healthy <t> (HTTP 200)`,
        ],
      );
    } finally {
      await server.close();
    }
  });

  it("passes when the server at first closes each connection as soon as it accepts it (Docker's port proxy before the container listens)", async () => {
    let connections = 0;
    const sockets: Socket[] = [];
    const server = createTcpServer((socket) => {
      connections += 1;
      sockets.push(socket);
      if (connections <= 3) return void socket.end();
      socket.once("data", () => socket.end("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
    try {
      // A budget shorter than one attempt's own timeout (5 s): an attempt left hanging by the
      // closed connection would make this gate time out instead of pass.
      const run = await gate(["--timeout-seconds", "3", "--interval-ms", "20", "--http", url]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(connections, 4);
      assert.deepEqual(
        run.stderrLines.map((l) => l.replace(elapsedSecondsLine, "<t>")),
        [`gate probes: ${url} starting <t> (socket hang up)`, `gate probes: ${url} healthy <t> (HTTP 200)`],
      );
    } finally {
      sockets.forEach((socket) => socket.destroy());
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("passes on the status given with --http-status", async () => {
    const server = await httpServer(() => ({ status: 204 }));
    try {
      const run = await gate(["--timeout-seconds", "5", "--http-status", "204", "--http", server.url]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(gateJson(run).probes[0].detail, "HTTP 204");
    } finally {
      await server.close();
    }
  });

  it("passes when --http-min-items counts enough workers, waiting while they register", async () => {
    // One more worker registered with every request: the third answer has three.
    const server = await httpServer((n) => ({
      status: 200,
      body: { workers: Array.from({ length: n }, (_, i) => `worker-${i}`) },
    }));
    try {
      const run = await gate([
        "--timeout-seconds",
        "10",
        "--interval-ms",
        "50",
        "--http",
        server.url,
        "--http-min-items",
        "workers=3",
      ]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(server.requests(), 3);
      assert.equal(gateJson(run).probes[0].detail, "HTTP 200, workers: 3 items (need >= 3)");
    } finally {
      await server.close();
    }
  });

  it("fails when too few workers register within the timeout", async () => {
    const server = await httpServer(() => ({ status: 200, body: { workers: ["worker-0"] } }));
    try {
      const run = await gate(["--timeout-seconds", "1", "--http", server.url, "--http-min-items", "workers=3"]);
      assert.equal(run.code, 1);
      const result = gateJson(run);
      assert.deepEqual(result.probes[0], {
        kind: "http",
        target: server.url,
        status: "timeout",
        timeToHealthyMs: null,
        detail: "not healthy within 1s; last: HTTP 200, workers: 1 item (need >= 3)",
      });
      assert.match(
        run.stderrLines[run.stderrLines.length - 1],
        new RegExp(
          `^berth gate "probes" failed after 1\\.\\ds: ${server.url} was not healthy within 1s; last: HTTP 200, workers: 1 item \\(need >= 3\\)$`,
        ),
      );
    } finally {
      await server.close();
    }
  });

  it("sends URL credentials as Basic auth and never prints the password", async () => {
    let authorization = "";
    const server = createHttpServer((req, res) => {
      authorization = req.headers.authorization ?? "";
      res.writeHead(authorization === `Basic ${Buffer.from("ops:http-s3cret").toString("base64")}` ? 200 : 401).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const run = await gate(["--timeout-seconds", "5", "--http", `http://ops:http-s3cret@127.0.0.1:${port}/health`]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(gateJson(run).probes[0].target, `http://ops:***@127.0.0.1:${port}/health`);
      assert.ok(!`${run.stdout}${run.stderr}`.includes("http-s3cret"), "the password must not be printed");
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("passes when a TCP port accepts connections", async () => {
    const server = createTcpServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const run = await gate(["--timeout-seconds", "5", "--tcp", `127.0.0.1:${port}`]);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(
        { ...gateJson(run).probes[0], timeToHealthyMs: null },
        { kind: "tcp", target: `127.0.0.1:${port}`, status: "healthy", timeToHealthyMs: null, detail: "connected" },
      );
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("fails when a TCP port stays closed until the timeout", async () => {
    const port = await freePort();
    const run = await gate(["--timeout-seconds", "1", "--tcp", `127.0.0.1:${port}`]);
    assert.equal(run.code, 1);
    const result = gateJson(run);
    assert.equal(result.probes[0].status, "timeout");
    assert.equal(result.probes[0].detail, `not healthy within 1s; last: connect ECONNREFUSED 127.0.0.1:${port}`);
  });
});

describe("gate CLI: Postgres probe (real server)", function () {
  this.timeout(20_000);
  let url = "";

  before(async function () {
    requireBuilt(GATE_CLI);
    await requireService(
      this,
      "PostgreSQL",
      async () => {
        url = envUrl("BERTH_TEST_DATABASE_URL");
        const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
        await client.connect();
        await client.end();
      },
      SERVICES_HINT,
    );
  });

  it("passes with SELECT 1, the URL read from an env: variable and shown redacted", async () => {
    const run = await gate(["--timeout-seconds", "5", "--postgres", "env:BERTH_GATE_DB"], { BERTH_GATE_DB: url });
    assert.equal(run.code, 0, run.stderr);
    const password = new URL(url).password;
    const redacted = new URL(url);
    redacted.password = "***";
    assert.deepEqual(
      { ...gateJson(run).probes[0], timeToHealthyMs: null },
      {
        kind: "postgres",
        target: redacted.toString(),
        status: "healthy",
        timeToHealthyMs: null,
        detail: "SELECT 1 answered",
      },
    );
    assert.ok(!run.stdout.includes(password) && !run.stderr.includes(password), "the password must not be printed");
  });

  it("fails at once when the password is wrong, without printing it", async () => {
    const wrong = new URL(url);
    wrong.password = `wrong-secret-${process.pid}`;
    // a wrong password cannot heal: "error" (not "timeout") within a budget longer than the test's own
    const run = await gate(["--timeout-seconds", "3600", "--postgres", "env:BERTH_GATE_DB"], {
      BERTH_GATE_DB: wrong.toString(),
    });
    assert.equal(run.code, 1);
    const result = gateJson(run);
    const user = decodeURIComponent(wrong.username);
    assert.equal(result.probes[0].status, "error");
    assert.equal(result.probes[0].detail, `authentication failed: password authentication failed for user "${user}"`);
    assert.ok(!`${run.stdout}${run.stderr}`.includes("wrong-secret"), "the password must not be printed");
    assert.match(
      run.stderrLines[run.stderrLines.length - 1],
      /: postgres:\/\/[^:]+:\*\*\*@.* authentication failed: password authentication failed for user/,
    );
  });
});

describe("gate CLI: Redis probe (real server)", function () {
  this.timeout(20_000);
  let url = "";

  before(async function () {
    requireBuilt(GATE_CLI);
    await requireService(
      this,
      "Redis",
      async () => {
        url = envUrl("BERTH_TEST_REDIS_URL");
        const client = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
        client.on("error", () => undefined);
        try {
          await client.connect();
          await client.ping();
        } finally {
          client.disconnect();
        }
      },
      SERVICES_HINT,
    );
  });

  it("passes when PING answers PONG", async () => {
    const run = await gate(["--timeout-seconds", "5", "--redis", url]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(
      { ...gateJson(run).probes[0], timeToHealthyMs: null },
      { kind: "redis", target: url, status: "healthy", timeToHealthyMs: null, detail: "PING answered PONG" },
    );
  });

  it("fails when the Redis port is closed until the timeout, with no reconnect noise", async () => {
    const port = await freePort();
    const run = await gate(["--timeout-seconds", "1", "--interval-ms", "100", "--redis", `redis://127.0.0.1:${port}`]);
    assert.equal(run.code, 1);
    const result = gateJson(run);
    assert.deepEqual(result.probes[0], {
      kind: "redis",
      target: `redis://127.0.0.1:${port}`,
      status: "timeout",
      timeToHealthyMs: null,
      detail: `not healthy within 1s; last: connect ECONNREFUSED 127.0.0.1:${port}`,
    });
    // one progress line (the state never changes) and the report: ioredis printed nothing of its own
    assert.deepEqual(
      run.stderrLines.map((l) => l.replace(elapsedSecondsLine, "<t>")),
      [
        `gate probes: redis://127.0.0.1:${port} starting <t> (connect ECONNREFUSED 127.0.0.1:${port})`,
        `berth gate "probes" failed after <t>: redis://127.0.0.1:${port} was not healthy within 1s; last: connect ECONNREFUSED 127.0.0.1:${port}`,
      ],
    );
  });
});
