// Bad stack files as users write them, run through the program under Pulumi's mock runtime the
// way `pulumi up --stack corpus` would load them: each must stop before any resource is
// registered, with one message that names the key, in the user's words, without a stack trace or
// anything of berth's insides.
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { runProgram } from "../../lab/berth-program";

interface Case {
  what: string;
  /** The `config:` block of Pulumi.corpus.yaml. */
  yaml: string;
  /** Every problem line of the message, in order. */
  problems: string[];
}

const CASES: Case[] = [
  {
    what: "no environment",
    yaml: "  berth:useAlpine: true",
    problems: ['berth:environment: got nothing; allowed: one of "test", "dev", "prod".'],
  },
  {
    what: "an unknown environment",
    yaml: "  berth:environment: staging",
    problems: ['berth:environment: got "staging"; allowed: one of "test", "dev", "prod".'],
  },
  {
    what: "a dotted key written flat",
    yaml: "  berth:environment: test\n  berth:workers.replicas: 3",
    problems: [
      "berth:workers.replicas: got an unknown key; allowed: nest it: write `berth:workers:` with `replicas: <value>` indented under it in the stack file, or run `pulumi config set --path 'berth:workers.replicas' <value>`.",
    ],
  },
  {
    what: "a misspelt section",
    yaml: "  berth:environment: test\n  berth:postgress:\n    memoryMb: 1024",
    problems: [
      "berth:postgress: got an unknown key; allowed: remove it, or use one of: environment, useAlpine, registryPrefix, images, postgres, redis, orchestrator, workers, cluster, swarm, ports, tiers, hardening, docker, network.",
    ],
  },
  {
    what: "words for a number",
    yaml: "  berth:environment: test\n  berth:workers:\n    replicas: three",
    problems: ['berth:workers.replicas: got "three"; allowed: a number.'],
  },
  {
    what: "a negative worker count",
    yaml: "  berth:environment: test\n  berth:workers:\n    replicas: -1",
    problems: ["berth:workers.replicas: got -1; allowed: a number >= 0."],
  },
  {
    what: "a quoted port",
    yaml: '  berth:environment: dev\n  berth:ports:\n    postgres: "15432"',
    problems: ['berth:ports.postgres: got "15432"; allowed: a number.'],
  },
  {
    what: "one host port for two services",
    yaml: "  berth:environment: dev\n  berth:ports:\n    redis: 5432",
    problems: [
      "berth:ports.redis: got 5432; allowed: a host port other than ports.postgres's (two services cannot bind one port).",
    ],
  },
  {
    what: "a privileged host port",
    yaml: "  berth:environment: dev\n  berth:ports:\n    orchestrator: 80",
    problems: [
      "berth:ports.orchestrator: got 80; allowed: a host port from 1024 to 65535 (lower ports need root, and berth's policy pack refuses them, CIS 5.8).",
    ],
  },
  {
    what: "a host name as hostIp",
    yaml: "  berth:environment: test\n  berth:ports:\n    hostIp: localhost",
    problems: [
      'berth:ports.hostIp: got "localhost"; allowed: an IPv4 or IPv6 address such as 127.0.0.1, 0.0.0.0 or ::1.',
    ],
  },
  {
    what: "a reversed port range",
    yaml: '  berth:environment: test\n  berth:ports:\n    publish: range\n    range: "41099-41000"',
    problems: [
      'berth:ports.range: got "41099-41000"; allowed: a range whose first port is the lower one, e.g. "41000-41099".',
    ],
  },
  {
    what: "a privileged port range",
    yaml: '  berth:environment: test\n  berth:ports:\n    publish: range\n    range: "1000-1100"',
    problems: [
      'berth:ports.range: got "1000-1100"; allowed: a range starting at 1024 or above (lower host ports need root, and berth\'s policy pack refuses them, CIS 5.8).',
    ],
  },
  {
    what: "a tmpfs larger than the memory limit",
    yaml: "  berth:environment: test\n  berth:postgres:\n    tmpfsSizeMb: 2048",
    problems: [
      "berth:postgres.memoryMb: got 512; allowed: at least 2208 (shared buffers 64 MB + 96 MB for connections and work memory + the 2048 MB tmpfs data directory, whose pages count against the limit).",
    ],
  },
  {
    what: "a tmpfs size for a durable Postgres",
    yaml: "  berth:environment: test\n  berth:postgres:\n    durable: true\n    tmpfsSizeMb: 64",
    problems: [
      "berth:postgres.tmpfsSizeMb: got 64; allowed: nothing when durable is true (a durable Postgres keeps its data on a volume, not a tmpfs): remove it, or set durable: false.",
    ],
  },
  {
    what: "a gate budget shorter than the start period",
    yaml: "  berth:environment: dev\n  berth:tiers:\n    data:\n      gateTimeoutSeconds: 20",
    problems: [
      "berth:tiers.data.gateTimeoutSeconds: got 20; allowed: at least the start period (startPeriodMs 30000, i.e. 30 s): the gate would give up while a slow start is still forgiven; raise it or shorten startPeriodMs.",
    ],
  },
  {
    what: "the password in plain text",
    yaml: "  berth:environment: test\n  berth:postgresPassword: hunter2",
    problems: [
      "berth:postgresPassword: got a plain-text value; allowed: a secret: run `pulumi config set --secret postgresPassword <value>`.",
    ],
  },
  {
    what: "a word where a section belongs",
    yaml: "  berth:environment: test\n  berth:postgres: big",
    problems: [
      'berth:postgres: got "big"; allowed: an object with some of the keys database, user, memoryMb, cpus, tmpfsSizeMb, sharedBuffersMb, durable.',
    ],
  },
  {
    what: "an image reference with capitals",
    yaml: "  berth:environment: test\n  berth:images:\n    postgres: Postgres:Latest",
    problems: [
      'berth:images.postgres: got "Postgres:Latest"; allowed: a Docker image reference such as postgres:16-alpine or registry:5000/team/app:1.2.',
    ],
  },
  {
    what: "per-replica namespaces that do not match the replicas",
    yaml: "  berth:environment: test\n  berth:workers:\n    replicas: 3\n    namespaces: [[a], [b]]",
    problems: [
      "berth:workers.namespaces: got 2 lists; allowed: one list per replica (3) or a single list of names for every replica.",
    ],
  },
  {
    what: "a typo together with two cross-field mistakes",
    yaml: "  berth:environment: dev\n  berth:colur: blue\n  berth:ports:\n    redis: 5432\n  berth:redis:\n    memoryMb: 64\n    maxmemoryMb: 64",
    problems: [
      "berth:colur: got an unknown key; allowed: remove it, or use one of: environment, useAlpine, registryPrefix, images, postgres, redis, orchestrator, workers, cluster, swarm, ports, tiers, hardening, docker, network.",
      "berth:redis.memoryMb: got 64; allowed: at least 80 (maxmemory 64 MB + 16 MB overhead).",
      "berth:ports.redis: got 5432; allowed: a host port other than ports.postgres's (two services cannot bind one port).",
    ],
  },
  {
    what: "an engine address without a scheme",
    yaml: "  berth:environment: dev\n  berth:docker:\n    host: myhost:2375",
    problems: [
      'berth:docker.host: got "myhost:2375"; allowed: an engine address such as unix:///var/run/docker.sock, tcp://host:2376 or ssh://user@host.',
    ],
  },
  {
    what: "an internal network that publishes ports",
    yaml: "  berth:environment: test\n  berth:network:\n    internal: true\n  berth:ports:\n    publish: auto",
    problems: [
      'berth:ports.publish: got "auto"; allowed: "none" when network.internal is true (an internal network cannot publish host ports).',
    ],
  },
  {
    what: "a renamed key",
    yaml: "  berth:environment: test\n  berth:redis:\n    persistence: true",
    problems: ["berth:redis.persistence: got an unknown key; allowed: it is now called berth:redis.durable."],
  },
  {
    what: "a user name instead of uid:gid",
    yaml: "  berth:environment: test\n  berth:hardening:\n    workers:\n      user: app",
    problems: ['berth:hardening.workers.user: got "app"; allowed: a numeric "uid:gid" such as "1000:1000".'],
  },
  {
    what: "a capability in lower case",
    yaml: "  berth:environment: test\n  berth:hardening:\n    redis:\n      capAdd: [net_admin]",
    problems: [
      'berth:hardening.redis.capAdd[0]: got "net_admin"; allowed: a capability name such as NET_BIND_SERVICE.',
    ],
  },
  {
    what: "hardening for a service that does not exist",
    yaml: "  berth:environment: test\n  berth:hardening:\n    worker:\n      readOnly: false",
    problems: [
      "berth:hardening.worker: got an unknown key; allowed: remove it, or use one of: postgres, redis, orchestrator, workers.",
    ],
  },
  {
    what: "more restarts than CIS 5.15 allows",
    yaml: "  berth:environment: test\n  berth:hardening:\n    orchestrator:\n      maxRetryCount: 10",
    problems: ["berth:hardening.orchestrator.maxRetryCount: got 10; allowed: a number <= 5."],
  },
];

// What a user must never see: stack frames, schema-library names, berth's source paths.
const INTERNALS = [/\n\s+at /, /Zod/i, /\.ts\b/, /node_modules/, /\[object Object\]/, /undefined/];

describe("config: a corpus of bad stack files, as users write them", function () {
  this.timeout(20_000);
  const dir = mkdtempSync(join(tmpdir(), "berth-corpus-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const c of CASES) {
    it(`fails on ${c.what}: before any resource, naming the key, without internals`, async function () {
      const stackFile = join(dir, "Pulumi.corpus.yaml");
      writeFileSync(stackFile, `config:\n${c.yaml}\n`);
      let error: unknown;
      try {
        await runProgram("corpus", {}, { stackFile });
      } catch (err) {
        error = err;
      }
      assert.ok(pulumi.RunError.isInstance(error), `expected a RunError (shown without a stack trace), got ${error}`);
      assert.equal(((pulumi.runtime as any).getMonitor().getRegisteredResources() as Map<string, unknown>).size, 0);
      const message = (error as Error).message;
      const count = `${c.problems.length} ${c.problems.length === 1 ? "problem" : "problems"}`;
      assert.deepEqual(message.split("\n"), [
        `Invalid configuration in Pulumi.corpus.yaml (${count}):`,
        ...c.problems.map((p) => `  - ${p}`),
        "Edit Pulumi.corpus.yaml (or use `pulumi config set --path <key> <value>`) and run again.",
      ]);
      for (const pattern of INTERNALS) assert.doesNotMatch(message, pattern);
    });
  }
});
