// Issue 3's done condition: the gate exits within 100 ms (median) of Docker reporting healthy.
// The health_status event's timeNano comes from the engine's own event stream, read here
// independently of the gate; the exit time is when this process sees the child exit.
import assert from "node:assert/strict";
import { createInterface } from "node:readline";
import { GATE_CLI, gateJson, requireBuilt, runCli } from "../support/gate-cli";
import { pingEngine, TestContainers } from "../support/gate-containers";
import { requireService } from "../support/required-service";

const RUNS = 7;
const containers = new TestContainers("latency");

/** Resolves with the time (ms since the epoch) of the engine's "health_status: healthy" event. */
async function healthyEventAt(name: string): Promise<{ at: Promise<number>; stop: () => void }> {
  const stream = (await containers.docker.getEvents({
    filters: { type: ["container"], container: [name], event: ["health_status"] },
  })) as NodeJS.ReadableStream & { destroy(): void };
  stream.on("error", () => undefined);
  const at = new Promise<number>((resolve) => {
    createInterface({ input: stream }).on("line", (line) => {
      const event = JSON.parse(line) as { Action: string; timeNano: number; Actor: { Attributes: { name: string } } };
      if (event.Action === "health_status: healthy" && event.Actor.Attributes.name === name) resolve(event.timeNano / 1e6);
    });
  });
  return { at, stop: () => stream.destroy() };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

describe("gate CLI: latency from Docker's health_status event to the gate's exit", function () {
  this.timeout(120_000);

  before(async function () {
    requireBuilt(GATE_CLI);
    await requireService(this, "the Docker engine", pingEngine, "run `bash .ci/services.sh` to start dockerd");
  });
  afterEach(() => containers.removeAll());

  it(`exits within 100 ms of Docker reporting healthy (median over ${RUNS} runs)`, async () => {
    const latencies: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const name = containers.nextName();
      const healthy = await healthyEventAt(name); // subscribed before the container exists
      try {
        await containers.start(
          {
            // Ready only after the gate has surely started and is waiting on the event stream.
            script: "sleep 1.5; touch /tmp/ready; sleep 60",
            healthcheck: { test: "test -f /tmp/ready", intervalMs: 100, startPeriodMs: 30_000 },
          },
          name,
        );
        const run = await runCli(GATE_CLI, ["--name", "latency", "--timeout-seconds", "20", "--container", name]);
        assert.equal(run.code, 0, run.stderr);
        assert.equal(gateJson(run).status, "passed");
        assert.ok(run.stderrLines.some((l) => l.startsWith(`gate latency: ${name} starting`)), `the gate must have been waiting:\n${run.stderr}`);
        latencies.push(run.exitedAtMs - (await healthy.at));
      } finally {
        healthy.stop();
        await containers.removeAll();
      }
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    const median = percentile(sorted, 50);
    console.log(`    gate latency: median ${median.toFixed(1)} ms, p95 ${percentile(sorted, 95).toFixed(1)} ms (${RUNS} runs)`);
    assert.ok(median < 100, `median latency ${median.toFixed(1)} ms; runs: ${latencies.map((l) => l.toFixed(1)).join(", ")}`);
  });
});
