// The consumer example under Pulumi's mock runtime: its exact graph (types, names, counts, key
// inputs, dependsOn), and that it compiles against berth's published types.
//
// index.ts imports "berth" as a team's program does (package.json: "berth": "file:../.."). So that
// this runs on the root's node_modules with no install in examples/consumer, "berth" resolves the
// way the package resolves itself: through the root package.json `exports` (dist/, which `npm test`
// builds first; run `npm run build` before running this file alone).
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import Module, { createRequire } from "node:module";
import * as path from "node:path";
import * as ts from "typescript";
import { ProgramRun, RecordedResource, resourceNamed } from "../../../testing/recorder";
import { REPO_ROOT, runProgram } from "../../../lab/berth-program";

const EXAMPLE = path.resolve(__dirname, "..");
// Node's own resolver, asked from inside the root package: a package may import itself by name,
// through its `exports` map.
const BERTH_ENTRY = createRequire(path.join(REPO_ROOT, "package.json")).resolve("berth");
const CONTAINER = "docker:index/container:Container";
const COMMAND = "command:local:Command";

const resolver = Module as unknown as { _resolveFilename(request: string, ...rest: unknown[]): string };
const originalResolve = resolver._resolveFilename;

/** The example as `pulumi up --stack test` runs it: in its own directory, with its stack file. */
async function runExample(overrides: Record<string, unknown> = {}): Promise<ProgramRun> {
  const cwd = process.cwd();
  process.chdir(EXAMPLE);
  try {
    return await runProgram("test", overrides, { project: "orders-it", programDir: EXAMPLE });
  } finally {
    process.chdir(cwd);
  }
}

const label = (run: ProgramRun) => (urn: string) => {
  const r = run.resources.find((x) => x.urn === urn);
  return r ? `${r.type} ${r.name}` : urn;
};
const dependsOn = (run: ProgramRun, r: RecordedResource) => r.dependencies.map(label(run)).sort();

describe("examples/consumer: a team's environment from berth's components", function () {
  this.timeout(60_000);
  let run: ProgramRun;
  before(async function () {
    assert.ok(fs.existsSync(BERTH_ENTRY), `${BERTH_ENTRY} is missing: run \`npm run build\` first`);
    resolver._resolveFilename = function (request: string, ...rest: unknown[]) {
      return originalResolve.call(this, request === "berth" ? BERTH_ENTRY : request, ...rest);
    };
    run = await runExample();
  });
  after(function () {
    resolver._resolveFilename = originalResolve;
  });

  it("registers exactly one Postgres, one Redis, two workers and two gates", function () {
    assert.deepEqual(
      run.resources.map((r) => `${r.type} ${r.name}`).sort(),
      [
        "berth:index:HealthGate orders-data-gate",
        "berth:index:HealthGate orders-workers-gate",
        "berth:index:Network orders-network",
        "berth:index:Postgres orders-postgres",
        "berth:index:Redis orders-redis",
        "berth:index:WorkerPool orders-worker",
        "command:local:Command orders-data-gate-wait",
        "command:local:Command orders-postgres-pids-limit",
        "command:local:Command orders-redis-pids-limit",
        "command:local:Command orders-worker-0-pids-limit",
        "command:local:Command orders-worker-1-pids-limit",
        "command:local:Command orders-workers-gate-wait",
        "docker:index/container:Container orders-postgres",
        "docker:index/container:Container orders-redis",
        "docker:index/container:Container orders-worker-0",
        "docker:index/container:Container orders-worker-1",
        "docker:index/network:Network orders-network",
        "docker:index/remoteImage:RemoteImage orders-postgres-image",
        "docker:index/remoteImage:RemoteImage orders-redis-image",
        "random:index/randomPassword:RandomPassword orders-postgres-password",
      ],
    );
  });

  it("orders the tiers: network → Postgres ∥ Redis → data gate → workers → workers gate", function () {
    const component = (type: string, name: string) => dependsOn(run, resourceNamed(run, `berth:index:${type}`, name));
    const net = "docker:index/network:Network orders-network";
    assert.deepEqual(component("Postgres", "orders-postgres"), [net]);
    assert.deepEqual(component("Redis", "orders-redis"), [net]);
    assert.deepEqual(component("HealthGate", "orders-data-gate"), [
      "command:local:Command orders-postgres-pids-limit",
      "command:local:Command orders-redis-pids-limit",
      "docker:index/container:Container orders-postgres",
      "docker:index/container:Container orders-redis",
    ]);
    assert.deepEqual(component("WorkerPool", "orders-worker"), ["command:local:Command orders-data-gate-wait"]);
    assert.deepEqual(component("HealthGate", "orders-workers-gate"), [
      "command:local:Command orders-worker-0-pids-limit",
      "command:local:Command orders-worker-1-pids-limit",
      "docker:index/container:Container orders-worker-0",
      "docker:index/container:Container orders-worker-1",
    ]);
    // Children wait for what their component waits for: no worker starts before the data gate.
    assert.deepEqual(dependsOn(run, resourceNamed(run, CONTAINER, "orders-worker-1")), [
      "command:local:Command orders-data-gate-wait",
      "docker:index/network:Network orders-network",
      "random:index/randomPassword:RandomPassword orders-postgres-password",
    ]);
  });

  it("names and labels every container from project and stack, on the Alpine images", function () {
    const containers = run.resources.filter((r) => r.type === CONTAINER);
    assert.deepEqual(
      containers.map((r) => [r.name, r.inputs.name, r.inputs.image, r.inputs.user, r.inputs.networksAdvanced[0].aliases[0]]).sort(),
      [
        ["orders-postgres", "orders-it-test-postgres", "postgres:16-alpine@sha256:mock", "70:70", "postgres"],
        ["orders-redis", "orders-it-test-redis", "redis:7-alpine@sha256:mock", "999:1000", "redis"],
        ["orders-worker-0", "orders-it-test-worker-0", "berth-test-workload:alpine", "1000:1000", "worker-0"],
        ["orders-worker-1", "orders-it-test-worker-1", "berth-test-workload:alpine", "1000:1000", "worker-1"],
      ],
    );
    const labels = resourceNamed(run, CONTAINER, "orders-worker-0").inputs.labels;
    assert.deepEqual(labels, [
      { label: "berth.environment", value: "test" },
      { label: "berth.project", value: "orders-it" },
      { label: "berth.service", value: "workers" },
      { label: "berth.stack", value: "test" },
      { label: "berth.pids-limit", value: "256" },
    ]);
    assert.equal(resourceNamed(run, "docker:index/network:Network", "orders-network").inputs.name, "orders-it-test-net");
  });

  it("gives the workers the database, Redis and their namespace, as a secret", function () {
    const worker = resourceNamed(run, CONTAINER, "orders-worker-1");
    assert.deepEqual(worker.secretInputs, ["envs"]);
    assert.deepEqual(worker.inputs.envs, [
      "DATABASE_URL=postgres://berth:mock-password-0123456789abcdef@postgres:5432/orders",
      "REDIS_URL=redis://redis:6379",
      "NAMESPACES=orders",
      "LOG_LEVEL=info",
      "WORKER_ID=worker-1",
      "WORKER_PORT=8081",
    ]);
  });

  it("runs each gate over its tier's containers, with the berth package's gate CLI", function () {
    assert.equal(
      resourceNamed(run, COMMAND, "orders-data-gate-wait").inputs.create,
      "node ../../dist/gate/cli.js --name orders-data-gate --timeout-seconds 90 --container orders-it-test-postgres --container orders-it-test-redis",
    );
    assert.equal(
      resourceNamed(run, COMMAND, "orders-workers-gate-wait").inputs.create,
      "node ../../dist/gate/cli.js --name orders-workers-gate --timeout-seconds 120 --container orders-it-test-worker-0 --container orders-it-test-worker-1",
    );
  });

  it("exports the container names, and the database URL as a secret", function () {
    assert.deepEqual(run.outputs.containerNames, {
      postgres: "orders-it-test-postgres",
      redis: "orders-it-test-redis",
      workers: ["orders-it-test-worker-0", "orders-it-test-worker-1"],
    });
    assert.deepEqual(run.secretOutputs, ["databaseUrl"]);
  });

  it("fails when the stack sets no worker image, naming the key", async function () {
    await assert.rejects(runExample({ "orders-it:workerImage": undefined }), (err: Error) => {
      assert.match(err.message, /Missing required configuration variable 'orders-it:workerImage'/);
      return true;
    });
  });

  it("compiles against the types berth's package.json exports", function () {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
    const types = path.join(REPO_ROOT, pkg.exports["."].types);
    const read = ts.readConfigFile(path.join(EXAMPLE, "tsconfig.json"), ts.sys.readFile);
    const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, EXAMPLE);
    const program = ts.createProgram(parsed.fileNames, { ...parsed.options, baseUrl: EXAMPLE, paths: { berth: [types] } });
    const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    assert.deepEqual(problems, []);
    assert.deepEqual(parsed.fileNames, [path.join(EXAMPLE, "index.ts")]);
  });
});
