// The workload image: services/Dockerfile built with BuildKit on the offline Node base image
// (tests/support/node-base-image.ts), the host CA bundle passed as a build secret. Then the image
// is checked as shipped and run hardened against the real Postgres and Redis (host network: they
// listen on 127.0.0.1 only).
import { strict as assert } from "node:assert";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appHealthcheck } from "../../components/workload/contract";
import { ensureNodeBaseImage, nodeBaseImageUnavailable } from "../../lab/images/node-base-image";
import { buildWorkloadImage, CA_CANARY, findBuildKitClient, NPMRC_CANARY } from "../../lab/images/workload-image";
import { freePort } from "../support/poll";
import { request, waitFor } from "../support/workload-process";
import { requireService } from "../support/required-service";
import { patternsInAddedLayers } from "../support/image-layers";
import {
  createTestDatabase,
  createTestRedis,
  requireServers,
  type TestDatabase,
  type TestRedis,
  type TestServers,
} from "../support/workload-servers";

const TAG = "berth-test/workload:test";

function docker(args: string[], input?: string): string {
  return execFileSync("docker", args, {
    encoding: "utf8",
    input,
    maxBuffer: 64 * 1024 * 1024,
    stdio: ["pipe", "pipe", "pipe"],
  }).trim();
}

function inspect(ref: string): any {
  return JSON.parse(docker(["inspect", ref]))[0];
}

/** The CA files added to this host's trust store (Debian: /usr/local/share/ca-certificates). */
function localCaFiles(): string[] {
  const root = "/usr/local/share/ca-certificates";
  if (!existsSync(root)) return [];
  return (readdirSync(root, { recursive: true }) as string[])
    .filter((f) => f.endsWith(".crt"))
    .map((f) => join(root, f));
}

/** One 64-character base64 line from the middle of every certificate in a PEM bundle. */
function certificateLines(pem: string): string[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.flatMap((block) => {
    const lines = block.split("\n").filter((l) => /^[A-Za-z0-9+/]{64}$/.test(l));
    return lines.length > 0 ? [lines[Math.floor(lines.length / 2)]!] : [];
  });
}

describe("workload image: services/Dockerfile on the offline Node base", function () {
  this.timeout(15 * 60_000);
  let servers: TestServers;
  let baseTag: string;
  const containers: string[] = [];

  before(async function () {
    await requireService(
      this,
      "the workload image build",
      async () => {
        if (spawnSync("docker", ["info"], { stdio: "ignore" }).status !== 0)
          throw new Error("no Docker engine answers");
        if (!findBuildKitClient()) throw new Error("no docker CLI with BuildKit (buildx plugin or a 20.10 client)");
        const unavailable = nodeBaseImageUnavailable();
        if (unavailable) throw new Error(unavailable);
      },
      "run `bash .ci/services.sh` as root",
    );
    servers = await requireServers(this);

    const base = ensureNodeBaseImage((line) => console.log(`      ${line}`));
    baseTag = base.tag;
    // BERTH_TEST_IMAGE_NO_CACHE=1 proves the secret checks on a build that really used the secrets.
    const build = buildWorkloadImage({
      baseImage: baseTag,
      tag: TAG,
      noCache: process.env.BERTH_TEST_IMAGE_NO_CACHE === "1",
    });
    console.log(
      `      base ${baseTag} ${base.built ? `built in ${base.seconds.toFixed(1)} s` : "cached"}; workload image built in ${build.seconds.toFixed(1)} s with ${build.client}`,
    );
  });

  after(function () {
    for (const name of containers) spawnSync("docker", ["rm", "-f", name], { stdio: "ignore" });
  });

  it("runs as 1000:1000 from /app with the node healthcheck and the orchestrator as default command", function () {
    const config = inspect(TAG).Config;
    assert.equal(config.User, "1000:1000");
    assert.equal(config.WorkingDir, "/app");
    assert.deepEqual(config.Cmd, ["node", "/app/dist/orchestrator.js"]);
    assert.equal(config.Entrypoint, null);
    assert.deepEqual(config.Healthcheck, {
      Test: ["CMD", "node", "/app/dist/healthcheck.js"],
      Interval: 5e9,
      Timeout: 3e9,
      StartPeriod: 20e9,
      Retries: 3,
    });
    assert.deepEqual(Object.keys(config.ExposedPorts).sort(), ["8080/tcp", "8081/tcp"]);
    assert.ok(config.Env.includes("NODE_ENV=production"), config.Env.join(" "));
    assert.deepEqual(
      config.Env.filter((e: string) => /^(NODE_EXTRA_CA_CERTS|NPM_CONFIG_|npm_config_|SSL_CERT)/.test(e)),
      [],
    );
  });

  it("holds the bundled entry points with their code caches and nothing else: no node_modules, no sources", function () {
    const listing = docker([
      "run",
      "--rm",
      TAG,
      "node",
      "-e",
      `const fs = require("fs");
       console.log(JSON.stringify({ app: fs.readdirSync("/app").sort(), dist: fs.readdirSync("/app/dist").sort(), lib: fs.readdirSync("/app/dist/lib").sort() }));`,
    ]);
    assert.deepEqual(JSON.parse(listing), {
      app: ["dist", "package.json"],
      dist: ["healthcheck.js", "healthcheck.sh", "lib", "orchestrator.js", "worker.js"],
      lib: ["code-cache.js", "orchestrator.cache", "orchestrator.js", "worker.cache", "worker.js"],
    });
    // The worker requires no file beside its launcher and the cache loader: its dependencies (zod
    // here, reporting the missing configuration) are inside its bundle, which runs from the code
    // cache the build made with this image's Node: V8 takes it.
    const r = spawnSync(
      "docker",
      [
        "run",
        "--rm",
        "--entrypoint",
        "node",
        TAG,
        "-e",
        `const Module = require("module"); const vm = require("vm"); const files = new Set(); const load = Module._load;
       Module._load = function (request, parent) { const f = Module._resolveFilename(request, parent); if (f.startsWith("/")) files.add(f); return load.apply(this, arguments); };
       const run = vm.Script.prototype.runInThisContext;
       vm.Script.prototype.runInThisContext = function () { files.add(this.cachedDataRejected === false ? "a bundle run from its code cache" : "a bundle compiled without its cache"); return run.apply(this, arguments); };
       process.on("exit", () => console.log(JSON.stringify([...files])));
       require("/app/dist/worker.js");`,
      ],
      { encoding: "utf8" },
    );
    assert.deepEqual(
      [r.status, JSON.parse(r.stdout), r.stderr.split("\n")[0]],
      [
        1,
        ["/app/dist/worker.js", "/app/dist/lib/code-cache.js", "a bundle run from its code cache"],
        "worker: invalid configuration (3 problems):",
      ],
    );
  });

  it("keeps nothing of the build secrets: no extra CA certificate, bundle, npmrc, secret mount or npm cache", function () {
    // What the secrets carry that nothing else would: the host's locally added CAs (the reason
    // for the npm_ca secret) and the canary lines the helper appends to both secret files. Public
    // roots are no evidence: the node binary and ioredis (TLSProfiles.js) ship some themselves.
    const extraCas = localCaFiles().flatMap((f) => certificateLines(readFileSync(f, "utf8")));
    const patterns = [...extraCas, CA_CANARY, NPMRC_CANARY];
    const dir = mkdtempSync(join(tmpdir(), "berth-secret-scan-"));
    try {
      const file = join(dir, "patterns");
      writeFileSync(file, `${patterns.join("\n")}\n`);
      assert.deepEqual(patternsInAddedLayers(TAG, baseTag, file, dir), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const paths = [
      "/run/secrets/npm_ca",
      "/run/secrets/npmrc",
      "/root/.npm",
      "/root/.npmrc",
      "/app/.npmrc",
      "/app/src",
    ];
    const present = docker([
      "run",
      "--rm",
      "--user",
      "0",
      TAG,
      "node",
      "-e",
      `console.log(JSON.stringify(${JSON.stringify(paths)}.filter((p) => require("fs").existsSync(p))))`,
    ]);
    assert.deepEqual(JSON.parse(present), []);
    const history = docker(["history", "--no-trunc", "--format", "{{.CreatedBy}}", TAG]);
    assert.doesNotMatch(history, /BEGIN CERTIFICATE|registry=|secret/);
  });

  it("the secret scan is not vacuous: it finds a CA certificate and a canary planted in a layer", function () {
    const planted = `berth-wl-planted-${process.pid}`;
    const dir = mkdtempSync(join(tmpdir(), "berth-secret-plant-"));
    try {
      const [ca] = localCaFiles();
      const expected = [CA_CANARY, ...(ca ? [certificateLines(readFileSync(ca, "utf8"))[0]!] : [])].sort();
      writeFileSync(join(dir, "leftover.pem"), `${ca ? readFileSync(ca, "utf8") : ""}${CA_CANARY}\n`);
      docker(["create", "--name", planted, TAG]);
      docker(["cp", join(dir, "leftover.pem"), `${planted}:/app/leftover.pem`]);
      docker(["commit", planted, `${TAG}-planted`]);
      const file = join(dir, "patterns");
      writeFileSync(
        file,
        `${[...localCaFiles().flatMap((f) => certificateLines(readFileSync(f, "utf8"))), CA_CANARY, NPMRC_CANARY].join("\n")}\n`,
      );
      assert.deepEqual(patternsInAddedLayers(`${TAG}-planted`, TAG, file, dir), expected);
    } finally {
      spawnSync("docker", ["rm", "-f", planted], { stdio: "ignore" });
      spawnSync("docker", ["rmi", `${TAG}-planted`], { stdio: "ignore" });
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("fails when started without configuration: exits 1 naming DATABASE_URL and REDIS_URL", function () {
    const r = spawnSync("docker", ["run", "--rm", "--read-only", "--cap-drop", "ALL", TAG], { encoding: "utf8" });
    assert.equal(r.status, 1);
    assert.equal(
      r.stderr,
      [
        "orchestrator: invalid configuration (2 problems):",
        "  - DATABASE_URL is required: a PostgreSQL URL such as postgres://user:password@host:5432/database",
        "  - REDIS_URL is required: a Redis URL such as redis://host:6379/0",
        "",
      ].join("\n"),
    );
  });

  describe("hardened containers on the host network", function () {
    let db: TestDatabase;
    let redis: TestRedis;

    beforeEach(async function () {
      db = await createTestDatabase(servers);
      redis = createTestRedis(servers);
    });

    afterEach(async function () {
      for (const name of containers.splice(0)) spawnSync("docker", ["rm", "-f", name], { stdio: "ignore" });
      await db?.drop();
      await redis?.drop();
    });

    function runHardened(name: string, env: Record<string, string>, command: string[] = []): string {
      containers.push(name);
      return docker([
        "run",
        "--detach",
        "--name",
        name,
        "--label",
        "berth-test=workload-image",
        "--network",
        "host",
        "--read-only",
        "--tmpfs",
        "/tmp",
        "--cap-drop",
        "ALL",
        "--security-opt",
        "no-new-privileges",
        // The image's healthcheck command, polled faster than its 5 s default.
        "--health-interval",
        "1s",
        "--health-start-period",
        "30s",
        ...Object.entries(env).flatMap(([k, v]) => ["--env", `${k}=${v}`]),
        TAG,
        ...command,
      ]);
    }

    async function healthy(name: string): Promise<void> {
      await waitFor(`${name} to turn healthy`, 60_000, async () => {
        const state = inspect(name).State;
        if (!state.Running) throw new Error(`${name} stopped: ${docker(["logs", name])}`);
        return state.Health?.Status === "healthy" ? true : undefined;
      });
    }

    it("serves the orchestrator and a worker read-only without capabilities, turns healthy, runs a task and stops cleanly", async function () {
      const common = {
        DATABASE_URL: db.url,
        REDIS_URL: servers.redisUrl,
        REDIS_KEY_PREFIX: redis.prefix,
        HEARTBEAT_INTERVAL_MS: "200",
        HEARTBEAT_TTL_MS: "2000",
      };
      const orchPort = await freePort();
      const workerPort = await freePort();
      const orch = `berth-wl-image-${process.pid}-orchestrator`;
      const worker = `berth-wl-image-${process.pid}-worker`;
      runHardened(orch, { ...common, ORCHESTRATOR_PORT: String(orchPort) });
      await healthy(orch);
      const url = `http://127.0.0.1:${orchPort}`;
      const health = await request("GET", `${url}/health`);
      assert.deepEqual(
        [health.status, health.body.status, health.body.checks.postgres.ok, health.body.checks.redis.ok],
        [200, "ok", true, true],
      );
      // The components' healthcheck in this Debian-based image, read-only and without capabilities:
      // bash asks (its own message for a closed port), no node process starts.
      const componentsProbe = (port: number) => {
        const r = spawnSync("docker", ["exec", orch, ...appHealthcheck(port)], { encoding: "utf8" });
        return [r.status, r.stdout + r.stderr];
      };
      const closed = await freePort();
      assert.deepEqual(
        [componentsProbe(orchPort), componentsProbe(closed)],
        [
          [0, ""],
          [
            1,
            `healthcheck: connect: Connection refused\nhealthcheck: line 2: /dev/tcp/127.0.0.1/${closed}: Connection refused\n`,
          ],
        ],
      );

      runHardened(worker, { ...common, WORKER_ID: "image-worker", WORKER_PORT: String(workerPort) }, [
        "node",
        "/app/dist/worker.js",
      ]);
      await healthy(worker);
      const workers = await request("GET", `${url}/v1/workers`);
      assert.deepEqual(
        workers.body.workers.map((w: any) => [w.id, w.namespaces]),
        [["image-worker", ["default"]]],
      );

      const created = await request(
        "POST",
        `${url}/v1/tasks`,
        JSON.stringify({ namespace: "default", name: "sum", input: [1, 2, 3] }),
      );
      assert.equal(created.status, 201);
      const done = await waitFor("the task to finish", 10_000, async () => {
        const t = (await request("GET", `${url}/v1/tasks/${created.body.id}`)).body;
        return t.status === "succeeded" ? t : undefined;
      });
      assert.deepEqual([done.result, done.workerId], [6, "image-worker"]);

      // The process really is uid 1000 and cannot write outside /tmp.
      const probe = docker([
        "exec",
        orch,
        "node",
        "-e",
        `const fs = require("fs"); const w = (p) => { try { fs.writeFileSync(p, "x"); return "ok"; } catch (e) { return e.code; } };
         console.log(JSON.stringify({ id: process.getuid() + ":" + process.getgid(), app: w("/app/x"), root: w("/x"), tmp: w("/tmp/x") }));`,
      ]);
      assert.deepEqual(JSON.parse(probe), { id: "1000:1000", app: "EROFS", root: "EROFS", tmp: "ok" });
      const hostConfig = inspect(orch).HostConfig;
      assert.deepEqual(
        [hostConfig.ReadonlyRootfs, hostConfig.CapDrop, hostConfig.SecurityOpt],
        [true, ["ALL"], ["no-new-privileges"]],
      );

      // docker stop sends SIGTERM to node as PID 1: the worker deregisters and exits 0.
      docker(["stop", "--time", "20", worker]);
      assert.equal(inspect(worker).State.ExitCode, 0);
      assert.deepEqual(await db.query("SELECT id FROM berth_workers"), []);
      docker(["stop", "--time", "20", orch]);
      assert.equal(inspect(orch).State.ExitCode, 0);
    });
  });
});
