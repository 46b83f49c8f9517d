// The team's program tested with berth/testing, as a team would test its own:
// 1. under Pulumi's mock runtime: the exact graph (types, names, parents, dependencies, secrets);
// 2. on a real Docker engine in engine mode (no Pulumi CLI needed): up, the app reaching both
//    databases by their own names, every gate passing, the stack from test code (openStack), destroy,
//    nothing left. No Docker client of the team's own: berth's test kit brings one.
// Engine mode needs the images: ORDERS_IT_IMAGES='{"app":…,"postgres":…,"redis":…,"user":"999:999"}'.
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import {
  downRows,
  EngineMode,
  leftovers,
  openStack,
  pickedPort,
  ProgramRun,
  programFile,
  recordProgram,
  RecordedResource,
  resourceNamed,
  stackFileConfig,
  stackObjects,
  StackOutputs,
} from "berth/testing";

const DIR = path.resolve(__dirname, "..");
const program = programFile(path.join(DIR, "index.ts"));
const config = stackFileConfig(path.join(DIR, "Pulumi.test.yaml"));
const PROJECT = "orders-it";
const CONTAINER = "docker:index/container:Container";
const COMMAND = "command:local:Command";

const named = (run: ProgramRun) => (urn: string) => {
  const r = run.resources.find((x) => x.urn === urn);
  return r ? `${r.type} ${r.name}` : urn;
};
const dependsOn = (run: ProgramRun, r: RecordedResource) => [...new Set(r.dependencies.map(named(run)))].sort();

describe("orders-it under mocks", function () {
  let run: ProgramRun;
  before(async function () {
    run = await recordProgram(program, { project: PROJECT, stack: "test", config });
  });

  it("declares two databases, a cache and the app, each with its container, and two gates", function () {
    const byType = (type: string) =>
      run.resources
        .filter((r) => r.type === type)
        .map((r) => r.name)
        .sort();
    assert.deepEqual(byType("berth:index:Postgres"), ["analytics-db", "app-db"]);
    assert.deepEqual(byType("berth:index:Redis"), ["cache"]);
    assert.deepEqual(byType("berth:index:AppContainer"), ["api"]);
    assert.deepEqual(byType("berth:index:HealthGate"), ["api-gate", "data-gate"]);
    assert.deepEqual(byType(CONTAINER), ["analytics-db", "api", "app-db", "cache"]);
    assert.deepEqual(byType("random:index/randomPassword:RandomPassword"), [
      "analytics-db-password",
      "app-db-password",
      "cache-password",
    ]);
  });

  it("names containers <project>-<stack>-<name>, each database answering to its own alias", function () {
    const c = (name: string) => resourceNamed(run, CONTAINER, name).inputs;
    assert.deepEqual(
      ["app-db", "analytics-db", "cache", "api"].map((n) => [c(n).name, c(n).networksAdvanced]),
      [
        ["orders-it-test-app-db", [{ name: "orders-it-test-orders-net", aliases: ["app-db"] }]],
        ["orders-it-test-analytics-db", [{ name: "orders-it-test-orders-net", aliases: ["analytics-db"] }]],
        ["orders-it-test-cache", [{ name: "orders-it-test-orders-net", aliases: ["cache"] }]],
        ["orders-it-test-api", [{ name: "orders-it-test-orders-net", aliases: ["api"] }]],
      ],
    );
    assert.deepEqual(run.outputs.aliases, {
      appDb: ["app-db"],
      analyticsDb: ["analytics-db"],
      cache: ["cache"],
      api: ["api"],
    });
  });

  it("gives the app both databases by their own names, as secrets", function () {
    const api = resourceNamed(run, CONTAINER, "api");
    assert.ok(api.secretInputs.includes("envs"));
    const env = (api.inputs.envs as string[]).filter((e) => /^(DATABASE_URL|ANALYTICS_URL|REDIS_URL)=/.test(e));
    const pw = (name: string) => resourceNamed(run, "random:index/randomPassword:RandomPassword", name).inputs.length;
    assert.equal(pw("app-db-password"), 24);
    assert.deepEqual(
      env.map((e) => e.replace(/:[^:@/]+@/, ":***@")),
      [
        "DATABASE_URL=postgres://berth:***@app-db:5432/orders",
        "ANALYTICS_URL=postgres://berth:***@analytics-db:5432/analytics",
        "REDIS_URL=redis://:***@cache:6379",
      ],
    );
  });

  it("orders the tiers: databases and cache → data gate → app → app gate", function () {
    const gate = (name: string) => resourceNamed(run, COMMAND, `${name}-wait`);
    assert.ok(dependsOn(run, resourceNamed(run, CONTAINER, "api")).includes(`${COMMAND} data-gate-wait`));
    for (const dep of [`${CONTAINER} app-db`, `${CONTAINER} analytics-db`, `${CONTAINER} cache`])
      assert.ok(dependsOn(run, gate("data-gate")).includes(dep), dep);
    assert.ok(dependsOn(run, gate("api-gate")).includes(`${CONTAINER} api`));
  });

  it("gates ask each service directly (SELECT 1, PING, GET /health) with URLs kept secret, and apply the pids limits", function () {
    const create = (name: string) =>
      (resourceNamed(run, COMMAND, `${name}-wait`).inputs.create as string).replace(/^node \S+ /, "");
    const names = ["app-db", "analytics-db", "cache"].map((n) => `orders-it-test-${n}`);
    assert.equal(
      create("data-gate"),
      `--name data-gate --timeout-seconds 120 ${names.map((n) => `--container ${n}`).join(" ")} ${names.map((n) => `--pids-limit ${n}=256`).join(" ")} ` +
        names.map((n, i) => `--ready ${n}=env:BERTH_GATE_READY_${i}`).join(" "),
    );
    assert.equal(
      create("api-gate"),
      "--name api-gate --timeout-seconds 120 --container orders-it-test-api --pids-limit orders-it-test-api=256 --ready orders-it-test-api=env:BERTH_GATE_READY_0",
    );
    const env = (name: string) =>
      resourceNamed(run, COMMAND, `${name}-wait`).inputs.environment as Record<string, string>;
    assert.deepEqual(Object.keys(env("data-gate")), [
      "BERTH_GATE_READY_0",
      "BERTH_GATE_READY_1",
      "BERTH_GATE_READY_2",
      "BERTH_GATE_RUNS_FOR",
    ]);
    // What the gate runs again for: the ids of the containers it watches (under mocks, <name>-id).
    assert.equal(env("data-gate").BERTH_GATE_RUNS_FOR, "app-db-id analytics-db-id cache-id");
    assert.match(
      env("data-gate").BERTH_GATE_READY_1,
      new RegExp(`^postgres://berth:[^@]+@127\\.0\\.0\\.1:${pickedPort("orders-it-test-analytics-db")}/analytics$`),
    );
    assert.deepEqual(env("api-gate"), {
      BERTH_GATE_READY_0: `http://127.0.0.1:${pickedPort("orders-it-test-api")}/health`,
      BERTH_GATE_RUNS_FOR: "api-id",
    });
    assert.ok(resourceNamed(run, COMMAND, "data-gate-wait").secretInputs.includes("environment"));
  });

  it("exports the host URLs as a secret", function () {
    assert.deepEqual(run.secretOutputs, ["hostUrls"]);
  });

  it("fails when a component is given a label berth derives from its arguments", async function () {
    const { Redis } = await import("berth");
    const labelled = () =>
      void new Redis("cache", { networkName: "net", password: "p", labels: { "berth.pids-limit": "1" } });
    await assert.rejects(recordProgram(labelled, { project: PROJECT, stack: "test" }), (err: Error) => {
      assert.match(
        err.message,
        /Redis cache: labels sets berth\.pids-limit, which berth derives from the container's arguments/,
      );
      return true;
    });
  });
});

describe("orders-it on a real engine (engine mode)", function () {
  const images = process.env.ORDERS_IT_IMAGES;
  const mode = new EngineMode();
  const stack = `it-${process.pid}`;

  before(function () {
    if (images !== undefined) return;
    const why = "ORDERS_IT_IMAGES is not set: give the images as JSON (see the top of this file)";
    // A CI run must not pass without the engine test; a laptop without the images may skip it.
    if (process.env.CI === "true") throw new Error(why);
    console.log(`    skipping: ${why}`);
    this.skip();
  });
  after(async function () {
    if (images !== undefined) await mode.destroy(stack);
  });

  it("comes up with every gate passing, the app reaching both databases by name, and leaves nothing", async function () {
    const i = JSON.parse(images as string) as { app: string; postgres: string; redis: string; user: string };
    const overrides = {
      "orders-it:appImage": i.app,
      "orders-it:postgresImage": i.postgres,
      "orders-it:postgresUser": i.user,
      "orders-it:redisImage": i.redis,
      "orders-it:redisUser": i.user,
    };
    const up = await mode.up<StackOutputs>({ stack, project: PROJECT, program, config: { ...config, ...overrides } });
    const api = up.outputs.containerNames.api as string;
    // In the app container's network namespace, with the URLs from its env, through each
    // database's own alias: psql from the Postgres image (the app image need not carry a client).
    const appEnv = (variable: string) => execFileSync("docker", ["exec", api, "printenv", variable]).toString().trim();
    const query = (variable: string) =>
      execFileSync("docker", [
        "run",
        "--rm",
        "--network",
        `container:${api}`,
        "--entrypoint",
        "psql",
        i.postgres,
        appEnv(variable),
        "-tAc",
        "select current_database()",
      ])
        .toString()
        .trim();
    assert.deepEqual([query("DATABASE_URL"), query("ANALYTICS_URL")], ["orders", "analytics"]);

    // From test code: the project comes from this directory's Pulumi.yaml; a name the stack does
    // not have fails, naming those it has.
    const handle = await openStack<StackOutputs>({ stack });
    assert.equal(await handle.url("appDb"), up.outputs.hostUrls.appDb);
    await assert.rejects(handle.url("ledger-db"), {
      message:
        `stack ${PROJECT}/${stack} has no service "ledger-db": known are "analyticsDb", "api", "app", "appDb", "cache", "postgres", "redis" ` +
        "(keys of its hostUrls and containerNames outputs, and the berth.service labels of its containers)",
    });
    const rows = await handle.health();
    assert.deepEqual(
      rows.map((r) => r.container).sort(),
      ["analytics-db", "api", "app-db", "cache"].map((n) => `${PROJECT}-${stack}-${n}`),
    );
    assert.deepEqual(downRows(rows), []);

    const seen = await stackObjects(stack, { project: PROJECT });
    assert.equal(seen.containers.length, 4);
    await mode.destroy(stack);
    assert.deepEqual(await leftovers(stack, seen, { project: PROJECT }), { containers: [], networks: [], volumes: [] });
    await assert.rejects(
      stackObjects(stack, { project: PROJECT }),
      /^Error: no container, network or volume carries berth\.stack=/,
    );
  });
});
