// The gate exits after, and because of, Docker's health_status event: it was already waiting when
// the container turned healthy, and its exit comes after the event's engine time. How soon after
// is a figure for `npm run bench` (bench/gate-latency.ts measures it the same way), not a test.
import assert from "node:assert/strict";
import { gateLatencies } from "../../bench/gate-latency";
import { median, percentile } from "../../bench/stats";
import { GATE_CLI, requireBuilt } from "../../lab/gate-runner";
import { requireEngine } from "../support/required-service";

const RUNS = 3;

describe("gate CLI: exit on Docker's health_status event", function () {
  this.timeout(60_000);

  before(async function () {
    requireBuilt(GATE_CLI);
    await requireEngine(this);
  });

  it(`passes on the event while already waiting, and exits after it (${RUNS} runs)`, async () => {
    // gateLatencies throws when a run fails or the gate was not waiting when the event came.
    const latencies = await gateLatencies(RUNS, "latency");
    assert.equal(latencies.length, RUNS);
    assert.deepEqual(
      latencies.filter((ms) => !(ms > 0)),
      [],
      "every exit after its event",
    );
    console.log(
      `    gate latency: median ${median(latencies).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms (${RUNS} runs; figures: npm run bench)`,
    );
  });
});
