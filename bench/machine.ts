// The machine the figures come from (for bench/RESULTS.md), and whether it is quiet.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as os from "node:os";
import Docker from "dockerode";
import { busyFraction, parseProcStat } from "./cpu";

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  node: string;
  dockerServer: string;
  dockerApi: string;
  storageDriver: string;
  cgroup: string;
  compose: string;
}

export async function describeMachine(docker: Docker): Promise<Machine> {
  const [version, info] = await Promise.all([docker.version(), docker.info()]);
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    dockerServer: version.Version,
    dockerApi: version.ApiVersion,
    storageDriver: info.Driver,
    cgroup: `${info.CgroupDriver} v${info.CgroupVersion}`,
    compose: execFileSync("docker-compose", ["version", "--short"], { encoding: "utf8" }).trim(),
  };
}

/** Running containers that are not the bench's own (prefixes of its stacks and projects). */
export async function foreignContainers(docker: Docker, ownPrefixes: string[]): Promise<string[]> {
  const running = await docker.listContainers();
  return running.map((c) => c.Names[0].replace(/^\//, "")).filter((n) => !ownPrefixes.some((p) => n.startsWith(p)));
}

/**
 * Waits until the machine has been quiet (under `maxBusy` of its CPU over `windowMs`), so a run
 * does not start while the engine still cleans up after the previous one. Resolves with the time
 * it waited; gives up after `timeoutMs` (the run then starts anyway).
 */
export async function waitForQuiet(
  maxBusy = 0.15,
  windowMs = 1000,
  timeoutMs = 30_000,
): Promise<{ waitedMs: number; quiet: boolean }> {
  const started = Date.now();
  for (;;) {
    const before = parseProcStat(readFileSync("/proc/stat", "utf8"));
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const busy = busyFraction(before, parseProcStat(readFileSync("/proc/stat", "utf8")));
    if (busy < maxBusy) return { waitedMs: Date.now() - started, quiet: true };
    if (Date.now() - started >= timeoutMs) return { waitedMs: Date.now() - started, quiet: false };
  }
}
