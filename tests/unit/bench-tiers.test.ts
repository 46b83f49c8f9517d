import assert from "node:assert/strict";
import type { HealthEvent } from "../../bench/health-events";
import { gateDurations, gateSplit, tierHealthyAt, tierOf, upTierMs } from "../../bench/tiers";

describe("bench tiers", () => {
  it("puts berth's and the compose file's services in their tiers", () => {
    assert.deepEqual(["postgres", "redis", "orchestrator", "workers", "worker", "worker-0", "worker-15"].map(tierOf), [
      "data",
      "data",
      "orchestrator",
      "workers",
      "workers",
      "workers",
      "workers",
    ]);
  });

  it("fails when a service belongs to no tier", () => {
    assert.throws(() => tierOf("workerish"), { message: 'no tier for service "workerish"' });
  });

  it("reads when each gate passed and how long evaluation took off engine mode's timeline", () => {
    const timeline = [
      { name: "berth-network", startedMs: 648, finishedMs: 837 },
      { name: "berth-postgres-password", startedMs: 645, finishedMs: 646 },
      { name: "berth-data-gate-wait", startedMs: 3802, finishedMs: 5001 },
      { name: "berth-orchestrator-gate-wait", startedMs: 6720, finishedMs: 7644 },
      { name: "berth-workers-gate-wait", startedMs: 11205, finishedMs: 14395 },
    ];
    assert.deepEqual(gateSplit(timeline), {
      evaluationMs: 645,
      passedAtMs: { data: 5001, orchestrator: 7644, workers: 14395 },
    });
    assert.deepEqual(gateDurations(timeline), { data: 1199, orchestrator: 924, workers: 3190 });
  });

  it("fails when a gate is missing from the timeline, or the timeline is empty", () => {
    assert.throws(() => gateSplit([{ name: "berth-data-gate-wait", startedMs: 1, finishedMs: 2 }]), {
      message: "the timeline has no berth-orchestrator-gate-wait",
    });
    assert.throws(() => gateSplit([]), { message: "the timeline is empty" });
    assert.throws(() => gateDurations([{ name: "berth-data-gate-wait", startedMs: 1, finishedMs: 2 }]), {
      message: "the timeline has no berth-orchestrator-gate-wait",
    });
  });

  const ev = (name: string, service: string | undefined, status: HealthEvent["status"], atMs: number): HealthEvent => ({
    name,
    ...(service ? { service } : {}),
    status,
    atMs,
  });

  it("times each tier by its last container's first healthy event, from the start", () => {
    const events = [
      ev("p_worker-1_1", "worker-1", "healthy", 1900),
      ev("p_postgres_1", "postgres", "healthy", 1300),
      ev("p_redis_1", "redis", "healthy", 1100),
      ev("p_redis_1", "redis", "unhealthy", 1500),
      ev("p_redis_1", "redis", "healthy", 1700),
      ev("p_orchestrator_1", "orchestrator", "starting", 1400),
      ev("p_orchestrator_1", "orchestrator", "healthy", 1600),
      ev("p_worker-0_1", "worker-0", "healthy", 2500),
    ];
    assert.deepEqual(tierHealthyAt(events, 1000), { data: 300, orchestrator: 600, workers: 1500 });
  });

  it("fails when a tier never turned healthy or an event has no service label", () => {
    assert.throws(() => tierHealthyAt([ev("pg", "postgres", "healthy", 5), ev("o", "orchestrator", "healthy", 6)], 0), {
      message: "no container of the workers tier turned healthy",
    });
    assert.throws(() => tierHealthyAt([ev("pg", undefined, "healthy", 5)], 0), {
      message: "health event of pg has no service label",
    });
  });
});

describe("bench tiers: each tier's time in up", () => {
  const C = "docker:index/container:Container";
  const timeline = [
    { type: "docker:index/network:Network", name: "berth-network", startedMs: 600, finishedMs: 800 },
    { type: C, name: "berth-postgres", startedMs: 850, finishedMs: 1300 },
    { type: C, name: "berth-redis", startedMs: 820, finishedMs: 1200 },
    { type: "command:local:Command", name: "berth-data-gate-wait", startedMs: 1300, finishedMs: 2100 },
    { type: C, name: "berth-orchestrator", startedMs: 2150, finishedMs: 2600 },
    { type: C, name: "berth-worker-net", startedMs: 2140, finishedMs: 2500 },
    { type: C, name: "berth-worker-0", startedMs: 2650, finishedMs: 3000 },
    { type: "command:local:Command", name: "berth-orchestrator-gate-wait", startedMs: 2600, finishedMs: 3400 },
    { type: "command:local:Command", name: "berth-workers-gate-wait", startedMs: 3400, finishedMs: 4000 },
  ];

  it("runs from the tier's first container create to its gate passed", () => {
    assert.deepEqual(upTierMs(timeline), { data: 2100 - 820, orchestrator: 3400 - 2150, workers: 4000 - 2140 });
  });

  it("fails when a tier has no container or no gate on the timeline", () => {
    assert.throws(() => upTierMs(timeline.filter((e) => e.name !== "berth-orchestrator")), {
      message: "the timeline has no container or no berth-orchestrator-gate-wait of the orchestrator tier",
    });
  });
});
