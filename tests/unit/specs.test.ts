// Pure helpers, tested with plain tables.
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { dockerSafe, labelMap, objectName, stackPrefix } from "../../components/naming";
import { isImageRef, resolveImage, withRegistryPrefix } from "../../components/images";
import { duration, hardenedContainerArgs, HardenedContainerSpec } from "../../components/container/hardened";
import { waivedBy } from "../../policy/catalog";
import { ContainerArgsFacts } from "../../policy/facts/args";
import { DEFAULT_HARDENING, defaultHealthcheck } from "../../components/container/settings";
import { postgresCommand, postgresTmpfs, postgresUrl } from "../../components/postgres/spec";
import { redisCommand } from "../../components/redis/spec";
import { gateCommandLine } from "../../components/gate/command-line";
import { distInvocation, distRoot, shellQuote } from "../../components/gate/command-line";
import { hostUrls } from "../../components/environment/urls";
import { probeHost } from "../../components/ports";

describe("naming", function () {
  it("derives Docker names from project and stack", function () {
    assert.equal(stackPrefix("berth", "test-pr-42"), "berth-test-pr-42");
    assert.equal(objectName("berth-test", "worker-3"), "berth-test-worker-3");
    assert.equal(dockerSafe("org/berth stack"), "org-berth-stack");
    assert.equal(dockerSafe("--x"), "x");
  });

  it("fails when nothing usable is left of a name", function () {
    assert.throws(() => dockerSafe("///"), /"\/\/\/" has no character usable in a Docker name/);
  });

  it("sorts labels by key", function () {
    assert.deepEqual(
      Object.keys(labelMap({ project: "p", stack: "s", environment: "test" }, "redis", { "a.extra": "1" })),
      ["a.extra", "berth.environment", "berth.project", "berth.service", "berth.stack"],
    );
  });
});

describe("images", function () {
  const table: [string, boolean][] = [
    ["postgres:16-alpine", true],
    ["registry.local:5000/team/app:1.2", true],
    ["berth-e2e/workload@sha256:" + "a".repeat(64), true],
    ["Postgres:16", false],
    ["postgres:", false],
    ["postgres latest", false],
    ["", false],
  ];
  for (const [ref, ok] of table) {
    it(`${ok ? "accepts" : "rejects"} ${JSON.stringify(ref)}`, function () {
      assert.equal(isImageRef(ref), ok);
    });
  }

  it("prefixes public images for a mirror", function () {
    assert.equal(withRegistryPrefix("redis:7-alpine", "mirror:5000/hub/"), "mirror:5000/hub/redis:7-alpine");
    assert.equal(withRegistryPrefix("redis:7-alpine", undefined), "redis:7-alpine");
    assert.deepEqual(resolveImage("regular", "redis", undefined, "m.io"), {
      ref: "m.io/redis:7-bookworm",
      user: "999:999",
      nodeBase: undefined,
      overridden: false,
    });
  });
});

describe("container specs", function () {
  it("writes Docker durations", function () {
    assert.deepEqual([duration(200), duration(2000), duration(1500), duration(0)], ["200ms", "2s", "1500ms", "0s"]);
  });

  it("turns durability off only for a Postgres that is not durable", function () {
    const t = { durable: true, sharedBuffersMb: 128, tmpfsSizeMb: 64 };
    assert.deepEqual(postgresCommand(t), ["postgres", "-c", "shared_buffers=128MB", "-c", "listen_addresses=*"]);
    assert.deepEqual(postgresTmpfs(t), { "/var/run/postgresql": "rw,nosuid,nodev,size=1m,mode=0775" });
    assert.deepEqual(postgresTmpfs({ ...t, durable: false }), {
      "/var/run/postgresql": "rw,nosuid,nodev,size=1m,mode=0775",
      "/var/lib/postgresql/data": "rw,nosuid,nodev,size=64m,mode=0700",
    });
  });

  it("writes Redis flags for a durable Redis", function () {
    assert.deepEqual(redisCommand({ durable: true, maxmemoryMb: 10, maxmemoryPolicy: "noeviction" }), [
      "redis-server",
      "--maxmemory",
      "10mb",
      "--maxmemory-policy",
      "noeviction",
      "--appendonly",
      "yes",
      "--appendfsync",
      "everysec",
      "--dir",
      "/data",
    ]);
  });
});

describe("gate command line", function () {
  it("quotes for the shell only when needed", function () {
    assert.deepEqual(
      [shellQuote("a-b_c.d/e:1"), shellQuote("a b"), shellQuote("it's")],
      ["a-b_c.d/e:1", "'a b'", `'it'\\''s'`],
    );
  });

  it("finds the compiled gate and tools relative to the working directory", function () {
    assert.equal(distRoot("/x/berth/components/gate"), "/x/berth/dist");
    assert.equal(distRoot("/x/node_modules/berth/dist/components/gate"), "/x/node_modules/berth/dist");
    assert.equal(
      distInvocation("gate/cli", "/x", "/x/node_modules/berth/dist/components/gate"),
      "node node_modules/berth/dist/gate/cli.js",
    );
    assert.equal(
      distInvocation("tools/set-service-pids", "/x/berth", "/x/berth/components/gate"),
      "node dist/tools/set-service-pids.js",
    );
    // A package outside the program's directory (npm link, a workspace): the absolute path.
    assert.equal(
      distInvocation("gate/cli", "/work/app", "/opt/shared/node_modules/berth/dist/components/gate"),
      "node /opt/shared/node_modules/berth/dist/gate/cli.js",
    );
  });

  it("lists every probe and the body condition once", function () {
    assert.equal(
      gateCommandLine("workers", 30, {
        containers: ["a", "b"],
        http: ["http://h:1/v1/workers"],
        httpStatus: 204,
        httpMinItems: { key: "workers", count: 2 },
        tcp: ["h:5432"],
        postgresEnv: ["BERTH_GATE_POSTGRES_0"],
        redisEnv: ["BERTH_GATE_REDIS_0", "BERTH_GATE_REDIS_1"],
        intervalMs: 50,
        logLines: 10,
      }).replace(/^node \S+ /, ""),
      "--name workers --timeout-seconds 30 --interval-ms 50 --log-lines 10 --container a --container b --http http://h:1/v1/workers --http-status 204 " +
        "--http-min-items workers=2 --tcp h:5432 --postgres env:BERTH_GATE_POSTGRES_0 --redis env:BERTH_GATE_REDIS_0 --redis env:BERTH_GATE_REDIS_1",
    );
    const none = {
      containers: ["a"],
      http: [],
      httpMinItems: { key: "w", count: 1 },
      httpStatus: 204,
      tcp: [],
      postgresEnv: [],
      redisEnv: [],
    };
    assert.equal(gateCommandLine("x", 1, none).replace(/^node \S+ /, ""), "--name x --timeout-seconds 1 --container a");
  });

  it("probes published ports on the remote engine's host", function () {
    assert.deepEqual(
      [
        probeHost(undefined, "127.0.0.1"),
        probeHost(undefined, "0.0.0.0"),
        probeHost("ssh://ci@build-7", "127.0.0.1"),
        probeHost("tcp://10.1.2.3:2376", "127.0.0.1"),
        probeHost("unix:///run/docker.sock", "127.0.0.1"),
      ],
      ["127.0.0.1", "127.0.0.1", "build-7", "10.1.2.3", "127.0.0.1"],
    );
  });
});

describe("URLs", function () {
  it("percent-encodes user and password, so / ? # @ : in a password stay in the password", function () {
    const password = "a/b?c#d@e:f%g";
    const url = postgresUrl({ user: "berth", password, host: "postgres", port: 5432, database: "berth" });
    assert.equal(url, "postgres://berth:a%2Fb%3Fc%23d%40e%3Af%25g@postgres:5432/berth");
    const parsed = new URL(url);
    assert.deepEqual(
      [decodeURIComponent(parsed.password), parsed.hostname, parsed.port, parsed.pathname],
      [password, "postgres", "5432", "/berth"],
    );
  });

  it("gives host URLs only for published ports", function () {
    assert.deepEqual(
      hostUrls(
        "127.0.0.1",
        { postgres: 41000, redis: undefined, orchestrator: 41002 },
        { user: "u", password: "p w", database: "d" },
      ),
      {
        postgres: "postgres://u:p%20w@127.0.0.1:41000/d",
        redis: undefined,
        orchestrator: "http://127.0.0.1:41002",
      },
    );
  });
});

describe("hardened container", function () {
  const spec = (change: Partial<HardenedContainerSpec> = {}): HardenedContainerSpec => ({
    containerName: "c",
    image: "img",
    user: "70:70",
    memoryMb: 64,
    cpus: 0.5,
    hardening: { ...DEFAULT_HARDENING },
    healthcheck: { test: ["true"], timing: defaultHealthcheck(false) },
    stopGraceSeconds: 2,
    networkName: "net",
    aliases: ["c"],
    labels: {},
    ...change,
  });
  const optOut = (s: HardenedContainerSpec) =>
    (hardenedContainerArgs(s).labels as { label: string; value: string }[]).find((l) => l.label === "berth.opt-out")
      ?.value;

  // The label lists what the pack's own checks find waivable and failing; nothing else.
  const table: [string, Partial<HardenedContainerSpec["hardening"]>, string | undefined][] = [
    ["all rules on", {}, undefined],
    ["an allowed capability", { capAdd: ["CHOWN"] }, undefined],
    ["a capability off the allow-list is never waived", { capAdd: ["SYS_ADMIN"] }, undefined],
    [
      "writable root and privileges",
      { readOnly: false, noNewPrivileges: false },
      "container-read-only-rootfs,container-no-new-privileges",
    ],
    ["root user", { user: "0:0" }, "container-non-root-user"],
  ];
  for (const [what, change, expected] of table) {
    it(`opt-out label: ${what} → ${JSON.stringify(expected)}`, function () {
      assert.equal(optOut(spec({ hardening: { ...DEFAULT_HARDENING, ...change } })), expected);
    });
  }

  it("opt-out label: for every combination of the waivable settings, exactly what the policy pack's own checks find failing", function () {
    let combinations = 0;
    for (const user of ["1000:1000", "0:0", "root", "0"])
      for (const readOnly of [true, false])
        for (const noNewPrivileges of [true, false]) {
          const args = hardenedContainerArgs(
            spec({ hardening: { ...DEFAULT_HARDENING, user, readOnly, noNewPrivileges } }),
          );
          const label = (args.labels as { label: string; value: string }[]).find(
            (l) => l.label === "berth.opt-out",
          )?.value;
          const byPack = waivedBy(new ContainerArgsFacts(args));
          assert.equal(
            label,
            byPack.length === 0 ? undefined : byPack.join(","),
            `user ${user}, readOnly ${readOnly}, noNewPrivileges ${noNewPrivileges}`,
          );
          combinations += 1;
        }
    assert.equal(combinations, 16);
  });

  it("joins the network with its aliases, or another container's namespace by that container's id and no network of its own", async function () {
    assert.deepEqual(
      [hardenedContainerArgs(spec()).networksAdvanced, hardenedContainerArgs(spec()).networkMode],
      [[{ name: "net", aliases: ["c"] }], undefined],
    );
    const joined = hardenedContainerArgs(spec({ networkNamespaceOf: "0123abcd" }));
    assert.equal(joined.networksAdvanced, undefined);
    assert.equal(
      await new Promise((resolve) => (joined.networkMode as pulumi.Output<string>).apply(resolve)),
      "container:0123abcd",
    );
  });

  it("gives every way of stopping it one grace (the provider's destroyGraceSeconds, the container's StopTimeout) and the stop signal only when one is asked for", function () {
    const pick = (a: ReturnType<typeof hardenedContainerArgs>) => [
      a.stopSignal,
      a.stopTimeout,
      a.destroyGraceSeconds,
      "stopSignal" in a,
    ];
    assert.deepEqual(pick(hardenedContainerArgs(spec())), [undefined, 2, 2, false]);
    assert.deepEqual(pick(hardenedContainerArgs(spec({ stopSignal: "SIGINT", stopGraceSeconds: 10 }))), [
      "SIGINT",
      10,
      10,
      true,
    ]);
  });

  it("owns the data tmpfs by the user the process runs as, the override when there is one", function () {
    const owned = { "/data": "rw,size=16m,mode=0700" };
    assert.equal(
      (hardenedContainerArgs(spec({ ownedTmpfs: owned })).tmpfs as Record<string, string>)["/data"],
      "rw,size=16m,mode=0700,uid=70,gid=70",
    );
    const overridden = hardenedContainerArgs(
      spec({ ownedTmpfs: owned, hardening: { ...DEFAULT_HARDENING, user: "1000:1001" } }),
    );
    assert.equal(overridden.user, "1000:1001");
    assert.equal((overridden.tmpfs as Record<string, string>)["/data"], "rw,size=16m,mode=0700,uid=1000,gid=1001");
  });
});
