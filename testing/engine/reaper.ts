// A reaper in the spirit of testcontainers' Ryuk, without a container: a small detached process
// holding a pipe from the process that brought a stack up. When the pipe closes — that process
// ended, however it ended: exit, crash, Ctrl-C, kill -9 — the reaper destroys the stack as a new
// process would (teardown.ts: its state, then its labels). Destroy releases it first.
import { spawn } from "node:child_process";
import { openSync } from "node:fs";
import { join } from "node:path";
import type { Writable } from "node:stream";
import type { StackRef } from "../client/stack-containers";
import type { DestroyPlaces } from "./teardown";
import { reaperLogPath } from "./engine-state";

/** What the reaper process is told on its command line. */
export interface ReaperOrders extends StackRef, DestroyPlaces {}

/** The line that tells the reaper its stack was destroyed by its owner: exit without reaping. */
export const RELEASE = "release\n";

export class Reaper {
  private constructor(private readonly pipe: Writable) {}

  /** Starts the reaper of one stack; its log goes beside the state file, if there is one. */
  static start(orders: ReaperOrders): Reaper {
    const main = join(__dirname, `reaper-main${__filename.endsWith(".ts") ? ".ts" : ".js"}`);
    // Under ts-node (berth's own tests) the reaper runs from source too.
    const loader = __filename.endsWith(".ts") ? ["-r", require.resolve("ts-node/register/transpile-only")] : [];
    // The first up on a machine starts the reaper before any state file made the directory.
    const log = orders.stateDir === false ? "ignore" : openSync(reaperLogPath(orders, orders.stateDir), "a", 0o600);
    const child = spawn(process.execPath, [...loader, main, JSON.stringify(orders)], {
      detached: true,
      stdio: ["pipe", "ignore", log],
    });
    child.unref();
    // The pipe must not keep this process alive: its end is the signal.
    (child.stdin as unknown as { unref(): void }).unref();
    child.stdin!.on("error", () => undefined); // a reaper that died already: nothing to release
    return new Reaper(child.stdin!);
  }

  /** The stack is gone (or kept on purpose): the reaper exits without touching it. */
  release(): void {
    this.pipe.end(RELEASE);
  }
}
