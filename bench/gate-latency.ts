// Gate latency as tests/integration/gate-latency.test.ts measures it: Docker's
// "health_status: healthy" event (engine time) → the gate CLI's exit (seen by this process), on a
// busybox container that turns healthy 1.5 s after start while the gate is already waiting.
import Docker from "dockerode";
import { GATE_CLI, gateJson, runCli } from "../lab/gate-runner";
import { TestContainers } from "../lab/gate-containers";
import { HealthWatch } from "./health-watch";

/** One latency (ms) per run; throws when a run fails or the gate was not already waiting. */
export async function gateLatencies(runs: number, namePrefix = "bench"): Promise<number[]> {
  const containers = new TestContainers(namePrefix);
  const latencies: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const name = containers.nextName();
      const watch = await HealthWatch.start(new Docker(), { container: [name] }); // before the container exists
      try {
        await containers.start(
          {
            script: "sleep 1.5; touch /tmp/ready; sleep 60",
            healthcheck: { test: "test -f /tmp/ready", intervalMs: 100, startPeriodMs: 30_000 },
          },
          name,
        );
        const run = await runCli(GATE_CLI, ["--name", "latency", "--timeout-seconds", "20", "--container", name]);
        if (run.code !== 0 || gateJson(run).status !== "passed")
          throw new Error(`gate run ${i + 1} failed (exit ${run.code}):\n${run.stderr}`);
        if (!run.stderrLines.some((l) => l.startsWith(`gate latency: ${name} starting`)))
          throw new Error(`gate run ${i + 1} never waited (container healthy before the gate started):\n${run.stderr}`);
        latencies.push(run.exitedAtMs - (await watch.allHealthy(1, 5_000)));
      } finally {
        watch.stop();
        await containers.removeAll();
      }
    }
  } finally {
    await containers.removeAll();
  }
  return latencies;
}
