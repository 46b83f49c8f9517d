// One engine-mode child (bench/engine-child.ts, compiled) driven from outside: spawned with a
// ChildRequest, its `start <name>` progress lines awaitable (to kill it at a resource), its exit
// and result line collected. Shared by the bench's day-two section and tests/e2e/fault-matrix.
import { ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { REPO_ROOT } from "../lab/berth-program";
import { nowMs } from "../lab/clock";
import type { ChildRequest, ChildResult } from "./engine-child";

/** engine-child.ts as `npm run build` compiles it: the child runs no TypeScript loader, as `pulumi up` runs dist/index.js. */
export const ENGINE_CHILD = join(REPO_ROOT, "dist", "bench", "engine-child.js");

export interface ChildEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The child's result line (absent when it died before printing one). */
  result?: ChildResult;
  stderr: string;
  /** nowMs() when the process had exited and its output streams closed. */
  endedAtMs: number;
}

export interface Child {
  process: ChildProcess;
  /** nowMs() just before the spawn. */
  spawnedAtMs: number;
  /** Resolves when the child printed `start <name>` (engine mode's progress line). */
  started(name: string): Promise<void>;
  /** Exit code (or signal) and the result line, once the process ended. */
  ended: Promise<ChildEnd>;
}

export function runChild(request: ChildRequest): Child {
  const spawnedAtMs = nowMs();
  const child = spawn(process.execPath, [ENGINE_CHILD, JSON.stringify(request)], {
    cwd: REPO_ROOT,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  const waiting = new Map<string, () => void>();
  const seen = new Set<string>();
  createInterface({ input: child.stderr! }).on("line", (line) => {
    stderr += `${line}\n`;
    const m = /^start (.+)$/.exec(line);
    if (!m) return;
    seen.add(m[1]);
    waiting.get(m[1])?.();
  });
  let stdout = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
  const ended = new Promise<ChildEnd>((resolve) =>
    child.on("close", (code, signal) =>
      resolve({
        code,
        signal,
        stderr,
        endedAtMs: nowMs(),
        result: stdout.trim() ? (JSON.parse(stdout.trim().split("\n")[0]) as ChildResult) : undefined,
      }),
    ),
  );
  return {
    process: child,
    spawnedAtMs,
    started: (name) => (seen.has(name) ? Promise.resolve() : new Promise((resolve) => waiting.set(name, resolve))),
    ended,
  };
}
