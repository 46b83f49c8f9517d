// The test-side client (testing/client) on the real test stack: a team's suite of 24 tests runs
// 4 at a time in mocha's parallel mode, each on its own clone of a migrated database, with a Redis
// database per worker; the orchestrator is restarted from test code behind its gate with tasks in
// flight; the health report and the recorded outputs follow the stack up and down.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import Docker from "dockerode";
import { engineConfig } from "../../bench/engine-run";
import { dataImageUnavailable, ensureDataImage, ensureWorkloadImage } from "../../lab/images/e2e-images";
import { nodeBaseImageUnavailable } from "../../lab/images/node-base-image";
import { openStack, PostgresTemplates, StackHandle, withDatabase } from "../../testing/client";
import { readRecordedOutputs } from "../../testing/client/recorded-outputs";
import { StackMode } from "../../testing/engine/mode";
import { BerthOutputs, berthRequest, REPO_ROOT, workersNetworkContainer } from "../../lab/berth-program";
import { GATE_CLI, requireBuilt } from "../../lab/gate-runner";
import { selectMode } from "../../testing/engine/select-mode";
import { sweepStack } from "../../testing/engine/stack-objects";
import { pollUntil } from "../support/poll";
import { requireEngine, requireOfflineImages } from "../support/required-service";
import { submitTask, waitForTask } from "./harness/workload-client";
import { CONTROL, SEED_ROWS, SOURCE, TEMPLATE } from "./fixtures/clone-suite/hooks";
import { query, rowsOf, TESTS_PER_FILE, WORKERS } from "./fixtures/clone-suite/suite";

const docker = new Docker();
const RUN = `${Date.now().toString(36).slice(-4)}${process.pid.toString(36)}`;
const STACK = `e2e-${RUN}-client`;
const FIXTURES = join(REPO_ROOT, "tests/e2e/fixtures/clone-suite");

interface MochaJson {
  stats: { tests: number; passes: number; failures: number; pending: number };
  failures: { fullTitle: string; err: { message?: string } }[];
}

/** The fixture suite in its own mocha, 4 workers; resolves with its JSON report. */
function runFixtureSuite(env: NodeJS.ProcessEnv): Promise<{ code: number | null; report: MochaJson; stderr: string }> {
  const files = readdirSync(FIXTURES)
    .filter((f) => f.endsWith(".fixture.ts"))
    .sort()
    .map((f) => join(FIXTURES, f));
  const args = [
    join(REPO_ROOT, "node_modules/mocha/bin/mocha.js"),
    "--no-config",
    "--parallel",
    "--jobs",
    String(WORKERS),
    "--require",
    "ts-node/register/transpile-only",
  ];
  args.push(
    "--extension",
    "ts",
    "--require",
    join(FIXTURES, "hooks.ts"),
    "--reporter",
    "json",
    "--timeout",
    "120000",
    ...files,
  );
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => {
      try {
        resolve({ code, report: JSON.parse(stdout) as MochaJson, stderr });
      } catch {
        reject(new Error(`the fixture suite printed no JSON report (exit ${code}):\n${stdout}\n${stderr}`));
      }
    });
  });
}

describe("e2e: the test-side client on the real test stack", function () {
  this.timeout(120_000);
  let mode: StackMode | undefined;
  let out: BerthOutputs;
  let stack: StackHandle<BerthOutputs>;
  let pgUrl: string;

  before(async function () {
    this.timeout(25 * 60_000); // a cold image build takes minutes
    await requireEngine(this, docker);
    await requireOfflineImages(this, "the offline image build", dataImageUnavailable, nodeBaseImageUnavailable);
    requireBuilt(GATE_CLI);
    const images = { data: ensureDataImage().tag, app: ensureWorkloadImage().tag };
    mode = selectMode().mode;
    out = (await mode.up<BerthOutputs>(berthRequest(STACK, "test", engineConfig(images)))).outputs;
    stack = await openStack<BerthOutputs>({ stack: STACK });
    pgUrl = await stack.postgresUrl();
  });

  after(async function () {
    this.timeout(180_000);
    await mode
      ?.destroy(STACK)
      .catch((err) => console.log(`    cleanup: destroy ${STACK}: ${err instanceof Error ? err.message : err}`));
    await sweepStack(docker, STACK);
  });

  it("reads the stack's outputs from test code: recorded on up, typed, secrets included and named", () => {
    assert.deepEqual(
      { source: stack.source, secret: stack.secretOutputs, containers: stack.outputs.containerNames, postgres: pgUrl },
      {
        source: "recorded",
        secret: ["hostUrls", "networkUrls"],
        containers: out.containerNames,
        postgres: out.hostUrls.postgres,
      },
    );
    assert.match(pgUrl, /^postgres:\/\/berth:[A-Za-z0-9]{32}@127\.0\.0\.1:\d+\/berth$/);
  });

  it("runs a suite of 24 tests 4 at a time, each on its own clone of the migrated database, with exact row counts", async function () {
    this.timeout(300_000);
    const run = `c${RUN}`;
    const { code, report, stderr } = await runFixtureSuite({
      ...process.env,
      BERTH_FIXTURE_STACK: STACK,
      BERTH_RUN_ID: run,
    });
    const failures = report.failures.map((f) => `${f.fullTitle}: ${f.err.message}`).join("\n");
    const { tests, passes, pending } = report.stats;
    assert.deepEqual(
      { code, tests, passes, pending, failures },
      { code: 0, tests: 24, passes: 24, pending: 0, failures: "" },
      stderr,
    );

    const control = withDatabase(pgUrl, CONTROL);
    const results = await query<{
      file: string;
      test: number;
      worker: number;
      clone: string;
      items: number;
      owners: string[];
      redis_db: number;
      redis_keys: number;
    }>(control, "SELECT * FROM results ORDER BY file, test");
    const files = ["a", "b", "c", "d"];
    // Every test saw the seed rows plus exactly its own, and only its own owner.
    assert.deepEqual(
      results.map((r) => [r.file, r.test, r.items, r.owners, r.redis_keys]),
      files.flatMap((file, i) =>
        Array.from({ length: TESTS_PER_FILE }, (_, k) => [
          file,
          k,
          SEED_ROWS + rowsOf(i, k),
          [`${file}-${k}`, "seed"],
          rowsOf(i, k),
        ]),
      ),
    );
    // 24 clones, all this run's; one file per worker, each worker with its own Redis database.
    assert.equal(new Set(results.map((r) => r.clone)).size, 24);
    assert.equal(
      results.every((r) => r.clone.startsWith(`berth_clone_${run}_`)),
      true,
    );
    const perFile = files.map((file) => [
      ...new Set(results.filter((r) => r.file === file).map((r) => `${r.worker}/db${r.redis_db}`)),
    ]);
    assert.deepEqual(
      perFile.map((p) => p.length),
      [1, 1, 1, 1],
    );
    assert.deepEqual(new Set(perFile.flat().map((p) => p.split("/")[0])).size, WORKERS);
    assert.deepEqual([...new Set(results.map((r) => r.redis_db))].sort(), [1, 2, 3, 4]);
    // All four workers held a clone at the same moment: 4 at a time.
    assert.deepEqual(
      (await query<{ clones: number }>(control, "SELECT clones FROM barrier ORDER BY worker")).map((r) => r.clones),
      [4, 4, 4, 4],
    );
    // Nothing of the run is left: every clone was dropped (and the teardown's reaper found none).
    assert.deepEqual(await query(pgUrl, "SELECT datname FROM pg_database WHERE datname LIKE 'berth\\_clone\\_%'"), []);

    const templates = await PostgresTemplates.connect(pgUrl);
    try {
      await templates.dropSnapshot(TEMPLATE);
    } finally {
      await templates.close();
    }
    for (const db of [SOURCE, CONTROL]) await query(pgUrl, `DROP DATABASE ${db} WITH (FORCE)`);
  });

  it("fails to snapshot the stack's own database while the orchestrator holds it open, naming its sessions", async () => {
    const templates = await PostgresTemplates.connect(pgUrl);
    try {
      const failure = await templates.snapshot("stack_db_copy").then(
        () => assert.fail("snapshot of a database in use succeeded"),
        (err: Error) => err.message,
      );
      assert.match(
        failure,
        /^cannot snapshot "berth" as template "stack_db_copy": \d+ other sessions? (is|are) connected to "berth", and Postgres copies a database only while nobody else is:\n {2}pid \d+, user berth, /,
      );
      assert.ok(
        failure.includes(
          "A database a running service uses (the stack's own, which its orchestrator holds open) cannot be snapshotted",
        ),
        failure,
      );
    } finally {
      await templates.close();
    }
  });

  it("restarts the orchestrator from test code: returns when its gate passes, and no task submitted before is lost", async function () {
    this.timeout(180_000);
    const orchestrator = out.containerNames.orchestrator;
    const api = await stack.url("orchestrator");
    assert.equal(api, out.hostUrls.orchestrator);
    // Two workers: two tasks run, the third waits in the queue while the orchestrator restarts.
    const ids = [
      await submitTask(api, "sleep", { ms: 1500 }),
      await submitTask(api, "sleep", { ms: 1500 }),
      await submitTask(api, "echo", "queued before the restart"),
    ];
    await waitForTask(api, ids[0], { until: (t) => t.status === "running" });
    const startedBefore = (await docker.getContainer(orchestrator).inspect()).State.StartedAt;

    const gate = await stack.restart("orchestrator");

    const state = (await docker.getContainer(orchestrator).inspect()).State;
    // The engine may have picked a new host port on restart: the client reads the live one.
    const after = await stack.url("orchestrator");
    assert.deepEqual(
      {
        gate: gate.gate,
        status: gate.status,
        probes: gate.probes.map((p) => `${p.kind} ${p.target}: ${p.status}: ${p.detail}`),
        restarted: state.StartedAt !== startedBefore,
      },
      // Ready when it answers GET /health, as at up, not at Docker's next healthcheck (every 60 s here).
      {
        gate: "orchestrator",
        status: "passed",
        probes: [`container ${orchestrator}: healthy: ${after}/health: HTTP 200`],
        restarted: true,
      },
    );
    const done = await Promise.all(ids.map((id) => waitForTask(after, id, { timeoutMs: 60_000 })));
    assert.deepEqual(
      done.map((t) => [t.name, t.status, t.result]),
      [
        ["sleep", "succeeded", { sleptMs: 1500 }],
        ["sleep", "succeeded", { sleptMs: 1500 }],
        ["echo", "succeeded", "queued before the restart"],
      ],
    );
  });

  it("restarts the workers from test code: they rejoin their network container's namespace, which keeps running, and take tasks again", async function () {
    this.timeout(120_000);
    const network = workersNetworkContainer(out)!;
    const startedAt = async (name: string) => (await docker.getContainer(name).inspect()).State.StartedAt;
    const before = await Promise.all([...out.containerNames.workers, network].map(startedAt));
    const calledAt = Date.now();

    const gate = await stack.restart("workers");

    const after = await Promise.all([...out.containerNames.workers, network].map(startedAt));
    const api = await stack.url("orchestrator");
    const [w0, w1] = out.containerNames.workers;
    // Ready once the orchestrator lists both, as at up; the list holds the restarted processes (a
    // worker deregisters when it stops), not registrations left by the ones before.
    const ready = `${api}/v1/workers: HTTP 200, workers: 2 items (need >= 2)`;
    const listed = (await (await fetch(`${api}/v1/workers`)).json()) as { workers: { startedAt: string }[] };
    assert.deepEqual(
      {
        gate: gate.gate,
        status: gate.status,
        restarted: after.map((t, i) => t !== before[i]),
        probes: gate.probes.filter((p) => p.target !== network).map((p) => `${p.target}: ${p.detail}`),
        registeredSinceTheRestart: listed.workers.map((w) => Date.parse(w.startedAt) >= calledAt),
      },
      {
        gate: "workers",
        status: "passed",
        restarted: [true, true, false],
        probes: [`${w0}: ${ready}`, `${w1}: ${ready}`],
        registeredSinceTheRestart: [true, true],
      },
    );
    const ids = await Promise.all(["a", "b", "c", "d"].map((v) => submitTask(api, "echo", v)));
    const done = await Promise.all(ids.map((id) => waitForTask(api, id, { timeoutMs: 30_000 })));
    assert.deepEqual(
      done.map((t) => [t.status, t.result]),
      [
        ["succeeded", "a"],
        ["succeeded", "b"],
        ["succeeded", "c"],
        ["succeeded", "d"],
      ],
    );
  });

  it("reports every container healthy after the restart, as npm run status does", async function () {
    this.timeout(120_000);
    // The gates did not wait for Docker's healthchecks (every 60 s here): the report turns HEALTHY at their next run.
    const health = await pollUntil(
      "every container healthy by Docker",
      () => stack.health(),
      (rows) => rows.every((r) => r.state === "HEALTHY"),
      90_000,
    );
    const [w0, w1] = out.containerNames.workers;
    assert.deepEqual(
      health.map((r) => [r.service, r.container, r.state]),
      [
        ["postgres", out.containerNames.postgres, "HEALTHY"],
        ["redis", out.containerNames.redis, "HEALTHY"],
        ["orchestrator", out.containerNames.orchestrator, "HEALTHY"],
        ["workers", w0, "HEALTHY"],
        ["workers", w1, "HEALTHY"],
        // The container holding the workers' network namespace.
        ["workers-network", workersNetworkContainer(out), "HEALTHY"],
      ],
    );
  });

  it("removes the recorded outputs on destroy", async function () {
    this.timeout(90_000);
    assert.equal(readRecordedOutputs({ project: "berth", stack: STACK })?.stack, STACK);
    await mode!.destroy(STACK);
    assert.equal(readRecordedOutputs({ project: "berth", stack: STACK }), undefined);
    await assert.rejects(openStack({ stack: STACK }), {
      message: /^no outputs of stack berth\/e2e-\w+-client: nothing recorded at /,
    });
  });
});
