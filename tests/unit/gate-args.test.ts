// The gate's command line: accepted forms and the one-line usage errors.
import assert from "node:assert/strict";
import { GateOptions, parseGateArgs } from "../../gate/gate-args";

const base = ["--name", "data", "--timeout-seconds", "30"];
const defaults: GateOptions = {
  name: "data",
  timeoutSeconds: 30,
  intervalMs: 200,
  logLines: 50,
  containers: [],
  pidsLimits: [],
  ready: [],
  readyIntervalMs: 50,
  http: [],
  httpStatus: 200,
  httpMinItems: undefined,
  tcp: [],
  postgres: [],
  redis: [],
};
const env = { DB_URL: "postgres://app:s3cret@db:5432/app", EMPTY: "" };

describe("gate command line", () => {
  const accepted: Array<[string, string[], Partial<GateOptions>]> = [
    ["one container", ["--container", "pg"], { containers: ["pg"] }],
    [
      "repeated probes of every kind",
      ["--container", "a", "--container", "b", "--tcp", "db:5432", "--tcp", "[::1]:6379", "--redis", "redis://r:6379"],
      {
        containers: ["a", "b"],
        tcp: [
          { host: "db", port: 5432 },
          { host: "::1", port: 6379 },
        ],
        redis: ["redis://r:6379"],
      },
    ],
    [
      "http with status and item count",
      ["--http", "http://o:8080/workers", "--http-status", "204", "--http-min-items", "workers=3"],
      {
        http: ["http://o:8080/workers"],
        httpStatus: 204,
        httpMinItems: { key: "workers", min: 3 },
      },
    ],
    [
      "a hint line for the failure report",
      ["--container", "c", "--hint", "To change this, edit Pulumi.test.yaml"],
      {
        containers: ["c"],
        hint: "To change this, edit Pulumi.test.yaml",
      },
    ],
    [
      "a fractional timeout, interval and log lines",
      ["--container", "c", "--timeout-seconds", "2.5", "--interval-ms", "50", "--log-lines", "0"],
      {
        containers: ["c"],
        timeoutSeconds: 2.5,
        intervalMs: 50,
        logLines: 0,
      },
    ],
    ["postgres from env:", ["--postgres", "env:DB_URL"], { postgres: ["postgres://app:s3cret@db:5432/app"] }],
    [
      "pids limits and direct readiness probes per container",
      [
        "--container",
        "pg",
        "--container",
        "web",
        "--container",
        "cache",
        "--pids-limit",
        "pg=256",
        "--pids-limit",
        "web=64",
        "--ready",
        "pg=env:DB_URL",
        "--ready",
        "web=http://127.0.0.1:8080/health",
        "--ready",
        "cache=rediss://:pw@cache:6380",
        "--ready-interval-ms",
        "20",
      ],
      {
        containers: ["pg", "web", "cache"],
        pidsLimits: [
          { container: "pg", pidsLimit: 256 },
          { container: "web", pidsLimit: 64 },
        ],
        ready: [
          { container: "pg", url: "postgres://app:s3cret@db:5432/app" },
          { container: "web", url: "http://127.0.0.1:8080/health" },
          { container: "cache", url: "rediss://:pw@cache:6380" },
        ],
        readyIntervalMs: 20,
      },
    ],
    [
      "postgresql:// and rediss://",
      ["--postgres", "postgresql://db/app", "--redis", "rediss://cache:6380"],
      { postgres: ["postgresql://db/app"], redis: ["rediss://cache:6380"] },
    ],
  ];
  for (const [what, args, expected] of accepted) {
    it(`accepts ${what}`, () => {
      assert.deepEqual(parseGateArgs([...base, ...args], env), { kind: "ok", value: { ...defaults, ...expected } });
    });
  }

  const rejected: Array<[string, string[], string]> = [
    [
      "no probe is given",
      base,
      "berth gate: no probe given: pass at least one of --container, --http, --tcp, --postgres, --redis, --swarm-service",
    ],
    [
      "--name is missing",
      ["--timeout-seconds", "3", "--container", "c"],
      "berth gate: required option '--name <gate-name>' not specified",
    ],
    [
      "--timeout-seconds is missing",
      ["--name", "n", "--container", "c"],
      "berth gate: required option '--timeout-seconds <n>' not specified",
    ],
    [
      "--timeout-seconds is 0",
      ["--name", "n", "--timeout-seconds", "0", "--container", "c"],
      "berth gate: option '--timeout-seconds <n>' argument '0' is invalid. expected a number greater than 0, e.g. 30 or 2.5",
    ],
    [
      "--interval-ms is fractional",
      [...base, "--interval-ms", "1.5", "--container", "c"],
      "berth gate: option '--interval-ms <n>' argument '1.5' is invalid. expected a whole number >= 1",
    ],
    [
      "--log-lines is negative",
      [...base, "--log-lines", "-1", "--container", "c"],
      "berth gate: option '--log-lines <n>' argument '-1' is invalid. expected a whole number >= 0",
    ],
    [
      "--http-status is out of range",
      [...base, "--http", "http://x/", "--http-status", "99"],
      "berth gate: option '--http-status <code>' argument '99' is invalid. expected a whole number from 100 to 599",
    ],
    [
      "--http-min-items has no count",
      [...base, "--http", "http://x/", "--http-min-items", "workers"],
      "berth gate: option '--http-min-items <key=n>' argument 'workers' is invalid. expected <key>=<n>, e.g. workers=3",
    ],
    [
      "--http-min-items comes without --http",
      [...base, "--container", "c", "--http-min-items", "workers=1"],
      "berth gate: --http-min-items needs at least one --http probe or http(s) --ready probe",
    ],
    [
      "--tcp has no port",
      [...base, "--tcp", "db"],
      "berth gate: option '--tcp <host:port>' argument 'db' is invalid. expected <host>:<port> with a port from 1 to 65535, e.g. 127.0.0.1:5432",
    ],
    [
      "--tcp has port 0",
      [...base, "--tcp", "db:0"],
      "berth gate: option '--tcp <host:port>' argument 'db:0' is invalid. expected <host>:<port> with a port from 1 to 65535, e.g. 127.0.0.1:5432",
    ],
    [
      "--http is not http",
      [...base, "--http", "ftp://user:pw@x/"],
      "berth gate: --http expects a http:// or https:// URL, got ftp://user:***@x/",
    ],
    [
      "--redis is a postgres URL (password redacted)",
      [...base, "--redis", "postgres://u:pw@x/db"],
      "berth gate: --redis expects a redis:// or rediss:// URL, got postgres://u:***@x/db",
    ],
    [
      "--postgres is not a URL (never echoed)",
      [...base, "--postgres", "host=db password=pw"],
      "berth gate: --postgres expects a postgres:// or postgresql:// URL or env:VARNAME; the value given is not a URL",
    ],
    [
      "env: names an unset variable",
      [...base, "--postgres", "env:NOPE"],
      "berth gate: --postgres env:NOPE: environment variable NOPE is not set",
    ],
    [
      "env: names an empty variable",
      [...base, "--redis", "env:EMPTY"],
      "berth gate: --redis env:EMPTY: environment variable EMPTY is not set",
    ],
    [
      "--pids-limit has no container",
      [...base, "--container", "c", "--pids-limit", "256"],
      "berth gate: option '--pids-limit <container=n>' argument '256' is invalid. expected <container>=<n> with n >= 1, e.g. berth-test-postgres=256",
    ],
    [
      "--pids-limit is 0",
      [...base, "--container", "c", "--pids-limit", "c=0"],
      "berth gate: option '--pids-limit <container=n>' argument 'c=0' is invalid. expected <container>=<n> with n >= 1, e.g. berth-test-postgres=256",
    ],
    [
      "--pids-limit names no --container",
      [...base, "--container", "c", "--pids-limit", "d=64"],
      "berth gate: --pids-limit names d, which is not a --container of this gate",
    ],
    [
      "--pids-limit is given twice for one container",
      [...base, "--container", "c", "--pids-limit", "c=64", "--pids-limit", "c=128"],
      "berth gate: --pids-limit is given twice for c",
    ],
    [
      '--ready has no container (a URL whose query holds "=" is never echoed)',
      [...base, "--container", "c", "--ready", "postgres://u:pw@db/app?sslmode=disable"],
      "berth gate: --ready expects <container>=<url|env:VAR>, e.g. berth-test-redis=redis://127.0.0.1:6379",
    ],
    [
      "--ready has no URL",
      [...base, "--container", "c", "--ready", "c="],
      "berth gate: --ready expects <container>=<url|env:VAR>, e.g. berth-test-redis=redis://127.0.0.1:6379",
    ],
    [
      "--ready speaks no known protocol (password redacted)",
      [...base, "--container", "c", "--ready", "c=ftp://u:pw@x/"],
      "berth gate: --ready c expects a postgres:// or postgresql:// or redis:// or rediss:// or http:// or https:// URL, got ftp://u:***@x/",
    ],
    [
      "--ready is not a URL (never echoed)",
      [...base, "--container", "c", "--ready", "c=host=db password=pw"],
      "berth gate: --ready c expects a postgres:// or postgresql:// or redis:// or rediss:// or http:// or https:// URL or env:VARNAME; the value given is not a URL",
    ],
    [
      "--ready names an unset env: variable",
      [...base, "--container", "c", "--ready", "c=env:NOPE"],
      "berth gate: --ready c env:NOPE: environment variable NOPE is not set",
    ],
    [
      "--ready names no --container",
      [...base, "--container", "c", "--ready", "d=redis://r:6379"],
      "berth gate: --ready names d, which is not a --container of this gate",
    ],
    [
      "--ready is given twice for one container",
      [...base, "--container", "c", "--ready", "c=redis://r:6379", "--ready", "c=redis://s:6379"],
      "berth gate: --ready is given twice for c",
    ],
    [
      "--ready-interval-ms is 0",
      [...base, "--container", "c", "--ready-interval-ms", "0"],
      "berth gate: option '--ready-interval-ms <n>' argument '0' is invalid. expected a whole number >= 1",
    ],
    [
      "--container is empty",
      [...base, "--container", " "],
      "berth gate: --container needs a container name or id, got an empty value",
    ],
    [
      "a value has no flag",
      [...base, "--container", "c", "stray"],
      "berth gate: unexpected argument 'stray': every value needs its flag (see --help)",
    ],
    [
      "a flag is misspelt",
      [...base, "--containers", "c"],
      "berth gate: unknown option '--containers'; allowed: --name, --timeout-seconds, --interval-ms, --log-lines, --container, --pids-limit, --ready, --ready-interval-ms, --http, --http-status, --http-min-items, --tcp, --postgres, --redis, --swarm-service, --hint",
    ],
  ];
  for (const [when, args, message] of rejected) {
    it(`fails when ${when}`, () => {
      assert.deepEqual(parseGateArgs(args, env), { kind: "exit", code: 2, message });
    });
  }
});
