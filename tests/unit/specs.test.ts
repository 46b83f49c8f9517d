// Pure helpers, tested with plain tables.
import { strict as assert } from "node:assert";
import { dockerSafe, labelMap, objectName, stackPrefix } from "../../components/naming";
import { isImageRef, resolveImage, withRegistryPrefix } from "../../components/environment/images";
import { duration, optOuts } from "../../components/container/hardened";
import { postgresCommand, postgresTmpfs } from "../../components/postgres/spec";
import { redisCommand } from "../../components/redis/spec";
import { gateCommandLine } from "../../components/gate/command-line";
import { distRoot, gateInvocation, shellQuote } from "../../components/gate/cli-location";
import { probeHost } from "../../components/environment/environment";

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
    assert.deepEqual(Object.keys(labelMap({ project: "p", stack: "s", environment: "test" }, "redis", { "a.extra": "1" })), [
      "a.extra",
      "berth.environment",
      "berth.project",
      "berth.service",
      "berth.stack",
    ]);
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
    assert.deepEqual(resolveImage("regular", "redis", undefined, "m.io"), { ref: "m.io/redis:7-bookworm", user: "999:999", nodeBase: undefined, overridden: false });
  });
});

describe("container specs", function () {
  it("writes Docker durations", function () {
    assert.deepEqual([duration(200), duration(2000), duration(1500), duration(0)], ["200ms", "2s", "1500ms", "0s"]);
  });

  it("turns durability off only for ephemeral Postgres", function () {
    const t = { ephemeral: false, sharedBuffersMb: 128, tmpfsSizeMb: 64, user: "999:999" };
    assert.deepEqual(postgresCommand(t), ["postgres", "-c", "shared_buffers=128MB", "-c", "listen_addresses=*"]);
    assert.deepEqual(postgresTmpfs(t), { "/var/run/postgresql": "rw,nosuid,nodev,size=1m,uid=999,gid=999,mode=0775" });
    assert.equal(postgresTmpfs({ ...t, ephemeral: true, user: "70" })["/var/lib/postgresql/data"], "rw,nosuid,nodev,size=64m,uid=70,gid=70,mode=0700");
  });

  it("writes Redis flags for persistence", function () {
    assert.deepEqual(redisCommand({ persistence: true, maxmemoryMb: 10, maxmemoryPolicy: "noeviction" }), [
      "redis-server", "--maxmemory", "10mb", "--maxmemory-policy", "noeviction", "--appendonly", "yes", "--appendfsync", "everysec", "--dir", "/data",
    ]);
  });
});

describe("gate command line", function () {
  it("quotes for the shell only when needed", function () {
    assert.deepEqual([shellQuote("a-b_c.d/e:1"), shellQuote("a b"), shellQuote("it's")], ["a-b_c.d/e:1", "'a b'", `'it'\\''s'`]);
  });

  it("finds the compiled gate relative to the working directory", function () {
    assert.equal(distRoot("/x/berth/components/gate"), "/x/berth/dist");
    assert.equal(distRoot("/x/node_modules/berth/dist/components/gate"), "/x/node_modules/berth/dist");
    assert.equal(gateInvocation("cli", "/x", "/x/node_modules/berth/dist/components/gate"), "node node_modules/berth/dist/gate/cli.js");
    assert.equal(gateInvocation("set-pids-limit", "/x/berth", "/x/berth/components/gate"), "node dist/gate/set-pids-limit.js");
  });

  it("lists every probe and the body condition once", function () {
    assert.equal(
      gateCommandLine("workers", 30, { containers: ["a", "b"], httpUrls: ["http://h:1/v1/workers"], httpMinItems: { key: "workers", count: 2 }, tcp: ["h:5432"] }).replace(/^node \S+ /, ""),
      "--name workers --timeout-seconds 30 --container a --container b --http http://h:1/v1/workers --http-min-items workers=2 --tcp h:5432",
    );
    assert.doesNotMatch(gateCommandLine("x", 1, { containers: ["a"], httpUrls: [], httpMinItems: { key: "w", count: 1 }, tcp: [] }), /http-min-items/);
  });

  it("probes published ports on the remote engine's host", function () {
    assert.deepEqual(
      [probeHost(undefined, "127.0.0.1"), probeHost(undefined, "0.0.0.0"), probeHost("ssh://ci@build-7", "127.0.0.1"), probeHost("tcp://10.1.2.3:2376", "127.0.0.1"), probeHost("unix:///run/docker.sock", "127.0.0.1")],
      ["127.0.0.1", "127.0.0.1", "build-7", "10.1.2.3", "127.0.0.1"],
    );
  });
});

describe("hardening opt-outs", function () {
  const on = { readOnly: true, noNewPrivileges: true, capAdd: [] as string[], pidsLimit: 256, maxRetryCount: 3 };
  const table: [string, Partial<typeof on>, string, string[]][] = [
    ["all rules on", {}, "1000:1000", []],
    ["allowed capability", { capAdd: ["CHOWN"] }, "1000:1000", []],
    ["other capability", { capAdd: ["SYS_PTRACE"] }, "1000:1000", ["container-capabilities-dropped"]],
    ["writable root and privileges", { readOnly: false, noNewPrivileges: false }, "1000:1000", ["container-read-only-rootfs", "container-no-new-privileges"]],
    ["root user", {}, "0:0", ["container-non-root-user"]],
  ];
  for (const [what, change, user, expected] of table) {
    it(`${what} → ${JSON.stringify(expected)}`, function () {
      assert.deepEqual(optOuts({ ...on, ...change }, user), expected);
    });
  }
});
