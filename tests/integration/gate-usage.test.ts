// Usage errors of the compiled entry points: exit 2, one line naming the flag, nothing on stdout.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GATE_CLI, requireBuilt, runCli } from "../../lab/gate-runner";

const cases: Array<[string, string, string[], string]> = [
  [
    "no probe is given",
    GATE_CLI,
    ["--name", "g", "--timeout-seconds", "5"],
    "berth gate: no probe given: pass at least one of --container, --http, --tcp, --postgres, --redis, --swarm-service",
  ],
  [
    "a flag is unknown",
    GATE_CLI,
    ["--name", "g", "--timeout-seconds", "5", "--tcp", "127.0.0.1:1", "--retries", "3"],
    "berth gate: unknown option '--retries'; allowed: --name, --timeout-seconds, --interval-ms, --log-lines, --container, --pids-limit, --ready, --ready-interval-ms, --http, --http-status, --http-min-items, --tcp, --postgres, --redis, --swarm-service, --hint",
  ],
  [
    "--timeout-seconds is not a number",
    GATE_CLI,
    ["--name", "g", "--timeout-seconds", "soon", "--tcp", "127.0.0.1:1"],
    "berth gate: option '--timeout-seconds <n>' argument 'soon' is invalid. expected a number greater than 0, e.g. 30 or 2.5",
  ],
  [
    "--pids-limit is 0",
    GATE_CLI,
    ["--name", "g", "--timeout-seconds", "5", "--container", "c", "--pids-limit", "c=0"],
    "berth gate: option '--pids-limit <container=n>' argument 'c=0' is invalid. expected <container>=<n> with n >= 1, e.g. berth-test-postgres=256",
  ],
];

describe("gate CLI: usage errors (compiled)", () => {
  before(() => requireBuilt(GATE_CLI));

  for (const [when, script, args, message] of cases) {
    it(`fails with exit 2 when ${when}`, async () => {
      const run = await runCli(script, args);
      assert.deepEqual(
        { code: run.code, stdout: run.stdout, stderr: run.stderrLines },
        { code: 2, stdout: "", stderr: [message] },
      );
    });
  }

  it("never prints a --postgres value it cannot parse (it may hold a password)", async () => {
    const run = await runCli(GATE_CLI, [
      "--name",
      "g",
      "--timeout-seconds",
      "5",
      "--postgres",
      "host=db password=hunter2",
    ]);
    assert.equal(run.code, 2);
    assert.deepEqual(run.stderrLines, [
      "berth gate: --postgres expects a postgres:// or postgresql:// URL or env:VARNAME; the value given is not a URL",
    ]);
  });
});

/** The packages that made the gate slow to start: dockerode (gRPC, protobuf for BuildKit sessions) and ssh2. */
const HEAVY = String.raw`/node_modules\/(dockerode|ssh2|@grpc\/grpc-js|protobufjs)\//`;

describe("gate CLI: lean start-up (compiled)", () => {
  before(() => requireBuilt(GATE_CLI));

  it("loads neither dockerode, its gRPC session code nor ssh2 for a local engine", async () => {
    const dir = mkdtempSync(join(tmpdir(), "berth-gate-modules-"));
    const preload = join(dir, "loaded.js");
    // Prints, as the process exits, which of the heavy packages it loaded.
    writeFileSync(
      preload,
      `process.on("exit", () => process.stderr.write("loaded: " + JSON.stringify(Object.keys(require.cache).map((k) => (k.match(${HEAVY}) || [])[1]).filter(Boolean).sort()) + "\\n"));`,
    );
    try {
      const run = await runCli(
        GATE_CLI,
        ["--name", "g", "--timeout-seconds", "5", "--container", `berth-gatetest-none-${process.pid}`],
        { NODE_OPTIONS: `--require ${preload}` },
      );
      assert.equal(run.code, 1);
      assert.match(run.stdout, /"detail":"(does not exist|cannot reach the Docker engine[^"]*)"/);
      assert.equal(run.stderrLines[run.stderrLines.length - 1], "loaded: []");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("still reaches an ssh:// engine, loading ssh2 only then", async () => {
    const run = await runCli(GATE_CLI, ["--name", "g", "--timeout-seconds", "5", "--container", "c"], {
      DOCKER_HOST: "ssh://nobody@127.0.0.1:1",
    });
    assert.equal(run.code, 1);
    assert.equal(
      run.stderrLines[run.stderrLines.length - 1],
      'berth gate "g": cannot reach the Docker engine at ssh://nobody@127.0.0.1:1 (connection refused). Start dockerd or set DOCKER_HOST.',
    );
  });
});
