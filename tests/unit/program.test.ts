// The program under Pulumi's mock runtime, loaded with the real stack files.
import { templateName, templateStartCommand } from "../../components/postgres/template";
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { pickedPort, ProgramRun, RecordedResource, resourceNamed } from "../../testing/recorder";
import { BerthOutputs, runProgram, workersNetworkContainer } from "../../lab/berth-program";

const CONTAINER = "docker:index/container:Container";
const COMMAND = "command:local:Command";
const short = (urn: string) => urn.split("::").pop();
const containers = (run: ProgramRun) => run.resources.filter((r) => r.type === CONTAINER);
const labelsOf = (r: RecordedResource) =>
  Object.fromEntries((r.inputs.labels as { label: string; value: string }[]).map((l) => [l.label, l.value]));

describe("program: test stack", function () {
  this.timeout(30_000);
  let run: ProgramRun;
  before(async function () {
    run = await runProgram("test");
  });

  it("registers exactly the tiers' resources", function () {
    assert.deepEqual(run.resources.map((r) => `${r.type} ${r.name}`).sort(), [
      "berth:index:Environment berth",
      "berth:index:HealthGate berth-data-gate",
      "berth:index:HealthGate berth-orchestrator-gate",
      "berth:index:HealthGate berth-workers-gate",
      "berth:index:Network berth-network",
      "berth:index:Orchestrator berth-orchestrator",
      "berth:index:Postgres berth-postgres",
      "berth:index:Redis berth-redis",
      "berth:index:WorkerPool berth-worker",
      "command:local:Command berth-data-gate-wait",
      "command:local:Command berth-network-subnet",
      "command:local:Command berth-orchestrator-gate-wait",
      "command:local:Command berth-postgres-template",
      "command:local:Command berth-workers-gate-wait",
      "docker:index/container:Container berth-orchestrator",
      "docker:index/container:Container berth-postgres",
      "docker:index/container:Container berth-redis",
      "docker:index/container:Container berth-worker-0",
      "docker:index/container:Container berth-worker-1",
      "docker:index/container:Container berth-worker-net",
      "docker:index/image:Image berth-app-image",
      "docker:index/network:Network berth-network",
      "docker:index/remoteImage:RemoteImage berth-postgres-image",
      "docker:index/remoteImage:RemoteImage berth-redis-image",
      "random:index/randomPassword:RandomPassword berth-postgres-password",
    ]);
  });

  it("parents every child to its component", function () {
    const parentOf = (type: string, name: string) => short(resourceNamed(run, type, name).parent);
    assert.equal(parentOf(CONTAINER, "berth-postgres"), "berth-postgres");
    assert.equal(parentOf(CONTAINER, "berth-worker-1"), "berth-worker");
    assert.equal(parentOf(CONTAINER, "berth-worker-net"), "berth-worker");
    assert.equal(parentOf(COMMAND, "berth-data-gate-wait"), "berth-data-gate");
    assert.equal(parentOf("docker:index/network:Network", "berth-network"), "berth-network");
    assert.equal(parentOf(COMMAND, "berth-network-subnet"), "berth-network");
    assert.equal(parentOf("berth:index:Postgres", "berth-postgres"), "berth");
  });

  it("uses the Alpine image stack", function () {
    assert.equal(
      resourceNamed(run, "docker:index/remoteImage:RemoteImage", "berth-postgres-image").inputs.name,
      "postgres:16-alpine",
    );
    assert.equal(
      resourceNamed(run, "docker:index/remoteImage:RemoteImage", "berth-redis-image").inputs.name,
      "redis:7-alpine",
    );
    const app = resourceNamed(run, "docker:index/image:Image", "berth-app-image").inputs;
    assert.equal(app.imageName, "berth-test-workload:alpine");
    assert.deepEqual(app.build.args, { BASE_IMAGE: "node:20-alpine" });
    assert.equal(app.build.context, "services");
    assert.equal(app.skipPush, true);
    assert.equal(run.outputs.imageStack, "alpine");
  });

  it("puts Postgres data on a tmpfs owned by the postgres user, with durability off", function () {
    const pg = resourceNamed(run, CONTAINER, "berth-postgres").inputs;
    assert.deepEqual(pg.tmpfs, {
      "/tmp": "rw,noexec,nosuid,size=64m",
      "/var/run/postgresql": "rw,nosuid,nodev,size=1m,mode=0775,uid=70,gid=70",
      "/var/lib/postgresql/data": "rw,nosuid,nodev,size=256m,mode=0700,uid=70,gid=70",
    });
    // The server's command, behind the start script that copies the engine's template when it has one.
    assert.deepEqual(
      pg.command,
      templateStartCommand([
        "postgres",
        "-c",
        "shared_buffers=64MB",
        "-c",
        "listen_addresses=*",
        "-c",
        "fsync=off",
        "-c",
        "synchronous_commit=off",
        "-c",
        "full_page_writes=off",
      ]),
    );
    assert.deepEqual(pg.healthcheck.tests, [
      "CMD",
      "pg_isready",
      "-h",
      "127.0.0.1",
      "-p",
      "5432",
      "-U",
      "berth",
      "-d",
      "berth",
    ]);
    assert.deepEqual(pg.volumes, [
      {
        volumeName: templateName({ baseImage: "postgres:16-alpine@sha256:mock", user: "berth", database: "berth" }),
        containerPath: "/var/lib/berth-postgres-template",
        readOnly: true,
      },
    ]);
    assert.equal(run.resources.filter((r) => r.type === "docker:index/volume:Volume").length, 0);
    assert.deepEqual(pg.envs, [
      "POSTGRES_USER=berth",
      "POSTGRES_DB=berth",
      "POSTGRES_PASSWORD=mock-password-0123456789abcdef",
      "PGDATA=/var/lib/postgresql/data",
    ]);
  });

  it("runs Redis without persistence and with an eviction policy", function () {
    const redis = resourceNamed(run, CONTAINER, "berth-redis").inputs;
    assert.deepEqual(redis.command, [
      "redis-server",
      "--maxmemory",
      "64mb",
      "--maxmemory-policy",
      "allkeys-lru",
      "--appendonly",
      "no",
      "--save",
      "",
      "--dir",
      "/data",
    ]);
    assert.deepEqual(redis.healthcheck.tests, ["CMD", "redis-cli", "-h", "127.0.0.1", "ping"]);
    assert.equal(redis.tmpfs["/data"], "rw,nosuid,nodev,size=16m,mode=0700,uid=999,gid=1000");
  });

  it("orders tiers: data → gate → orchestrator → workers, orchestrator gate → workers gate", function () {
    const deps = (type: string, name: string) => resourceNamed(run, type, name).dependencies.map(short).sort();
    // The data gate also reads the password: its readiness probe logs in.
    assert.deepEqual(deps(COMMAND, "berth-data-gate-wait"), [
      "berth-postgres",
      "berth-postgres-password",
      "berth-postgres-template",
      "berth-redis",
    ]);
    // The orchestrator also takes the Postgres container's id: a new database container replaces it (migrations).
    assert.deepEqual(deps(CONTAINER, "berth-orchestrator"), [
      "berth-app-image",
      "berth-data-gate-wait",
      "berth-network",
      "berth-postgres",
      "berth-postgres-password",
    ]);
    // A gate runs again, in place, when what it watches gets a new id, and so when the gate of the
    // tier before it runs again for that reason: those ids are in its environment (no triggers, which
    // would replace it); it waits for the gate before it.
    assert.deepEqual(deps(COMMAND, "berth-orchestrator-gate-wait"), [
      "berth-data-gate-wait",
      "berth-orchestrator",
      "berth-postgres",
      "berth-redis",
    ]);
    const runsFor = (name: string) => [
      resourceNamed(run, COMMAND, name).inputs.environment.BERTH_GATE_RUNS_FOR,
      resourceNamed(run, COMMAND, name).inputs.triggers,
    ];
    assert.deepEqual(runsFor("berth-orchestrator-gate-wait"), [
      "berth-orchestrator-id berth-postgres-id berth-redis-id",
      undefined,
    ]);
    assert.deepEqual(runsFor("berth-workers-gate-wait"), [
      "berth-worker-0-id berth-worker-1-id berth-worker-net-id berth-orchestrator-id berth-postgres-id berth-redis-id",
      undefined,
    ]);
    // The workers' network container comes with the orchestrator's, after the data gate; the workers
    // right after both (not after the orchestrator's gate), in its namespace rather than on the network
    // themselves; their gate also waits for the orchestrator's.
    assert.deepEqual(deps(CONTAINER, "berth-worker-net"), ["berth-app-image", "berth-data-gate-wait", "berth-network"]);
    for (const w of ["berth-worker-0", "berth-worker-1"]) {
      assert.deepEqual(
        deps(CONTAINER, w),
        [
          "berth-app-image",
          "berth-data-gate-wait",
          "berth-orchestrator",
          "berth-postgres-password",
          "berth-worker-net",
        ],
        w,
      );
    }
    // (The ids it runs again for bring the earlier tiers' resources along as dependencies: all made before it anyway.)
    assert.deepEqual(deps(COMMAND, "berth-workers-gate-wait"), [
      "berth-data-gate-wait",
      "berth-orchestrator",
      "berth-orchestrator-gate-wait",
      "berth-postgres",
      "berth-redis",
      "berth-worker-0",
      "berth-worker-1",
      "berth-worker-net",
    ]);
    // Postgres and Redis wait only for the network: they start in parallel.
    assert.deepEqual(deps(CONTAINER, "berth-redis"), ["berth-network", "berth-redis-image"]);
    // Not on the template step: a template being made (or none) never delays the container.
    assert.deepEqual(deps(CONTAINER, "berth-postgres"), [
      "berth-network",
      "berth-postgres-image",
      "berth-postgres-password",
    ]);
  });

  it("gates apply each container's pids limit, ask each service directly, within the tier's budget, with a hint naming the keys", function () {
    const create = (name: string) => resourceNamed(run, COMMAND, name).inputs.create;
    const hint = (tier: string, keys: string) =>
      `--hint 'To change this, edit Pulumi.test.yaml: the settings of these services are under ${keys}; raise berth:tiers.${tier}.gateTimeoutSeconds (now 90) only if they are healthy but slow.'`;
    assert.equal(
      create("berth-data-gate-wait"),
      "node dist/gate/cli.js --name data --timeout-seconds 90 --container berth-test-postgres --container berth-test-redis " +
        "--pids-limit berth-test-postgres=256 --pids-limit berth-test-redis=256 --ready berth-test-postgres=env:BERTH_GATE_READY_0 --ready berth-test-redis=env:BERTH_GATE_READY_1 " +
        hint("data", "berth:postgres, berth:redis"),
    );
    assert.equal(
      create("berth-orchestrator-gate-wait"),
      "node dist/gate/cli.js --name orchestrator --timeout-seconds 90 --container berth-test-orchestrator --pids-limit berth-test-orchestrator=256 " +
        `--ready berth-test-orchestrator=env:BERTH_GATE_READY_0 ${hint("orchestrator", "berth:orchestrator, berth:images.app")}`,
    );
    assert.equal(
      create("berth-workers-gate-wait"),
      "node dist/gate/cli.js --name workers --timeout-seconds 90 --container berth-test-worker-0 --container berth-test-worker-1 --container berth-test-worker-net " +
        "--pids-limit berth-test-worker-0=256 --pids-limit berth-test-worker-1=256 --pids-limit berth-test-worker-net=256 " +
        "--ready berth-test-worker-0=env:BERTH_GATE_READY_0 --ready berth-test-worker-1=env:BERTH_GATE_READY_1 --ready berth-test-worker-net=env:BERTH_GATE_READY_2 " +
        `--http-min-items workers=2 ${hint("workers", "berth:workers, berth:images.app")}`,
    );
    // The engine picks the host ports in the test stack (under mocks: pickedPort, from the name).
    const picked = {
      postgres: pickedPort("berth-test-postgres"),
      redis: pickedPort("berth-test-redis"),
      orchestrator: pickedPort("berth-test-orchestrator"),
    };
    assert.deepEqual(run.outputs.hostPorts, picked);
    // What the gates ask, through the published ports; secret, since the Postgres URL logs in.
    const env = (name: string) => resourceNamed(run, COMMAND, name).inputs.environment;
    assert.deepEqual(env("berth-data-gate-wait"), {
      BERTH_GATE_READY_0: `postgres://berth:mock-password-0123456789abcdef@127.0.0.1:${picked.postgres}/berth`,
      BERTH_GATE_READY_1: `redis://127.0.0.1:${picked.redis}`,
      BERTH_GATE_RUNS_FOR: "berth-postgres-id berth-redis-id",
    });
    assert.deepEqual(env("berth-orchestrator-gate-wait"), {
      BERTH_GATE_READY_0: `http://127.0.0.1:${picked.orchestrator}/health`,
      BERTH_GATE_RUNS_FOR: "berth-orchestrator-id berth-postgres-id berth-redis-id",
    });
    const workers = `http://127.0.0.1:${picked.orchestrator}/v1/workers`;
    assert.deepEqual(env("berth-workers-gate-wait"), {
      BERTH_GATE_READY_0: workers,
      BERTH_GATE_READY_1: workers,
      BERTH_GATE_READY_2: workers,
      BERTH_GATE_RUNS_FOR:
        "berth-worker-0-id berth-worker-1-id berth-worker-net-id berth-orchestrator-id berth-postgres-id berth-redis-id",
    });
    const gate = resourceNamed(run, COMMAND, "berth-data-gate-wait");
    assert.deepEqual([gate.inputs.logging, gate.secretInputs.includes("environment")], ["stderr", true]);
    assert.equal(gate.inputs.triggers, undefined);
  });

  it("hardens every container: limits, non-root, read-only, no-new-privileges, caps dropped, bounded restarts", function () {
    const expected: Record<string, { user: string; memory: number; cpus: string }> = {
      "berth-postgres": { user: "70:70", memory: 512, cpus: "1" },
      "berth-redis": { user: "999:1000", memory: 128, cpus: "0.5" },
      "berth-orchestrator": { user: "1000:1000", memory: 256, cpus: "0.5" },
      "berth-worker-0": { user: "1000:1000", memory: 256, cpus: "0.5" },
      "berth-worker-1": { user: "1000:1000", memory: 256, cpus: "0.5" },
      "berth-worker-net": { user: "1000:1000", memory: 16, cpus: "0.1" },
    };
    assert.deepEqual(
      containers(run)
        .map((c) => c.name)
        .sort(),
      Object.keys(expected).sort(),
    );
    for (const c of containers(run)) {
      const i = c.inputs;
      assert.deepEqual({ user: i.user, memory: i.memory, cpus: i.cpus }, expected[c.name], c.name);
      assert.equal(i.memorySwap, i.memory, c.name);
      assert.equal(i.readOnly, true, c.name);
      assert.deepEqual(i.securityOpts, ["no-new-privileges:true"], c.name);
      assert.deepEqual(i.capabilities, { drops: ["ALL"], adds: [] }, c.name);
      assert.equal(i.restart, "on-failure", c.name);
      assert.equal(i.maxRetryCount, 3, c.name);
      assert.equal(i.wait, false, c.name);
      assert.equal(i.removeVolumes, true, c.name);
      assert.equal(i.tmpfs["/tmp"], "rw,noexec,nosuid,size=64m", c.name);
      assert.deepEqual(
        {
          interval: i.healthcheck.interval,
          timeout: i.healthcheck.timeout,
          startPeriod: i.healthcheck.startPeriod,
          retries: i.healthcheck.retries,
        },
        // Calm: the gates ask the services themselves, so Docker's check only keeps the status.
        { interval: "60s", timeout: "10s", startPeriod: "20s", retries: 1 },
        c.name,
      );
      assert.equal(labelsOf(c)["berth.pids-limit"], "256", c.name);
      assert.deepEqual(c.replaceOnChanges, ["healthcheck"], c.name);
      assert.equal(c.deleteBeforeReplace, true, c.name);
    }
  });

  it("uses the workload image's probe script as healthcheck (sh, which Alpine and Debian have) and wires services by alias", function () {
    const orch = resourceNamed(run, CONTAINER, "berth-orchestrator").inputs;
    assert.deepEqual(orch.healthcheck.tests, ["CMD", "sh", "/app/dist/healthcheck.sh", "8080"]);
    assert.deepEqual(orch.networksAdvanced, [{ name: "berth-test-net", aliases: ["orchestrator"] }]);
    assert.deepEqual(orch.envs, [
      "DATABASE_URL=postgres://berth:mock-password-0123456789abcdef@postgres:5432/berth",
      "REDIS_URL=redis://redis:6379",
      "NAMESPACES=default",
      "LOG_LEVEL=info",
      "ORCHESTRATOR_PORT=8080",
      "BERTH_DATABASE_CONTAINER=berth-postgres-id",
    ]);
    // The workers share one network namespace, so replica i has port 8081 + i; their container
    // holding it answers to the workers' one alias, whatever their count.
    const net = resourceNamed(run, CONTAINER, "berth-worker-net").inputs;
    assert.deepEqual(net.networksAdvanced, [{ name: "berth-test-net", aliases: ["worker"] }]);
    assert.deepEqual(net.command, ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 3600 & wait $!; done"]);
    assert.deepEqual(net.healthcheck.tests, ["CMD", "sh", "-c", "test -e /sys/class/net/eth0"]);
    assert.equal(net.envs, undefined);
    assert.equal(labelsOf(resourceNamed(run, CONTAINER, "berth-worker-net"))["berth.service"], "workers-network");
    // The tests' helper finds it from the outputs, which do not list it.
    assert.equal(
      workersNetworkContainer(run.outputs as unknown as BerthOutputs),
      resourceNamed(run, CONTAINER, "berth-worker-net").inputs.name,
    );
    for (const [i, name] of ["berth-worker-0", "berth-worker-1"].entries()) {
      const worker = resourceNamed(run, CONTAINER, name).inputs;
      assert.deepEqual(worker.healthcheck.tests, ["CMD", "sh", "/app/dist/healthcheck.sh", String(8081 + i)], name);
      assert.deepEqual(worker.command, ["node", "/app/dist/worker.js"], name);
      assert.ok(worker.envs.includes(`WORKER_ID=worker-${i}`), name);
      assert.ok(worker.envs.includes(`WORKER_PORT=${8081 + i}`), name);
      assert.equal(worker.networkMode, "container:berth-worker-net-id", name);
      assert.equal(worker.networksAdvanced, undefined, name);
      assert.deepEqual(worker.ports, [], name);
    }
  });

  it("creates the network with the subnet its step picks once, from 172.16.0.0/16 in /26 blocks", function () {
    const step = resourceNamed(run, COMMAND, "berth-network-subnet");
    assert.deepEqual(step.inputs, {
      create: "node dist/tools/pick-subnet.js --network berth-test-net --pool 172.16.0.0/16 --prefix-length 26",
      environment: {},
      logging: "stderr",
    });
    assert.deepEqual(step.dependencies, []);
    const network = resourceNamed(run, "docker:index/network:Network", "berth-network");
    // Under mocks the step answers what it picks on an empty engine (testing/recorder.ts pickedSubnet).
    assert.deepEqual(network.inputs.ipamConfigs, [{ subnet: "172.16.152.0/26" }]);
    assert.deepEqual(network.dependencies.map(short), ["berth-network-subnet"]);
    assert.deepEqual(
      [network.inputs.driver, network.inputs.internal, network.inputs.attachable],
      ["bridge", false, false],
    );
  });

  it("lets the engine choose host ports on loopback", function () {
    for (const name of ["berth-postgres", "berth-redis", "berth-orchestrator"]) {
      const [port] = resourceNamed(run, CONTAINER, name).inputs.ports;
      assert.equal(port.external, undefined, name);
      assert.equal(port.ip, "127.0.0.1", name);
    }
  });

  it("labels every Docker object with project, stack and environment", function () {
    for (const r of [...containers(run), resourceNamed(run, "docker:index/network:Network", "berth-network")]) {
      const labels = labelsOf(r);
      assert.equal(labels["berth.project"], "berth", r.name);
      assert.equal(labels["berth.stack"], "test", r.name);
      assert.equal(labels["berth.environment"], "test", r.name);
    }
    assert.equal(labelsOf(resourceNamed(run, CONTAINER, "berth-worker-0"))["berth.service"], "workers");
  });

  it("exports names and keeps every URL that carries the password secret", function () {
    assert.deepEqual(run.outputs.containerNames, {
      postgres: "berth-test-postgres",
      redis: "berth-test-redis",
      orchestrator: "berth-test-orchestrator",
      workers: ["berth-test-worker-0", "berth-test-worker-1"],
    });
    assert.equal(run.outputs.networkName, "berth-test-net");
    assert.deepEqual(run.secretOutputs.sort(), ["hostUrls", "networkUrls"]);
    for (const [key, value] of Object.entries(run.outputs)) {
      if (!run.secretOutputs.includes(key)) assert.doesNotMatch(JSON.stringify(value) ?? "", /mock-password/, key);
    }
    // Redis and the workers' network container have no password in their environment.
    for (const c of containers(run).filter((c) => !["berth-redis", "berth-worker-net"].includes(c.name)))
      assert.deepEqual(c.secretInputs, ["envs"], c.name);
  });
});

describe("program: dev stack", function () {
  this.timeout(30_000);
  let run: ProgramRun;
  before(async function () {
    run = await runProgram("dev");
  });

  it("uses the regular image stack", function () {
    assert.equal(
      resourceNamed(run, "docker:index/remoteImage:RemoteImage", "berth-postgres-image").inputs.name,
      "postgres:16-bookworm",
    );
    assert.deepEqual(resourceNamed(run, "docker:index/image:Image", "berth-app-image").inputs.build.args, {
      BASE_IMAGE: "node:20-bookworm-slim",
    });
    assert.equal(resourceNamed(run, CONTAINER, "berth-postgres").inputs.user, "999:999");
  });

  it("keeps Postgres data on a named volume with durable defaults", function () {
    const volume = resourceNamed(run, "docker:index/volume:Volume", "berth-postgres-data").inputs;
    assert.equal(volume.name, "berth-dev-postgres-data");
    const pg = resourceNamed(run, CONTAINER, "berth-postgres").inputs;
    assert.deepEqual(pg.volumes, [
      { volumeName: "berth-dev-postgres-data", containerPath: "/var/lib/postgresql/data" },
    ]);
    assert.deepEqual(pg.command, ["postgres", "-c", "shared_buffers=256MB", "-c", "listen_addresses=*"]);
    assert.equal(pg.tmpfs["/var/lib/postgresql/data"], undefined);
  });

  it("keeps Redis data in an append-only file on a volume", function () {
    const redis = resourceNamed(run, CONTAINER, "berth-redis").inputs;
    assert.deepEqual(redis.volumes, [{ volumeName: "berth-dev-redis-data", containerPath: "/data" }]);
    assert.deepEqual(redis.command.slice(4, 8), ["noeviction", "--appendonly", "yes", "--appendfsync"]);
  });

  it("publishes the fixed host ports from Pulumi.dev.yaml", function () {
    const external = (name: string) => resourceNamed(run, CONTAINER, name).inputs.ports[0].external;
    assert.deepEqual(
      [external("berth-postgres"), external("berth-redis"), external("berth-orchestrator")],
      [15432, 16379, 18080],
    );
    // The workers gate asks the orchestrator on its fixed port.
    const workers = "http://127.0.0.1:18080/v1/workers";
    assert.deepEqual(resourceNamed(run, COMMAND, "berth-workers-gate-wait").inputs.environment, {
      BERTH_GATE_READY_0: workers,
      BERTH_GATE_READY_1: workers,
      BERTH_GATE_READY_2: workers,
      BERTH_GATE_RUNS_FOR:
        "berth-worker-0-id berth-worker-1-id berth-worker-net-id berth-orchestrator-id berth-postgres-id berth-redis-id",
    });
  });

  it("uses calm healthchecks", function () {
    const hc = resourceNamed(run, CONTAINER, "berth-orchestrator").inputs.healthcheck;
    assert.deepEqual([hc.interval, hc.timeout, hc.startPeriod, hc.retries], ["5s", "3s", "30s", 5]);
  });
});

describe("program: isolation and options", function () {
  this.timeout(30_000);

  it("gives two stacks on one engine disjoint Docker names", async function () {
    const a = await runProgram("test");
    const b = await runProgram("test-pr-42", { "berth:environment": "test" });
    const names = (run: ProgramRun) => [
      ...containers(run).map((c) => c.inputs.name as string),
      ...run.resources.filter((r) => r.type === "docker:index/network:Network").map((r) => r.inputs.name as string),
    ];
    assert.deepEqual(names(b).sort(), [
      "berth-test-pr-42-net",
      "berth-test-pr-42-orchestrator",
      "berth-test-pr-42-postgres",
      "berth-test-pr-42-redis",
      "berth-test-pr-42-worker-0",
      "berth-test-pr-42-worker-1",
      "berth-test-pr-42-worker-net",
    ]);
    assert.deepEqual(
      names(a).filter((n) => names(b).includes(n)),
      [],
    );
  });

  it("uses one explicit provider for a remote engine", async function () {
    const run = await runProgram("dev", { "berth:docker": { host: "ssh://ci@build-7" } });
    const provider = resourceNamed(run, "pulumi:providers:docker", "berth-docker");
    assert.equal(provider.inputs.host, "ssh://ci@build-7");
    for (const c of containers(run)) assert.match(c.provider, /::berth-docker::berth-docker-id$/, c.name);
    // The subnet step lists that engine's networks (and not this machine's routes: not its host's).
    assert.deepEqual(resourceNamed(run, COMMAND, "berth-network-subnet").inputs.environment, {
      DOCKER_HOST: "ssh://ci@build-7",
    });
    assert.match(
      resourceNamed(run, "docker:index/network:Network", "berth-network").provider,
      /::berth-docker::berth-docker-id$/,
    );
    const gate = resourceNamed(run, COMMAND, "berth-workers-gate-wait").inputs;
    const workers = "http://build-7:18080/v1/workers";
    assert.deepEqual(gate.environment, {
      DOCKER_HOST: "ssh://ci@build-7",
      BERTH_GATE_READY_0: workers,
      BERTH_GATE_READY_1: workers,
      BERTH_GATE_READY_2: workers,
      BERTH_GATE_RUNS_FOR:
        "berth-worker-0-id berth-worker-1-id berth-worker-net-id berth-orchestrator-id berth-postgres-id berth-redis-id",
    });
  });

  it("takes image overrides as given and builds no app image, only the Postgres template from the override", async function () {
    const run = await runProgram("test", {
      "berth:images": { postgres: "berth-e2e/postgres:15", redis: "berth-e2e/redis:7", app: "berth-e2e/workload:abc" },
    });
    assert.equal(run.resources.filter((r) => r.type === "docker:index/image:Image").length, 0);
    assert.match(
      resourceNamed(run, COMMAND, "berth-postgres-template").inputs.create,
      / --base berth-e2e\/postgres:15@sha256:mock /,
    );
    assert.deepEqual(
      run.resources
        .filter((r) => r.type === "docker:index/remoteImage:RemoteImage")
        .map((r) => [r.name, r.inputs.name, r.inputs.keepLocally]),
      [
        ["berth-postgres-image", "berth-e2e/postgres:15", true],
        ["berth-redis-image", "berth-e2e/redis:7", true],
        ["berth-app-image", "berth-e2e/workload:abc", true],
      ],
    );
  });

  it("mounts the Docker socket only into workers that opt in, and marks them", async function () {
    const run = await runProgram("test", { "berth:workers": { replicas: 1, dockerSocket: true } });
    const worker = resourceNamed(run, CONTAINER, "berth-worker-0");
    assert.deepEqual(worker.inputs.volumes, [
      { hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock" },
    ]);
    assert.equal(labelsOf(worker)["berth.allow-docker-socket"], "true");
    assert.equal(labelsOf(resourceNamed(run, CONTAINER, "berth-orchestrator"))["berth.allow-docker-socket"], undefined);
  });

  it("applies an explicit per-container opt-out and nothing more", async function () {
    const run = await runProgram("test", {
      "berth:hardening": { redis: { readOnly: false, capAdd: ["SETUID", "SETGID"] } },
    });
    const redis = resourceNamed(run, CONTAINER, "berth-redis").inputs;
    assert.equal(redis.readOnly, false);
    assert.deepEqual(redis.capabilities, { drops: ["ALL"], adds: ["SETUID", "SETGID"] });
    assert.equal(labelsOf(resourceNamed(run, CONTAINER, "berth-redis"))["berth.opt-out"], "container-read-only-rootfs");
    assert.equal(labelsOf(resourceNamed(run, CONTAINER, "berth-postgres"))["berth.opt-out"], undefined);
    assert.equal(resourceNamed(run, CONTAINER, "berth-postgres").inputs.readOnly, true);
  });

  it("rescales the workers leaving the container that holds their namespace and every worker kept as they are", async function () {
    const [two, four] = [
      await runProgram("test", { "berth:workers": { replicas: 2 } }),
      await runProgram("test", { "berth:workers": { replicas: 4 } }),
    ];
    for (const name of ["berth-worker-net", "berth-worker-0", "berth-worker-1"]) {
      assert.deepEqual(resourceNamed(four, CONTAINER, name).inputs, resourceNamed(two, CONTAINER, name).inputs, name);
    }
    assert.deepEqual(
      containers(four)
        .map((r) => r.name)
        .filter((n) => /^berth-worker-\d+$/.test(n))
        .sort(),
      ["berth-worker-0", "berth-worker-1", "berth-worker-2", "berth-worker-3"],
    );
  });

  it("with no workers, registers neither pool nor workers gate", async function () {
    const run = await runProgram("test", { "berth:workers": { replicas: 0 } });
    assert.equal(
      run.resources.filter((r) => r.type === "berth:index:WorkerPool" || r.name === "berth-workers-gate").length,
      0,
    );
    assert.deepEqual((run.outputs.containerNames as { workers: string[] }).workers, []);
  });

  it("uses a configured password secret instead of generating one", async function () {
    const run = await runProgram(
      "test",
      { "berth:postgresPassword": "s3cret-from-config" },
      { secretKeys: ["berth:postgresPassword"] },
    );
    assert.equal(run.resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword").length, 0);
    assert.ok(
      resourceNamed(run, CONTAINER, "berth-postgres").inputs.envs.includes("POSTGRES_PASSWORD=s3cret-from-config"),
    );
    assert.equal(
      (run.outputs.networkUrls as { postgres: string }).postgres,
      "postgres://berth:s3cret-from-config@postgres:5432/berth",
    );
  });

  it("fails before any resource is registered when config is invalid, without a stack trace", async function () {
    let error: unknown;
    try {
      await runProgram("test", { "berth:workers": { replicas: -2 }, "berth:colour": "blue" });
    } catch (err) {
      error = err;
    }
    assert.ok(pulumi.RunError.isInstance(error), `expected a RunError, got ${error}`);
    const registered = ((pulumi.runtime as any).getMonitor().getRegisteredResources() as Map<string, unknown>).size;
    assert.equal(registered, 0);
    assert.equal(
      (error as Error).message,
      [
        "Invalid configuration in Pulumi.test.yaml (2 problems):",
        "  - berth:workers.replicas: got -2; allowed: a number >= 0.",
        "  - berth:colour: got an unknown key; allowed: remove it, or use one of: environment, useAlpine, registryPrefix, images, postgres, redis, orchestrator, workers, cluster, swarm, ports, tiers, hardening, docker, network.",
        "Edit Pulumi.test.yaml (or use `pulumi config set --path <key> <value>`) and run again.",
      ].join("\n"),
    );
  });
});
