// One engine-mode bring-up in a process of its own, as `pulumi up` runs the program in a fresh
// language host: nothing is warm but the engine. Protocol: argv[2] is the JSON of
// { stack, configFrom, config } (berth's program, Pulumi.<configFrom>.yaml plus config);
// stdout gets one JSON line (ChildResult) after up; a line on stdin then asks for destroy.
import { createInterface } from "node:readline";
import { EngineMode } from "../testing/engine/engine-mode";
import type { TimelineEntry } from "../testing/engine/mode";
import { BerthOutputs, berthRequest } from "../lab/berth-program";
import { nowMs } from "./health-watch";

export interface ChildResult {
  /** Wall-clock ms since the epoch when up() was called. */
  upCalledAtMs: number;
  /** How long up() took (all gates passed, outputs resolved). */
  upMs: number;
  timeline: TimelineEntry[];
  containers: number;
}

async function main(): Promise<void> {
  const { stack, configFrom, config } = JSON.parse(process.argv[2]) as { stack: string; configFrom: string; config: Record<string, unknown> };
  const request = berthRequest(stack, configFrom, config);
  const mode = new EngineMode();
  const upCalledAtMs = nowMs();
  try {
    const up = await mode.up<BerthOutputs>(request);
    const names = up.outputs.containerNames;
    const result: ChildResult = { upCalledAtMs, upMs: nowMs() - upCalledAtMs, timeline: up.timeline, containers: 3 + names.workers.length };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    // The parent reads the health events before the containers go.
    await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once("line", () => resolve()));
  } finally {
    await mode.destroy(request.stack);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
