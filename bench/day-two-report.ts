// The day-two figures as a Markdown section (pure: tests/unit/bench-day-two.test.ts): the test
// stack's destroy, rescale, up after a kill, unchanged up and service restarts, each beside its
// target from issue 26.
import type { Changes } from "../testing/engine/mode";
import { median } from "./stats";
import { Tier, tierOf } from "./tiers";

/** Issue 26's targets. */
export const DAY_TWO_TARGETS = {
  /** Destroy of the 2-worker test stack, in the process. */
  destroyMs: 3000,
  /** 4 → 1 workers, in the process. */
  scaleDownMs: 3000,
  /** An up of an unchanged, running stack: spawn to exit (what a person or CI waits for). */
  unchangedUpMs: 1000,
};

/** The worker counts: the test stack's, rescaled up, then down. */
export const DAY_TWO_WORKERS = { start: 2, up: 4, down: 1 };

/** The services restarted through the test kit, in this order; each is held to its tier's time in up. */
export const RESTART_SERVICES = ["postgres", "redis", "orchestrator", "workers"] as const;
export type RestartService = (typeof RESTART_SERVICES)[number];

/** One operation in a process of its own. */
export interface ChildTimes {
  /** up() (or destroy()) called → returned, inside the process. */
  opMs: number;
  /** Spawn → the process exited: adds Node start-up, loading the SDK and the exit. */
  spawnToExitMs: number;
}

export interface DayTwoRound {
  /** The round's first up (2 workers, nothing on the engine): each tier's first container create → its gate passed (tiers.ts upTierMs). */
  upTierMs: Record<Tier, number>;
  /** The same up again from a new process, nothing changed. */
  unchanged: ChildTimes;
  /** `openStack(...).restart(service)` → its gate passed again. */
  restartMs: Record<RestartService, number>;
  /** Of each restart, the gate's own time; the rest is the engine's stop and start. */
  restartGateMs: Record<RestartService, number>;
  destroy: ChildTimes;
  /** An up from a new process after an up was killed (-9) as its orchestrator gate started. */
  upAfterKill: ChildTimes;
  /** What that up did to converge. */
  upAfterKillChanges: Changes;
  scaleUp: ChildTimes;
  scaleDown: ChildTimes;
}

export interface DayTwoResults {
  rounds: DayTwoRound[];
  /** What did not go as the section assumes, e.g. an "unchanged" up that changed something. */
  notes: string[];
}

const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
/** Median, with the range when there is more than one value. */
const spread = (values: number[]) =>
  values.length === 1
    ? sec(values[0])
    : `${sec(median(values))} (${(Math.min(...values) / 1000).toFixed(2)}–${sec(Math.max(...values))})`;
const met = (ok: boolean) => (ok ? "met" : "**NOT met**");

const changesText = (c: Changes) =>
  `create ${c.create}, update ${c.update}, replace ${c.replace}, same ${c.same}, delete ${c.delete}`;

export function formatDayTwoSection(r: DayTwoResults): string {
  const { start, up, down } = DAY_TWO_WORKERS;
  if (r.rounds.length === 0) throw new Error("no day-two rounds to report");
  const of = <T>(f: (round: DayTwoRound) => T) => r.rounds.map(f);
  const op = (f: (round: DayTwoRound) => ChildTimes) => ({
    opMs: of((x) => f(x).opMs),
    spawnToExitMs: of((x) => f(x).spawnToExitMs),
  });
  const row = (cells: string[]) => `| ${cells.join(" | ")} |`;
  const inProcess = (
    what: string,
    times: { opMs: number[]; spawnToExitMs: number[] },
    target?: { ms: number; on: "opMs" | "spawnToExitMs" },
  ) =>
    row([
      what,
      spread(times.opMs),
      spread(times.spawnToExitMs),
      target ? `≤ ${sec(target.ms)} (${target.on === "opMs" ? "in the process" : "spawn to exit"})` : "–",
      target ? met(median(times[target.on]) <= target.ms) : "–",
    ]);
  const restart = (service: RestartService) => {
    const tier = tierOf(service);
    const restartMs = of((x) => x.restartMs[service]);
    const tierMs = of((x) => x.upTierMs[tier]);
    const gateMs = median(of((x) => x.restartGateMs[service]));
    return row([
      `restart ${service} (\`openStack(...).restart("${service}")\`; its gate ${sec(gateMs)})`,
      spread(restartMs),
      "–",
      `≤ the ${tier} tier in up, ${sec(median(tierMs))}`,
      met(median(restartMs) <= median(tierMs)),
    ]);
  };
  const lines = [
    "## Day two",
    "",
    `The ${start}-worker test stack in engine mode, each operation in a new process (the compiled engine child, kept between processes), ` +
      `median (min–max) over ${r.rounds.length} round${r.rounds.length === 1 ? "" : "s"}. ` +
      "In the process: up() or destroy() called → returned; spawn to exit: what a person or CI waits for. " +
      "Restarts run from the bench's process with the test kit's defaults; each is held to its tier's time in the round's first up (its first container's create → its gate passed).",
    "",
    row(["operation", "in the process", "spawn to exit", "target", ""]),
    row(["---", "---", "---", "---", "---"]),
    inProcess(
      `destroy (${start} workers)`,
      op((x) => x.destroy),
      { ms: DAY_TWO_TARGETS.destroyMs, on: "opMs" },
    ),
    inProcess(
      `${start} → ${up} workers`,
      op((x) => x.scaleUp),
    ),
    inProcess(
      `${up} → ${down} workers`,
      op((x) => x.scaleDown),
      { ms: DAY_TWO_TARGETS.scaleDownMs, on: "opMs" },
    ),
    inProcess(
      "up after kill -9 during the orchestrator gate",
      op((x) => x.upAfterKill),
    ),
    inProcess(
      "up of the unchanged, running stack",
      op((x) => x.unchanged),
      { ms: DAY_TWO_TARGETS.unchangedUpMs, on: "spawnToExitMs" },
    ),
    ...RESTART_SERVICES.map(restart),
    "",
    `What the up after the kill did, per round: ${of((x) => changesText(x.upAfterKillChanges)).join("; ")}.`,
    "",
    ...(r.notes.length > 0 ? [...r.notes.map((n) => `Note: ${n}`), ""] : []),
  ];
  return lines.join("\n");
}
