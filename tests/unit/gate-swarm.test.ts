// The gate's swarm probe without a swarm: --swarm-service on the command line, the assessment of a
// service from the manager's answers (plain tables), the failure report's task section, and the
// set-service-pids tool's command line and spec change.
import assert from "node:assert/strict";
import { gateCommandLine } from "../../components/gate/command-line";
import { parseGateArgs } from "../../gate/gate-args";
import { parseServicePidsArgs } from "../../tools/service-pids-args";
import { withPidsLimit } from "../../tools/set-service-pids";
import { demuxFrames } from "../../gate/container-diagnostics";
import { taskSection } from "../../gate/swarm-probe";
import { assessService, NodeJson, runsCurrentSpec, ServiceJson, TaskJson } from "../../gate/swarm-state";
import { noNewPrivsOf, inspectReport } from "../../policy/inspect";

const base = ["--name", "workers", "--timeout-seconds", "30"];

describe("gate command line: --swarm-service", () => {
  it("takes a service with or without the replica count it must ask for, repeatable", () => {
    const parsed = parseGateArgs([...base, "--swarm-service", "berth-test-worker=4", "--swarm-service", "other"], {});
    assert.deepEqual(parsed.kind === "ok" && parsed.value.swarmServices, [
      { service: "berth-test-worker", replicas: 4 },
      { service: "other" },
    ]);
  });

  it("is left out of the options when not given", () => {
    const parsed = parseGateArgs([...base, "--container", "c"], {});
    assert.equal(parsed.kind === "ok" && "swarmServices" in parsed.value, false);
  });

  const refused: Array<[string, string[], string]> = [
    [
      "a replica count of 0",
      ["--swarm-service", "w=0"],
      "berth gate: option '--swarm-service <service[=replicas]>' argument 'w=0' is invalid. expected a replica count from 1 to 10000, e.g. berth-test-worker=4",
    ],
    [
      "a name swarm refuses",
      ["--swarm-service", "-w"],
      "berth gate: option '--swarm-service <service[=replicas]>' argument '-w' is invalid. expected <service> or <service>=<replicas>, e.g. berth-test-worker=4",
    ],
    [
      "a count that is not a number",
      ["--swarm-service", "w=four"],
      "berth gate: option '--swarm-service <service[=replicas]>' argument 'w=four' is invalid. expected <service> or <service>=<replicas>, e.g. berth-test-worker=4",
    ],
    [
      "the same service twice",
      ["--swarm-service", "w", "--swarm-service", "w=2"],
      "berth gate: --swarm-service w is given twice",
    ],
  ];
  for (const [what, args, message] of refused) {
    it(`fails on ${what}`, () =>
      assert.deepEqual(parseGateArgs([...base, ...args], {}), { kind: "exit", code: 2, message }));
  }

  it("is what HealthGate's command line passes for a swarm service", () => {
    const line = gateCommandLine("workers", 90, {
      containers: [],
      http: [],
      tcp: [],
      postgresEnv: [],
      redisEnv: [],
      swarmServices: [{ name: "berth-test-worker", replicas: 4 }, { name: "x" }],
    }).replace(/^node \S+ /, "");
    assert.equal(line, "--name workers --timeout-seconds 90 --swarm-service berth-test-worker=4 --swarm-service x");
  });
});

describe("set-service-pids", () => {
  it("takes a service and a limit", () => {
    assert.deepEqual(parseServicePidsArgs(["--service", "s", "--pids-limit", "256"]), {
      kind: "ok",
      value: { service: "s", pidsLimit: 256 },
    });
    assert.deepEqual(parseServicePidsArgs(["--service", "s"]), {
      kind: "exit",
      code: 2,
      message: "berth set-service-pids: required option '--pids-limit <n>' not specified",
    });
  });

  it("sets Limits.Pids and keeps every other part of the spec", () => {
    const spec = {
      Name: "s",
      Labels: { a: "b" },
      TaskTemplate: {
        ContainerSpec: { Image: "i" },
        Resources: { Limits: { MemoryBytes: 1, NanoCPUs: 2 }, Reservations: { MemoryBytes: 3 } },
      },
      Mode: { Replicated: { Replicas: 2 } },
    };
    assert.deepEqual(withPidsLimit(spec, 256), {
      Name: "s",
      Labels: { a: "b" },
      TaskTemplate: {
        ContainerSpec: { Image: "i" },
        Resources: { Limits: { MemoryBytes: 1, NanoCPUs: 2, Pids: 256 }, Reservations: { MemoryBytes: 3 } },
      },
      Mode: { Replicated: { Replicas: 2 } },
    });
    assert.deepEqual(withPidsLimit({ TaskTemplate: {} }, 64), {
      TaskTemplate: { Resources: { Limits: { Pids: 64 } } },
    });
  });
});

// A service as the manager answers, while its pids limit update rolls the tasks.
const TEMPLATE = {
  ContainerSpec: { Image: "reg/app@sha256:1", Healthcheck: { Test: ["CMD", "true"] } },
  Resources: { Limits: { NanoCPUs: 500000000, MemoryBytes: 268435456, Pids: 256 } },
  ForceUpdate: 0,
};
const OLD_TEMPLATE = { ...TEMPLATE, Resources: { Limits: { NanoCPUs: 500000000, MemoryBytes: 268435456 } } };
const service = (extra: Partial<ServiceJson> = {}, replicas = 2): ServiceJson => ({
  ID: "svc1",
  CreatedAt: "2026-11-27T10:00:01.200000000Z",
  UpdateStatus: { State: "updating", StartedAt: "2026-11-27T10:00:01.500000000Z", Message: "update in progress" },
  Spec: {
    Name: "berth-t-worker",
    Mode: { Replicated: { Replicas: replicas } },
    TaskTemplate: { ...TEMPLATE, Runtime: "container" },
  },
  ...extra,
});
const nodes: NodeJson[] = [
  { ID: "n1", Description: { Hostname: "swarm-worker-1" }, Status: { State: "ready" } },
  { ID: "n2", Description: { Hostname: "swarm-worker-2" }, Status: { State: "ready" } },
  { ID: "n3", Description: { Hostname: "swarm-worker-3" }, Status: { State: "down" } },
];
let ids = 0;
const task = (
  slot: number,
  state: string,
  extra: Partial<TaskJson> & { at?: string; err?: string; spec?: object } = {},
): TaskJson => ({
  ID: extra.ID ?? `task${String(++ids).padStart(22, "0")}`,
  Slot: slot,
  NodeID: "NodeID" in extra ? extra.NodeID : "n1",
  DesiredState: extra.DesiredState ?? "running",
  Spec: (extra.spec ?? TEMPLATE) as Record<string, unknown>,
  Status: {
    State: state,
    Timestamp: extra.at ?? "2026-11-27T10:00:05Z",
    ...(extra.err ? { Err: extra.err } : {}),
    ...(extra.Status ?? {}),
  },
});

describe("gate: a swarm service's replicas from the manager's answers", () => {
  const cases: Array<[string, ServiceJson, TaskJson[], number | undefined, ReturnType<typeof assessService>]> = [
    [
      "healthy when every replica of the current spec runs on a ready node, naming the spread",
      service(),
      [
        task(1, "running"),
        task(2, "running", { NodeID: "n2" }),
        task(1, "shutdown", { DesiredState: "shutdown", spec: OLD_TEMPLATE }),
      ],
      2,
      { state: "healthy", detail: "2 of 2 replicas running and healthy on swarm-worker-1 (1), swarm-worker-2 (1)" },
    ],
    [
      "starting while a replica is still scheduled or pulled, with the scheduler's reason",
      service({}, 3),
      [
        task(1, "running"),
        task(2, "starting", { NodeID: "n2" }),
        task(3, "pending", {
          NodeID: undefined,
          Status: {
            State: "pending",
            Message: "pending task scheduling",
            Err: "no suitable node (insufficient resources on 2 nodes)",
          },
        }),
      ],
      3,
      {
        state: "starting",
        detail:
          "1 of 3 replicas running and healthy; slot 2 starting on swarm-worker-2; slot 3 pending (no suitable node (insufficient resources on 2 nodes))",
      },
    ],
    [
      "starting while only tasks of the spec before the pids limit run",
      service(),
      [task(1, "running", { spec: OLD_TEMPLATE }), task(2, "running", { spec: OLD_TEMPLATE })],
      2,
      { state: "starting", detail: "0 of 2 replicas running and healthy" },
    ],
    [
      "starting when a running replica's node is down",
      service({}, 1),
      [task(1, "running", { NodeID: "n3" })],
      1,
      { state: "starting", detail: "0 of 1 replicas running and healthy; slot 1 running on swarm-worker-3" },
    ],
    [
      "an error naming the task, its node and why, when a replica of the current spec failed",
      service(),
      [
        task(1, "running"),
        task(2, "failed", {
          ID: "abcdef1234567890abcdef123",
          NodeID: "n2",
          err: "task: non-zero exit (3)",
          Status: { State: "failed", ContainerStatus: { ExitCode: 3 } },
        }),
      ],
      2,
      {
        state: "error",
        detail: "task berth-t-worker.2 (abcdef123456) on node swarm-worker-2 failed: task: non-zero exit (3)",
        failed: {
          id: "abcdef1234567890abcdef123",
          name: "berth-t-worker.2",
          node: "swarm-worker-2",
          state: "failed",
          error: "task: non-zero exit (3)",
          exitCode: 3,
        },
      },
    ],
    [
      "an error when a replica exits by itself (a worker must keep running)",
      service({}, 1),
      [
        task(1, "complete", {
          ID: "c00000000000000000000000a",
          Status: { State: "complete", ContainerStatus: { ExitCode: 0 } },
        }),
      ],
      1,
      {
        state: "error",
        detail: "task berth-t-worker.1 (c00000000000) on node swarm-worker-1 complete: exited 0 by itself",
        failed: {
          id: "c00000000000000000000000a",
          name: "berth-t-worker.1",
          node: "swarm-worker-1",
          state: "complete",
          error: "exited 0 by itself",
          exitCode: 0,
        },
      },
    ],
    [
      "not an error for a task that failed before the current spec (an earlier update)",
      service(),
      [
        task(1, "running"),
        task(2, "running", { NodeID: "n2" }),
        task(2, "failed", { DesiredState: "shutdown", spec: OLD_TEMPLATE, err: "task: non-zero exit (1)" }),
      ],
      2,
      { state: "healthy", detail: "2 of 2 replicas running and healthy on swarm-worker-1 (1), swarm-worker-2 (1)" },
    ],
    [
      "not an error for a failure of an equal spec before the last update started (history)",
      service(),
      [
        task(1, "running"),
        task(2, "running", { NodeID: "n2" }),
        task(2, "failed", { DesiredState: "shutdown", at: "2026-11-27T09:59:00Z", err: "task: non-zero exit (1)" }),
      ],
      2,
      { state: "healthy", detail: "2 of 2 replicas running and healthy on swarm-worker-1 (1), swarm-worker-2 (1)" },
    ],
    [
      "the failed task, not the update it paused, when both are there",
      service({
        UpdateStatus: {
          State: "paused",
          StartedAt: "2026-11-27T10:00:01.500000000Z",
          Message: "update paused due to failure or early termination of task f000",
        },
      }),
      [
        task(1, "running"),
        task(2, "failed", {
          ID: "f00000000000000000000000c",
          err: "task: non-zero exit (137): dockerexec: unhealthy container",
        }),
      ],
      2,
      {
        state: "error",
        detail:
          "task berth-t-worker.2 (f00000000000) on node swarm-worker-1 failed: task: non-zero exit (137): dockerexec: unhealthy container",
        failed: {
          id: "f00000000000000000000000c",
          name: "berth-t-worker.2",
          node: "swarm-worker-1",
          state: "failed",
          error: "task: non-zero exit (137): dockerexec: unhealthy container",
        },
      },
    ],
    [
      "an error when the image cannot be pulled on a node (rejected)",
      service({}, 1),
      [task(1, "rejected", { ID: "r00000000000000000000000b", err: "No such image: reg/app@sha256:1" })],
      1,
      {
        state: "error",
        detail: "task berth-t-worker.1 (r00000000000) on node swarm-worker-1 rejected: No such image: reg/app@sha256:1",
        failed: {
          id: "r00000000000000000000000b",
          name: "berth-t-worker.1",
          node: "swarm-worker-1",
          state: "rejected",
          error: "No such image: reg/app@sha256:1",
        },
      },
    ],
    [
      "an error when the spec asks for another replica count than the gate was given",
      service({}, 3),
      [],
      4,
      {
        state: "error",
        detail:
          "asks for 3 replicas, not the 4 the gate was given: the service was changed after it was declared (docker service scale/update?)",
      },
    ],
    [
      "an error when its update paused",
      service({
        UpdateStatus: { State: "paused", Message: "update paused due to failure or early termination of task x" },
      }),
      [],
      undefined,
      { state: "error", detail: "update paused: update paused due to failure or early termination of task x" },
    ],
    [
      "an error when it was rolled back",
      service({ UpdateStatus: { State: "rollback_completed", Message: "rollback completed" } }),
      [],
      undefined,
      { state: "error", detail: "update rollback completed: rollback completed" },
    ],
    [
      "an error for a global service",
      { ...service(), Spec: { ...service().Spec, Mode: { Global: {} } } },
      [],
      undefined,
      {
        state: "error",
        detail: "is not a replicated service (the gate counts the replicas of replicated services only)",
      },
    ],
    [
      "an error when the spec has no healthcheck (running would not mean healthy)",
      { ...service(), Spec: { ...service().Spec, TaskTemplate: { ContainerSpec: { Image: "i" } } } },
      [],
      undefined,
      {
        state: "error",
        detail:
          "has no healthcheck in its spec (TaskTemplate.ContainerSpec.Healthcheck): add one, so that a running replica is a healthy one",
      },
    ],
  ];
  for (const [what, svc, tasks, expected, outcome] of cases) {
    it(what, () => assert.deepEqual(assessService(svc, tasks, nodes, expected), outcome));
  }

  it("lists at most three waiting slots", () => {
    const svc = service({}, 5);
    const tasks = [1, 2, 3, 4, 5].map((slot) =>
      task(slot, "preparing", { Status: { State: "preparing", Message: "preparing" } }),
    );
    assert.equal(
      assessService(svc, tasks, nodes).detail,
      "0 of 5 replicas running and healthy; slot 1 preparing on swarm-worker-1 (preparing); slot 2 preparing on swarm-worker-1 (preparing); slot 3 preparing on swarm-worker-1 (preparing); 2 more",
    );
  });

  it("compares a task's spec with the service's by content, ignoring the Runtime only the service has", () => {
    const reordered = {
      ForceUpdate: 0,
      Resources: TEMPLATE.Resources,
      ContainerSpec: { Healthcheck: { Test: ["CMD", "true"] }, Image: "reg/app@sha256:1" },
    };
    assert.deepEqual(
      [runsCurrentSpec({ Spec: reordered }, service()), runsCurrentSpec({ Spec: OLD_TEMPLATE }, service())],
      [true, false],
    );
  });
});

describe("gate: the failure report of a swarm task", () => {
  const failed = {
    id: "abcdef1234567890abcdef123",
    name: "berth-t-worker.2",
    node: "swarm-worker-2",
    state: "failed",
    error: "task: non-zero exit (3)",
  };

  it("names the task, its node and shows its logs", () => {
    assert.deepEqual(taskSection(failed, 50, { lines: ["starting", "boom: DATABASE_URL refused"] }), [
      "  task berth-t-worker.2 (abcdef1234567890abcdef123) on node swarm-worker-2: failed: task: non-zero exit (3)",
      "  last 50 log lines of task berth-t-worker.2:",
      "    starting",
      "    boom: DATABASE_URL refused",
    ]);
  });

  it("says when the logs could not be read or were empty, and leaves them out with --log-lines 0", () => {
    assert.deepEqual(taskSection(failed, 5, { error: "node is down" }).slice(1), [
      "  last 5 log lines of task berth-t-worker.2:",
      "    (could not read the logs: node is down)",
    ]);
    assert.deepEqual(taskSection(failed, 5, { lines: [] }).slice(1), [
      "  last 5 log lines of task berth-t-worker.2:",
      "    (no output)",
    ]);
    assert.equal(taskSection(failed, 0, { lines: ["x"] }).length, 1);
  });

  it("reads the engine's multiplexed log frames, and plain text as it is", () => {
    const frame = (stream: number, text: string) =>
      Buffer.concat([Buffer.from([stream, 0, 0, 0, 0, 0, 0, Buffer.byteLength(text)]), Buffer.from(text)]);
    assert.equal(demuxFrames(Buffer.concat([frame(1, "out line\n"), frame(2, "err line\n")])), "out line\nerr line\n");
    assert.equal(demuxFrames(Buffer.from("plain tty text\n")), "plain tty text\n");
  });
});

describe("policy: no-new-privileges of a swarm task, from the running container", () => {
  const task = {
    Name: "/berth-t-worker.1.x",
    Config: {
      User: "1000:1000",
      Labels: { "berth.service": "workers", "berth.pids-limit": "256" },
      Healthcheck: { Test: ["CMD", "true"] },
    },
    HostConfig: {
      Memory: 268435456,
      NanoCpus: 500000000,
      ReadonlyRootfs: true,
      SecurityOpt: null,
      PidsLimit: 256,
      RestartPolicy: { Name: "", MaximumRetryCount: 0 },
      CapDrop: ["ALL"],
    },
  };
  const rule = (runtime?: { noNewPrivs?: boolean }) =>
    inspectReport(task, undefined, runtime).results.find((r) => r.id === "5.26");

  it("reads the NoNewPrivs flag of /proc/<pid>/status", () => {
    assert.deepEqual(
      [
        noNewPrivsOf("Name:\tnode\nNoNewPrivs:\t1\nSeccomp:\t2\n"),
        noNewPrivsOf("NoNewPrivs:\t0\n"),
        noNewPrivsOf("Name:\tnode\n"),
      ],
      [true, false, undefined],
    );
  });

  it("passes CIS 5.26 on the kernel's flag when the daemon sets it for every container, and fails without it", () => {
    assert.deepEqual(rule({ noNewPrivs: true }), {
      rule: "container-no-new-privileges",
      id: "5.26",
      title: "additional privileges cannot be acquired",
      passed: true,
      detail: "NoNewPrivs is 1 for the main process (the engine's daemon-wide no-new-privileges)",
    });
    assert.deepEqual(
      [rule({ noNewPrivs: false })?.passed, rule()?.passed, rule()?.detail],
      [false, false, "securityOpts [] lack no-new-privileges"],
    );
    assert.equal(inspectReport(task, undefined, { noNewPrivs: true }).results.filter((r) => !r.passed).length, 0);
  });
});
