import assert from "node:assert/strict";
import { DayTwoRound, formatDayTwoSection } from "../../bench/day-two-report";

const t = (opMs: number, spawnToExitMs: number) => ({ opMs, spawnToExitMs });

const round = (scale: number): DayTwoRound => ({
  upTierMs: { data: 1500, orchestrator: 900 * scale, workers: 2000 },
  unchanged: t(120 * scale, 800 + 100 * scale),
  restartMs: { postgres: 1400 * scale, redis: 1000, orchestrator: 1200, workers: 2500 },
  restartGateMs: { postgres: 300 * scale, redis: 200, orchestrator: 250, workers: 400 },
  destroy: t(2000 * scale, 2600 * scale),
  upAfterKill: t(4000, 4700),
  upAfterKillChanges: { create: 2 * scale, update: 0, replace: 3, same: 10, delete: 0 },
  scaleUp: t(3000, 3600),
  scaleDown: t(2800 + 200 * scale, 3500),
});

const HEAD = [
  "## Day two",
  "",
  "The 2-worker test stack in engine mode, each operation in a new process (the compiled engine child, kept between processes), median (min–max) over 3 rounds. " +
    "In the process: up() or destroy() called → returned; spawn to exit: what a person or CI waits for. " +
    "Restarts run from the bench's process with the test kit's defaults; each is held to its tier's time in the round's first up (its first container's create → its gate passed).",
  "",
  "| operation | in the process | spawn to exit | target |  |",
  "| --- | --- | --- | --- | --- |",
];

describe("bench: day-two section", () => {
  it("reports medians with their range beside each target, met or not", () => {
    assert.equal(
      formatDayTwoSection({ rounds: [round(1), round(2), round(0.5)], notes: [] }),
      [
        ...HEAD,
        "| destroy (2 workers) | 2.00 s (1.00–4.00 s) | 2.60 s (1.30–5.20 s) | ≤ 3.00 s (in the process) | met |",
        "| 2 → 4 workers | 3.00 s (3.00–3.00 s) | 3.60 s (3.60–3.60 s) | – | – |",
        "| 4 → 1 workers | 3.00 s (2.90–3.20 s) | 3.50 s (3.50–3.50 s) | ≤ 3.00 s (in the process) | met |",
        "| up after kill -9 during the orchestrator gate | 4.00 s (4.00–4.00 s) | 4.70 s (4.70–4.70 s) | – | – |",
        "| up of the unchanged, running stack | 0.12 s (0.06–0.24 s) | 0.90 s (0.85–1.00 s) | ≤ 1.00 s (spawn to exit) | met |",
        '| restart postgres (`openStack(...).restart("postgres")`; its gate 0.30 s) | 1.40 s (0.70–2.80 s) | – | ≤ the data tier in up, 1.50 s | met |',
        '| restart redis (`openStack(...).restart("redis")`; its gate 0.20 s) | 1.00 s (1.00–1.00 s) | – | ≤ the data tier in up, 1.50 s | met |',
        '| restart orchestrator (`openStack(...).restart("orchestrator")`; its gate 0.25 s) | 1.20 s (1.20–1.20 s) | – | ≤ the orchestrator tier in up, 0.90 s | **NOT met** |',
        '| restart workers (`openStack(...).restart("workers")`; its gate 0.40 s) | 2.50 s (2.50–2.50 s) | – | ≤ the workers tier in up, 2.00 s | **NOT met** |',
        "",
        "What the up after the kill did, per round: create 2, update 0, replace 3, same 10, delete 0; create 4, update 0, replace 3, same 10, delete 0; create 1, update 0, replace 3, same 10, delete 0.",
        "",
      ].join("\n"),
    );
  });

  it("shows one round's figures without a range, misses in bold, and the notes", () => {
    const slow = { ...round(2), unchanged: t(150, 1001) };
    const text = formatDayTwoSection({
      rounds: [slow],
      notes: ['bench-x-d2-1: the "unchanged" up changed berth-worker-0 (replace: exited (0)).'],
    });
    const lines = text.split("\n");
    assert.equal(lines[2].includes("over 1 round."), true, lines[2]);
    assert.deepEqual(lines.slice(6, 9), [
      "| destroy (2 workers) | 4.00 s | 5.20 s | ≤ 3.00 s (in the process) | **NOT met** |",
      "| 2 → 4 workers | 3.00 s | 3.60 s | – | – |",
      "| 4 → 1 workers | 3.20 s | 3.50 s | ≤ 3.00 s (in the process) | **NOT met** |",
    ]);
    assert.equal(
      lines[10],
      "| up of the unchanged, running stack | 0.15 s | 1.00 s | ≤ 1.00 s (spawn to exit) | **NOT met** |",
    );
    assert.deepEqual(lines.slice(-3), [
      "",
      'Note: bench-x-d2-1: the "unchanged" up changed berth-worker-0 (replace: exited (0)).',
      "",
    ]);
  });

  it("fails when there is no round to report", () => {
    assert.throws(() => formatDayTwoSection({ rounds: [], notes: [] }), { message: "no day-two rounds to report" });
  });
});
