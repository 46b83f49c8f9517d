// The bench's Markdown report (pure: the figures in, the text out).
import type { ComposeRun } from "./compose-run";
import type { EngineRun } from "./engine-run";
import type { EvalRun } from "./eval-scaling";
import type { Machine } from "./machine";
import { growth, median, pairwiseRatios, percentile, summarise } from "./stats";
import { TIER_NAMES } from "./tiers";

export interface BenchResults {
  command: string;
  startedAt: string;
  finishedAt: string;
  machine: Machine;
  /** Containers on the engine that were not the bench's own, sampled before every run. */
  foreignContainers: string[];
  /** Before each run: how long until the machine was quiet, and whether it got there. */
  settles: { waitedMs: number; quiet: boolean }[];
  pairs: { a: EngineRun; b: ComposeRun }[];
  evaluation: EvalRun[];
  engineScaling: { workers: number; run: EngineRun }[];
  gateLatencyMs: number[];
}

const s = (ms: number) => (ms / 1000).toFixed(2);
const x = (ratio: number) => `${ratio.toFixed(2)}×`;
const row = (cells: string[]) => `| ${cells.join(" | ")} |`;
const table = (head: string[], rows: string[][]) => [row(head), row(head.map(() => "---")), ...rows.map(row)].join("\n");
const mmm = (values: number[], f: (v: number) => string) => {
  const m = summarise(values);
  return [f(m.min), f(m.median), f(m.max)];
};

function growthLines(points: { x: number; y: number }[], unit: string): string {
  const g = growth(points);
  return (
    `Least-squares fit: ${g.fit.intercept.toFixed(0)} ms + ${g.fit.slope.toFixed(1)} ms per ${unit} (r² ${g.fit.r2.toFixed(3)}); ` +
    `slope ${g.lowerSlope.toFixed(1)} ms per ${unit} over the lower half of the range, ${g.upperSlope.toFixed(1)} over the upper half: **${g.verdict}**.`
  );
}

function medianBy<T>(items: T[], key: (t: T) => number, value: (t: T) => number): { x: number; y: number; n: number }[] {
  const groups = new Map<number, number[]>();
  for (const t of items) groups.set(key(t), [...(groups.get(key(t)) ?? []), value(t)]);
  return [...groups].sort((a, b) => a[0] - b[0]).map(([k, v]) => ({ x: k, y: median(v), n: v.length }));
}

export function formatReport(r: BenchResults): string {
  const a = r.pairs.map((p) => p.a.allHealthyMs);
  const aSpawn = r.pairs.map((p) => p.a.spawnToHealthyMs);
  const b = r.pairs.map((p) => p.b.allHealthyMs);
  const ratios = pairwiseRatios(a, b);
  const spawnRatios = pairwiseRatios(aSpawn, b);
  const evals = medianBy(r.evaluation, (e) => e.workers, (e) => e.ms);
  const scaling = medianBy(r.engineScaling, (e) => e.workers, (e) => e.run.allHealthyMs);
  const eval100 = evals.find((e) => e.x === 100);
  const m = r.machine;
  const out: string[] = [];

  out.push(`Command: \`${r.command}\` — ${r.startedAt} to ${r.finishedAt}.`, "");
  out.push(
    `Machine: ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.kernel}; Docker ${m.dockerServer} (API ${m.dockerApi}), storage driver ${m.storageDriver}, cgroup ${m.cgroup}; docker-compose ${m.compose}; Node ${m.node}.`,
    "",
    r.foreignContainers.length === 0
      ? "Other containers on the engine: none, at every sample (before each run)."
      : `Other containers on the engine during the run (sampled before each run): ${[...new Set(r.foreignContainers)].sort().join(", ")}.`,
    "",
    `Each run started once the machine was quiet (under 15% CPU busy over 1 s): median wait ${s(median(r.settles.map((q) => q.waitedMs)))} s; ` +
      `${r.settles.filter((q) => !q.quiet).length} of ${r.settles.length} runs started without that after 30 s.`,
    "",
  );

  out.push(`### Time to all-healthy: berth (A) and docker-compose (B), ${r.pairs.length} pairs after a warm-up`, "");
  out.push(
    table(
      ["", "min", "median", "max"],
      [
        ["A: up() → every container healthy (s)", ...mmm(a, s)],
        ["A: process spawn → every container healthy (s)", ...mmm(aSpawn, s)],
        ["B: `docker-compose up -d` → every container healthy (s)", ...mmm(b, s)],
        ["B/A, pair by pair", ...mmm(ratios, x)],
        ["B/A (A from process spawn), pair by pair", ...mmm(spawnRatios, x)],
      ],
    ),
    "",
  );
  out.push("Per tier, median over the pairs (s after the start; a tier is healthy when its last container's health event arrives):", "");
  const med = (f: (p: BenchResults["pairs"][number]) => number) => s(median(r.pairs.map(f)));
  out.push(
    table(
      ["", "evaluation", ...TIER_NAMES],
      [
        ["A: tier healthy", med((p) => p.a.gates.evaluationMs), ...TIER_NAMES.map((t) => med((p) => p.a.tierHealthyMs[t]))],
        ["A: tier's gate passed", "", ...TIER_NAMES.map((t) => med((p) => p.a.gates.passedAtMs[t]))],
        ["B: tier healthy", "", ...TIER_NAMES.map((t) => med((p) => p.b.tierHealthyMs[t]))],
      ],
    ),
    "",
  );
  out.push(
    "Every pair, in run order:",
    "",
    table(
      ["pair", "A (s)", "A from spawn (s)", "A up() returned (s)", "B (s)", "B `up -d` returned (s)", "B/A"],
      r.pairs.map((p, i) => [String(i + 1), s(p.a.allHealthyMs), s(p.a.spawnToHealthyMs), s(p.a.upMs), s(p.b.allHealthyMs), s(p.b.upCommandMs), x(ratios[i])]),
    ),
    "",
  );

  out.push("### Scaling", "", "Program evaluation under the mock runtime (no engine), median per worker count:", "");
  out.push(table(["workers", "resources", "runs", "median (s)"], evals.map((e) => [String(e.x), String(r.evaluation.find((v) => v.workers === e.x)!.resources), String(e.n), s(e.y)])), "");
  out.push(growthLines(evals, "worker"), "");
  out.push("Time to all-healthy on the engine (A, up() → every container healthy), median per worker count:", "");
  out.push(table(["workers", "runs", "median (s)"], scaling.map((e) => [String(e.x), String(e.n), s(e.y)])), "");
  out.push(growthLines(scaling, "worker"), "");

  const lat = r.gateLatencyMs;
  out.push("### Gate latency", "", `Docker's health_status event → the gate's exit, ${lat.length} runs: median ${median(lat).toFixed(1)} ms, p95 ${percentile(lat, 95).toFixed(1)} ms (min ${summarise(lat).min.toFixed(1)}, max ${summarise(lat).max.toFixed(1)}).`, "");

  out.push("### Done when", "");
  out.push(`- Median B/A ${x(median(ratios))} (target ≥ 3×): ${median(ratios) >= 3 ? "met" : "NOT met"}; from process spawn ${x(median(spawnRatios))}.`);
  out.push(eval100 ? `- Evaluation of 100 workers ${s(eval100.y)} s (target < 2 s): ${eval100.y < 2000 ? "met" : "NOT met"}.` : "- Evaluation of 100 workers: not measured.");
  return `${out.join("\n")}\n`;
}
