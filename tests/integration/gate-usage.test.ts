// Usage errors of the compiled entry points: exit 2, one line naming the flag, nothing on stdout.
import assert from "node:assert/strict";
import { GATE_CLI, PIDS_CLI, requireBuilt, runCli } from "../../lab/gate-runner";

const cases: Array<[string, string, string[], string]> = [
  ["no probe is given", GATE_CLI, ["--name", "g", "--timeout-seconds", "5"], "berth gate: no probe given: pass at least one of --container, --http, --tcp, --postgres, --redis, --swarm-service"],
  [
    "a flag is unknown",
    GATE_CLI,
    ["--name", "g", "--timeout-seconds", "5", "--tcp", "127.0.0.1:1", "--retries", "3"],
    "berth gate: unknown option '--retries'; allowed: --name, --timeout-seconds, --interval-ms, --log-lines, --container, --http, --http-status, --http-min-items, --tcp, --postgres, --redis, --swarm-service, --hint",
  ],
  [
    "--timeout-seconds is not a number",
    GATE_CLI,
    ["--name", "g", "--timeout-seconds", "soon", "--tcp", "127.0.0.1:1"],
    "berth gate: option '--timeout-seconds <n>' argument 'soon' is invalid. expected a number greater than 0, e.g. 30 or 2.5",
  ],
  [
    "--pids-limit is 0",
    PIDS_CLI,
    ["--container", "c", "--pids-limit", "0"],
    "berth set-pids-limit: option '--pids-limit <n>' argument '0' is invalid. expected a whole number >= 1",
  ],
];

describe("gate CLI: usage errors (compiled)", () => {
  before(() => [GATE_CLI, PIDS_CLI].forEach(requireBuilt));

  for (const [when, script, args, message] of cases) {
    it(`fails with exit 2 when ${when}`, async () => {
      const run = await runCli(script, args);
      assert.deepEqual({ code: run.code, stdout: run.stdout, stderr: run.stderrLines }, { code: 2, stdout: "", stderr: [message] });
    });
  }

  it("never prints a --postgres value it cannot parse (it may hold a password)", async () => {
    const run = await runCli(GATE_CLI, ["--name", "g", "--timeout-seconds", "5", "--postgres", "host=db password=hunter2"]);
    assert.equal(run.code, 2);
    assert.deepEqual(run.stderrLines, ["berth gate: --postgres expects a postgres:// or postgresql:// URL or env:VARNAME; the value given is not a URL"]);
  });
});
