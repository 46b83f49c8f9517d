// The bench's clock, in its own module so the engine-mode child (engine-child.ts) loads nothing else with it.
import { performance } from "node:perf_hooks";

/** Wall-clock ms since the epoch with sub-millisecond precision (comparable to the engine's timeNano). */
export const nowMs = (): number => performance.timeOrigin + performance.now();
