// The machine the figures come from, for bench/RESULTS.md.
import { execFileSync } from "node:child_process";
import * as os from "node:os";
import Docker from "dockerode";

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
