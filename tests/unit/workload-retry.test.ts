// The workload's start-up retries (services/src/db.ts retryUntil): a server still starting refuses
// every fast retry the same way, so each distinct error is logged once, not once per attempt.
import { strict as assert } from "node:assert";
import { retryUntil } from "../../services/src/db";
import type { Logger } from "../../services/src/log";

function recordingLogger(): { log: Logger; warned: [string, unknown][] } {
  const warned: [string, unknown][] = [];
  const none = () => undefined;
  return { log: { debug: none, info: none, error: none, warn: (msg, fields) => warned.push([msg, fields]) }, warned };
}

describe("workload: retryUntil", function () {
  it("logs each distinct error once while retrying, and returns the first success", async function () {
    const { log, warned } = recordingLogger();
    const errors = [
      "connect ECONNREFUSED",
      "connect ECONNREFUSED",
      "connect ECONNREFUSED",
      "the database system is starting up",
    ];
    let attempts = 0;
    const result = await retryUntil(
      "migrating the database",
      5000,
      log,
      async () => {
        const error = errors[attempts++];
        if (error) throw new Error(error);
        return "migrated";
      },
      1,
    );
    assert.deepEqual(
      { result, attempts, warned },
      {
        result: "migrated",
        attempts: 5,
        warned: [
          ["migrating the database failed, retrying", { error: "connect ECONNREFUSED", retryInMs: 1 }],
          ["migrating the database failed, retrying", { error: "the database system is starting up", retryInMs: 1 }],
        ],
      },
    );
  });

  it("gives up after its time with the last error, naming what it was doing", async function () {
    const { log, warned } = recordingLogger();
    await assert.rejects(
      retryUntil("registering the worker", 30, log, () => Promise.reject(new Error("connect ECONNREFUSED")), 5),
      { message: "registering the worker failed for 30 ms: connect ECONNREFUSED" },
    );
    assert.equal(warned.length, 1);
  });
});
