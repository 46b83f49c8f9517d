// Docker's health_status events, read as lines of `docker events`/the Engine API's event stream,
// and the moment a set of containers is all healthy (pure: tests/unit/bench-health-events.test.ts).

export interface HealthEvent {
  /** Container name as the engine reports it. */
  name: string;
  /** The service label (berth's or docker-compose's): which tier the container belongs to. */
  service?: string;
  status: "starting" | "healthy" | "unhealthy";
  /** Engine time of the event, ms since the epoch (sub-millisecond precision). */
  atMs: number;
}

/** One event-stream line → a health event, or undefined for any other event. */
export function parseHealthEvent(line: string): HealthEvent | undefined {
  if (line.trim() === "") return undefined;
  const e = JSON.parse(line) as {
    Type?: string;
    Action?: string;
    timeNano?: number;
    Actor?: { Attributes?: Record<string, string> };
  };
  const m = e.Type === "container" ? /^health_status: (starting|healthy|unhealthy)$/.exec(e.Action ?? "") : null;
  const name = e.Actor?.Attributes?.name;
  if (!m || name === undefined || typeof e.timeNano !== "number") return undefined;
  const service = e.Actor?.Attributes?.["berth.service"] ?? e.Actor?.Attributes?.["com.docker.compose.service"];
  return {
    name,
    ...(service === undefined ? {} : { service }),
    status: m[1] as HealthEvent["status"],
    atMs: e.timeNano / 1e6,
  };
}

/**
 * The first moment at which `count` distinct containers are healthy at once (each one's latest
 * event says healthy), or undefined if that never happens in `events`.
 */
export function allHealthyAt(events: HealthEvent[], count: number): number | undefined {
  if (count < 1) throw new Error(`count must be at least 1; got ${count}`);
  const latest = new Map<string, HealthEvent["status"]>();
  for (const e of [...events].sort((a, b) => a.atMs - b.atMs)) {
    latest.set(e.name, e.status);
    if ([...latest.values()].filter((s) => s === "healthy").length >= count) return e.atMs;
  }
  return undefined;
}
