import { strict as assert } from "node:assert";
import { ConfigError, defaultsFor, parseStackConfig } from "../../components/config/schema";
import { portsFromRange } from "../../components/ports";
import { namespacesOf } from "../../components/workload/settings";

const parse = (values: Record<string, unknown>, secretKeys: string[] = []) =>
  parseStackConfig(values, "Pulumi.test.yaml", new Set(secretKeys));

function problemsOf(values: Record<string, unknown>, secretKeys: string[] = []): string {
  try {
    parse(values, secretKeys);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${err}`);
    return err.message;
  }
  assert.fail("expected the config to be rejected");
}

describe("config: per-environment defaults", function () {
  it("test: Alpine images, tmpfs Postgres without durability, engine-chosen ports, calm healthchecks the gates do not wait for", function () {
    const s = parse({ environment: "test" });
    assert.equal(s.imageStack, "alpine");
    assert.equal(s.images.postgres.ref, "postgres:16-alpine");
    assert.equal(s.images.redis.ref, "redis:7-alpine");
    assert.equal(s.images.app.nodeBase, "node:20-alpine");
    assert.deepEqual(s.postgres, {
      database: "berth",
      user: "berth",
      memoryMb: 512,
      cpus: 1,
      tmpfsSizeMb: 256,
      sharedBuffersMb: 64,
      durable: false,
    });
    assert.deepEqual(s.redis, {
      memoryMb: 128,
      cpus: 0.5,
      maxmemoryMb: 64,
      maxmemoryPolicy: "allkeys-lru",
      durable: false,
    });
    assert.deepEqual(s.ports, {
      publish: "auto",
      hostIp: "127.0.0.1",
      hostPorts: { postgres: undefined, redis: undefined, orchestrator: undefined },
    });
    assert.deepEqual(s.tiers.data, {
      healthcheck: { intervalMs: 60000, timeoutMs: 10000, startPeriodMs: 20000, retries: 1 },
      stopGraceSeconds: 2,
      gateTimeoutSeconds: 90,
    });
    assert.deepEqual(s.workers, {
      replicas: 2,
      namespaces: [["default"]],
      memoryMb: 256,
      cpus: 0.5,
      dockerSocket: false,
    });
    assert.deepEqual(s.hardening.orchestrator, {
      readOnly: true,
      noNewPrivileges: true,
      capAdd: [],
      pidsLimit: 256,
      maxRetryCount: 3,
    });
  });

  it("dev: regular images, durable Postgres on a volume, fixed ports, calm tiers", function () {
    const s = parse({ environment: "dev" });
    assert.equal(s.imageStack, "regular");
    assert.equal(s.images.postgres.ref, "postgres:16-bookworm");
    assert.equal(s.images.postgres.user, "999:999");
    assert.equal(s.postgres.durable, true);
    assert.equal(s.redis.durable, true);
    assert.deepEqual(s.ports.hostPorts, { postgres: 5432, redis: 6379, orchestrator: 8080 });
    assert.deepEqual(s.tiers.workers, {
      healthcheck: { intervalMs: 5000, timeoutMs: 3000, startPeriodMs: 30000, retries: 5 },
      stopGraceSeconds: 10,
      gateTimeoutSeconds: 300,
    });
  });

  it("prod defaults to three workers", function () {
    assert.equal(parse({ environment: "prod" }).workers.replicas, 3);
    assert.equal(defaultsFor("prod").workers.replicas, 3);
  });

  it("every default can be overridden, and a configured 0 stays 0", function () {
    const s = parse({
      environment: "test",
      useAlpine: false,
      workers: { replicas: 0 },
      tiers: { data: { startPeriodMs: 0, intervalMs: 100 } },
      postgres: { tmpfsSizeMb: 64 },
      hardening: { redis: { readOnly: false, capAdd: ["SETUID"] } },
    });
    assert.equal(s.imageStack, "regular");
    assert.equal(s.workers.replicas, 0);
    assert.equal(s.tiers.data.healthcheck.startPeriodMs, 0);
    assert.equal(s.tiers.data.healthcheck.intervalMs, 100);
    assert.equal(s.tiers.orchestrator.healthcheck.intervalMs, 60000);
    assert.equal(s.postgres.tmpfsSizeMb, 64);
    assert.equal(s.postgres.durable, false);
    assert.deepEqual(s.hardening.redis, {
      readOnly: false,
      noNewPrivileges: true,
      capAdd: ["SETUID"],
      pidsLimit: 256,
      maxRetryCount: 3,
    });
    assert.deepEqual(s.hardening.postgres.capAdd, []);
  });

  it("images: overrides are exact, the registry prefix rewrites public images only", function () {
    const s = parse({
      environment: "test",
      registryPrefix: "mirror.internal:5000/hub",
      images: { redis: "local/redis:7" },
    });
    assert.equal(s.images.postgres.ref, "mirror.internal:5000/hub/postgres:16-alpine");
    assert.equal(s.images.redis.ref, "local/redis:7");
    assert.equal(s.images.redis.overridden, true);
    assert.equal(s.images.app.nodeBase, "mirror.internal:5000/hub/node:20-alpine");
  });

  it("ports from a range: postgres, redis, orchestrator take the first three", function () {
    const s = parse({ environment: "test", ports: { publish: "range", range: "41000-41009" } });
    assert.deepEqual(s.ports.hostPorts, { postgres: 41000, redis: 41001, orchestrator: 41002 });
    assert.equal(portsFromRange("41000-41001"), undefined);
    assert.equal(portsFromRange("80-90"), undefined);
  });

  it("namespaces: one list for every replica, or one per replica", function () {
    const shared = parse({ environment: "test", workers: { replicas: 3, namespaces: ["a", "b"] } });
    assert.deepEqual(
      [0, 1, 2].map((i) => namespacesOf(shared.workers, i)),
      [
        ["a", "b"],
        ["a", "b"],
        ["a", "b"],
      ],
    );
    const per = parse({ environment: "test", workers: { replicas: 2, namespaces: [["a"], ["b", "c"]] } });
    assert.deepEqual(
      [0, 1].map((i) => namespacesOf(per.workers, i)),
      [["a"], ["b", "c"]],
    );
  });

  it("an internal network publishes no ports", function () {
    const s = parse({ environment: "test", network: { internal: true } });
    assert.equal(s.ports.publish, "none");
  });

  it("keeps the test stack's healthchecks fast where the gates wait for them: no published ports, a swarm's workers", function () {
    const intervals = (values: Record<string, unknown>) => {
      const s = parse({ environment: "test", ...values });
      return [
        s.tiers.data.healthcheck.intervalMs,
        s.tiers.orchestrator.healthcheck.intervalMs,
        s.tiers.workers.healthcheck.intervalMs,
      ];
    };
    assert.deepEqual(intervals({}), [60000, 60000, 60000]);
    assert.deepEqual(intervals({ ports: { publish: "none" } }), [500, 500, 500]);
    assert.deepEqual(intervals({ cluster: "swarm", images: { app: "r:5000/app:1" } }), [60000, 60000, 500]);
    assert.deepEqual(
      intervals({ ports: { publish: "none" }, tiers: { data: { intervalMs: 2000 } } }),
      [2000, 500, 500],
    );
  });
});

describe("config: errors", function () {
  it("fails when the environment type is unknown, naming the allowed ones and the stack file", function () {
    assert.equal(
      problemsOf({ environment: "staging" }),
      [
        "Invalid configuration in Pulumi.test.yaml (1 problem):",
        '  - berth:environment: got "staging"; allowed: one of "test", "dev", "prod".',
        "Edit Pulumi.test.yaml (or use `pulumi config set --path <key> <value>`) and run again.",
      ].join("\n"),
    );
  });

  it("fails when the environment is missing", function () {
    assert.match(problemsOf({}), /berth:environment: got nothing; allowed: one of "test", "dev", "prod"\./);
  });

  it("fails with every problem at once: unknown key, wrong type, out of range, negative workers, bad image", function () {
    const message = problemsOf({
      environment: "test",
      colour: "blue",
      useAlpine: "yes",
      postgres: { tmpfsSizeMb: 4, sharedBufers: 1 },
      workers: { replicas: -1 },
      images: { postgres: "Postgres:Latest!" },
    });
    assert.equal(
      message,
      [
        "Invalid configuration in Pulumi.test.yaml (6 problems):",
        '  - berth:useAlpine: got "yes"; allowed: a boolean.',
        '  - berth:images.postgres: got "Postgres:Latest!"; allowed: a Docker image reference such as postgres:16-alpine or registry:5000/team/app:1.2.',
        "  - berth:postgres.tmpfsSizeMb: got 4; allowed: a number >= 16.",
        "  - berth:postgres.sharedBufers: got an unknown key; allowed: remove it, or use one of: database, user, memoryMb, cpus, tmpfsSizeMb, sharedBuffersMb, durable.",
        "  - berth:workers.replicas: got -1; allowed: a number >= 0.",
        "  - berth:colour: got an unknown key; allowed: remove it, or use one of: environment, useAlpine, registryPrefix, images, postgres, redis, orchestrator, workers, cluster, swarm, ports, tiers, hardening, docker, network.",
        "Edit Pulumi.test.yaml (or use `pulumi config set --path <key> <value>`) and run again.",
      ].join("\n"),
    );
  });

  it("a tier's stop grace is configurable, the other tiers keeping their default", function () {
    const s = parse({ environment: "test", tiers: { data: { stopGraceSeconds: 15 } } });
    assert.deepEqual(
      [s.tiers.data.stopGraceSeconds, s.tiers.orchestrator.stopGraceSeconds, s.tiers.workers.stopGraceSeconds],
      [15, 2, 2],
    );
  });

  it("fails when a whole number is fractional", function () {
    assert.match(
      problemsOf({ environment: "test", workers: { replicas: 1.5 } }),
      /berth:workers\.replicas: got 1\.5; allowed: a whole number\./,
    );
  });

  it("fails when a memory limit is below what the service needs", function () {
    const message = problemsOf({
      environment: "test",
      postgres: { memoryMb: 128, sharedBuffersMb: 64, durable: true },
      redis: { memoryMb: 64, maxmemoryMb: 64 },
    });
    assert.equal(
      message,
      [
        "Invalid configuration in Pulumi.test.yaml (2 problems):",
        "  - berth:postgres.memoryMb: got 128; allowed: at least 160 (shared buffers 64 MB + 96 MB for connections and work memory).",
        "  - berth:redis.memoryMb: got 64; allowed: at least 80 (maxmemory 64 MB + 16 MB overhead).",
        "Edit Pulumi.test.yaml (or use `pulumi config set --path <key> <value>`) and run again.",
      ].join("\n"),
    );
  });

  it("fails when the schema minimum for memory is not met", function () {
    assert.match(
      problemsOf({ environment: "test", workers: { memoryMb: 8 } }),
      /berth:workers\.memoryMb: got 8; allowed: a number >= 32\./,
    );
  });

  it("fails when per-replica namespaces do not match the replica count", function () {
    assert.match(
      problemsOf({ environment: "test", workers: { replicas: 3, namespaces: [["a"], ["b"]] } }),
      /berth:workers\.namespaces: got 2 lists; allowed: one list per replica \(3\) or a single list of names for every replica\./,
    );
  });

  it("fails when a namespace name is malformed", function () {
    assert.match(
      problemsOf({ environment: "test", workers: { namespaces: ["Bad Name"] } }),
      /berth:workers\.namespaces\[0\]: got "Bad Name"; allowed: lower-case letters, digits, _ and -, at most 63 characters\./,
    );
  });

  it("fails when the password is given in plain text, without echoing it", function () {
    const message = problemsOf({ environment: "test", postgresPassword: "hunter2" });
    assert.match(
      message,
      /berth:postgresPassword: got a plain-text value; allowed: a secret: run `pulumi config set --secret postgresPassword <value>`\./,
    );
    assert.doesNotMatch(message, /hunter2/);
  });

  it("accepts the password as a secret", function () {
    assert.equal(parse({ environment: "test", postgresPassword: "hunter2" }, ["postgresPassword"]).environment, "test");
  });

  it("fails when a range is asked for without a usable range", function () {
    assert.match(
      problemsOf({ environment: "test", ports: { publish: "range" } }),
      /berth:ports\.range: got nothing; allowed: a range "from-to" such as "41000-41099" \(ports\.publish is "range"\)\./,
    );
  });

  it("fails when an internal network is asked to publish ports", function () {
    assert.match(
      problemsOf({ environment: "test", network: { internal: true }, ports: { publish: "auto" } }),
      /berth:ports\.publish: got "auto"; allowed: "none" when network\.internal is true/,
    );
  });

  it("takes the stack subnets from 172.16.0.0/16 in /26 blocks unless told otherwise", function () {
    assert.deepEqual(parse({ environment: "test" }).network, {
      internal: false,
      subnetPool: "172.16.0.0/16",
      subnetPrefixLength: 26,
    });
    assert.deepEqual(
      parse({ environment: "prod", network: { subnetPool: "10.210.0.0/20", subnetPrefixLength: 28 } }).network,
      {
        internal: false,
        subnetPool: "10.210.0.0/20",
        subnetPrefixLength: 28,
      },
    );
  });

  it("fails when the subnet pool is not an IPv4 block, naming the key", function () {
    assert.match(
      problemsOf({ environment: "test", network: { subnetPool: "172.16.0.0" } }),
      /berth:network\.subnetPool: got "172\.16\.0\.0"; allowed: an IPv4 block in CIDR notation, e\.g\. "172\.16\.0\.0\/16"\./,
    );
    assert.match(
      problemsOf({ environment: "test", network: { subnetPool: "fd00::/64" } }),
      /berth:network\.subnetPool: got "fd00::\/64"; allowed: an IPv4 block in CIDR notation/,
    );
    assert.match(
      problemsOf({ environment: "test", network: { subnetPool: "172.16.5.0/16" } }),
      /berth:network\.subnetPool: got "172\.16\.5\.0\/16"; allowed: the block's first address: "172\.16\.0\.0\/16" \(not 172\.16\.5\.0\/16\)\./,
    );
  });

  it("fails when a stack's subnet would be larger than the pool, or too small for the stack", function () {
    assert.match(
      problemsOf({ environment: "test", network: { subnetPool: "10.210.0.0/20", subnetPrefixLength: 16 } }),
      /berth:network\.subnetPrefixLength: got 16; allowed: 20 or more: a stack's subnet lies inside network\.subnetPool \(10\.210\.0\.0\/20\)\./,
    );
    assert.match(
      problemsOf({ environment: "test", network: { subnetPrefixLength: 30 } }),
      /berth:network\.subnetPrefixLength: got 30; allowed: a number <= 29\./,
    );
  });

  it("fails when the docker host is not an engine address", function () {
    assert.match(
      problemsOf({ environment: "dev", docker: { host: "myhost:2375" } }),
      /berth:docker\.host: got "myhost:2375"; allowed: an engine address such as unix:\/\/\/var\/run\/docker\.sock, tcp:\/\/host:2376 or ssh:\/\/user@host\./,
    );
  });
});

describe("config: rules between keys, and how mistakes are told", function () {
  const lines = (message: string) => message.split("\n").slice(1, -1);

  it("fails when two services get the same fixed host port", function () {
    assert.deepEqual(lines(problemsOf({ environment: "dev", ports: { redis: 5432 } })), [
      "  - berth:ports.redis: got 5432; allowed: a host port other than ports.postgres's (two services cannot bind one port).",
    ]);
  });

  it("fails when a fixed host port is privileged, as berth's own policy pack would", function () {
    assert.deepEqual(lines(problemsOf({ environment: "dev", ports: { orchestrator: 80 } })), [
      "  - berth:ports.orchestrator: got 80; allowed: a host port from 1024 to 65535 (lower ports need root, and berth's policy pack refuses them, CIS 5.8).",
    ]);
  });

  it("fails when hostIp is not an IP address", function () {
    assert.deepEqual(lines(problemsOf({ environment: "test", ports: { hostIp: "localhost" } })), [
      '  - berth:ports.hostIp: got "localhost"; allowed: an IPv4 or IPv6 address such as 127.0.0.1, 0.0.0.0 or ::1.',
    ]);
    assert.equal(parse({ environment: "test", ports: { hostIp: "::1" } }).ports.hostIp, "::1");
  });

  it("fails when a range is reversed, too small or privileged, saying which", function () {
    const range = (r: string) => lines(problemsOf({ environment: "test", ports: { publish: "range", range: r } }));
    assert.deepEqual(range("41009-41000"), [
      '  - berth:ports.range: got "41009-41000"; allowed: a range whose first port is the lower one, e.g. "41000-41009".',
    ]);
    assert.deepEqual(range("41000-41001"), [
      '  - berth:ports.range: got "41000-41001"; allowed: a range of at least 3 ports (one each for postgres, redis, orchestrator), e.g. "41000-41002".',
    ]);
    assert.deepEqual(range("80-90"), [
      '  - berth:ports.range: got "80-90"; allowed: a range starting at 1024 or above (lower host ports need root, and berth\'s policy pack refuses them, CIS 5.8).',
    ]);
    assert.deepEqual(range("lots"), [
      '  - berth:ports.range: got "lots"; allowed: a range "from-to" of host ports such as "41000-41099".',
    ]);
  });

  it("fails when the tmpfs does not fit in Postgres' memory limit (its pages count)", function () {
    assert.deepEqual(lines(problemsOf({ environment: "test", postgres: { tmpfsSizeMb: 2048 } })), [
      "  - berth:postgres.memoryMb: got 512; allowed: at least 2208 (shared buffers 64 MB + 96 MB for connections and work memory + the 2048 MB tmpfs data directory, whose pages count against the limit).",
    ]);
  });

  it("fails when a durable Postgres is given a tmpfs size", function () {
    assert.deepEqual(lines(problemsOf({ environment: "dev", postgres: { tmpfsSizeMb: 128 } })), [
      "  - berth:postgres.tmpfsSizeMb: got 128; allowed: nothing when durable is true (a durable Postgres keeps its data on a volume, not a tmpfs): remove it, or set durable: false.",
    ]);
  });

  it("fails when a stop grace is 0 (the provider would kill at once) or fractional", function () {
    assert.deepEqual(
      lines(
        problemsOf({
          environment: "test",
          tiers: { workers: { stopGraceSeconds: 0 }, data: { stopGraceSeconds: 1.5 } },
        }),
      ),
      [
        "  - berth:tiers.data.stopGraceSeconds: got 1.5; allowed: a whole number.",
        "  - berth:tiers.workers.stopGraceSeconds: got 0; allowed: a number >= 1.",
      ],
    );
  });

  it("fails when a gate's budget is shorter than its tier's start period", function () {
    assert.deepEqual(lines(problemsOf({ environment: "test", tiers: { orchestrator: { gateTimeoutSeconds: 10 } } })), [
      "  - berth:tiers.orchestrator.gateTimeoutSeconds: got 10; allowed: at least the start period (startPeriodMs 20000, i.e. 20 s): the gate would give up while a slow start is still forgiven; raise it or shorten startPeriodMs.",
    ]);
  });

  it("reports schema and cross-field mistakes together", function () {
    const message = problemsOf({ environment: "dev", colur: "blue", ports: { redis: 5432, orchestrator: 443 } });
    assert.deepEqual(lines(message), [
      "  - berth:colur: got an unknown key; allowed: remove it, or use one of: environment, useAlpine, registryPrefix, images, postgres, redis, orchestrator, workers, cluster, swarm, ports, tiers, hardening, docker, network.",
      "  - berth:ports.redis: got 5432; allowed: a host port other than ports.postgres's (two services cannot bind one port).",
      "  - berth:ports.orchestrator: got 443; allowed: a host port from 1024 to 65535 (lower ports need root, and berth's policy pack refuses them, CIS 5.8).",
    ]);
  });

  it("fails when a dotted key is written flat, saying how to nest it", function () {
    assert.deepEqual(lines(problemsOf({ environment: "test", "workers.replicas": 3 })), [
      "  - berth:workers.replicas: got an unknown key; allowed: nest it: write `berth:workers:` with `replicas: <value>` indented under it in the stack file, or run `pulumi config set --path 'berth:workers.replicas' <value>`.",
    ]);
  });

  it("fails when a scalar stands where an object belongs, listing the object's keys", function () {
    assert.deepEqual(lines(problemsOf({ environment: "test", postgres: 512 })), [
      "  - berth:postgres: got 512; allowed: an object with some of the keys database, user, memoryMb, cpus, tmpfsSizeMb, sharedBuffersMb, durable.",
    ]);
  });

  it("fails when a renamed key is used, naming the new one", function () {
    assert.deepEqual(lines(problemsOf({ environment: "test", redis: { persistence: true } })), [
      "  - berth:redis.persistence: got an unknown key; allowed: it is now called berth:redis.durable.",
    ]);
  });
});
