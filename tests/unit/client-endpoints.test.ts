// The test-side client's pure parts about reaching a stack: URLs from outputs or containers, the
// gate a restart waits on, Redis slots, run and worker ids.
import assert from "node:assert/strict";
import type { ContainerInspectInfo } from "dockerode";
import type { GateResult } from "../../components/gate/result";
import type { FinalStatus, ProbeKind } from "../../gate/types";
import {
  hostUrlFromOutputs,
  movedPorts,
  publishedPorts,
  servicePort,
  urlFromContainer,
  withLivePort,
} from "../../testing/client/endpoints";
import { prefixPattern, slotIndex, withDb } from "../../testing/client/redis-slot";
import { readyProbes } from "../../testing/client/ready-probes";
import { followPort, restartGateArgs } from "../../testing/client/service-control";
import { processTag, runId, workerIndex } from "../../testing/client/run-id";

type Info = Pick<ContainerInspectInfo, "Name" | "Config" | "NetworkSettings">;
const container = (env: string[], ports: Record<string, { HostIp: string; HostPort: string }[] | null>): Info =>
  ({ Name: "/orders-test-postgres", Config: { Env: env }, NetworkSettings: { Ports: ports } }) as unknown as Info;
const local = (hostIp: string) => (hostIp === "0.0.0.0" ? "127.0.0.1" : hostIp);

describe("client: stack endpoints", () => {
  it("takes berth's hostUrls output when the program exports it", () => {
    const outputs = {
      hostUrls: {
        postgres: "postgres://berth:pw@127.0.0.1:32801/berth",
        redis: "redis://127.0.0.1:32802",
        orchestrator: undefined,
      },
    };
    assert.deepEqual(
      [
        hostUrlFromOutputs(outputs, "postgres"),
        hostUrlFromOutputs(outputs, "redis"),
        hostUrlFromOutputs({ databaseUrl: "x" }, "postgres"),
        hostUrlFromOutputs({}, "redis"),
      ],
      ["postgres://berth:pw@127.0.0.1:32801/berth", "redis://127.0.0.1:32802", undefined, undefined],
    );
  });

  it("reads the published TCP ports, IPv4 binding first, and the one a service publishes", () => {
    const info = container([], {
      "5432/tcp": [
        { HostIp: "::", HostPort: "32770" },
        { HostIp: "0.0.0.0", HostPort: "32771" },
      ],
      "8080/tcp": null,
      "53/udp": [{ HostIp: "0.0.0.0", HostPort: "5353" }],
    });
    assert.deepEqual(publishedPorts(info), [{ containerPort: "5432/tcp", hostIp: "0.0.0.0", port: 32771 }]);
    assert.deepEqual(
      [servicePort(info), servicePort(container([], {}))],
      [{ containerPort: "5432/tcp", hostIp: "0.0.0.0", port: 32771 }, undefined],
    );
  });

  it("fails when a container publishes several ports: which is the service's is unclear", () => {
    const two = container([], {
      "8081/tcp": [{ HostIp: "127.0.0.1", HostPort: "2" }],
      "8080/tcp": [{ HostIp: "127.0.0.1", HostPort: "1" }],
    });
    assert.throws(() => servicePort(two), {
      message:
        "container orders-test-postgres publishes 2 ports (8080/tcp, 8081/tcp); a component's container publishes one, so which one is its service is unclear",
    });
  });

  it("puts the port the container publishes now into an exported URL (it moves on restart)", () => {
    const live = { containerPort: "5432/tcp", hostIp: "127.0.0.1", port: 40001 };
    assert.deepEqual(
      [
        withLivePort("postgres://berth:p%40ss@127.0.0.1:32801/berth", live),
        withLivePort("http://127.0.0.1:32803", live),
        withLivePort("http://127.0.0.1:32803/", live),
        withLivePort("http://127.0.0.1:40001", live),
        withLivePort("redis://127.0.0.1:32802", undefined),
      ],
      [
        "postgres://berth:p%40ss@127.0.0.1:40001/berth",
        "http://127.0.0.1:40001",
        "http://127.0.0.1:40001/",
        "http://127.0.0.1:40001",
        "redis://127.0.0.1:32802",
      ],
    );
  });

  it("derives URLs from the container alone: Postgres from its POSTGRES_* environment, Redis with its REDIS_PASSWORD, encoded", () => {
    const pg = { "5432/tcp": [{ HostIp: "127.0.0.1", HostPort: "32801" }] };
    const one = { "6379/tcp": [{ HostIp: "0.0.0.0", HostPort: "32802" }] };
    assert.deepEqual(
      [
        urlFromContainer(
          "postgres",
          container(["POSTGRES_USER=orders", "POSTGRES_DB=orders", "POSTGRES_PASSWORD=p@ss:w/rd=1", "PGDATA=/x"], pg),
          local,
        ),
        // The image's defaults: user postgres, database named after the user.
        urlFromContainer("postgres", container(["POSTGRES_PASSWORD=pw"], pg), local),
        urlFromContainer("redis", container([], one), local),
        urlFromContainer("redis", container(["REDIS_PASSWORD=r@d", "REDISCLI_AUTH=r@d"], one), local),
        urlFromContainer("api", container([], one), local),
      ],
      [
        "postgres://orders:p%40ss%3Aw%2Frd%3D1@127.0.0.1:32801/orders",
        "postgres://postgres:pw@127.0.0.1:32801/postgres",
        "redis://127.0.0.1:32802",
        "redis://:r%40d@127.0.0.1:32802",
        "http://127.0.0.1:32802",
      ],
    );
  });

  it("fails when no port is published or the password is not in the environment", () => {
    assert.throws(
      () => urlFromContainer("postgres", container(["POSTGRES_PASSWORD=pw"], { "5432/tcp": null }), local),
      {
        message:
          "container orders-test-postgres publishes no port to the host: the stack was made with ports.publish none (or publish: false); publish it, or run the tests on the stack's network",
      },
    );
    assert.throws(
      () =>
        urlFromContainer("postgres", container([], { "5432/tcp": [{ HostIp: "127.0.0.1", HostPort: "1" }] }), local),
      {
        message:
          "container orders-test-postgres has no POSTGRES_PASSWORD in its environment, so its URL cannot be derived: export the URL from the program (berth exports hostUrls) and read it from the outputs",
      },
    );
  });

  it("maps exported host ports to the ones published now, for the entries whose port moved", () => {
    const at = (port: number) => ({ containerPort: "x/tcp", hostIp: "127.0.0.1", port });
    const outputs = {
      hostUrls: {
        postgres: "postgres://u:p@127.0.0.1:32801/db",
        redis: undefined,
        orchestrator: "http://127.0.0.1:32803",
        appDb: "postgres://u:p@127.0.0.1:32804/orders",
      },
    };
    assert.deepEqual(
      [...movedPorts(outputs, { postgres: at(32801), orchestrator: at(32999), appDb: at(33000), workers: at(1) })],
      [
        [32803, 32999],
        [32804, 33000],
      ],
    );
    assert.deepEqual([...movedPorts({}, { orchestrator: at(1) })], []);
  });
});

describe("client: the gate a restarted service waits on", () => {
  const probe = (kind: ProbeKind, target: string) => ({
    kind,
    target,
    status: "healthy" as FinalStatus,
    timeToHealthyMs: 10,
    detail: "",
  });
  const gates: Record<string, GateResult | undefined> = {
    data: {
      gate: "data",
      status: "passed",
      elapsedMs: 1,
      probes: [probe("container", "berth-s-postgres"), probe("container", "berth-s-redis")],
    },
    orchestrator: {
      gate: "orchestrator",
      status: "passed",
      elapsedMs: 1,
      probes: [probe("container", "berth-s-orchestrator")],
    },
    workers: {
      gate: "workers",
      status: "passed",
      elapsedMs: 1,
      probes: [
        probe("container", "berth-s-worker-0"),
        probe("container", "berth-s-worker-1"),
        probe("http", "http://127.0.0.1:32803/v1/workers"),
      ],
    },
    none: undefined,
  };

  it("reuses the gate that guarded the service at up, with all of its probes", () => {
    const table: [string, string[], string[]][] = [
      [
        "orchestrator",
        ["berth-s-orchestrator"],
        ["--name", "orchestrator", "--timeout-seconds", "90", "--container", "berth-s-orchestrator"],
      ],
      [
        "postgres",
        ["berth-s-postgres"],
        [
          "--name",
          "data",
          "--timeout-seconds",
          "90",
          "--container",
          "berth-s-postgres",
          "--container",
          "berth-s-redis",
        ],
      ],
      [
        "workers",
        ["berth-s-worker-0", "berth-s-worker-1"],
        [
          "--name",
          "workers",
          "--timeout-seconds",
          "90",
          "--container",
          "berth-s-worker-0",
          "--container",
          "berth-s-worker-1",
          "--http",
          "http://127.0.0.1:32803/v1/workers",
        ],
      ],
    ];
    for (const [service, containers, args] of table)
      assert.deepEqual(restartGateArgs(service, containers, 90, gates), { args, env: {} }, service);
  });

  it("gives each watched container its direct readiness probe, the URL in the environment, never on the command line", () => {
    const ready = {
      probes: [
        { container: "berth-s-postgres", url: "postgres://berth:pw@127.0.0.1:40001/berth" },
        { container: "berth-s-redis", url: "redis://127.0.0.1:40002" },
        { container: "berth-s-orchestrator", url: "http://127.0.0.1:40003/health" },
      ],
    };
    assert.deepEqual(restartGateArgs("postgres", ["berth-s-postgres"], 90, gates, new Map(), ready), {
      args: [
        ...[
          "--name",
          "data",
          "--timeout-seconds",
          "90",
          "--container",
          "berth-s-postgres",
          "--container",
          "berth-s-redis",
        ],
        ...["--ready", "berth-s-postgres=env:BERTH_GATE_READY_0", "--ready", "berth-s-redis=env:BERTH_GATE_READY_1"],
      ],
      env: {
        BERTH_GATE_READY_0: "postgres://berth:pw@127.0.0.1:40001/berth",
        BERTH_GATE_READY_1: "redis://127.0.0.1:40002",
      },
    });
  });

  it("asks the orchestrator's worker list for every worker, with the count it must reach", () => {
    const list = "http://127.0.0.1:40003/v1/workers";
    const ready = {
      probes: ["berth-s-worker-0", "berth-s-worker-1", "berth-s-worker-net"].map((container) => ({
        container,
        url: list,
      })),
      httpMinItems: { key: "workers", count: 2 },
    };
    const workersGate = {
      workers: {
        gate: "workers",
        status: "passed" as const,
        elapsedMs: 1,
        probes: ["berth-s-worker-0", "berth-s-worker-1", "berth-s-worker-net"].map((c) => probe("container", c)),
      },
    };
    assert.deepEqual(
      restartGateArgs("workers", ["berth-s-worker-0", "berth-s-worker-1"], 90, workersGate, new Map(), ready),
      {
        args: [
          ...[
            "--name",
            "workers",
            "--timeout-seconds",
            "90",
            "--container",
            "berth-s-worker-0",
            "--container",
            "berth-s-worker-1",
            "--container",
            "berth-s-worker-net",
          ],
          ...[
            "--ready",
            "berth-s-worker-0=env:BERTH_GATE_READY_0",
            "--ready",
            "berth-s-worker-1=env:BERTH_GATE_READY_1",
            "--ready",
            "berth-s-worker-net=env:BERTH_GATE_READY_2",
          ],
          ...["--http-min-items", "workers=2"],
        ],
        env: { BERTH_GATE_READY_0: list, BERTH_GATE_READY_1: list, BERTH_GATE_READY_2: list },
      },
    );
  });

  it("follows host ports that moved since up: the workers gate asks the orchestrator's new port", () => {
    const moved = new Map([[32803, 40003]]);
    assert.deepEqual(restartGateArgs("workers", ["berth-s-worker-0"], 90, gates, moved).args.slice(-2), [
      "--http",
      "http://127.0.0.1:40003/v1/workers",
    ]);
    assert.deepEqual(
      [
        followPort("tcp", "127.0.0.1:32803", moved),
        followPort("tcp", "[::1]:5", moved),
        followPort("http", "http://h:1/x", moved),
      ],
      ["127.0.0.1:40003", "[::1]:5", "http://h:1/x"],
    );
  });

  it("falls back to a gate on the service's containers when no gate output names them", () => {
    assert.deepEqual(restartGateArgs("api", ["orders-test-api-0", "orders-test-api-1"], 30).args, [
      "--name",
      "api",
      "--timeout-seconds",
      "30",
      "--container",
      "orders-test-api-0",
      "--container",
      "orders-test-api-1",
    ]);
    // Postgres/Redis probes carry redacted URLs in the results: never passed back to the CLI.
    const withUrl = {
      data: {
        gate: "data",
        status: "passed" as const,
        elapsedMs: 1,
        probes: [probe("container", "c"), probe("postgres", "postgres://u:***@h/db")],
      },
    };
    assert.deepEqual(restartGateArgs("postgres", ["c"], 5, withUrl).args, [
      "--name",
      "data",
      "--timeout-seconds",
      "5",
      "--container",
      "c",
    ]);
  });
});

describe("client: the direct readiness probes of a restarted service's gate", () => {
  const at = (name: string, service: string, env: string[], port?: [string, number]): Info =>
    ({
      Name: `/${name}`,
      Config: { Env: env, Labels: { "berth.service": service } },
      NetworkSettings: { Ports: port ? { [port[0]]: [{ HostIp: "127.0.0.1", HostPort: String(port[1]) }] } : {} },
    }) as unknown as Info;
  const pg = at(
    "b-s-postgres",
    "postgres",
    ["POSTGRES_USER=berth", "POSTGRES_DB=berth", "POSTGRES_PASSWORD=p@ss"],
    ["5432/tcp", 40001],
  );
  const redis = at("b-s-redis", "redis", [], ["6379/tcp", 40002]);
  const orchestrator = at("b-s-orchestrator", "orchestrator", [], ["8080/tcp", 40003]);
  const workers = [
    at("b-s-worker-0", "workers", []),
    at("b-s-worker-1", "workers", []),
    at("b-s-worker-net", "workers-network", []),
  ];
  const stack = [pg, redis, orchestrator, ...workers];

  it("asks Postgres, Redis and the orchestrator on their live ports, and the orchestrator's worker list for the workers", () => {
    assert.deepEqual(readyProbes([pg, redis], stack, local), {
      probes: [
        { container: "b-s-postgres", url: "postgres://berth:p%40ss@127.0.0.1:40001/berth" },
        { container: "b-s-redis", url: "redis://127.0.0.1:40002" },
      ],
    });
    assert.deepEqual(readyProbes([orchestrator], stack, local), {
      probes: [{ container: "b-s-orchestrator", url: "http://127.0.0.1:40003/health" }],
    });
    assert.deepEqual(readyProbes(workers, stack, local), {
      probes: workers.map((w) => ({ container: w.Name.slice(1), url: "http://127.0.0.1:40003/v1/workers" })),
      httpMinItems: { key: "workers", count: 2 },
    });
  });

  it("gives none where up gave none: nothing published, no orchestrator to ask, a team's own service", () => {
    const unpublished = at("b-s-postgres", "postgres", ["POSTGRES_PASSWORD=pw"]);
    const noPassword = at("b-s-postgres", "postgres", [], ["5432/tcp", 1]);
    const app = at("b-s-api", "app", [], ["3000/tcp", 40005]);
    assert.deepEqual(readyProbes([unpublished, noPassword, app], stack, local), { probes: [] });
    assert.deepEqual(readyProbes(workers, [pg, redis, ...workers], local), { probes: [] });
  });
});

describe("client: Redis slots", () => {
  it("gives worker w the index firstIndex + w while the server has it", () => {
    assert.deepEqual([slotIndex(0, 1, 16, "r"), slotIndex(14, 1, 16, "r"), slotIndex(3, 0, 4, "r")], [1, 15, 3]);
  });

  it("fails when the index is beyond the server's `databases`, saying what to change", () => {
    assert.throws(() => slotIndex(15, 1, 16, "redis://127.0.0.1:6379"), {
      message:
        "Redis at redis://127.0.0.1:6379 has 16 databases (indexes 0–15, `databases` in its config); test worker 15 needs index 16 (firstIndex 1 + worker 15). " +
        'Run at most 15 workers (mocha --jobs), raise `databases` in the Redis config, or use { mode: "prefix" } (one keyspace, a key prefix per worker).',
    });
    assert.throws(() => slotIndex(0, 1, 1, "r"), {
      message:
        /^Redis at r has 1 database \(indexes 0–0, `databases` in its config\); test worker 0 needs index 1 .* Run at most 0 workers/,
    });
  });

  it("escapes glob characters of a key prefix for SCAN MATCH", () => {
    assert.deepEqual(
      [prefixPattern("berth-test:r1:w0:"), prefixPattern("a*b?[c]\\d:")],
      ["berth-test:r1:w0:*", "a\\*b\\?\\[c\\]\\\\d:*"],
    );
  });

  it("puts the index into the URL", () => {
    assert.equal(withDb("redis://:pw@127.0.0.1:6379", 3), "redis://:pw@127.0.0.1:6379/3");
    assert.equal(withDb("redis://127.0.0.1:6379/0", 12), "redis://127.0.0.1:6379/12");
  });
});

describe("client: run, process and worker ids", () => {
  it("keeps a given run id, and makes one and exports it for child processes when there is none", () => {
    assert.equal(runId({ BERTH_RUN_ID: "abc123" }), "abc123");
    const env: NodeJS.ProcessEnv = {};
    const made = runId(env);
    assert.match(made, /^[a-z0-9]{1,12}$/);
    assert.deepEqual([env.BERTH_RUN_ID, runId(env)], [made, made]);
  });

  it("fails when BERTH_RUN_ID cannot be part of a database name", () => {
    assert.throws(() => runId({ BERTH_RUN_ID: "Run-1" }), {
      message: 'BERTH_RUN_ID must be 1 to 12 lower-case letters or digits (it is part of database names); got "Run-1"',
    });
  });

  it("reads mocha's worker index, 0 outside parallel mode", () => {
    assert.deepEqual(
      [workerIndex({}), workerIndex({ MOCHA_WORKER_ID: "3" }), workerIndex({ MOCHA_WORKER_ID: "" })],
      [0, 3, 0],
    );
    assert.throws(() => workerIndex({ MOCHA_WORKER_ID: "x" }), {
      message: 'MOCHA_WORKER_ID must be a whole number; got "x"',
    });
    assert.equal(processTag(46655), "zzz");
  });
});
