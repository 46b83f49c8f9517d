// The swarm bench's pure parts: the stack config it runs on the lab swarm, and its Markdown section.
import assert from "node:assert/strict";
import { formatSwarmSection, swarmConfig, SwarmBenchResults, SwarmBenchRun } from "../../bench/swarm";

const gates = (workersMs: number) => ({
  evaluationMs: 900,
  passedAtMs: { data: 2000, orchestrator: 3000, workers: workersMs },
});
const run = (where: SwarmBenchRun["where"], workers: number, allHealthyMs: number, upMs: number): SwarmBenchRun => ({
  where,
  workers,
  allHealthyMs,
  upMs,
  gates: gates(upMs),
});

describe("bench: swarm next to one engine", () => {
  it("runs the test stack on the swarm's manager with the registry's images and the forwarded ports", () => {
    const config = swarmConfig(
      { managerHost: "tcp://127.0.0.1:41000", managerPorts: [41001, 41002, 41003] },
      { data: "172.17.0.1:5055/d:1", app: "172.17.0.1:5055/a:1" },
      8,
    );
    assert.deepEqual(config, {
      "berth:useAlpine": false,
      "berth:images": { postgres: "172.17.0.1:5055/d:1", redis: "172.17.0.1:5055/d:1", app: "172.17.0.1:5055/a:1" },
      "berth:hardening": { postgres: { user: "999:999" }, redis: { user: "999:999" } },
      "berth:workers": { replicas: 8, namespaces: ["default"] },
      "berth:cluster": "swarm",
      "berth:docker": { host: "tcp://127.0.0.1:41000" },
      "berth:ports": { publish: "fixed", hostIp: "0.0.0.0", postgres: 41001, redis: 41002, orchestrator: 41003 },
      "berth:tiers": {
        workers: { intervalMs: 2000, timeoutMs: 5000, startPeriodMs: 120000, retries: 5, gateTimeoutSeconds: 600 },
      },
    });
  });

  it("formats medians of up() and of all-healthy per worker count, the ratio and the growth of up() per added worker", () => {
    const results: SwarmBenchResults = {
      workerCounts: [32, 8],
      rounds: 2,
      swarm: { managers: 1, workers: 2, startSeconds: 2.9, imageBuilt: false },
      warmup: [run("one engine", 2, 5000, 5100), run("swarm", 2, 25000, 25100)],
      runs: [
        run("one engine", 8, 8000, 8200),
        run("swarm", 8, 12000, 12300),
        run("one engine", 32, 20000, 20500),
        run("swarm", 32, 30000, 31000),
        run("one engine", 8, 9000, 9200),
        run("swarm", 8, 14000, 14300),
        run("one engine", 32, 22000, 22500),
        run("swarm", 32, 34000, 35000),
      ],
    };
    assert.equal(
      formatSwarmSection(results),
      [
        "## Swarm: a 3-node swarm next to one engine",
        "",
        "The test stack with `berth:cluster: swarm` on a lab swarm of 1 manager and 2 worker nodes (Docker-in-Docker containers on this machine, started in 2.9 s; images through the lab registry), " +
          "and on the local engine, alternating, 2 pair(s) per worker count after a warm-up pair with 2 workers (not counted). " +
          "Both from the up() call: to up() returned (every gate passed, the workers registered: a usable environment) and to the last container's " +
          "health event by Docker's own healthcheck (on every node for the swarm), which comes later: the data tier's and the orchestrator's run every 60 s, " +
          "as their gates ask the services themselves; medians. " +
          "The workers' healthchecks run every 2 s on both sides (500 ms overloads 2 cores at 32 workers). " +
          "The nodes share this machine's CPUs, so the swarm adds no capacity here: the difference is the cost of berth's swarm path.",
        "",
        "| workers | one engine: up() returned (s) | swarm: up() returned (s) | swarm / one engine | one engine: all healthy by Docker (s) | swarm: all healthy by Docker (s) |",
        "| --- | --- | --- | --- | --- | --- |",
        "| 8 | 8.70 | 13.30 | 1.53× | 8.50 | 13.00 |",
        "| 32 | 21.50 | 33.00 | 1.53× | 21.00 | 32.00 |",
        "",
        "Growth from 8 to 32 workers, per added worker: up() returned, one engine 533 ms, swarm 821 ms; all healthy by Docker, one engine 521 ms, swarm 792 ms.",
        "",
      ].join("\n"),
    );
  });

  it("fails when a worker count has no run on one side", () => {
    const results: SwarmBenchResults = {
      workerCounts: [8],
      rounds: 1,
      swarm: { managers: 1, workers: 2, startSeconds: 3, imageBuilt: false },
      warmup: [],
      runs: [run("one engine", 8, 1, 1)],
    };
    assert.throws(() => formatSwarmSection(results), { message: "no swarm run with 8 workers" });
  });
});
