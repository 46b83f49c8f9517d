// Pids limits (CIS 5.29) against a real engine, set by the gate (--pids-limit) before it watches
// its containers: the limit lands in HostConfig.PidsLimit. An engine that refuses or ignores
// the update is a stand-in HTTP server (a real engine does neither on demand).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createServer, IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { GATE_CLI, gateJson, requireBuilt, runCli } from "../../lab/gate-runner";
import { TestContainers } from "../../lab/gate-containers";
import { requireEngine } from "../support/required-service";

const containers = new TestContainers("pids");
const pidsLimitOf = (name: string) =>
  execFileSync("docker", ["inspect", "--format", "{{.HostConfig.PidsLimit}}", name], { encoding: "utf8" }).trim();

/** An Engine API stand-in on 127.0.0.1: `answer` handles every request but the event stream. */
async function standInEngine(
  answer: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ host: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    if (req.url?.startsWith("/events"))
      return void res.writeHead(200, { "content-type": "application/json" }).flushHeaders();
    answer(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    host: `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections(); // the event stream never ends on its own
        server.close(() => resolve());
      }),
  };
}

const running = (pidsLimit: number) => ({
  Id: "c0ffee",
  State: { Status: "running", Running: true, OOMKilled: false, ExitCode: 0, Health: { Status: "healthy" } },
  Config: { Healthcheck: { Test: ["CMD-SHELL", "true"] }, Tty: false },
  HostConfig: { PidsLimit: pidsLimit, Memory: 0 },
});

describe("gate CLI: --pids-limit (real engine)", function () {
  this.timeout(20_000);

  before(async function () {
    requireBuilt(GATE_CLI);
    await requireEngine(this);
  });
  afterEach(() => containers.removeAll());

  it("sets each container's limit before watching it, as docker inspect shows", async () => {
    const a = await containers.start({ script: "sleep 60", healthcheck: { test: "true", intervalMs: 100 } });
    const b = await containers.start({ script: "sleep 60", healthcheck: { test: "true", intervalMs: 100 } });
    const run = await runCli(GATE_CLI, [
      "--name",
      "tier",
      "--timeout-seconds",
      "15",
      "--container",
      a,
      "--container",
      b,
      "--pids-limit",
      `${a}=64`,
      "--pids-limit",
      `${b}=100`,
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(
      gateJson(run).probes.map((p) => [p.target, p.status]),
      [
        [a, "healthy"],
        [b, "healthy"],
      ],
    );
    assert.deepEqual([pidsLimitOf(a), pidsLimitOf(b)], ["64", "100"]);
  });

  it("fails, naming the container, when it does not exist", async () => {
    const name = containers.nextName();
    const run = await runCli(GATE_CLI, [
      "--name",
      "tier",
      "--timeout-seconds",
      "10",
      "--container",
      name,
      "--pids-limit",
      `${name}=64`,
    ]);
    assert.equal(run.code, 1);
    assert.deepEqual(gateJson(run).probes[0], {
      kind: "container",
      target: name,
      status: "error",
      timeToHealthyMs: null,
      detail: "does not exist",
    });
  });

  it("fails at once when the engine refuses the update", async () => {
    const engine = await standInEngine((_req, res) =>
      res.writeHead(500, { "content-type": "application/json" }).end('{"message":"cannot set pids: refused"}'),
    );
    try {
      const run = await runCli(
        GATE_CLI,
        [
          "--name",
          "tier",
          "--timeout-seconds",
          "3600",
          "--log-lines",
          "0",
          "--container",
          "web",
          "--pids-limit",
          "web=64",
        ],
        { DOCKER_HOST: engine.host },
      );
      assert.equal(run.code, 1);
      const detail = "pids limit 64 not applied: (HTTP code 500) server error - cannot set pids: refused";
      assert.deepEqual(gateJson(run).probes[0], {
        kind: "container",
        target: "web",
        status: "error",
        timeToHealthyMs: null,
        detail,
      });
      assert.match(
        run.stderrLines[run.stderrLines.length - 1],
        /^berth gate "tier" failed after \d+\.\ds: container web: pids limit 64 not applied: /,
      );
    } finally {
      await engine.close();
    }
  });

  it("fails when the engine accepts the update but reports another limit", async () => {
    const engine = await standInEngine((req, res) => {
      const body = req.method === "POST" ? {} : running(0);
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
    });
    try {
      const run = await runCli(
        GATE_CLI,
        [
          "--name",
          "tier",
          "--timeout-seconds",
          "3600",
          "--log-lines",
          "0",
          "--container",
          "web",
          "--pids-limit",
          "web=64",
        ],
        { DOCKER_HOST: engine.host },
      );
      assert.equal(run.code, 1);
      const detail = "pids limit 64 not applied: the engine accepted the update but reports PidsLimit 0";
      assert.deepEqual(gateJson(run).probes[0], {
        kind: "container",
        target: "web",
        status: "error",
        timeToHealthyMs: null,
        detail,
      });
    } finally {
      await engine.close();
    }
  });
});
