// Pure parts of the gate: redaction, the JSON condition, engine states, settling, report text.
import assert from "node:assert/strict";
import { lastLines } from "../../gate/container-diagnostics";
import { NO_HEALTHCHECK, observeEvent, observeInspect } from "../../gate/container-state";
import { checkMinItems } from "../../gate/http-condition";
import { periodicLine, progressLine } from "../../gate/progress";
import { makeScrubber, redactUrl, secretsOfUrl } from "../../gate/redact";
import { failureReport, formatBytes, withDiagnostics } from "../../gate/report";
import { gateResult, ProbeTrack, settle } from "../../gate/result";
import type { ProbeOutcome } from "../../gate/types";

describe("gate redaction", () => {
  const urls: Array<[string, string | undefined]> = [
    ["postgres://app:s3cret@db:5432/app", "postgres://app:***@db:5432/app"],
    ["redis://:s3cret@cache:6379/0", "redis://:***@cache:6379/0"],
    ["postgres://app@db/app?password=s3cret&sslmode=disable", "postgres://app@db/app?password=***&sslmode=disable"],
    ["http://orchestrator:8080/health", "http://orchestrator:8080/health"],
    ["host=db password=s3cret", undefined],
  ];
  for (const [raw, redacted] of urls) {
    it(`redacts ${raw}`, () => assert.equal(redactUrl(raw), redacted));
  }

  it("knows a URL's secrets in encoded and decoded spelling", () => {
    assert.deepEqual(secretsOfUrl("postgres://app:p%40ss@db/app?sslpassword=k3y"), ["p%40ss", "p@ss", "k3y"]);
    assert.deepEqual(secretsOfUrl("redis://cache:6379"), []);
  });

  it("scrubs every known secret from a line, longest first", () => {
    const scrub = makeScrubber(["pw", "pw-long", ""]);
    assert.equal(scrub("auth pw-long failed; pw again"), "auth *** failed; *** again");
  });
});

describe("gate --http-min-items condition", () => {
  const cases: Array<[string, string, boolean, string]> = [
    ["an array long enough", '{"workers":["a","b","c"]}', true, "workers: 3 items (need >= 3)"],
    ["an array too short", '{"workers":["a"]}', false, "workers: 1 item (need >= 3)"],
    ["a number large enough", '{"workers":4}', true, "workers: 4 (need >= 3)"],
    ["a number too small", '{"workers":0}', false, "workers: 0 (need >= 3)"],
    ["a missing field", '{"other":[]}', false, 'body has no top-level field "workers" (need >= 3)'],
    ["a top-level array", "[1,2,3]", false, 'body has no top-level field "workers" (need >= 3)'],
    ["a string field", '{"workers":"3"}', false, "workers is neither an array nor a number (need >= 3)"],
    ["a body that is not JSON", "<html>", false, "body is not JSON (need workers >= 3)"],
  ];
  for (const [what, body, ok, detail] of cases) {
    it(`judges ${what}`, () => assert.deepEqual(checkMinItems(body, { key: "workers", min: 3 }), { ok, detail }));
  }
});

describe("gate container states", () => {
  const withCheck = { Healthcheck: { Test: ["CMD-SHELL", "true"] } };
  const state = (s: Record<string, unknown>, config: Record<string, unknown> = withCheck) =>
    ({ State: { Status: "running", Running: true, OOMKilled: false, ExitCode: 0, ...s }, Config: config }) as never;
  const inspections: Array<[string, unknown, unknown]> = [
    ["healthy", state({ Health: { Status: "healthy" } }), { state: "healthy", detail: "health: healthy" }],
    ["starting", state({ Health: { Status: "starting" } }), { state: "starting", detail: "health: starting" }],
    ["unhealthy", state({ Health: { Status: "unhealthy" } }), { state: "unhealthy", detail: "health: unhealthy" }],
    [
      "exited",
      state({ Status: "exited", Running: false, ExitCode: 3, Health: { Status: "unhealthy" } }),
      { state: "exited", detail: "exited with code 3", exitCode: 3 },
    ],
    [
      "OOM-killed",
      state({ Status: "exited", Running: false, OOMKilled: true, ExitCode: 137 }),
      { state: "oom", detail: "OOM-killed", exitCode: 137 },
    ],
    ["without a healthcheck", state({}, {}), { state: "error", detail: NO_HEALTHCHECK }],
    [
      "with its image's healthcheck turned off",
      state({}, { Healthcheck: { Test: ["NONE"] } }),
      { state: "error", detail: NO_HEALTHCHECK },
    ],
    [
      "created, not started yet",
      state({ Status: "created", Running: false }),
      { state: "starting", detail: "health: not running yet (created)" },
    ],
  ];
  for (const [what, info, expected] of inspections) {
    it(`reads an inspect of a container that is ${what}`, () =>
      assert.deepEqual(observeInspect(info as never), expected));
  }

  const events: Array<[string, unknown]> = [
    ["health_status: healthy", { state: "healthy", detail: "health: healthy" }],
    ["health_status: unhealthy", { state: "unhealthy", detail: "health: unhealthy" }],
    ["oom", { state: "oom", detail: "OOM-killed", exitCode: undefined }],
    ["die", { state: "exited", detail: "exited with code 2", exitCode: 2 }],
    ["destroy", { state: "error", detail: "container was removed" }],
    ["start", undefined],
  ];
  for (const [action, expected] of events) {
    it(`reads the event "${action}"`, () =>
      assert.deepEqual(
        observeEvent({ Action: action, Actor: { ID: "abc", Attributes: { exitCode: "2" } } }),
        expected,
      ));
  }
});

describe("gate settling and result", () => {
  const tracks: ProbeTrack[] = [
    {
      kind: "container",
      target: "pg",
      observation: { state: "healthy", detail: "health: healthy" },
      healthyAtMs: 812.4,
    },
    {
      kind: "tcp",
      target: "db:5432",
      observation: { state: "starting", detail: "connect ECONNREFUSED" },
      healthyAtMs: null,
    },
    { kind: "redis", target: "redis://r:6379", healthyAtMs: null },
  ];

  it("marks probes still waiting at the timeout as timeout, with their last word", () => {
    assert.deepEqual(
      settle(tracks, "timeout", 5).map((o) => [o.status, o.detail, o.timeToHealthyMs, o.cancelled]),
      [
        ["healthy", "health: healthy", 812.4, false],
        ["timeout", "not healthy within 5s; last: connect ECONNREFUSED", null, false],
        ["timeout", "not healthy within 5s; last: no answer yet", null, false],
      ],
    );
  });

  it("adds a waiting container's --ready answer to its last word", () => {
    const waiting: ProbeTrack = {
      kind: "container",
      target: "pg",
      observation: {
        state: "starting",
        detail: "health: starting",
        pending: "postgres://app:***@127.0.0.1:5432/app: Connection terminated unexpectedly",
      },
      healthyAtMs: null,
    };
    assert.deepEqual(
      settle([waiting], "timeout", 5).map((o) => [o.status, o.detail]),
      [
        [
          "timeout",
          "not healthy within 5s; last: health: starting; postgres://app:***@127.0.0.1:5432/app: Connection terminated unexpectedly",
        ],
      ],
    );
  });

  it("marks probes still waiting when another failed as cancelled errors", () => {
    const failed: ProbeTrack[] = [
      ...tracks.slice(0, 2),
      {
        kind: "container",
        target: "app",
        observation: { state: "exited", detail: "exited with code 1", exitCode: 1 },
        healthyAtMs: null,
      },
    ];
    assert.deepEqual(
      settle(failed, "failed", 5).map((o) => [o.status, o.detail, o.cancelled]),
      [
        ["healthy", "health: healthy", false],
        ["error", "cancelled: another probe failed the gate first; last: connect ECONNREFUSED", true],
        ["exited", "exited with code 1", false],
      ],
    );
  });

  it("builds the JSON result with whole milliseconds", () => {
    assert.deepEqual(gateResult("data", 1234.6, settle(tracks.slice(0, 1), "passed", 5)), {
      gate: "data",
      status: "passed",
      elapsedMs: 1235,
      probes: [{ kind: "container", target: "pg", status: "healthy", timeToHealthyMs: 812, detail: "health: healthy" }],
    });
  });
});

describe("gate progress lines", () => {
  it("shows a container's state without repeating it", () => {
    assert.equal(
      progressLine("data", "pg", { state: "starting", detail: "health: starting" }, 812),
      "gate data: pg starting 0.8s",
    );
  });
  it("shows why a polled probe is not ready", () => {
    assert.equal(
      progressLine("data", "db:5432", { state: "starting", detail: "connect ECONNREFUSED" }, 1250),
      "gate data: db:5432 starting 1.3s (connect ECONNREFUSED)",
    );
  });
  it("sums up who is still waiting", () => {
    assert.equal(
      periodicLine(
        "data",
        [{ target: "pg", observation: { state: "starting", detail: "" } }, { target: "redis://r:6379" }],
        5000,
      ),
      "gate data: still waiting 5.0s for pg (starting), redis://r:6379 (no answer yet)",
    );
  });
});

describe("gate failure report", () => {
  const outcome = (o: Partial<ProbeOutcome>): ProbeOutcome => ({
    kind: "container",
    target: "orchestrator",
    status: "unhealthy",
    detail: "health: unhealthy",
    lastDetail: "health: unhealthy",
    timeToHealthyMs: null,
    cancelled: false,
    engineUnreachable: false,
    ...o,
  });
  const diagnostics = {
    healthLog: [
      { exitCode: 1, output: "wget: can't connect to remote host\n" },
      { exitCode: 1, output: "line one\nline two\n" },
      { exitCode: 2, output: "" },
    ],
    memoryLimitBytes: 0,
    logLines: ["listening on :8080", "error: database refused"],
  };

  it("names the gate and the service, then shows healthcheck outputs and logs", () => {
    const report = failureReport({
      gate: "orchestrator",
      elapsedMs: 3200,
      outcomes: [
        outcome({}),
        outcome({
          kind: "tcp",
          target: "db:5432",
          status: "error",
          cancelled: true,
          lastDetail: "connect ECONNREFUSED",
        }),
      ],
      diagnostics: new Map([["orchestrator", diagnostics]]),
      logLines: 50,
    });
    assert.deepEqual(report, [
      'berth gate "orchestrator" failed after 3.2s: container orchestrator is unhealthy',
      "  last healthcheck outputs of orchestrator (newest last):",
      "    [exit 1] wget: can't connect to remote host",
      "    [exit 1] line one",
      "             line two",
      "    [exit 2] (no output)",
      "  last 50 log lines of orchestrator:",
      "    listening on :8080",
      "    error: database refused",
      "  still waiting when the gate stopped: tcp db:5432 (connect ECONNREFUSED)",
    ]);
  });

  it("lists every failing probe in the headline", () => {
    const report = failureReport({
      gate: "data",
      elapsedMs: 150,
      outcomes: [
        outcome({ target: "pg", status: "exited", detail: "exited with code 3" }),
        outcome({ target: "redis", status: "oom", detail: "OOM-killed" }),
        outcome({
          kind: "postgres",
          target: "postgres://u:***@db/app",
          status: "timeout",
          detail: "not healthy within 5s; last: timeout",
        }),
      ],
      diagnostics: new Map(),
      logLines: 50,
    });
    assert.deepEqual(report, [
      'berth gate "data" failed after 0.1s: container pg exited with code 3; container redis was OOM-killed; postgres://u:***@db/app was not healthy within 5s; last: timeout',
    ]);
  });

  it("says only that the engine is unreachable when it is", () => {
    const detail =
      "cannot reach the Docker engine at unix:///x.sock (no socket at that path). Start dockerd or set DOCKER_HOST.";
    const report = failureReport({
      gate: "data",
      elapsedMs: 50,
      outcomes: [outcome({ status: "error", detail, engineUnreachable: true })],
      diagnostics: new Map(),
      logLines: 50,
    });
    assert.deepEqual(report, [`berth gate "data": ${detail}`]);
  });

  it("says when there are no logs, and leaves them out with --log-lines 0", () => {
    const empty = { healthLog: [], memoryLimitBytes: 0, logLines: [] };
    const base = {
      gate: "g",
      elapsedMs: 100,
      outcomes: [outcome({})],
      diagnostics: new Map([["orchestrator", empty]]),
    };
    assert.deepEqual(failureReport({ ...base, logLines: 50 }).slice(1), [
      "  last healthcheck outputs of orchestrator (newest last):",
      "    (none recorded)",
      "  last 50 log lines of orchestrator:",
      "    (no output)",
    ]);
    assert.deepEqual(failureReport({ ...base, logLines: 0 }).slice(1), [
      "  last healthcheck outputs of orchestrator (newest last):",
      "    (none recorded)",
    ]);
  });

  it("completes the JSON detail with the newest healthcheck output or the memory limit", () => {
    assert.equal(
      withDiagnostics(outcome({}), diagnostics).detail,
      "health: unhealthy; last healthcheck: [exit 2] (no output)",
    );
    assert.equal(
      withDiagnostics(outcome({ status: "oom", detail: "OOM-killed" }), {
        ...diagnostics,
        memoryLimitBytes: 8 * 1024 * 1024,
      }).detail,
      "OOM-killed (memory limit 8 MiB)",
    );
    assert.equal(
      withDiagnostics(outcome({ status: "exited", detail: "exited with code 1" }), diagnostics).detail,
      "exited with code 1",
    );
    assert.equal(formatBytes(1536 * 1024), "1.5 MiB");
  });

  it("keeps the last lines of a log text", () => {
    assert.deepEqual(lastLines("a\nb\r\nc\n", 2), ["b", "c"]);
    assert.deepEqual(lastLines("", 5), []);
    assert.deepEqual(lastLines("a\nb", 0), []);
  });
});
