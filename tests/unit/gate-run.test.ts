// The gate runner with scripted probes: all-pass, fail-fast, timeout, regressions, crashes.
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { runGate } from "../../gate/run-gate";
import type { Observation, Probe, ProbeContext } from "../../gate/types";

/** A probe that reports the observations at the given delays (ms from start), then waits for the abort. */
function scripted(target: string, steps: Array<[number, Observation]>, seen: { aborted?: boolean } = {}): Probe {
  return {
    kind: "container",
    target,
    run: async (ctx: ProbeContext) => {
      ctx.signal.addEventListener("abort", () => (seen.aborted = true));
      let at = 0;
      for (const [delay, observation] of steps) {
        await sleep(delay - at);
        at = delay;
        ctx.update(observation);
      }
    },
  };
}

const starting: Observation = { state: "starting", detail: "health: starting" };
const healthy: Observation = { state: "healthy", detail: "health: healthy" };

describe("gate runner", () => {
  it("passes when every probe is healthy, and stops them", async () => {
    const seen = { aborted: false };
    const lines: string[] = [];
    const result = await runGate({
      name: "g",
      timeoutSeconds: 5,
      probes: [
        scripted(
          "a",
          [
            [0, starting],
            [30, healthy],
          ],
          seen,
        ),
        scripted("b", [[10, healthy]]),
      ],
      progress: (l) => lines.push(l.replace(/\d+\.\ds/, "<t>")),
    });
    assert.equal(result.ending, "passed");
    assert.deepEqual(
      result.outcomes.map((o) => o.status),
      ["healthy", "healthy"],
    );
    // order, not wall-clock: b (10 ms) turned healthy before a (30 ms)
    assert.ok((result.outcomes[1].timeToHealthyMs ?? Infinity) < (result.outcomes[0].timeToHealthyMs ?? -1));
    assert.equal(seen.aborted, true);
    assert.deepEqual(lines, ["gate g: a starting <t>", "gate g: b healthy <t>", "gate g: a healthy <t>"]);
  });

  it("watches 16 containers without Node's listener-leak warning (every probe listens on the gate's signal)", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on("warning", onWarning);
    try {
      const probes = Array.from({ length: 16 }, (_, i) => scripted(`c${i}`, [[5, healthy]]));
      const result = await runGate({ name: "g", timeoutSeconds: 5, probes, progress: () => undefined });
      assert.equal(result.ending, "passed");
      await sleep(10); // warnings are emitted on the next tick
    } finally {
      process.off("warning", onWarning);
    }
    assert.deepEqual(warnings, []);
  });

  it("fails at once when one probe fails, without waiting for the others or the timeout", async () => {
    // A budget far beyond mocha's timeout: only the failing probe can end this gate in time.
    const result = await runGate({
      name: "g",
      timeoutSeconds: 3600,
      probes: [
        scripted("slow", [[0, starting]]),
        scripted("dies", [[20, { state: "exited", detail: "exited with code 1", exitCode: 1 }]]),
      ],
      progress: () => undefined,
    });
    assert.equal(result.ending, "failed");
    assert.deepEqual(
      result.outcomes.map((o) => [o.status, o.cancelled]),
      [
        ["error", true],
        ["exited", false],
      ],
    );
  });

  it("fails when a healthy container turns unhealthy before the others are ready", async () => {
    const result = await runGate({
      name: "g",
      timeoutSeconds: 10,
      probes: [
        scripted("flaky", [
          [0, healthy],
          [20, { state: "unhealthy", detail: "health: unhealthy" }],
        ]),
        scripted("slow", [[0, starting]]),
      ],
      progress: () => undefined,
    });
    assert.deepEqual(
      result.outcomes.map((o) => o.status),
      ["unhealthy", "error"],
    );
  });

  it("fails with timeout when the budget ends first", async () => {
    const result = await runGate({
      name: "g",
      timeoutSeconds: 0.1,
      probes: [scripted("a", [[0, starting]])],
      progress: () => undefined,
    });
    assert.equal(result.ending, "timeout");
    assert.deepEqual(
      result.outcomes.map((o) => [o.status, o.detail]),
      [["timeout", "not healthy within 0.1s; last: health: starting"]],
    );
  });

  it("fails when a probe throws, with its message as the detail", async () => {
    const crashing: Probe = { kind: "tcp", target: "x:1", run: async () => Promise.reject(new Error("boom")) };
    const result = await runGate({ name: "g", timeoutSeconds: 5, probes: [crashing], progress: () => undefined });
    assert.deepEqual(
      result.outcomes.map((o) => [o.status, o.detail]),
      [["error", "boom"]],
    );
  });
});

/** A full garbage collection, whether or not node runs with --expose-gc. */
function collectGarbage(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}

describe("gate attempts", () => {
  it("abort when their time is up even after a garbage collection, and with the gate", async () => {
    const { attemptSignal } = await import("../../gate/poll");
    const parent = new AbortController();
    const timed = attemptSignal(parent.signal, 20);
    collectGarbage();
    await new Promise((resolve) => timed.signal.addEventListener("abort", resolve, { once: true }));
    assert.equal((timed.signal.reason as Error).message, "no answer within 20 ms");
    const withGate = attemptSignal(parent.signal, 60_000);
    parent.abort(new Error("gate ended"));
    assert.equal((withGate.signal.reason as Error).message, "gate ended");
    withGate.release();
  });
});
