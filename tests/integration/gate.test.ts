// The gate CLI against a real Docker engine: container health through inspect + events.
import assert from "node:assert/strict";
import { GATE_CLI, gateJson, requireBuilt, runCli } from "../../lab/gate-runner";
import { TestContainers } from "../../lab/gate-containers";
import { requireEngine } from "../support/required-service";

const containers = new TestContainers("gate");
const gate = (...args: string[]) => runCli(GATE_CLI, ["--name", "tier", ...args]);

/** Lines of a report section: everything indented under `heading` until the next heading. */
function section(lines: string[], heading: string): string[] {
  const start = lines.indexOf(heading);
  assert.notEqual(start, -1, `no "${heading}" in:\n${lines.join("\n")}`);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => !l.startsWith("    "));
  return end === -1 ? rest : rest.slice(0, end);
}

const STACK_FRAME = /^\s+at /m;

describe("gate CLI: container probes (real engine)", function () {
  this.timeout(30_000);

  before(async function () {
    requireBuilt(GATE_CLI);
    await requireEngine(this);
  });
  afterEach(() => containers.removeAll());
  after(() => containers.removeAll());

  it("passes when the container turns healthy after a delay", async () => {
    const name = await containers.start({
      script: "echo booting; sleep 1.5; touch /tmp/ready; sleep 60",
      healthcheck: { test: "test -f /tmp/ready", intervalMs: 100, startPeriodMs: 30_000 },
    });
    const run = await gate("--timeout-seconds", "15", "--container", name);
    const result = gateJson(run);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(
      { ...result, elapsedMs: 0, probes: result.probes.map((p) => ({ ...p, timeToHealthyMs: 0 })) },
      {
        gate: "tier",
        status: "passed",
        elapsedMs: 0,
        probes: [{ kind: "container", target: name, status: "healthy", timeToHealthyMs: 0, detail: "health: healthy" }],
      },
    );
    const ttl = result.probes[0].timeToHealthyMs ?? -1;
    assert.ok(ttl > 0 && ttl <= 3000, `timeToHealthyMs ${ttl} should be about 1.5 s minus the gate's start-up`);
    assert.deepEqual(
      run.stderrLines.map((l) => l.replace(/\d+\.\d+s$/, "<t>")),
      [`gate tier: ${name} starting <t>`, `gate tier: ${name} healthy <t>`],
    );
  });

  it("passes when the container is created but started only after the gate began waiting", async () => {
    const name = await containers.start({
      script: "sleep 60",
      healthcheck: { test: "true", intervalMs: 100 },
      createOnly: true,
    });
    const pending = gate("--timeout-seconds", "15", "--container", name);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await containers.docker.getContainer(name).start();
    const run = await pending;
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderrLines[0].replace(/\d+\.\ds/, "<t>"), `gate tier: ${name} starting <t>`);
    assert.deepEqual(
      gateJson(run).probes.map((p) => [p.status, p.detail]),
      [["healthy", "health: healthy"]],
    );
  });

  it("fails when the container turns unhealthy, before the timeout, with healthcheck output and logs", async () => {
    const name = await containers.start({
      script: "echo log-marker-out; sleep 0.05; echo log-marker-err >&2; sleep 60",
      healthcheck: { test: "echo check-said-no; exit 1", intervalMs: 100, retries: 3 },
    });
    const run = await gate("--timeout-seconds", "20", "--container", name);
    const result = gateJson(run);
    assert.equal(run.code, 1);
    assert.equal(result.probes[0].status, "unhealthy");
    assert.equal(result.probes[0].detail, "health: unhealthy; last healthcheck: [exit 1] check-said-no");
    const report = run.stderrLines.slice(run.stderrLines.findIndex((l) => l.startsWith("berth gate")));
    assert.match(report[0], new RegExp(`^berth gate "tier" failed after \\d+\\.\\ds: container ${name} is unhealthy$`));
    const checks = section(report, `  last healthcheck outputs of ${name} (newest last):`);
    assert.ok(checks.length >= 3, `at least the 3 failing runs, got ${checks.length}`);
    assert.deepEqual(new Set(checks), new Set(["    [exit 1] check-said-no"]));
    assert.deepEqual(section(report, `  last 50 log lines of ${name}:`), ["    log-marker-out", "    log-marker-err"]);
  });

  it("fails at once when the container exits, naming the exit code", async () => {
    const name = await containers.start({
      script: "echo about-to-exit; sleep 1; exit 3",
      // A check that never passes (inside its start period) so only the exit can end the gate.
      healthcheck: { test: "false", intervalMs: 1000, startPeriodMs: 30_000 },
    });
    const run = await gate(
      "--timeout-seconds",
      "20",
      "--container",
      name,
      "--log-lines",
      "5",
      "--hint",
      "To change this, edit Pulumi.test.yaml",
    );
    const result = gateJson(run);
    assert.equal(run.code, 1);
    assert.equal(run.stderrLines[run.stderrLines.length - 1], "To change this, edit Pulumi.test.yaml");
    assert.deepEqual(result.probes[0], {
      kind: "container",
      target: name,
      status: "exited",
      timeToHealthyMs: null,
      detail: "exited with code 3",
    });
    const report = run.stderrLines.slice(run.stderrLines.findIndex((l) => l.startsWith("berth gate")));
    assert.match(report[0], new RegExp(`failed after \\d+\\.\\ds: container ${name} exited with code 3$`));
    assert.deepEqual(section(report, `  last 5 log lines of ${name}:`), ["    about-to-exit"]);
  });

  it("fails at once when the container is OOM-killed", async () => {
    const name = await containers.start({
      // The string doubles until the 8 MiB limit (no swap) makes the kernel kill the shell.
      script: "echo allocating; sleep 1; x=0123456789abcdef; while true; do x=$x$x; done",
      healthcheck: { test: "false", intervalMs: 1000, startPeriodMs: 30_000 },
      memoryMb: 8,
    });
    const run = await gate("--timeout-seconds", "20", "--container", name);
    const result = gateJson(run);
    assert.equal(run.code, 1);
    assert.deepEqual(result.probes[0], {
      kind: "container",
      target: name,
      status: "oom",
      timeToHealthyMs: null,
      detail: "OOM-killed (memory limit 8 MiB)",
    });
    const report = run.stderrLines.slice(run.stderrLines.findIndex((l) => l.startsWith("berth gate")));
    assert.match(
      report[0],
      new RegExp(`failed after \\d+\\.\\ds: container ${name} was OOM-killed \\(memory limit 8 MiB\\)$`),
    );
    assert.deepEqual(section(report, `  last 50 log lines of ${name}:`), ["    allocating"]);
  });

  it("fails when the container is never healthy within the timeout", async () => {
    const name = await containers.start({
      script: "echo still-waiting; sleep 60",
      healthcheck: { test: "echo not-ready-yet; exit 1", intervalMs: 200, startPeriodMs: 60_000 },
    });
    const run = await gate("--timeout-seconds", "2", "--container", name);
    const result = gateJson(run);
    assert.equal(run.code, 1);
    assert.deepEqual(result.probes[0], {
      kind: "container",
      target: name,
      status: "timeout",
      timeToHealthyMs: null,
      detail: "not healthy within 2s; last: health: starting; last healthcheck: [exit 1] not-ready-yet",
    });
    const report = run.stderrLines.slice(run.stderrLines.findIndex((l) => l.startsWith("berth gate")));
    assert.match(
      report[0],
      new RegExp(
        `^berth gate "tier" failed after 2\\.\\ds: container ${name} was not healthy within 2s; last: health: starting`,
      ),
    );
    assert.deepEqual(section(report, `  last 50 log lines of ${name}:`), ["    still-waiting"]);
  });

  it("fails when the container has no healthcheck, saying to add one", async () => {
    const name = await containers.start({ script: "sleep 60" });
    const run = await gate("--timeout-seconds", "10", "--container", name);
    assert.equal(run.code, 1);
    const detail =
      "has no healthcheck: add one (HEALTHCHECK in the image or a healthcheck in the container spec) so the gate can tell when it is ready";
    assert.deepEqual(gateJson(run).probes[0], {
      kind: "container",
      target: name,
      status: "error",
      timeToHealthyMs: null,
      detail,
    });
    assert.match(
      run.stderrLines[run.stderrLines.length - 1],
      new RegExp(`failed after \\d+\\.\\ds: container ${name}: ${detail.replace(/[()]/g, "\\$&")}$`),
    );
  });

  it("fails when the container does not exist", async () => {
    const name = containers.nextName();
    const run = await gate("--timeout-seconds", "10", "--container", name);
    assert.equal(run.code, 1);
    assert.deepEqual(gateJson(run).probes[0], {
      kind: "container",
      target: name,
      status: "error",
      timeToHealthyMs: null,
      detail: "does not exist",
    });
  });

  it("fails when a second container fails while the first is healthy, and reports the first as healthy", async () => {
    const healthy = await containers.start({
      script: "touch /tmp/ready; sleep 60",
      healthcheck: { test: "test -f /tmp/ready", intervalMs: 100 },
    });
    const dying = await containers.start({
      script: "sleep 1.5; exit 7",
      healthcheck: { test: "exit 1", intervalMs: 100, startPeriodMs: 30_000 },
    });
    const run = await gate("--timeout-seconds", "20", "--container", healthy, "--container", dying);
    const result = gateJson(run);
    assert.equal(run.code, 1);
    assert.deepEqual(
      result.probes.map((p) => [p.target, p.status, p.detail]),
      [
        [healthy, "healthy", "health: healthy"],
        [dying, "exited", "exited with code 7"],
      ],
    );
  });

  it("fails with a clear message, no stack trace, when the Docker engine is unreachable", async () => {
    const run = await runCli(GATE_CLI, ["--name", "tier", "--timeout-seconds", "10", "--container", "anything"], {
      DOCKER_HOST: "unix:///nonexistent.sock",
    });
    assert.equal(run.code, 1);
    assert.equal(
      run.stderrLines[run.stderrLines.length - 1],
      'berth gate "tier": cannot reach the Docker engine at unix:///nonexistent.sock (no socket at that path). Start dockerd or set DOCKER_HOST.',
    );
    assert.doesNotMatch(run.stderr, STACK_FRAME);
    assert.equal(gateJson(run).status, "failed");
  });

  it("fails with a clear message when DOCKER_HOST points at a closed TCP port", async () => {
    const run = await runCli(GATE_CLI, ["--name", "tier", "--timeout-seconds", "10", "--container", "anything"], {
      DOCKER_HOST: "tcp://127.0.0.1:1",
    });
    assert.equal(run.code, 1);
    assert.equal(
      run.stderrLines[run.stderrLines.length - 1],
      'berth gate "tier": cannot reach the Docker engine at tcp://127.0.0.1:1 (connection refused). Start dockerd or set DOCKER_HOST.',
    );
    assert.doesNotMatch(run.stderr, STACK_FRAME);
  });
});
