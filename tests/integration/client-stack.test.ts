// The test-side client against a stack on the real engine that berth's Environment did not make:
// busybox containers labelled as a team's own program would label them (project "orders"), found
// by labels, read from recorded outputs, reported on and restarted behind the gate CLI.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Docker from "dockerode";
import { ensureBusyboxImage } from "../../lab/images/busybox-image";
import { GATE_CLI, requireBuilt } from "../../lab/gate-runner";
import { statusCommand } from "../../scripts/status-cli";
import { openStack } from "../../testing/client/stack";
import { recordPath, writeRecordedOutputs } from "../../testing/client/recorded-outputs";
import { leftovers, stackObjects } from "../../testing/engine/stack-objects";
import { pollUntil } from "../support/poll";
import { requireEngine } from "../support/required-service";

const MS = 1_000_000; // the Engine API takes durations in nanoseconds
const docker = new Docker();
const PROJECT = "orders";
const stack = `client-it-${process.pid}-${Date.now().toString(36)}`;
const name = (service: string) => `${PROJECT}-${stack}-${service}`;

// Healthy once /tmp/ready exists; a restart runs the script again.
const API = "rm -f /tmp/ready; sleep 1; touch /tmp/ready; echo api up; sleep 600";
const FLAKY =
  'if [ -f /tmp/started ]; then echo "second start: broken on purpose"; rm -f /tmp/ready; else touch /tmp/started /tmp/ready; fi; sleep 600';

async function start(
  service: string,
  script: string,
  opts: { env?: string[]; publish?: number; startPeriodMs?: number; label?: string } = {},
): Promise<void> {
  const port = opts.publish === undefined ? undefined : `${opts.publish}/tcp`;
  const c = await docker.createContainer({
    name: name(service),
    Image: ensureBusyboxImage(),
    Cmd: ["sh", "-c", script],
    Env: opts.env,
    Labels: {
      "berth.project": PROJECT,
      "berth.stack": stack,
      "berth.environment": "test",
      "berth.service": opts.label ?? service,
    },
    Healthcheck: {
      Test: ["CMD-SHELL", "test -f /tmp/ready"],
      Interval: 200 * MS,
      Timeout: 2000 * MS,
      Retries: 1,
      StartPeriod: (opts.startPeriodMs ?? 0) * MS,
    },
    ExposedPorts: port ? { [port]: {} } : undefined,
    HostConfig: { PortBindings: port ? { [port]: [{ HostIp: "127.0.0.1", HostPort: "" }] } : undefined },
  });
  await c.start();
}

async function healthy(service: string): Promise<void> {
  await pollUntil(
    `${name(service)} healthy`,
    async () => (await docker.getContainer(name(service)).inspect()).State.Health?.Status,
    (status) => status === "healthy",
    15_000,
  );
}

const hostPort = async (service: string, port: number) =>
  (await docker.getContainer(name(service)).inspect()).NetworkSettings.Ports[`${port}/tcp`][0].HostPort;

describe("client: a stack of another program on the real engine", function () {
  this.timeout(60_000);
  let outputsDir: string;

  before(async function () {
    await requireEngine(this);
    requireBuilt(GATE_CLI);
    outputsDir = mkdtempSync(join(tmpdir(), "berth-client-it-"));
    await Promise.all([
      start("postgres", "touch /tmp/ready; sleep 600", {
        env: ["POSTGRES_USER=orders", "POSTGRES_DB=orders", "POSTGRES_PASSWORD=p@ss"],
        publish: 5432,
      }),
      start("redis", "touch /tmp/ready; sleep 600", { publish: 6379 }),
      start("api", API, { startPeriodMs: 10_000 }),
      start("flaky", FLAKY),
      // A second database of the same kind, as examples/consumer has (app-db and analytics-db).
      start("analytics-db", "touch /tmp/ready; sleep 600", {
        env: ["POSTGRES_USER=orders", "POSTGRES_DB=analytics", "POSTGRES_PASSWORD=pw2"],
        publish: 5432,
        label: "analytics",
      }),
    ]);
    for (const s of ["postgres", "redis", "api", "flaky", "analytics-db"]) await healthy(s);
  });

  after(async () => {
    const listed = await docker.listContainers({ all: true, filters: { label: [`berth.stack=${stack}`] } });
    await Promise.all(
      listed.map((c) =>
        docker
          .getContainer(c.Id)
          .remove({ force: true })
          .catch(() => undefined),
      ),
    );
    if (outputsDir) rmSync(outputsDir, { recursive: true, force: true });
  });

  it("finds the stack by its labels and derives its Postgres and Redis URLs from the containers", async () => {
    const s = await openStack({ project: PROJECT, stack, outputs: false });
    assert.deepEqual(
      { source: s.source, outputs: s.outputs, postgres: await s.postgresUrl(), redis: await s.redisUrl() },
      {
        source: "labels",
        outputs: {},
        postgres: `postgres://orders:p%40ss@127.0.0.1:${await hostPort("postgres", 5432)}/orders`,
        redis: `redis://127.0.0.1:${await hostPort("redis", 6379)}`,
      },
    );
  });

  it("reads recorded outputs, typed, with their secret names; an exported URL keeps its credentials and takes the live port", async () => {
    const outputs = { hostUrls: { postgres: "postgres://orders:secret@db.example:5432/orders" }, replicas: 2 };
    writeRecordedOutputs(
      { project: PROJECT, stack, writtenBy: "this test", outputs, secretOutputs: ["hostUrls"] },
      outputsDir,
    );
    const s = await openStack<typeof outputs>({ project: PROJECT, stack, outputsDir });
    assert.deepEqual(
      {
        source: s.source,
        replicas: s.outputs.replicas,
        secret: s.secretOutputs,
        postgres: await s.postgresUrl(),
        redis: await s.redisUrl(),
      },
      {
        source: "recorded",
        replicas: 2,
        secret: ["hostUrls"],
        postgres: `postgres://orders:secret@db.example:${await hostPort("postgres", 5432)}/orders`,
        redis: `redis://127.0.0.1:${await hostPort("redis", 6379)}`,
      },
    );
  });

  it("addresses one of two containers of a kind by its output key: URL with the live port, restart", async () => {
    const outputs = {
      hostUrls: {
        appDb: "postgres://orders:secret@127.0.0.1:1/orders",
        analyticsDb: "postgres://orders:pw2@127.0.0.1:2/analytics",
      },
      containerNames: { appDb: name("postgres"), analyticsDb: name("analytics-db") },
    };
    writeRecordedOutputs(
      { project: PROJECT, stack, writtenBy: "this test", outputs, secretOutputs: ["hostUrls"] },
      outputsDir,
    );
    const s = await openStack({ project: PROJECT, stack, outputsDir });
    assert.deepEqual(
      [await s.url("appDb"), await s.url("analyticsDb")],
      [
        `postgres://orders:secret@127.0.0.1:${await hostPort("postgres", 5432)}/orders`,
        `postgres://orders:pw2@127.0.0.1:${await hostPort("analytics-db", 5432)}/analytics`,
      ],
    );
    const before = (await docker.getContainer(name("analytics-db")).inspect()).State.StartedAt;
    const gate = await s.restart("analyticsDb", { stopGraceSeconds: 0, timeoutSeconds: 30 });
    assert.deepEqual(
      { gate: gate.gate, probes: gate.probes.map((p) => `${p.kind} ${p.target}: ${p.status}`) },
      { gate: "analyticsDb", probes: [`container ${name("analytics-db")}: healthy`] },
    );
    assert.notEqual((await docker.getContainer(name("analytics-db")).inspect()).State.StartedAt, before);
    // The URL follows the port the engine picked on restart.
    assert.equal(
      await s.url("analyticsDb"),
      `postgres://orders:pw2@127.0.0.1:${await hostPort("analytics-db", 5432)}/analytics`,
    );
  });

  it("restarts a service whose gate asks its engine-picked host port: the gate follows the port the restart itself moved", async () => {
    const webStack = `${stack}-web`;
    const container = `${PROJECT}-${webStack}-web`;
    const web = await docker.createContainer({
      name: container,
      Image: ensureBusyboxImage(),
      Cmd: ["sh", "-c", "mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www"],
      Labels: {
        "berth.project": PROJECT,
        "berth.stack": webStack,
        "berth.environment": "test",
        "berth.service": "web",
      },
      Healthcheck: {
        Test: ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1:8080/index.html"],
        Interval: 200 * MS,
        Timeout: 2000 * MS,
        Retries: 1,
      },
      ExposedPorts: { "8080/tcp": {} },
      HostConfig: { PortBindings: { "8080/tcp": [{ HostIp: "127.0.0.1", HostPort: "" }] } },
    });
    try {
      await web.start();
      const port = async () => (await web.inspect()).NetworkSettings.Ports["8080/tcp"][0].HostPort;
      const url = (p: string) => `http://127.0.0.1:${p}/index.html`;
      const before = await port();
      const probe = (kind: "container" | "http", target: string) => ({
        kind,
        target,
        status: "healthy" as const,
        timeToHealthyMs: 1,
        detail: "",
      });
      const outputs = {
        hostUrls: { web: url(before) },
        containerNames: { web: container },
        gateResults: {
          web: {
            gate: "web",
            status: "passed",
            elapsedMs: 1,
            probes: [probe("container", container), probe("http", url(before))],
          },
        },
      };
      writeRecordedOutputs(
        { project: PROJECT, stack: webStack, writtenBy: "this test", outputs, secretOutputs: [] },
        outputsDir,
      );
      const s = await openStack({ project: PROJECT, stack: webStack, outputsDir });
      const gate = await s.restart("web", { stopGraceSeconds: 0, timeoutSeconds: 15 });
      const after = await port();
      assert.notEqual(after, before, "the premise: the engine picked another host port on restart");
      assert.deepEqual(
        { gate: gate.gate, status: gate.status, probes: gate.probes.map((p) => `${p.kind} ${p.target}: ${p.status}`) },
        { gate: "web", status: "passed", probes: [`container ${container}: healthy`, `http ${url(after)}: healthy`] },
      );
    } finally {
      await web.remove({ force: true }).catch(() => undefined);
    }
  });

  it("fails when asked the URL of a service the stack does not have, naming the ones it has", async () => {
    const outputs = {
      hostUrls: { appDb: "postgres://orders:secret@127.0.0.1:1/orders" },
      containerNames: { appDb: name("postgres"), analyticsDb: name("analytics-db") },
    };
    writeRecordedOutputs(
      { project: PROJECT, stack, writtenBy: "this test", outputs, secretOutputs: ["hostUrls"] },
      outputsDir,
    );
    const s = await openStack({ project: PROJECT, stack, outputsDir });
    await assert.rejects(s.url("ledger-db"), {
      message:
        `stack ${PROJECT}/${stack} has no service "ledger-db": known are "analytics", "analyticsDb", "api", "appDb", "flaky", "postgres", "redis" ` +
        "(keys of its hostUrls and containerNames outputs, and the berth.service labels of its containers)",
    });
  });

  it("fails to report the health of a stack of which the engine has nothing, instead of an empty, passing list", async () => {
    const s = await openStack({ project: "other-project", stack, outputs: false });
    await assert.rejects(s.health(), {
      message:
        `no container on the engine carries the labels berth.project=other-project and berth.stack=${stack}, and its outputs declare none (no containerNames output): ` +
        "is the stack up, on this engine (DOCKER_HOST), and are project and stack right (project: the option, else the name in the program's Pulumi.yaml)?",
    });
  });

  it("lists a stack's objects by its labels, and fails on a stack of which nothing carries them", async () => {
    assert.deepEqual(await stackObjects(stack, { project: PROJECT, docker }), {
      containers: ["analytics-db", "api", "flaky", "postgres", "redis"].map(name),
      networks: [],
      volumes: [],
    });
    await assert.rejects(stackObjects(stack, { project: "other-project" }), {
      message:
        `no container, network or volume carries berth.stack=${stack} and berth.project=other-project: is the stack up, on this engine, and are stack and project right? ` +
        "To check that a destroy left nothing, use leftovers(stack, seen) with what stackObjects returned while the stack was up",
    });
  });

  it("counts an object seen while the stack was up as left after destroy, labelled or not", async () => {
    const gone = `${stack}-gone`;
    const unlabelled = `${PROJECT}-${gone}-unlabelled`;
    await docker.createContainer({ name: unlabelled, Image: ensureBusyboxImage(), Cmd: ["sleep", "600"] });
    const seen = { containers: [unlabelled], networks: [`${PROJECT}-${gone}-net`], volumes: [] };
    try {
      assert.deepEqual(await leftovers(gone, seen, { project: PROJECT }), {
        containers: [unlabelled],
        networks: [],
        volumes: [],
      });
    } finally {
      await docker.getContainer(unlabelled).remove({ force: true });
    }
    assert.deepEqual(await leftovers(gone, seen, { project: PROJECT }), { containers: [], networks: [], volumes: [] });
    await assert.rejects(leftovers(gone, { containers: [], networks: [], volumes: [] }), {
      message: `leftovers("${gone}", seen): seen lists nothing; pass what stackObjects("${gone}") returned while the stack was up`,
    });
  });

  it("fails when a record outlives its stack", async () => {
    writeRecordedOutputs(
      { project: PROJECT, stack: `${stack}-gone`, writtenBy: "this test", outputs: {}, secretOutputs: [] },
      outputsDir,
    );
    await assert.rejects(openStack({ project: PROJECT, stack: `${stack}-gone`, outputsDir }), {
      message: `${recordPath({ project: PROJECT, stack: `${stack}-gone` }, outputsDir)} records stack ${PROJECT}/${stack}-gone, but no container on the engine carries its labels: the process that brought it up ended without destroy. Remove the file and bring the stack up again`,
    });
  });

  it("reports the same rows as `npm run status --json`", async () => {
    const now = new Date();
    const s = await openStack({ project: PROJECT, stack, outputs: false, docker });
    let out = "";
    const code = await statusCommand(
      ["--stack", stack, "--project", PROJECT, "--json"],
      { out: (t) => void (out += t), err: (t) => assert.fail(t) },
      { docker: () => docker, env: {}, now: () => now, declared: async () => [] },
    );
    assert.equal(code, 0);
    const rows = await s.health(now);
    assert.deepEqual(rows, JSON.parse(out));
    assert.deepEqual(
      rows.map((r) => [r.service, r.container, r.state]),
      [
        ["postgres", name("postgres"), "HEALTHY"],
        ["redis", name("redis"), "HEALTHY"],
        ["analytics", name("analytics-db"), "HEALTHY"],
        ["api", name("api"), "HEALTHY"],
        ["flaky", name("flaky"), "HEALTHY"],
      ],
    );
  });

  it("restarts a service and returns once its gate has passed again", async () => {
    const s = await openStack({ project: PROJECT, stack, outputs: false });
    const before = (await docker.getContainer(name("api")).inspect()).State.StartedAt;
    const result = await s.restart("api", { stopGraceSeconds: 0, timeoutSeconds: 30 });
    const after = (await docker.getContainer(name("api")).inspect()).State;
    assert.deepEqual(
      { gate: result.gate, status: result.status, probes: result.probes.map((p) => [p.kind, p.target, p.status]) },
      { gate: "api", status: "passed", probes: [["container", name("api"), "healthy"]] },
    );
    // A new process (restarted), already healthy when restart returned: it waited for the gate.
    assert.deepEqual(
      { restarted: after.StartedAt !== before, health: after.Health?.Status },
      { restarted: true, health: "healthy" },
    );
    assert.equal((await s.health()).find((r) => r.service === "api")?.state, "HEALTHY");
  });

  it("fails fast with the gate's report and the service's logs when it does not come back healthy", async () => {
    const s = await openStack({ project: PROJECT, stack, outputs: false });
    const failure = await s.restart("flaky", { stopGraceSeconds: 0, timeoutSeconds: 60 }).then(
      () => assert.fail("restart resolved although the service is unhealthy"),
      (err: Error) => err.message,
    );
    for (const part of [
      `restarted flaky (${name("flaky")}) but its gate did not pass:`,
      `container ${name("flaky")} is unhealthy`, // failed on the health event, not by running out of time
      `last 50 log lines of ${name("flaky")}:`,
      "second start: broken on purpose",
    ]) {
      assert.ok(failure.includes(part), `"${part}" is not in:\n${failure}`);
    }
    assert.equal(failure.includes("was not healthy within"), false, failure);
  });

  it("fails for a service the stack does not have, listing those it has", async () => {
    const s = await openStack({ project: PROJECT, stack, outputs: false });
    await assert.rejects(s.restart("orchestrator"), {
      message: `no container of service "orchestrator" in stack ${PROJECT}/${stack} (label berth.service); its services: analytics, api, flaky, postgres, redis`,
    });
  });
});
