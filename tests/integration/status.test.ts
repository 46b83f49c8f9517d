// `npm run status` against the real engine: labelled busybox containers stand in for a stack's
// services (healthy with a published port, unhealthy, still starting, stopped) under a stack label
// unique to this run, with the outputs engine mode would have recorded declaring them; a container
// of another stack must not show up. A second stack drifts: a worker removed and the orchestrator
// stopped behind its back, and status lists both and exits 1.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import Docker from "dockerode";
import { ensureBusyboxImage } from "../../lab/images/busybox-image";
import { REPO_ROOT } from "../../lab/berth-program";
import { requireEngine } from "../support/required-service";
import { declaredFromOutputs, statusCommand } from "../../scripts/status-cli";
import type { StatusRow } from "../../testing/client/health-report";
import { writeRecordedOutputs } from "../../testing/client/recorded-outputs";
import { openStack } from "../../testing/client/stack";

const MS = 1_000_000; // the Engine API takes durations in nanoseconds
const docker = new Docker();
const stack = `status-it-${process.pid}-${Date.now().toString(36)}`;
const drift = `${stack}-drift`;

interface Fake {
  service: string;
  script: string;
  health?: { test: string; intervalMs: number; retries?: number };
  publish?: number;
  stack?: string;
  /** The container's name after `berth-<stack>-`. @default service */
  name?: string;
}

/** A container labelled like a berth service of `stack` (or another stack), started. */
async function startFake(f: Fake): Promise<string> {
  const s = f.stack ?? stack;
  const name = `berth-${s}-${f.name ?? f.service}`;
  const port = f.publish === undefined ? undefined : `${f.publish}/tcp`;
  const container = await docker.createContainer({
    name,
    Image: ensureBusyboxImage(),
    Cmd: ["sh", "-c", f.script],
    Labels: { "berth.project": "berth", "berth.stack": s, "berth.environment": "test", "berth.service": f.service },
    Healthcheck: f.health && {
      Test: ["CMD-SHELL", f.health.test],
      Interval: f.health.intervalMs * MS,
      Timeout: 2000 * MS,
      Retries: f.health.retries ?? 1,
      StartPeriod: 0,
    },
    ExposedPorts: port ? { [port]: {} } : undefined,
    HostConfig: { PortBindings: port ? { [port]: [{ HostIp: "127.0.0.1", HostPort: "" }] } : undefined },
  });
  await container.start();
  return name;
}

async function removeStack(s: string): Promise<void> {
  const listed = await docker.listContainers({ all: true, filters: { label: [`berth.stack=${s}`] } });
  await Promise.all(
    listed.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined),
    ),
  );
}

/** Polls inspect until `done` holds for every named container (10 s at most). */
async function waitFor(names: string[], done: (info: Docker.ContainerInspectInfo) => boolean): Promise<void> {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    const infos = await Promise.all(names.map((n) => docker.getContainer(n).inspect()));
    if (infos.every(done)) return;
  }
  throw new Error(`containers ${names.join(", ")} did not reach the expected state within 10 s`);
}

/** The outputs engine mode records for a stack of berth's program: the containerNames it declares. */
function record(dir: string, s: string, containerNames: Record<string, string | string[]>): void {
  writeRecordedOutputs(
    { project: "berth", stack: s, writtenBy: "this test", outputs: { containerNames }, secretOutputs: [] },
    dir,
  );
}

/** `npm run status` in its own process, reading the records of `outputsDir`. */
function statusProcess(args: string[], outputsDir: string) {
  return spawnSync(
    process.execPath,
    [path.join(REPO_ROOT, "node_modules/ts-node/dist/bin.js"), "-T", "scripts/status.ts", ...args],
    {
      cwd: REPO_ROOT,
      encoding: "utf8",
      env: { ...process.env, DOCKER_HOST: "unix:///var/run/docker.sock", BERTH_OUTPUTS_DIR: outputsDir },
    },
  );
}

/** The table's cells, uptimes masked. */
function tableCells(stdout: string): string[][] {
  const lines = stdout.trimEnd().split("\n");
  const cells = lines
    .filter((l) => l.startsWith("│") && !l.includes("SERVICE"))
    .map((l) =>
      l
        .split("│")
        .slice(1, -1)
        .map((c) => c.trim()),
    );
  return cells.map(([service, container, state, uptime, ports]) => [
    service,
    container,
    state,
    uptime === "-" ? "-" : /^\d+(s|m \d\ds)$/.test(uptime) ? "<t>" : uptime,
    ports,
  ]);
}

describe("status command: a stack's containers on the real engine", function () {
  this.timeout(90_000);
  let hostPort: string;
  let outputsDir: string;
  const deps = () => ({
    docker: () => docker,
    env: { ...process.env, BERTH_OUTPUTS_DIR: outputsDir },
    now: () => new Date(),
    declared: declaredFromOutputs,
  });

  before(async function () {
    await requireEngine(this);
    outputsDir = mkdtempSync(path.join(tmpdir(), "berth-status-it-"));
    await Promise.all([
      startFake({ service: "postgres", script: "sleep 600", health: { test: "true", intervalMs: 100 }, publish: 5432 }),
      startFake({ service: "redis", script: "sleep 600", health: { test: "false", intervalMs: 100 } }),
      // The first check runs one interval after start: a minute of "starting".
      startFake({ service: "orchestrator", script: "sleep 600", health: { test: "true", intervalMs: 60_000 } }),
      startFake({ service: "workers", script: "exit 3" }),
      startFake({ service: "postgres", script: "sleep 600", stack: `${stack}-other` }),
    ]);
    const [pg, redis, worker] = [`berth-${stack}-postgres`, `berth-${stack}-redis`, `berth-${stack}-workers`];
    record(outputsDir, stack, { postgres: pg, redis, orchestrator: `berth-${stack}-orchestrator`, workers: [worker] });
    await waitFor([pg], (i) => i.State.Health?.Status === "healthy");
    await waitFor([redis], (i) => i.State.Health?.Status === "unhealthy");
    await waitFor([worker], (i) => i.State.Status === "exited");
    hostPort = (await docker.getContainer(pg).inspect()).NetworkSettings.Ports["5432/tcp"][0].HostPort;
  });
  after(async function () {
    await removeStack(stack);
    await removeStack(`${stack}-other`);
    await removeStack(drift);
    if (outputsDir) rmSync(outputsDir, { recursive: true, force: true });
  });

  it("reports exactly the stack's containers: state, ports, uptime (--json); exit 1 for the unhealthy and the stopped one", async function () {
    let out = "";
    let err = "";
    const code = await statusCommand(
      ["--stack", stack, "--json"],
      { out: (t) => void (out += t), err: (t) => void (err += t) },
      deps(),
    );
    assert.equal(code, 1);
    assert.equal(
      err,
      `2 of 4 containers of stack ${stack} are not up: berth-${stack}-redis (UNHEALTHY), berth-${stack}-workers (STOPPED: exited with code 3). Bring the stack up again (npx pulumi up --stack ${stack})\n`,
    );
    const rows = JSON.parse(out) as StatusRow[];
    for (const r of rows.filter((row) => row.state !== "STOPPED"))
      assert.ok(
        r.uptimeSeconds !== null && r.uptimeSeconds >= 0 && r.uptimeSeconds < 60,
        `${r.container}: ${r.uptimeSeconds}`,
      );
    assert.deepEqual(
      rows.map((r) => ({
        ...r,
        uptimeSeconds: r.uptimeSeconds === null ? null : 0,
        uptime: r.uptime === "-" ? "-" : "<t>",
      })),
      [
        {
          service: "postgres",
          container: `berth-${stack}-postgres`,
          state: "HEALTHY",
          detail: null,
          exitCode: null,
          uptimeSeconds: 0,
          uptime: "<t>",
          ports: [`127.0.0.1:${hostPort}->5432/tcp`],
        },
        {
          service: "redis",
          container: `berth-${stack}-redis`,
          state: "UNHEALTHY",
          detail: null,
          exitCode: null,
          uptimeSeconds: 0,
          uptime: "<t>",
          ports: [],
        },
        {
          service: "orchestrator",
          container: `berth-${stack}-orchestrator`,
          state: "STARTING",
          detail: null,
          exitCode: null,
          uptimeSeconds: 0,
          uptime: "<t>",
          ports: [],
        },
        {
          service: "workers",
          container: `berth-${stack}-workers`,
          state: "STOPPED",
          detail: "exited with code 3",
          exitCode: 3,
          uptimeSeconds: null,
          uptime: "-",
          ports: [],
        },
      ],
    );
  });

  it("prints the table from `npm run status` (its own process, DOCKER_HOST honoured)", function () {
    const run = statusProcess(["--stack", stack], outputsDir);
    assert.equal(run.status, 1, run.stderr);
    assert.equal(run.stdout.split("\n")[0], `stack ${stack} (project berth) on unix:///var/run/docker.sock`);
    assert.deepEqual(tableCells(run.stdout), [
      ["postgres", `berth-${stack}-postgres`, "HEALTHY", "<t>", `127.0.0.1:${hostPort}->5432/tcp`],
      ["redis", `berth-${stack}-redis`, "UNHEALTHY", "<t>", "-"],
      ["orchestrator", `berth-${stack}-orchestrator`, "STARTING", "<t>", "-"],
      ["workers", `berth-${stack}-workers`, "STOPPED (exited with code 3)", "-", "-"],
    ]);
  });

  it("fails with exit 1 and a hint for a stack with no containers and no outputs", function () {
    const run = statusProcess(["--stack", `${stack}-none`, "--json"], outputsDir);
    assert.equal(run.status, 1);
    assert.equal(run.stdout, "[]\n");
    // The first line's reason depends on whether a Pulumi CLI works here: only its start is fixed.
    const none = `${stack}-none`;
    assert.match(
      run.stderr,
      new RegExp(
        `^declared containers unknown, so a missing one cannot be shown: no outputs of stack berth/${none}: nothing recorded at .*\nno container carries berth.project=berth and berth.stack=${none} on unix://\\S+: is the stack up\\? \\(npx pulumi up --stack ${none}\\)\n$`,
      ),
    );
  });

  it("fails with exit 1 after drift: a removed worker is MISSING, a stopped orchestrator STOPPED; the client's health() says the same", async function () {
    const healthy = { test: "true", intervalMs: 100 };
    const names = ["postgres", "redis", "orchestrator", "worker-0", "worker-1"].map((n) => `berth-${drift}-${n}`);
    await Promise.all([
      startFake({ service: "postgres", script: "sleep 600", health: healthy, stack: drift }),
      startFake({ service: "redis", script: "sleep 600", health: healthy, stack: drift }),
      startFake({ service: "orchestrator", script: "sleep 600", health: healthy, stack: drift }),
      startFake({ service: "workers", name: "worker-0", script: "sleep 600", health: healthy, stack: drift }),
      startFake({ service: "workers", name: "worker-1", script: "sleep 600", health: healthy, stack: drift }),
    ]);
    record(outputsDir, drift, {
      postgres: names[0],
      redis: names[1],
      orchestrator: names[2],
      workers: [names[3], names[4]],
    });
    await waitFor(names, (i) => i.State.Health?.Status === "healthy");
    const states = (rows: StatusRow[]) => rows.map((r) => [r.service, r.container, r.state, r.detail]);
    let out = "";
    assert.equal(
      await statusCommand(
        ["--stack", drift, "--json"],
        { out: (t) => void (out += t), err: (t) => assert.fail(t) },
        deps(),
      ),
      0,
    );
    assert.deepEqual(states(JSON.parse(out) as StatusRow[]), [
      ["postgres", names[0], "HEALTHY", null],
      ["redis", names[1], "HEALTHY", null],
      ["orchestrator", names[2], "HEALTHY", null],
      ["workers", names[3], "HEALTHY", null],
      ["workers", names[4], "HEALTHY", null],
    ]);

    await docker.getContainer(names[4]).remove({ force: true });
    await docker.getContainer(names[2]).stop({ t: 0 });

    const run = statusProcess(["--stack", drift], outputsDir);
    assert.equal(run.status, 1, run.stderr);
    assert.equal(
      run.stderr,
      `2 of 5 containers of stack ${drift} are not up: ${names[2]} (STOPPED: exited with code 137), ${names[4]} (MISSING: declared, not on the engine). Bring the stack up again (npx pulumi up --stack ${drift})\n`,
    );
    assert.deepEqual(tableCells(run.stdout), [
      ["postgres", names[0], "HEALTHY", "<t>", "-"],
      ["redis", names[1], "HEALTHY", "<t>", "-"],
      ["orchestrator", names[2], "STOPPED (exited with code 137)", "-", "-"],
      ["workers", names[3], "HEALTHY", "<t>", "-"],
      ["workers", names[4], "MISSING (declared, not on the engine)", "-", "-"],
    ]);
    const handle = await openStack({ stack: drift, outputsDir });
    assert.deepEqual(states(await handle.health()), [
      ["postgres", names[0], "HEALTHY", null],
      ["redis", names[1], "HEALTHY", null],
      ["orchestrator", names[2], "STOPPED", "exited with code 137"],
      ["workers", names[3], "HEALTHY", null],
      ["workers", names[4], "MISSING", "declared, not on the engine"],
    ]);
  });
});
