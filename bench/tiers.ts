// Per-tier figures of one bring-up (pure: tests/unit/bench-tiers.test.ts): from engine mode's
// timeline (when each gate passed) and, for either side, from the containers' health events.
import { NETWORK_HOLDER_SERVICE } from "../components/workload/contract";
import { CONTAINER_TYPE } from "../policy/crossguard";
import type { HealthEvent } from "./health-events";

export const TIER_NAMES = ["data", "orchestrator", "workers"] as const;
export type Tier = (typeof TIER_NAMES)[number];

/** The tier a service label belongs to: berth's (`workers`, their network container) and the compose file's (`worker-0`). */
export function tierOf(service: string): Tier {
  if (service === "postgres" || service === "redis") return "data";
  if (service === "orchestrator") return "orchestrator";
  if (service === "workers" || service === NETWORK_HOLDER_SERVICE || /^worker(-\d+)?$/.test(service)) return "workers";
  throw new Error(`no tier for service "${service}"`);
}

/** The fields of engine mode's timeline entries that the split needs. */
export interface TimelineSpan {
  name: string;
  startedMs: number;
  finishedMs: number;
}

export interface GateSplit {
  /** Program evaluation up to the first resource applied. */
  evaluationMs: number;
  /** When each tier's gate passed, ms after up() was called. */
  passedAtMs: Record<Tier, number>;
}

/** Each tier's gate command (`<env>-<tier>-gate-wait`) on the timeline of one `up`. */
function gateSpans(timeline: TimelineSpan[], environment: string): Record<Tier, TimelineSpan> {
  if (timeline.length === 0) throw new Error("the timeline is empty");
  const span = (tier: Tier) => {
    const gate = timeline.find((e) => e.name === `${environment}-${tier}-gate-wait`);
    if (!gate) throw new Error(`the timeline has no ${environment}-${tier}-gate-wait`);
    return gate;
  };
  return { data: span("data"), orchestrator: span("orchestrator"), workers: span("workers") };
}

/** Reads berth's gate commands (`<env>-<tier>-gate-wait`) off the timeline of one `up`. */
export function gateSplit(timeline: TimelineSpan[], environment = "berth"): GateSplit {
  const gates = gateSpans(timeline, environment);
  return {
    evaluationMs: Math.min(...timeline.map((e) => e.startedMs)),
    passedAtMs: {
      data: gates.data.finishedMs,
      orchestrator: gates.orchestrator.finishedMs,
      workers: gates.workers.finishedMs,
    },
  };
}

/** How long each tier's gate ran in one `up` (started → passed): what a restart of that tier is held to. */
export function gateDurations(timeline: TimelineSpan[], environment = "berth"): Record<Tier, number> {
  const gates = gateSpans(timeline, environment);
  const ran = (tier: Tier) => gates[tier].finishedMs - gates[tier].startedMs;
  return { data: ran("data"), orchestrator: ran("orchestrator"), workers: ran("workers") };
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
    const starts = timeline
      .filter((e) => e.type === CONTAINER_TYPE && containerTier(e.name, environment) === tier)
      .map((e) => e.startedMs);
    const gate = timeline.find((e) => e.name === `${environment}-${tier}-gate-wait`);
    if (starts.length === 0 || !gate)
      throw new Error(`the timeline has no container or no ${environment}-${tier}-gate-wait of the ${tier} tier`);
    out[tier] = gate.finishedMs - Math.min(...starts);
  }
  return out;
}

/**
 * When each tier was healthy (its last container's first healthy event), ms after `startMs`.
 * Every container event must carry a service label.
 */
export function tierHealthyAt(events: HealthEvent[], startMs: number): Record<Tier, number> {
  const first = new Map<string, { service: string; atMs: number }>();
  for (const e of [...events].sort((a, b) => a.atMs - b.atMs)) {
    if (e.service === undefined) throw new Error(`health event of ${e.name} has no service label`);
    if (e.status === "healthy" && !first.has(e.name)) first.set(e.name, { service: e.service, atMs: e.atMs });
  }
  const at = (tier: Tier) => {
    const times = [...first.values()].filter((c) => tierOf(c.service) === tier).map((c) => c.atMs - startMs);
    if (times.length === 0) throw new Error(`no container of the ${tier} tier turned healthy`);
    return Math.max(...times);
  };
  return { data: at("data"), orchestrator: at("orchestrator"), workers: at("workers") };
}
