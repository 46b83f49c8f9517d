// One engine-mode bring-up in a process of its own, as `pulumi up` runs the program in a fresh
// language host: plain Node on compiled JavaScript (`npm run build` emits this file to
// dist/bench/, beside the program and engine mode it loads), no TypeScript loader, nothing warm
// but the engine. Protocol: argv[2] is the JSON of a ChildRequest; stdout gets one JSON line
// (ChildResult) after up; a line on stdin then asks for destroy.
import { createInterface } from "node:readline";
import { EngineMode } from "../testing/engine/engine-mode";
import type { TimelineEntry, UpRequest } from "../testing/engine/mode";
import { projectProgram } from "../testing/program";
import { nowMs } from "../lab/clock";
import { CONTAINER_TYPE } from "../policy/crossguard";

/** An up of the project in workDir (its Pulumi.yaml main, as `pulumi up` runs it). */
export type ChildRequest = Omit<UpRequest, "program"> & { workDir: string };

export interface ChildResult {
  /** Wall-clock ms since the epoch when up() was called. */
  upCalledAtMs: number;
  /** How long up() took (all gates passed, outputs resolved). */
  upMs: number;
  timeline: TimelineEntry[];
  /** Containers the up created (every one of the stack: the bench's stacks are new). */
  containers: number;
}

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2]) as ChildRequest;
  const mode = new EngineMode();
  // Read before the clock starts, as the CLI reads Pulumi.yaml before it starts the language host.
  const program = projectProgram(request.workDir);
  const upCalledAtMs = nowMs();
  try {
    const up = await mode.up({ ...request, program });
    const containers = up.timeline.filter((e) => e.type === CONTAINER_TYPE && e.action === "create").length;
    const result: ChildResult = { upCalledAtMs, upMs: nowMs() - upCalledAtMs, timeline: up.timeline, containers };
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
