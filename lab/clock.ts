// One clock for timings compared with the engine's event times (gate runs, the bench), in a module
// of its own so the bench's engine-mode child (bench/engine-child.ts) loads nothing else with it.
import { performance } from "node:perf_hooks";

/** Wall-clock ms since the epoch with sub-millisecond precision (comparable to the engine's timeNano). */
export const nowMs = (): number => performance.timeOrigin + performance.now();
