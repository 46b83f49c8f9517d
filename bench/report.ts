// The bench's Markdown report (pure: the figures in, the text out; tests/unit/bench-report.test.ts).
import type { ComposeRun } from "./compose-run";
import type { EngineRun } from "./engine-run";
import type { EvalRun } from "./eval-scaling";
import type { GateStartup } from "./gate-startup";
import type { IdleCpu } from "./idle-cpu";
import type { Machine } from "./machine";
import { growth, median, pairwiseRatios, percentile, summarise } from "./stats";
import { Tier, TIER_NAMES } from "./tiers";

/** One round: berth and both compose baselines at one worker count, in `order`. */
export interface Round {
  workers: number;
  /** No Postgres template on the engine before berth's run (a fresh CI engine). */
  cold: boolean;
  order: string[];
  berth: EngineRun;
  tuned: ComposeRun;
  typical: ComposeRun;
}

export interface BenchResults {
  command: string;
  startedAt: string;
  finishedAt: string;
  machine: Machine;
  /** Containers on the engine that were not the bench's own, sampled before every run. */
  foreignContainers: string[];
  /** Before each run: how long until the machine was quiet, and whether it got there. */
  settles: { waitedMs: number; quiet: boolean }[];
  rounds: Round[];
  evaluation: EvalRun[];
  gateLatencyMs: number[];
  gateStartups: GateStartup[];
  /** Further sections (Markdown), each complete with its heading: fresh databases, the swarm. */
  sections?: string[];
}

/** Issue 27's targets, from process spawn (what a person or CI waits for) against the tuned file. */
export const SPAWN_TARGETS = { coldSmall: 1.3, warmSmall: 2.5, warmLarge: 3, idlePctOfCore: 5 };

/** Issue 11's targets. */
export const TARGETS = {
  tunedRatioSmall: 1.5,
  tunedRatioLarge: 2,
  typicalRatio: 6,
  growthPerWorkerMs: 250,
  gateLatencyP95Ms: 20,
  eval100Ms: 1000,
  idlePctOfCore: 10,
};

const s = (ms: number) => (ms / 1000).toFixed(2);
const x = (ratio: number) => `${ratio.toFixed(2)}×`;
const pct = (p: number) => `${p.toFixed(1)}%`;
const ms1 = (ms: number) => ms.toFixed(1);
const row = (cells: string[]) => `| ${cells.join(" | ")} |`;
const table = (head: string[], rows: string[][]) =>
  [row(head), row(head.map(() => "---")), ...rows.map(row)].join("\n");
const mmm = (values: number[], f: (v: number) => string) => {
  const m = summarise(values);
  return [f(m.min), f(m.median), f(m.max)];
};
const met = (ok: boolean) => (ok ? "met" : "**NOT met**");

function growthLines(points: { x: number; y: number }[], unit: string): string {
  const g = growth(points);
  return (
    `Least-squares fit: ${g.fit.intercept.toFixed(0)} ms + ${g.fit.slope.toFixed(1)} ms per ${unit} (r² ${g.fit.r2.toFixed(3)}); ` +
    `slope ${g.lowerSlope.toFixed(1)} ms per ${unit} over the lower half of the range, ${g.upperSlope.toFixed(1)} over the upper half: **${g.verdict}**.`
  );
}

function medianBy<T>(
  items: T[],
  key: (t: T) => number,
  value: (t: T) => number,
): { x: number; y: number; n: number }[] {
  const groups = new Map<number, number[]>();
  for (const t of items) groups.set(key(t), [...(groups.get(key(t)) ?? []), value(t)]);
  return [...groups].sort((a, b) => a[0] - b[0]).map(([k, v]) => ({ x: k, y: median(v), n: v.length }));
}

/** The figures of one worker count, medians and pair-by-pair ratios. */
export interface SizeSummary {
  workers: number;
  rounds: number;
  berthMs: number;
  tunedMs: number;
  typicalMs: number;
  tunedRatio: number;
  typicalRatio: number;
  /** berth from process spawn, median, and tuned compose / that, round by round. */
  spawnMs: number;
  tunedSpawnRatio: number;
}

export function summariseSize(rounds: Round[]): SizeSummary {
  const berth = rounds.map((r) => r.berth.upMs);
  return {
    workers: rounds[0].workers,
    rounds: rounds.length,
    berthMs: median(berth),
    tunedMs: median(rounds.map((r) => r.tuned.allHealthyMs)),
    typicalMs: median(rounds.map((r) => r.typical.allHealthyMs)),
    tunedRatio: median(
      pairwiseRatios(
        berth,
        rounds.map((r) => r.tuned.allHealthyMs),
      ),
    ),
    typicalRatio: median(
      pairwiseRatios(
        berth,
        rounds.map((r) => r.typical.allHealthyMs),
      ),
    ),
    spawnMs: median(rounds.map((r) => r.berth.spawnToUpMs)),
    tunedSpawnRatio: median(
      pairwiseRatios(
        rounds.map((r) => r.berth.spawnToUpMs),
        rounds.map((r) => r.tuned.allHealthyMs),
      ),
    ),
  };
}

/** Per-worker growth of each side's median from the smallest to the largest worker count (ms per worker). */
export function growthPerWorker(
  small: SizeSummary,
  large: SizeSummary,
): { berth: number; tuned: number; typical: number } {
  const per = (a: number, b: number) => (b - a) / (large.workers - small.workers);
  return {
    berth: per(small.berthMs, large.berthMs),
    tuned: per(small.tunedMs, large.tunedMs),
    typical: per(small.typicalMs, large.typicalMs),
  };
}

/** What the stack itself costs while idle: its containers (healthchecks included) and their shims, % of one core. */
export const stackPct = (idle: IdleCpu): number => idle.containersPct + idle.shimsPct;

function sizeSection(rounds: Round[]): string[] {
  const n = rounds[0].workers;
  const berth = rounds.map((r) => r.berth.upMs);
  const tuned = rounds.map((r) => r.tuned.allHealthyMs);
  const typical = rounds.map((r) => r.typical.allHealthyMs);
  const out = [
    `### ${n} worker${n === 1 ? "" : "s"}, ${rounds[0].cold ? "cold" : "warm"} engine, ${rounds.length} round${rounds.length === 1 ? "" : "s"}`,
    "",
  ];
  out.push(
    table(
      ["", "min", "median", "max"],
      [
        ["berth: `up()` called → returned, every gate passed (s)", ...mmm(berth, s)],
        [
          "berth: process spawn → `up()` returned (s)",
          ...mmm(
            rounds.map((r) => r.berth.spawnToUpMs),
            s,
          ),
        ],
        ["compose, tuned: `up -d` → every container healthy (s)", ...mmm(tuned, s)],
        ["compose, typical: `up -d` → every container healthy (s)", ...mmm(typical, s)],
        ["tuned / berth, round by round", ...mmm(pairwiseRatios(berth, tuned), x)],
        [
          "tuned / berth from spawn, round by round",
          ...mmm(
            pairwiseRatios(
              rounds.map((r) => r.berth.spawnToUpMs),
              tuned,
            ),
            x,
          ),
        ],
        ["typical / berth, round by round", ...mmm(pairwiseRatios(berth, typical), x)],
      ],
    ),
    "",
  );
  out.push("Per tier, median over the rounds (s after the start):", "");
  const med = (values: (number | undefined)[]) => {
    const known = values.filter((v): v is number => v !== undefined);
    return known.length === 0 ? "—" : s(median(known));
  };
  const dockerRuns = rounds.filter((r) => r.berth.tierHealthyMs).length;
  out.push(
    table(
      ["", "evaluation", ...TIER_NAMES],
      [
        [
          "berth: tier's gate passed",
          med(rounds.map((r) => r.berth.gates.evaluationMs)),
          ...TIER_NAMES.map((t) => med(rounds.map((r) => r.berth.gates.passedAtMs[t]))),
        ],
        [
          `berth: tier healthy by Docker's healthcheck (${dockerRuns} of ${rounds.length} rounds)`,
          "",
          ...TIER_NAMES.map((t: Tier) => med(rounds.map((r) => r.berth.tierHealthyMs?.[t]))),
        ],
        [
          "compose, tuned: tier healthy",
          "",
          ...TIER_NAMES.map((t) => med(rounds.map((r) => r.tuned.tierHealthyMs[t]))),
        ],
        [
          "compose, typical: tier healthy",
          "",
          ...TIER_NAMES.map((t) => med(rounds.map((r) => r.typical.tierHealthyMs[t]))),
        ],
      ],
    ),
    "",
  );
  return out;
}

function idleSection(rounds: Round[]): string[] {
  const sides: [string, (r: Round) => IdleCpu | undefined][] = [
    ["berth", (r) => r.berth.idle],
    ["compose, tuned", (r) => r.tuned.idle],
    ["compose, typical", (r) => r.typical.idle],
  ];
  const rows = sides.flatMap(([name, get]) => {
    const idles = rounds.map(get).filter((i): i is IdleCpu => i !== undefined);
    if (idles.length === 0) return [];
    const m = (f: (i: IdleCpu) => number) => pct(median(idles.map(f)));
    return [
      [
        `${name} (${idles.length})`,
        m((i) => i.containersPct),
        m((i) => i.shimsPct),
        m(stackPct),
        m((i) => i.enginePct),
        m((i) => i.machinePct),
      ],
    ];
  });
  if (rows.length === 0) return [];
  const first = rounds.map((r) => r.berth.idle).find((i) => i !== undefined);
  return [
    `### Idle CPU of the running stack, ${rounds[0].workers} workers`,
    "",
    `Median over the rounds; each measured over ${first ? s(first.windowMs) : "?"} s, from ${first ? s(first.settleMs) : "?"} s after the stack was up (berth: \`up()\` returned; compose: every container healthy), past the services' start-up tail. ` +
      "Containers: their cgroups' CPU, every healthcheck process included; shims: their containerd-shims with reaped children (each healthcheck's `runc exec`); " +
      "engine: the host's dockerd and containerd, shared with whatever else runs on the engine; machine: all cores, everyone's load.",
    "",
    table(
      ["", "containers (% of a core)", "shims", "stack = containers + shims", "engine", "machine (% of all cores)"],
      rows,
    ),
    "",
  ];
}

/** The section of a measurement that failed: its name and why, in place of its figures. */
export function formatFailedSection(name: string, why: string): string {
  return [`### ${name}: failed, no figures`, "", "```", why.trimEnd(), "```", ""].join("\n");
}

/** The rounds by worker count, warm ones first, each list in run order. */
function groupRounds(rounds: Round[]): Round[][] {
  const groups = new Map<string, Round[]>();
  const ordered = [...rounds].sort((a, b) => Number(a.cold) - Number(b.cold) || a.workers - b.workers);
  for (const round of ordered) {
    const key = `${round.cold}/${round.workers}`;
    groups.set(key, [...(groups.get(key) ?? []), round]);
  }
  return [...groups.values()];
}

export function formatReport(r: BenchResults): string {
  const m = r.machine;
  const groups = groupRounds(r.rounds);
  const warm = groups.filter((g) => !g[0].cold);
  const summaries = warm.map(summariseSize);
  const coldSummaries = groups.filter((g) => g[0].cold).map(summariseSize);
  const out: string[] = [];

  out.push(`Command: \`${r.command}\` — ${r.startedAt} to ${r.finishedAt}.`, "");
  out.push(
    "Engine: **warm** rounds find the Postgres template on the engine (made by the warm-up round or an earlier run); " +
      "before each berth run of a **cold** round every Postgres template was removed (as on a fresh CI engine), and after it the bench waited for the helper making the next one, so it never ran beside another side.",
    "",
  );
  out.push(
    `Machine: ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.kernel}; Docker ${m.dockerServer} (API ${m.dockerApi}), storage driver ${m.storageDriver}, cgroup ${m.cgroup}; docker-compose ${m.compose}; Node ${m.node}.`,
    "",
    r.foreignContainers.length === 0
      ? "Other containers on the engine: none, at every sample (before each run)."
      : `Other containers on the engine during the run (sampled before each run): ${[...new Set(r.foreignContainers)].sort().join(", ")}.`,
    "",
    `Each run started once the machine was quiet (under 15% CPU busy over 1 s): median wait ${s(median(r.settles.map((q) => q.waitedMs)))} s; ` +
      `${r.settles.filter((q) => !q.quiet).length} of ${r.settles.length} runs started without that after 30 s (the machine was busy).`,
    "",
  );

  out.push("## Time to a usable environment", "");
  out.push(
    "berth: `up()` of the test stack in engine mode returned (every gate passed). compose: from `docker-compose up -d` to every container healthy by the engine's health events. " +
      "Ratios are compose / berth, taken round by round (a round runs the three back to back, in rotating order).",
    "",
  );
  for (const rounds of groups) out.push(...sizeSection(rounds));

  const growthPer = summaries.length >= 2 ? growthPerWorker(summaries[0], summaries[summaries.length - 1]) : undefined;
  if (growthPer) {
    const [a, b] = [summaries[0].workers, summaries[summaries.length - 1].workers];
    out.push(
      `Growth per worker from ${a} to ${b} workers (difference of the medians / ${b - a}): berth ${s(growthPer.berth)} s, compose tuned ${s(growthPer.tuned)} s, compose typical ${s(growthPer.typical)} s.`,
      "",
    );
  }
  if (warm.length > 0) out.push(...idleSection(warm[0]));

  out.push("## The gate", "");
  const st = r.gateStartups;
  if (st.length > 0) {
    out.push(
      `Start-up, ${st.length} runs, median: process spawn → first Engine API request ${ms1(median(st.map((g) => g.engineMs)))} ms; → first --ready Postgres attempt ${ms1(median(st.map((g) => g.readyMs)))} ms; ` +
        `a bare \`node -e 0\` takes ${ms1(median(st.map((g) => g.nodeFloorMs)))} ms from spawn to exit.`,
      "",
    );
  }
  const lat = r.gateLatencyMs;
  if (lat.length > 0) {
    out.push(
      `Latency, Docker's health_status event → the gate's exit, ${lat.length} runs: median ${ms1(median(lat))} ms, p95 ${ms1(percentile(lat, 95))} ms (min ${ms1(summarise(lat).min)}, max ${ms1(summarise(lat).max)}).`,
      "",
    );
  }

  const evals = medianBy(
    r.evaluation,
    (e) => e.workers,
    (e) => e.ms,
  );
  if (evals.length > 0) {
    out.push("## Program evaluation", "", "Under the mock runtime (no engine), median per worker count:", "");
    out.push(
      table(
        ["workers", "resources", "runs", "median (s)"],
        evals.map((e) => [
          String(e.x),
          String(r.evaluation.find((v) => v.workers === e.x)!.resources),
          String(e.n),
          s(e.y),
        ]),
      ),
      "",
    );
    if (evals.length >= 3) out.push(growthLines(evals, "worker"), "");
  }

  out.push("## Every round, in run order", "");
  out.push(
    table(
      [
        "workers",
        "order",
        "berth up() (s)",
        "berth from spawn (s)",
        "tuned (s)",
        "typical (s)",
        "tuned / berth",
        "typical / berth",
        "berth stack idle",
      ],
      r.rounds.map((round) => [
        `${round.workers}${round.cold ? ", cold" : ""}`,
        round.order.join(", "),
        s(round.berth.upMs),
        s(round.berth.spawnToUpMs),
        s(round.tuned.allHealthyMs),
        s(round.typical.allHealthyMs),
        x(round.tuned.allHealthyMs / round.berth.upMs),
        x(round.typical.allHealthyMs / round.berth.upMs),
        round.berth.idle ? pct(stackPct(round.berth.idle)) : "—",
      ]),
    ),
    "",
  );

  out.push("## Done when (issue 11)", "");
  const small = summaries.find((q) => q.workers === 2);
  const large = summaries.find((q) => q.workers === 16);
  const line = (what: string, value: string | undefined, target: string, ok: boolean | undefined) =>
    out.push(
      `- ${what}: ${value === undefined ? "not measured" : `${value} (target ${target}): ${met(ok === true)}`}.`,
    );
  line(
    "tuned / berth at 2 workers, median",
    small && x(small.tunedRatio),
    `≥ ${TARGETS.tunedRatioSmall}×`,
    small && small.tunedRatio >= TARGETS.tunedRatioSmall,
  );
  line(
    "tuned / berth at 16 workers, median",
    large && x(large.tunedRatio),
    `≥ ${TARGETS.tunedRatioLarge}×`,
    large && large.tunedRatio >= TARGETS.tunedRatioLarge,
  );
  line(
    "typical / berth at 2 workers, median",
    small && x(small.typicalRatio),
    `≥ ${TARGETS.typicalRatio}×`,
    small && small.typicalRatio >= TARGETS.typicalRatio,
  );
  const per = small && large ? growthPerWorker(small, large).berth : undefined;
  line(
    "berth's growth per worker, 2 → 16",
    per === undefined ? undefined : `${s(per)} s`,
    `≤ ${s(TARGETS.growthPerWorkerMs)} s`,
    per !== undefined && per <= TARGETS.growthPerWorkerMs,
  );
  const p95 = lat.length > 0 ? percentile(lat, 95) : undefined;
  line(
    "gate latency p95",
    p95 === undefined ? undefined : `${ms1(p95)} ms`,
    `≤ ${TARGETS.gateLatencyP95Ms} ms`,
    p95 !== undefined && p95 <= TARGETS.gateLatencyP95Ms,
  );
  const eval100 = evals.find((e) => e.x === 100);
  line(
    "evaluation of 100 workers",
    eval100 && `${s(eval100.y)} s`,
    `< ${s(TARGETS.eval100Ms)} s`,
    eval100 && eval100.y < TARGETS.eval100Ms,
  );
  const idles =
    warm[0]
      ?.filter((round) => round.workers === 2)
      .map((round) => round.berth.idle)
      .filter((i): i is IdleCpu => i !== undefined) ?? [];
  const idle = idles.length > 0 ? median(idles.map((i) => stackPct(i) + i.enginePct)) : undefined;
  line(
    "idle 2-worker test stack, stack + engine",
    idle === undefined ? undefined : `${pct(idle)} of one core`,
    `≤ ${TARGETS.idlePctOfCore}%`,
    idle !== undefined && idle <= TARGETS.idlePctOfCore,
  );
  out.push("", "## Done when (issue 27), from process spawn against the tuned file", "");
  const coldSmall = coldSummaries.find((q) => q.workers === 2);
  line(
    "cold, 2 workers: tuned / berth from spawn, median",
    coldSmall && x(coldSmall.tunedSpawnRatio),
    `≥ ${SPAWN_TARGETS.coldSmall}×`,
    coldSmall && coldSmall.tunedSpawnRatio >= SPAWN_TARGETS.coldSmall,
  );
  line(
    "warm, 2 workers: tuned / berth from spawn, median",
    small && x(small.tunedSpawnRatio),
    `≥ ${SPAWN_TARGETS.warmSmall}×`,
    small && small.tunedSpawnRatio >= SPAWN_TARGETS.warmSmall,
  );
  line(
    "warm, 16 workers: tuned / berth from spawn, median",
    large && x(large.tunedSpawnRatio),
    `≥ ${SPAWN_TARGETS.warmLarge}×`,
    large && large.tunedSpawnRatio >= SPAWN_TARGETS.warmLarge,
  );
  line(
    "idle 2-worker test stack, stack + engine",
    idle === undefined ? undefined : `${pct(idle)} of one core`,
    `≤ ${SPAWN_TARGETS.idlePctOfCore}%`,
    idle !== undefined && idle <= SPAWN_TARGETS.idlePctOfCore,
  );
  for (const section of r.sections ?? []) out.push("", section.trimEnd());
  return `${out.join("\n")}\n`;
}
