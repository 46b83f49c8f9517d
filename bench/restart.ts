// Restart of each service against its tier's time in up (issue 26: "restart ≤ the same tier's time
// in up"): the test stack brought up through engine mode in a fresh process (engine-child.ts), then
// each service restarted from test code (`stack.restart`, the test-side client) one after the
// other, each timed from the call to its gate passing again.
//
//   const results = await restartBench({ images, rounds: 3, log });
//   process.stdout.write(formatRestartSection(results));
//
// On its own: `npx ts-node -T bench/restart.ts [--rounds 3]` (the engine .ci/services.sh starts,
// `npm run build`): the section on stdout, progress on stderr.
import { Command } from "commander";
import { openStack } from "../testing/client";
import { CONTAINER_TYPE } from "../policy/crossguard";
import type { BerthOutputs } from "../lab/berth-program";
import { nowMs } from "../lab/clock";
import { BenchImages, engineConfig, withEngineChild } from "./engine-run";
import { benchImages, benchLog, count, runBench } from "./entry";
import { median } from "./stats";
import { Tier, TIER_NAMES, TimelineSpan } from "./tiers";

/** The services restarted, in this order, and the tier each belongs to. */
export const RESTARTED: readonly { service: "postgres" | "redis" | "orchestrator" | "workers"; tier: Tier }[] = [
  { service: "postgres", tier: "data" },
  { service: "redis", tier: "data" },
  { service: "orchestrator", tier: "orchestrator" },
  { service: "workers", tier: "workers" },
];

export interface RestartRound {
  /** Per tier: its first container's create started → its gate passed, in the up before the restarts. */
  upTierMs: Record<Tier, number>;
  /** Per service: stack.restart() called → returned (the containers restarted and the gate passed again). */
  restartMs: Record<string, number>;
  /** Per service: the gate's own elapsed time in it; the rest is the engine's stop and start, and starting the gate process. */
  gateMs: Record<string, number>;
}

/** The timeline entries the tier split reads: logical name and type too. */
export type TypedSpan = TimelineSpan & { type: string };

/** The tier of one of berth's containers by its logical name (`<env>-postgres`, `<env>-worker-<i>`, `<env>-worker-net`). */
function containerTier(name: string, environment: string): Tier | undefined {
  const rest = name.startsWith(`${environment}-`) ? name.slice(environment.length + 1) : undefined;
  if (rest === "postgres" || rest === "redis") return "data";
  if (rest === "orchestrator") return "orchestrator";
  if (rest !== undefined && /^worker-(\d+|net)$/.test(rest)) return "workers";
  return undefined;
}

/**
 * Each tier's time in one up (pure): from the first create of its containers to its gate
 * (`<env>-<tier>-gate-wait`) finished. The workers' containers start before the orchestrator's
 * gate passes, so their tier overlaps it, as it does in up.
 */
export function upTierMs(timeline: TypedSpan[], environment = "berth"): Record<Tier, number> {
  const out = {} as Record<Tier, number>;
  for (const tier of TIER_NAMES) {
    const starts = timeline.filter((e) => e.type === CONTAINER_TYPE && containerTier(e.name, environment) === tier).map((e) => e.startedMs);
    const gate = timeline.find((e) => e.name === `${environment}-${tier}-gate-wait`);
    if (starts.length === 0 || !gate) throw new Error(`the timeline has no container or no ${environment}-${tier}-gate-wait of the ${tier} tier`);
    out[tier] = gate.finishedMs - Math.min(...starts);
  }
  return out;
}

export async function restartBench(opts: {
  images: BenchImages;
  rounds: number;
  log: (line: string) => void;
  /** Passed to each restart (`docker restart -t`). @default none: each container's own stop timeout */
  stopGraceSeconds?: number;
  /** Round r's stack name (unique on the engine). @default bench-restart-<pid>-<r> */
  stackName?: (round: number) => string;
}): Promise<RestartRound[]> {
  const rounds: RestartRound[] = [];
  for (let r = 0; r < opts.rounds; r++) {
    const stack = opts.stackName?.(r) ?? `bench-restart-${process.pid.toString(36)}-${r}`;
    opts.log(`restart: round ${r + 1} of ${opts.rounds} (${stack})`);
    rounds.push(
      await withEngineChild("restart", stack, engineConfig(opts.images), 300_000, async (result) => {
        const handle = await openStack<BerthOutputs>({ stack });
        const restartMs: Record<string, number> = {};
        const gateMs: Record<string, number> = {};
        for (const { service } of RESTARTED) {
          const started = nowMs();
          const gate = await handle.restart(service, opts.stopGraceSeconds === undefined ? {} : { stopGraceSeconds: opts.stopGraceSeconds });
          restartMs[service] = Math.round(nowMs() - started);
          gateMs[service] = gate.elapsedMs;
          opts.log(`restart: ${service} ${restartMs[service]} ms, of which the gate ${gate.elapsedMs} ms`);
        }
        return { upTierMs: upTierMs(result.timeline), restartMs, gateMs };
      }),
    );
  }
  return rounds;
}

const seconds = (ms: number | undefined): string => (ms === undefined ? "-" : `${(ms / 1000).toFixed(2)} s`);

export function formatRestartSection(rounds: RestartRound[]): string {
  const lines = [
    "## Restart of each service",
    "",
    `\`stack.restart(service)\` of the 2-worker test stack, one service after the other, medians of ${rounds.length} round(s); ` +
      "the tier's time in up runs from its first container's create to its gate passed.",
    "",
    "| service | restart | of which its gate | its tier in up | restart ≤ tier |",
    "| --- | --- | --- | --- | --- |",
  ];
  for (const { service, tier } of RESTARTED) {
    const restart = median(rounds.map((r) => r.restartMs[service]));
    const up = median(rounds.map((r) => r.upTierMs[tier]));
    lines.push(`| ${service} | ${seconds(restart)} | ${seconds(median(rounds.map((r) => r.gateMs[service])))} | ${seconds(up)} (${tier}) | ${restart <= up ? "yes" : "**no**"} |`);
  }
  return `${lines.join("\n")}\n`;
}

if (require.main === module) {
  const opts = new Command("bench/restart.ts")
    .option("--rounds <n>", "stacks brought up, each service restarted once per stack", count(1), 3)
    .option("--stop-grace <s>", "seconds each container gets to stop (docker restart -t); unset: its own stop timeout", count(0))
    .parse()
    .opts<{ rounds: number; stopGrace?: number }>();
  runBench(async () => {
    const rounds = await restartBench({ images: benchImages(), rounds: opts.rounds, log: benchLog, stopGraceSeconds: opts.stopGrace });
    for (const r of rounds) benchLog(JSON.stringify(r));
    process.stdout.write(formatRestartSection(rounds));
  });
}
