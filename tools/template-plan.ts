// What build-template does with what the engine holds (pure: tests/unit/postgres-template.test.ts).

/** The template's helper container as the engine shows it (undefined: there is none). */
export interface HelperState {
  running: boolean;
  exitCode: number;
}

/** ready: the template is on its volume; making: a helper is at work; failed: it ended without one; start: none yet. */
export type TemplateState = "ready" | "making" | "failed" | "start";

export function templateState(helper: HelperState | undefined): TemplateState {
  if (helper === undefined) return "start";
  if (helper.running) return "making";
  return helper.exitCode === 0 ? "ready" : "failed";
}

export interface HelperSummary {
  name: string;
  /** Seconds since the epoch (the engine's Created). */
  created: number;
  running: boolean;
}

/**
 * The helpers (and volumes) to remove so that at most `keep` templates stay: the oldest first go,
 * never `current` (the one this up uses) and never one still at work.
 */
export function templatesToPrune(helpers: HelperSummary[], current: string, keep: number): string[] {
  const newestFirst = [...helpers].sort((a, b) => b.created - a.created || a.name.localeCompare(b.name));
  const others = newestFirst.filter((h) => h.name !== current);
  const kept = helpers.some((h) => h.name === current) ? keep - 1 : keep;
  return others
    .slice(Math.max(0, kept))
    .filter((h) => !h.running)
    .map((h) => h.name);
}
