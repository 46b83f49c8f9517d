// The bench report's arithmetic and its verdicts, from fixed figures.
import assert from "node:assert/strict";
import type { ComposeRun } from "../../bench/compose-run";
import type { EngineRun } from "../../bench/engine-run";
import type { IdleCpu } from "../../bench/idle-cpu";
import {
  BenchResults,
  formatFailedSection,
  formatReport,
  growthPerWorker,
  Round,
  stackPct,
  summariseSize,
} from "../../bench/report";

const tiers = { data: 1000, orchestrator: 2000, workers: 3000 };
const idle = (containersPct: number, shimsPct: number, enginePct: number): IdleCpu => ({
  settleMs: 12_000,
  windowMs: 10_000,
  containers: 5,
  containersPct,
  shimsPct,
  enginePct,
  machinePct: 40,
});
const berth = (workers: number, upMs: number, idleCpu?: IdleCpu): EngineRun => ({
  workers,
  upMs,
  spawnToUpMs: upMs + 800,
  tierHealthyMs: tiers,
  gates: { evaluationMs: 400, passedAtMs: tiers },
  containers: 3 + workers,
  ...(idleCpu ? { idle: idleCpu } : {}),
  timeline: [],
});
const compose = (variant: ComposeRun["variant"], workers: number, allHealthyMs: number): ComposeRun => ({
  variant,
  workers,
  allHealthyMs,
  upCommandMs: allHealthyMs / 2,
  tierHealthyMs: tiers,
});
const round = (workers: number, b: number, tuned: number, typical: number, idleCpu?: IdleCpu, cold = false): Round => ({
  workers,
  cold,
  order: ["berth", "tuned", "typical"],
  berth: berth(workers, b, idleCpu),
  tuned: compose("tuned", workers, tuned),
  typical: compose("typical", workers, typical),
});

const MACHINE: BenchResults["machine"] = {
  cpus: 2,
  cpuModel: "cpu",
  memoryGiB: 24,
  kernel: "Linux",
  node: "v20",
  dockerServer: "20.10",
  dockerApi: "1.41",
  storageDriver: "overlay2",
  cgroup: "cgroupfs v1",
  compose: "1.29.2",
};

const rounds = [
  round(2, 2000, 4000, 26_000, idle(3, 2, 1)),
  round(2, 2500, 4000, 27_500, idle(4, 2, 2)),
  round(2, 3000, 4500, 27_000, idle(5, 3, 1)),
  round(16, 5000, 12_000, 40_000),
  round(16, 6000, 12_000, 42_000),
];

describe("bench report", () => {
  it("reports a failed section by name and error, in place of its figures", () => {
    assert.equal(
      formatFailedSection("swarm", "Error: swarm up of x exited 1\n    at swarmRun\n"),
      "### swarm: failed, no figures\n\n```\nError: swarm up of x exited 1\n    at swarmRun\n```\n",
    );
  });

  it("summarises one worker count: medians and round-by-round ratios", () => {
    assert.deepEqual(summariseSize(rounds.slice(0, 3)), {
      workers: 2,
      rounds: 3,
      berthMs: 2500,
      tunedMs: 4000,
      typicalMs: 27_000,
      tunedRatio: 1.6,
      typicalRatio: 11,
      spawnMs: 3300,
      tunedSpawnRatio: 4000 / 3300,
    });
  });

  it("gives the growth per worker between two worker counts from their medians", () => {
    const small = summariseSize(rounds.slice(0, 3));
    const large = summariseSize(rounds.slice(3));
    assert.deepEqual(growthPerWorker(small, large), { berth: 3000 / 14, tuned: 8000 / 14, typical: 14_000 / 14 });
  });

  it("counts a stack's idle CPU as its containers plus their shims", () => {
    assert.equal(stackPct(idle(3, 2, 9)), 5);
  });

  it("judges every target of issue 11", () => {
    const results: BenchResults = {
      command: "npm run bench",
      startedAt: "2026-11-27T00:00:00.000Z",
      finishedAt: "2026-11-27T00:10:00.000Z",
      machine: MACHINE,
      foreignContainers: [],
      settles: [{ waitedMs: 1000, quiet: true }],
      rounds,
      evaluation: [{ workers: 100, resources: 223, ms: 900 }],
      gateLatencyMs: [5, 6, 25],
      gateStartups: [{ engineMs: 95, readyMs: 120, nodeFloorMs: 60 }],
    };
    const text = formatReport(results);
    const verdicts = text
      .slice(text.indexOf("## Done when"), text.indexOf("## Done when (issue 27)"))
      .trim()
      .split("\n")
      .slice(2);
    assert.deepEqual(verdicts, [
      "- tuned / berth at 2 workers, median: 1.60× (target ≥ 1.5×): met.",
      "- tuned / berth at 16 workers, median: 2.20× (target ≥ 2×): met.",
      "- typical / berth at 2 workers, median: 11.00× (target ≥ 6×): met.",
      "- berth's growth per worker, 2 → 16: 0.21 s (target ≤ 0.25 s): met.",
      "- gate latency p95: 25.0 ms (target ≤ 20 ms): **NOT met**.",
      "- evaluation of 100 workers: 0.90 s (target < 1.00 s): met.",
      "- idle 2-worker test stack, stack + engine: 8.0% of one core (target ≤ 10%): met.",
    ]);
    assert.ok(
      text.includes(
        "Growth per worker from 2 to 16 workers (difference of the medians / 14): berth 0.21 s, compose tuned 0.57 s, compose typical 1.00 s.",
      ),
    );
    assert.ok(text.includes("| berth (3) | 4.0% | 2.0% | 6.0% | 1.0% | 40.0% |"));
    assert.ok(text.includes("each measured over 10.00 s, from 12.00 s after the stack was up"));
    // Issue 27's, from spawn: spawn is up() + 800 ms in these figures; no cold rounds in this run.
    assert.deepEqual(text.slice(text.indexOf("## Done when (issue 27)")).trim().split("\n"), [
      "## Done when (issue 27), from process spawn against the tuned file",
      "",
      "- cold, 2 workers: tuned / berth from spawn, median: not measured.",
      "- warm, 2 workers: tuned / berth from spawn, median: 1.21× (target ≥ 2.5×): **NOT met**.",
      "- warm, 16 workers: tuned / berth from spawn, median: 1.92× (target ≥ 3×): **NOT met**.",
      "- idle 2-worker test stack, stack + engine: 8.0% of one core (target ≤ 5%): **NOT met**.",
    ]);
  });

  it("reports cold rounds beside the warm ones in one run, each judged on its own", () => {
    const cold = [
      round(2, 4000, 6000, 28_000, undefined, true),
      round(2, 5000, 7000, 29_000, undefined, true),
      round(2, 4500, 6500, 28_500, undefined, true),
    ];
    const text = formatReport({
      command: "npm run bench",
      startedAt: "2026-12-06T00:00:00.000Z",
      finishedAt: "2026-12-06T00:20:00.000Z",
      machine: MACHINE,
      foreignContainers: [],
      settles: [{ waitedMs: 1000, quiet: true }],
      // In run order: warm 2, warm 16, then cold 2 (the report puts warm before cold whatever the order).
      rounds: [...rounds, ...cold],
      evaluation: [],
      gateLatencyMs: [],
      gateStartups: [],
    });
    const headings = text.split("\n").filter((l) => l.startsWith("### "));
    assert.deepEqual(headings.slice(0, 3), [
      "### 2 workers, warm engine, 3 rounds",
      "### 16 workers, warm engine, 2 rounds",
      "### 2 workers, cold engine, 3 rounds",
    ]);
    // Issue 11's verdicts and the growth come from the warm rounds only.
    assert.ok(text.includes("- tuned / berth at 2 workers, median: 1.60× (target ≥ 1.5×): met."));
    assert.ok(text.includes("berth 0.21 s, compose tuned 0.57 s, compose typical 1.00 s."));
    // Cold, from spawn (up() + 800 ms): 6000/4800, 7000/5800, 6500/5300.
    assert.deepEqual(text.slice(text.indexOf("## Done when (issue 27)")).trim().split("\n").slice(2), [
      "- cold, 2 workers: tuned / berth from spawn, median: 1.23× (target ≥ 1.3×): **NOT met**.",
      "- warm, 2 workers: tuned / berth from spawn, median: 1.21× (target ≥ 2.5×): **NOT met**.",
      "- warm, 16 workers: tuned / berth from spawn, median: 1.92× (target ≥ 3×): **NOT met**.",
      "- idle 2-worker test stack, stack + engine: 8.0% of one core (target ≤ 5%): **NOT met**.",
    ]);
    assert.ok(text.includes("| 2, cold | berth, tuned, typical | 4.00 | 4.80 | 6.00 | 28.00 | 1.50× | 7.00× | — |"));
  });
});
