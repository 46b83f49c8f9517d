// Issue 3's done condition: the gate exits within 100 ms (median) of Docker reporting healthy.
// The health_status event's timeNano comes from the engine's own event stream, read independently
// of the gate; the exit time is when this process sees the child exit. The measurement is the
// one `npm run bench` reports (bench/gate-latency.ts): it throws when a run fails or the gate was
// not already waiting when the container turned healthy.
import assert from "node:assert/strict";
import { gateLatencies } from "../../bench/gate-latency";
import { median, percentile } from "../../bench/stats";
import { GATE_CLI, requireBuilt } from "../../lab/gate-runner";
import { pingEngine } from "../../lab/gate-containers";
import { requireService } from "../support/required-service";

const RUNS = 7;

describe("gate CLI: latency from Docker's health_status event to the gate's exit", function () {
  this.timeout(120_000);

  before(async function () {
    requireBuilt(GATE_CLI);
    await requireService(this, "the Docker engine", pingEngine, "run `bash .ci/services.sh` to start dockerd");
  });

  it(`exits within 100 ms of Docker reporting healthy (median over ${RUNS} runs)`, async () => {
    const latencies = await gateLatencies(RUNS, "latency");
    assert.equal(latencies.length, RUNS);
    const mid = median(latencies);
    console.log(`    gate latency: median ${mid.toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms (${RUNS} runs)`);
    assert.ok(mid < 100, `median latency ${mid.toFixed(1)} ms; runs: ${latencies.map((l) => l.toFixed(1)).join(", ")}`);
  });
});
