// The gate's start-up: process spawn → its first probe attempt, seen from outside. The gate is
// pointed at two listeners on 127.0.0.1 that record when the first connection arrives: a stand-in
// Engine API (DOCKER_HOST=tcp://…, the container probe's first request) and a Postgres address
// (its --ready probe's first attempt). Once both have been reached they close what they accepted,
// and the gate fails at once.
import { spawn } from "node:child_process";
import { AddressInfo, createServer, Socket } from "node:net";
import { GATE_CLI, requireBuilt } from "../lab/gate-runner";
import { nowMs } from "../lab/clock";

export interface GateStartup {
  /** spawn → first Engine API connection. */
  engineMs: number;
  /** spawn → first --ready Postgres connection. */
  readyMs: number;
  /** spawn → `node -e 0` exited: the floor any Node process pays. */
  nodeFloorMs: number;
}

interface Listener {
  port: number;
  /** When the first connection arrived. */
  at: Promise<number>;
  /** Closes every accepted connection and the listener. */
  close(): void;
}

async function listener(): Promise<Listener> {
  let resolve!: (at: number) => void;
  const at = new Promise<number>((r) => (resolve = r));
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    resolve(nowMs());
    sockets.add(socket.on("error", () => undefined));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: (server.address() as AddressInfo).port,
    at,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

function exitOf(args: string[], env: NodeJS.ProcessEnv = {}): { spawnedAtMs: number; exited: Promise<number> } {
  const spawnedAtMs = nowMs();
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: "ignore" });
  return { spawnedAtMs, exited: new Promise((resolve) => child.on("close", () => resolve(nowMs()))) };
}

export async function gateStartups(runs: number): Promise<GateStartup[]> {
  requireBuilt(GATE_CLI);
  const out: GateStartup[] = [];
  for (let i = 0; i < runs; i++) {
    const engine = await listener();
    const postgres = await listener();
    const gate = exitOf(
      [
        GATE_CLI,
        "--name",
        "startup",
        "--timeout-seconds",
        "10",
        "--container",
        "bench-startup",
        "--ready",
        "bench-startup=env:BENCH_STARTUP_DB",
      ],
      {
        DOCKER_HOST: `tcp://127.0.0.1:${engine.port}`,
        BENCH_STARTUP_DB: `postgres://bench:bench@127.0.0.1:${postgres.port}/bench`,
      },
    );
    try {
      const seen = await Promise.race([
        Promise.all([engine.at, postgres.at]),
        gate.exited.then(() =>
          Promise.reject(new Error("the gate exited before it tried both the engine and Postgres")),
        ),
      ]);
      engine.close();
      postgres.close();
      await gate.exited;
      const floor = exitOf(["-e", "0"]);
      out.push({
        engineMs: seen[0] - gate.spawnedAtMs,
        readyMs: seen[1] - gate.spawnedAtMs,
        nodeFloorMs: (await floor.exited) - floor.spawnedAtMs,
      });
    } finally {
      engine.close();
      postgres.close();
    }
  }
  return out;
}
