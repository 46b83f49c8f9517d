// The components used on their own, as another team's program uses them, under the mock recorder:
// defaults, per-instance names, URLs, the engine they take from their provider, and the errors.
import { strict as assert } from "node:assert";
import * as docker from "@pulumi/docker";
import { AppContainer, HealthGate, Network, Postgres, Redis, WorkerPool } from "../../components";
import { pickedPort, ProgramRun, recordProgram, resourceNamed } from "../../testing/recorder";

const CONTAINER = "docker:index/container:Container";
const COMMAND = "command:local:Command";
const record = (program: () => Record<string, unknown> | void) =>
  recordProgram(program, { project: "shop", stack: "ci" });
const labels = (run: ProgramRun, name: string) =>
  Object.fromEntries(
    resourceNamed(run, CONTAINER, name).inputs.labels.map((l: { label: string; value: string }) => [l.label, l.value]),
  );

describe("components on their own", function () {
  this.timeout(20_000);

  it("names each container <project>-<stack>-<name> and gives it its own alias, so two Postgres are two hosts", async function () {
    const run = await record(() => {
      const net = new Network("net");
      const a = new Postgres("orders-db", { networkName: net.name, password: "pw-a" });
      const b = new Postgres("stats-db", { networkName: net.name, password: "pw/b?#" });
      return { a: a.url, b: b.url, aHost: a.hostUrl };
    });
    assert.equal(resourceNamed(run, "docker:index/network:Network", "net").inputs.name, "shop-ci-net");
    assert.deepEqual(
      ["orders-db", "stats-db"].map((n) => [
        resourceNamed(run, CONTAINER, n).inputs.name,
        resourceNamed(run, CONTAINER, n).inputs.networksAdvanced[0].aliases,
      ]),
      [
        ["shop-ci-orders-db", ["orders-db"]],
        ["shop-ci-stats-db", ["stats-db"]],
      ],
    );
    assert.deepEqual(run.outputs, {
      a: "postgres://berth:pw-a@orders-db:5432/berth",
      b: "postgres://berth:pw%2Fb%3F%23@stats-db:5432/berth",
      aHost: `postgres://berth:pw-a@127.0.0.1:${pickedPort("shop-ci-orders-db")}/berth`,
    });
    assert.deepEqual(run.secretOutputs.sort(), ["a", "aHost", "b"]);
    assert.deepEqual(labels(run, "orders-db"), {
      "berth.pids-limit": "256",
      "berth.project": "shop",
      "berth.service": "postgres",
      "berth.stack": "ci",
    });
  });

  it("merges a caller's labels over berth's own, so the test kit still finds the objects by project and stack", async function () {
    const run = await record(() => {
      const net = new Network("net", { labels: { team: "ledger" } });
      new Postgres("ledger-db", {
        networkName: net.name,
        password: "pw",
        labels: { team: "ledger", "berth.service": "ledger-db" },
      });
      new WorkerPool("pool", {
        networkName: net.name,
        image: "team/worker:1",
        databaseUrl: "postgres://u:p@db/x",
        redisUrl: "redis://cache",
        replicas: 1,
        labels: { team: "ledger" },
      });
    });
    const networkLabels = Object.fromEntries(
      resourceNamed(run, "docker:index/network:Network", "net").inputs.labels.map(
        (l: { label: string; value: string }) => [l.label, l.value],
      ),
    );
    assert.deepEqual(networkLabels, { "berth.project": "shop", "berth.stack": "ci", team: "ledger" });
    assert.deepEqual(labels(run, "ledger-db"), {
      "berth.pids-limit": "256",
      "berth.project": "shop",
      "berth.service": "ledger-db",
      "berth.stack": "ci",
      team: "ledger",
    });
    assert.deepEqual(labels(run, "pool-0"), {
      "berth.pids-limit": "256",
      "berth.project": "shop",
      "berth.service": "workers",
      "berth.stack": "ci",
      team: "ledger",
    });
    assert.deepEqual(labels(run, "pool-net")["berth.service"], "workers-network");
  });

  it("refuses a caller's label that berth derives from the container's arguments, naming the component and what to set instead", async function () {
    await assert.rejects(
      record(
        () => void new Redis("cache", { networkName: "n", labels: { "berth.opt-out": "container-read-only-rootfs" } }),
      ),
      {
        message:
          "Redis cache: labels sets berth.opt-out, which berth derives from the container's arguments (hardening.pidsLimit, dockerSocket, and the hardening opt-outs); leave it out and set those arguments instead",
      },
    );
    await assert.rejects(
      record(
        () => void new Network("net", { labels: { "berth.pids-limit": "9", "berth.allow-docker-socket": "true" } }),
      ),
      {
        message:
          "Network net: labels sets berth.pids-limit, berth.allow-docker-socket, which berth derives from the container's arguments (hardening.pidsLimit, dockerSocket, and the hardening opt-outs); leave them out and set those arguments instead",
      },
    );
  });

  it("gives a bridge the subnet its step picks from the given pool, or the pinned one without a step", async function () {
    const run = await record(() => {
      const picked = new Network("net", { subnetPool: "10.210.0.0/20", subnetPrefixLength: 28 });
      const pinned = new Network("pinned", { subnet: "10.99.0.0/26" });
      return { picked: picked.subnet, pinned: pinned.subnet };
    });
    assert.equal(
      resourceNamed(run, COMMAND, "net-subnet").inputs.create,
      "node dist/tools/pick-subnet.js --network shop-ci-net --pool 10.210.0.0/20 --prefix-length 28",
    );
    assert.deepEqual(resourceNamed(run, "docker:index/network:Network", "net").inputs.ipamConfigs, [
      { subnet: "10.210.12.32/28" },
    ]);
    assert.deepEqual(resourceNamed(run, "docker:index/network:Network", "pinned").inputs.ipamConfigs, [
      { subnet: "10.99.0.0/26" },
    ]);
    assert.deepEqual(
      run.resources.filter((r) => r.type === COMMAND).map((r) => r.name),
      ["net-subnet"],
    );
    assert.deepEqual(run.outputs, { picked: "10.210.12.32/28", pinned: "10.99.0.0/26" });
  });

  it("fails when an overlay network is given a subnet: the swarm's pool has it", async function () {
    await assert.rejects(
      record(() => void new Network("net", { overlay: true, subnet: "10.99.0.0/26" })),
      /Network net: subnet is for a bridge; an overlay network's subnet comes from the swarm's pool/,
    );
  });

  it("merges partial hardening and healthcheck overrides over the defaults", async function () {
    const run = await record(
      () =>
        void new Redis("cache", {
          networkName: "n",
          hardening: { readOnly: false },
          healthcheck: { intervalMs: 1000 },
        }),
    );
    const c = resourceNamed(run, CONTAINER, "cache").inputs;
    assert.deepEqual(
      [c.readOnly, c.securityOpts, c.capabilities, c.maxRetryCount],
      [false, ["no-new-privileges:true"], { drops: ["ALL"], adds: [] }, 3],
    );
    assert.deepEqual(c.healthcheck, {
      tests: ["CMD", "redis-cli", "-h", "127.0.0.1", "ping"],
      interval: "1s",
      timeout: "10s",
      startPeriod: "20s",
      retries: 1,
    });
    assert.equal(labels(run, "cache")["berth.opt-out"], "container-read-only-rootfs");
  });

  it("gives Redis a password from the environment, never in the command, and a secret URL", async function () {
    const run = await record(() => {
      const r = new Redis("cache", { networkName: "n", password: "s3cret" });
      return { url: r.url };
    });
    const c = resourceNamed(run, CONTAINER, "cache");
    assert.deepEqual(c.inputs.command, [
      "sh",
      "-c",
      `exec redis-server --maxmemory 64mb --maxmemory-policy allkeys-lru --appendonly no --save '' --dir /data --requirepass "$REDIS_PASSWORD"`,
    ]);
    assert.deepEqual(c.inputs.envs, ["REDIS_PASSWORD=s3cret", "REDISCLI_AUTH=s3cret"]);
    assert.deepEqual(c.secretInputs, ["envs"]);
    assert.deepEqual([run.outputs.url, run.secretOutputs], ["redis://:s3cret@cache:6379", ["url"]]);
  });

  it("passes Postgres serverSettings and extra env, and fails clearly on a bad setting name", async function () {
    const run = await record(
      () =>
        void new Postgres("db", {
          networkName: "n",
          password: "p",
          serverSettings: { max_connections: "300" },
          env: { TZ: "UTC" },
        }),
    );
    const c = resourceNamed(run, CONTAINER, "db").inputs;
    assert.deepEqual(c.command.slice(-2), ["-c", "max_connections=300"]);
    assert.equal(c.envs[c.envs.length - 1], "TZ=UTC");
    await assert.rejects(
      record(
        () => void new Postgres("db", { networkName: "n", password: "p", serverSettings: { "max connections": "1" } }),
      ),
      {
        message:
          'Postgres db: serverSettings key "max connections" is not a Postgres setting name (lower-case letters, digits, _ and .)',
      },
    );
  });

  it("fails when a component's settings break its rules, naming the component", async function () {
    await assert.rejects(
      record(() => void new Postgres("db", { networkName: "n", password: "p", memoryMb: 128 })),
      {
        message:
          "Postgres db: memoryMb is 128; allowed: at least 416 (shared buffers 64 MB + 96 MB for connections and work memory + the 256 MB tmpfs data directory, whose pages count against the limit)",
      },
    );
  });

  it("puts a worker pool's replicas in one network namespace: a container of the pool holds it with the pool's one alias, replica i on port 8081 + i", async function () {
    const run = await record(() => {
      const after = new docker.Container("queue", { image: "x", name: "queue" });
      const pool = new WorkerPool("pool", {
        networkName: "n",
        image: "team/worker:1",
        databaseUrl: "postgres://u:p@db/x",
        redisUrl: "redis://cache",
        replicas: 3,
        hardening: { capAdd: ["NET_BIND_SERVICE"] },
        readyUrl: "http://127.0.0.1:1/v1/workers",
        workersDependOn: [after],
      });
      new HealthGate("g", { watch: [pool] });
      return { names: pool.containerNames };
    });
    const net = resourceNamed(run, CONTAINER, "pool-net");
    assert.deepEqual(
      [
        net.inputs.name,
        net.inputs.networksAdvanced,
        net.inputs.memory,
        net.inputs.cpus,
        net.inputs.capabilities,
        net.inputs.envs,
        labels(run, "pool-net")["berth.service"],
      ],
      [
        "shop-ci-pool-net",
        [{ name: "n", aliases: ["pool"] }],
        16,
        "0.1",
        { drops: ["ALL"], adds: [] },
        undefined,
        "workers-network",
      ],
    );
    // Only the replicas wait for workersDependOn; the network container is made meanwhile.
    assert.deepEqual(
      net.dependencies.map((u) => u.split("::").pop()),
      [],
    );
    for (const i of [0, 1, 2]) {
      const w = resourceNamed(run, CONTAINER, `pool-${i}`);
      assert.deepEqual(
        [
          w.inputs.name,
          w.inputs.networkMode,
          w.inputs.networksAdvanced,
          w.inputs.healthcheck.tests.at(-1),
          w.inputs.envs.filter((e: string) => e.startsWith("WORKER_")),
          w.inputs.capabilities.adds,
        ],
        [
          `shop-ci-pool-${i}`,
          "container:pool-net-id",
          undefined,
          String(8081 + i),
          [`WORKER_ID=worker-${i}`, `WORKER_PORT=${8081 + i}`],
          ["NET_BIND_SERVICE"],
        ],
      );
      assert.deepEqual(w.dependencies.map((u) => u.split("::").pop()).sort(), ["pool-net", "queue"]);
    }
    assert.deepEqual(run.outputs.names, ["shop-ci-pool-0", "shop-ci-pool-1", "shop-ci-pool-2"]);
    // The gate watches the network container too: its pids limit, its death.
    assert.match(
      resourceNamed(run, COMMAND, "g-wait").inputs.create,
      / --container shop-ci-pool-2 --container shop-ci-pool-net --pids-limit /,
    );
    await assert.rejects(
      record(
        () =>
          void new WorkerPool("none", { networkName: "n", image: "i", databaseUrl: "d", redisUrl: "r", replicas: 0 }),
      ),
      {
        message: "WorkerPool none: replicas is 0; give a whole number of at least 1 (for no workers, declare no pool)",
      },
    );
  });

  it("runs a team's own image hardened, with its port, healthcheck and URLs", async function () {
    const run = await record(() => {
      const api = new AppContainer("api", {
        networkName: "n",
        image: "team/api:1",
        user: "1000:1000",
        port: 3000,
        healthcheck: { test: ["true"] },
      });
      return { url: api.url, hostUrl: api.hostUrl };
    });
    const c = resourceNamed(run, CONTAINER, "api").inputs;
    assert.deepEqual(
      [c.name, c.user, c.memory, c.cpus, c.readOnly, c.ports],
      ["shop-ci-api", "1000:1000", 256, "0.5", true, [{ internal: 3000, ip: "127.0.0.1", protocol: "tcp" }]],
    );
    assert.deepEqual(run.outputs, { url: "http://api:3000", hostUrl: `http://127.0.0.1:${pickedPort("shop-ci-api")}` });
  });

  it("gates on containers and components: their pids limits, their readiness URLs (secret), what it runs again for", async function () {
    const run = await record(() => {
      const db = new Postgres("db", { networkName: "n", password: "p" });
      const extra = new docker.Container("side", { image: "x", name: "side-car" });
      const cache = new Redis("cache", { networkName: "n" });
      new HealthGate("g", {
        watch: [db, extra],
        redis: [cache.hostUrl],
        intervalMs: 50,
        logLines: 5,
        readyIntervalMs: 20,
      });
    });
    const gate = resourceNamed(run, COMMAND, "g-wait");
    assert.equal(
      (gate.inputs.create as string).replace(/^node \S+ /, ""),
      "--name g --timeout-seconds 90 --interval-ms 50 --log-lines 5 --container shop-ci-db --container side-car --pids-limit shop-ci-db=256 " +
        "--ready shop-ci-db=env:BERTH_GATE_READY_0 --ready-interval-ms 20 --redis env:BERTH_GATE_REDIS_0",
    );
    assert.deepEqual(gate.inputs.environment, {
      BERTH_GATE_READY_0: `postgres://berth:p@127.0.0.1:${pickedPort("shop-ci-db")}/berth`,
      BERTH_GATE_REDIS_0: `redis://127.0.0.1:${pickedPort("shop-ci-cache")}`,
      // What the gate runs again for, in place: the ids of what it watches.
      BERTH_GATE_RUNS_FOR: "db-id side-id",
    });
    // Only the environment: the command line names variables, never a URL, so plans show it.
    assert.deepEqual(gate.secretInputs, ["environment"]);
    assert.equal(gate.inputs.triggers, undefined);
    // Nothing but the gate applies a pids limit: no helper process per container (the one other
    // step builds the throw-away Postgres' template image).
    assert.deepEqual(
      run.resources
        .filter((r) => r.type === COMMAND)
        .map((r) => r.name)
        .sort(),
      ["db-template", "g-wait"],
    );
  });

  it("fails when a gate probes a database that publishes no port", async function () {
    await assert.rejects(
      record(() => {
        const db = new Postgres("db", { networkName: "n", password: "p", publish: false });
        new HealthGate("g", { watch: [db], postgres: [db.hostUrl] });
      }),
      {
        message:
          /HealthGate g: postgres\[0\] has no URL: a hostUrl is undefined when the service publishes no port; publish it or drop the probe/,
      },
    );
  });

  it("takes the engine from the docker provider: containers and the gate (and so its pids limits) all on it", async function () {
    const run = await record(() => {
      const remote = new docker.Provider("remote", { host: "tcp://10.0.0.7:2375" });
      const db = new Postgres("db", { networkName: "n", password: "p" }, { providers: [remote] });
      new HealthGate("g", { watch: [db] }, { providers: [remote] });
      return { hostUrl: db.hostUrl };
    });
    assert.match(resourceNamed(run, CONTAINER, "db").provider, /pulumi:providers:docker::remote::/);
    assert.deepEqual(resourceNamed(run, COMMAND, "g-wait").inputs.environment, {
      DOCKER_HOST: "tcp://10.0.0.7:2375",
      BERTH_GATE_READY_0: `postgres://berth:p@10.0.0.7:${pickedPort("shop-ci-db")}/berth`,
      BERTH_GATE_RUNS_FOR: "db-id",
    });
    // Published ports are reached on the engine's host.
    assert.equal(run.outputs.hostUrl, `postgres://berth:p@10.0.0.7:${pickedPort("shop-ci-db")}/berth`);
  });

  it("fails when a gate's dockerHost disagrees with its provider, instead of probing the wrong engine", async function () {
    await assert.rejects(
      record(() => {
        const remote = new docker.Provider("remote", { host: "ssh://ci@build-7" });
        new HealthGate(
          "g",
          { containerNames: ["x"], dockerHost: "unix:///var/run/docker.sock" },
          { providers: [remote] },
        );
      }),
      {
        message:
          /the docker provider talks to ssh:\/\/ci@build-7 but dockerHost says unix:\/\/\/var\/run\/docker.sock: give one engine/,
      },
    );
  });
});
