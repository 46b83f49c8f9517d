// `npm run status` against the real engine: labelled busybox containers stand in for a stack's
// services (healthy with a published port, unhealthy, still starting, stopped) under a stack label
// unique to this run; a container of another stack must not show up.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import Docker from "dockerode";
import { ensureBusyboxImage } from "../../lab/images/busybox-image";
import { REPO_ROOT } from "../../lab/berth-program";
import { requireEngine } from "../support/required-service";
import { statusCommand } from "../../scripts/status-cli";
import type { StatusRow } from "../../testing/client/health-report";

const MS = 1_000_000; // the Engine API takes durations in nanoseconds
const docker = new Docker();
const stack = `status-it-${process.pid}-${Date.now().toString(36)}`;

interface Fake {
  service: string;
  script: string;
  health?: { test: string; intervalMs: number; retries?: number };
  publish?: number;
  stack?: string;
}

/** A container labelled like a berth service of `stack` (or another stack), started. */
async function startFake(f: Fake): Promise<string> {
  const s = f.stack ?? stack;
  const name = `berth-${s}-${f.service}`;
  const port = f.publish === undefined ? undefined : `${f.publish}/tcp`;
  const container = await docker.createContainer({
    name,
    Image: ensureBusyboxImage(),
    Cmd: ["sh", "-c", f.script],
    Labels: { "berth.project": "berth", "berth.stack": s, "berth.environment": "test", "berth.service": f.service },
    Healthcheck: f.health && { Test: ["CMD-SHELL", f.health.test], Interval: f.health.intervalMs * MS, Timeout: 2000 * MS, Retries: f.health.retries ?? 1, StartPeriod: 0 },
    ExposedPorts: port ? { [port]: {} } : undefined,
    HostConfig: { PortBindings: port ? { [port]: [{ HostIp: "127.0.0.1", HostPort: "" }] } : undefined },
  });
  await container.start();
  return name;
}

async function removeStack(s: string): Promise<void> {
  const listed = await docker.listContainers({ all: true, filters: { label: [`berth.stack=${s}`] } });
  await Promise.all(listed.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
}

/** Polls inspect until `done` holds for every named container (10 s at most). */
async function waitFor(names: string[], done: (info: Docker.ContainerInspectInfo) => boolean): Promise<void> {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    const infos = await Promise.all(names.map((n) => docker.getContainer(n).inspect()));
    if (infos.every(done)) return;
  }
  throw new Error(`containers ${names.join(", ")} did not reach the expected state within 10 s`);
}

describe("status command: a stack's containers on the real engine", function () {
  this.timeout(90_000);
  let hostPort: string;

  before(async function () {
    await requireEngine(this);
    await Promise.all([
      startFake({ service: "postgres", script: "sleep 600", health: { test: "true", intervalMs: 100 }, publish: 5432 }),
      startFake({ service: "redis", script: "sleep 600", health: { test: "false", intervalMs: 100 } }),
      // The first check runs one interval after start: a minute of "starting".
      startFake({ service: "orchestrator", script: "sleep 600", health: { test: "true", intervalMs: 60_000 } }),
      startFake({ service: "workers", script: "exit 3" }),
      startFake({ service: "postgres", script: "sleep 600", stack: `${stack}-other` }),
    ]);
    const [pg, redis, worker] = [`berth-${stack}-postgres`, `berth-${stack}-redis`, `berth-${stack}-workers`];
    await waitFor([pg], (i) => i.State.Health?.Status === "healthy");
    await waitFor([redis], (i) => i.State.Health?.Status === "unhealthy");
    await waitFor([worker], (i) => i.State.Status === "exited");
    hostPort = (await docker.getContainer(pg).inspect()).NetworkSettings.Ports["5432/tcp"][0].HostPort;
  });
  after(async function () {
    await removeStack(stack);
    await removeStack(`${stack}-other`);
  });

  it("reports exactly the stack's containers: state, ports, uptime (--json)", async function () {
    let out = "";
    const code = await statusCommand(["--stack", stack, "--json"], { out: (t) => void (out += t), err: (t) => assert.fail(t) });
    assert.equal(code, 0);
    const rows = JSON.parse(out) as StatusRow[];
    for (const r of rows.filter((row) => row.state !== "STOPPED")) assert.ok(r.uptimeSeconds !== null && r.uptimeSeconds >= 0 && r.uptimeSeconds < 60, `${r.container}: ${r.uptimeSeconds}`);
    assert.deepEqual(
      rows.map((r) => ({ ...r, uptimeSeconds: r.uptimeSeconds === null ? null : 0, uptime: r.uptime === "-" ? "-" : "<t>" })),
      [
        { service: "postgres", container: `berth-${stack}-postgres`, state: "HEALTHY", detail: null, exitCode: null, uptimeSeconds: 0, uptime: "<t>", ports: [`127.0.0.1:${hostPort}->5432/tcp`] },
        { service: "redis", container: `berth-${stack}-redis`, state: "UNHEALTHY", detail: null, exitCode: null, uptimeSeconds: 0, uptime: "<t>", ports: [] },
        { service: "orchestrator", container: `berth-${stack}-orchestrator`, state: "STARTING", detail: null, exitCode: null, uptimeSeconds: 0, uptime: "<t>", ports: [] },
        { service: "workers", container: `berth-${stack}-workers`, state: "STOPPED", detail: "exited with code 3", exitCode: 3, uptimeSeconds: null, uptime: "-", ports: [] },
      ],
    );
  });

  it("prints the table from `npm run status` (its own process, DOCKER_HOST honoured)", function () {
    const run = spawnSync(process.execPath, [path.join(REPO_ROOT, "node_modules/ts-node/dist/bin.js"), "-T", "scripts/status.ts", "--stack", stack], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      env: { ...process.env, DOCKER_HOST: "unix:///var/run/docker.sock" },
    });
    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout.trimEnd().split("\n");
    assert.equal(lines[0], `stack ${stack} (project berth) on unix:///var/run/docker.sock`);
    const cells = lines.filter((l) => l.startsWith("│") && !l.includes("SERVICE")).map((l) => l.split("│").slice(1, -1).map((c) => c.trim()));
    assert.deepEqual(
      cells.map(([service, container, state, uptime, ports]) => [service, container, state, uptime === "-" ? "-" : /^\d+(s|m \d\ds)$/.test(uptime) ? "<t>" : uptime, ports]),
      [
        ["postgres", `berth-${stack}-postgres`, "HEALTHY", "<t>", `127.0.0.1:${hostPort}->5432/tcp`],
        ["redis", `berth-${stack}-redis`, "UNHEALTHY", "<t>", "-"],
        ["orchestrator", `berth-${stack}-orchestrator`, "STARTING", "<t>", "-"],
        ["workers", `berth-${stack}-workers`, "STOPPED (exited with code 3)", "-", "-"],
      ],
    );
  });

  it("fails with exit 1 and a hint for a stack with no containers", function () {
    const run = spawnSync(process.execPath, [path.join(REPO_ROOT, "node_modules/ts-node/dist/bin.js"), "-T", "scripts/status.ts", "--stack", `${stack}-none`, "--json"], {
      cwd: REPO_ROOT,
      encoding: "utf8",
    });
    assert.equal(run.status, 1);
    assert.equal(run.stdout, "[]\n");
    assert.match(run.stderr, new RegExp(`^no container carries berth.project=berth and berth.stack=${stack}-none on unix://\\S+: is the stack up\\? \\(npx pulumi up --stack ${stack}-none\\)\n$`));
  });
});
