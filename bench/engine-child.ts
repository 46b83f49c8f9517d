// One engine-mode up or destroy in a process of its own, as `pulumi up` runs the program in a
// fresh language host: plain Node on compiled JavaScript (`npm run build` emits this file to
// dist/bench/, beside the program and engine mode it loads), no TypeScript loader, nothing warm
// but the engine. Used by the bench and by the fault-matrix e2e suite. Protocol: argv[2] is the
// JSON of a ChildRequest; stderr gets a line `start <resource name>` as each resource starts;
// stdout gets one JSON line (ChildResult) after up; then, with `then: "destroy"`, a line on stdin
// asks for destroy, with `then: "exit"` the process ends and leaves the stack (kept, or to its reaper).
import { createInterface } from "node:readline";
import { EngineMode } from "../testing/engine/engine-mode";
import type { Changes, TimelineEntry, UpRequest } from "../testing/engine/mode";
import { projectProgram } from "../testing/program";
import { nowMs } from "../lab/clock";
import { CONTAINER_TYPE } from "../policy/crossguard";

/** An up (or destroy) of the project in workDir (its Pulumi.yaml main, as `pulumi up` runs it). */
export type ChildRequest = Omit<UpRequest, "program" | "onStart"> & {
  workDir: string;
  /** @default "up" */
  op?: "up" | "destroy";
  /** After up: "destroy" waits for a line on stdin, then destroys; "exit" leaves the stack. @default "destroy" */
  then?: "destroy" | "exit";
};

export interface ChildResult {
  /** Wall-clock ms since the epoch when up() (or destroy()) was called. */
  upCalledAtMs: number;
  /** How long up() (or destroy()) took (all gates passed, outputs resolved). */
  upMs: number;
  timeline: TimelineEntry[];
  changes: Changes;
  /** Containers the up created. */
  containers: number;
  outputs: Record<string, unknown>;
}

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2]) as ChildRequest;
  const mode = new EngineMode();
  if (request.op === "destroy") {
    const at = nowMs();
    await mode.destroy(request.stack, request.project);
    const result: ChildResult = {
      upCalledAtMs: at,
      upMs: nowMs() - at,
      timeline: [],
      changes: { create: 0, update: 0, replace: 0, same: 0, delete: 0 },
      containers: 0,
      outputs: {},
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  // Read before the clock starts, as the CLI reads Pulumi.yaml before it starts the language host.
  const program = projectProgram(request.workDir);
  const upCalledAtMs = nowMs();
  const up = await mode.up({ ...request, program, onStart: (_type, name) => process.stderr.write(`start ${name}\n`) });
  const containers = up.timeline.filter((e) => e.type === CONTAINER_TYPE && e.action === "create").length;
  const result: ChildResult = {
    upCalledAtMs,
    upMs: nowMs() - upCalledAtMs,
    timeline: up.timeline,
    changes: up.changes,
    containers,
    outputs: up.outputs,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  if (request.then === "exit") return;
  try {
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
