// CPU use of a running stack while it idles, measured the same way for berth and for compose:
// - containers: their cgroups' CPU counters, which include every healthcheck process the engine
//   execs into them;
// - shims: each container's containerd-shim with its reaped children (the `runc exec` of every
//   healthcheck ends there);
// - engine: the host's dockerd and containerd (shared with anything else on the engine);
// - machine: the whole machine's busy share (/proc/stat), which also holds other users' load.
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, readlinkSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import type Docker from "dockerode";
import { busyFraction, cgroupCpuNs, cpuCgroupFile, CpuTimes, parsePidStat, parseProcStat } from "./cpu";
import { nowMs } from "../lab/clock";

export interface IdleCpu {
  /** How long after the stack was up the window began. */
  settleMs: number;
  windowMs: number;
  containers: number;
  /** Percent of one core. */
  containersPct: number;
  shimsPct: number;
  enginePct: number;
  /** Percent of the whole machine (all cores) busy, whoever used it. */
  machinePct: number;
}

const TICK_NS = 1e9 / Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
const read = (path: string) => readFileSync(path, "utf8");

interface Sample {
  atMs: number;
  containersNs: number;
  shimsNs: number;
  engineNs: number;
  machine: CpuTimes;
}

/** The host's own dockerd and containerd: not those of Docker-in-Docker engines in other pid namespaces. */
function enginePids(): number[] {
  const ownNamespace = readlinkSync("/proc/self/ns/pid");
  return readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        return (
          ["dockerd", "containerd"].includes(read(`/proc/${pid}/comm`).trim()) &&
          readlinkSync(`/proc/${pid}/ns/pid`) === ownNamespace
        );
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

const ticksOf = (pid: number) => parsePidStat(read(`/proc/${pid}/stat`)).ticks * TICK_NS;

interface Watched {
  cgroup: { version: 1 | 2; path: string };
  shimPid: number;
}

async function watched(docker: Docker, ids: string[]): Promise<Watched[]> {
  return Promise.all(
    ids.map(async (id) => {
      const pid = (await docker.getContainer(id).inspect()).State.Pid;
      if (!pid) throw new Error(`container ${id} is not running: no idle CPU to measure`);
      return {
        cgroup: cpuCgroupFile(read(`/proc/${pid}/cgroup`)),
        shimPid: parsePidStat(read(`/proc/${pid}/stat`)).ppid,
      };
    }),
  );
}

function sample(containers: Watched[], engine: number[]): Sample {
  return {
    atMs: nowMs(),
    containersNs: containers.reduce((s, c) => s + cgroupCpuNs(c.cgroup.version, read(c.cgroup.path)), 0),
    shimsNs: containers.reduce((s, c) => s + ticksOf(c.shimPid), 0),
    engineNs: engine.reduce((s, pid) => s + ticksOf(pid), 0),
    machine: parseProcStat(read("/proc/stat")),
  };
}

/** Waits `settleMs` (start-up work dies down), then measures the containers with `label` over `windowMs`. */
export async function idleCpu(docker: Docker, label: string, settleMs: number, windowMs: number): Promise<IdleCpu> {
  await sleep(settleMs);
  const ids = (await docker.listContainers({ filters: { label: [label] } })).map((c) => c.Id);
  if (ids.length === 0) throw new Error(`no running container has the label ${label}`);
  const containers = await watched(docker, ids);
  const engine = enginePids();
  const before = sample(containers, engine);
  await sleep(windowMs);
  const after = sample(containers, engine);
  const elapsedNs = (after.atMs - before.atMs) * 1e6;
  const pct = (ns: number) => (100 * ns) / elapsedNs;
  return {
    settleMs,
    windowMs: after.atMs - before.atMs,
    containers: ids.length,
    containersPct: pct(after.containersNs - before.containersNs),
    shimsPct: pct(after.shimsNs - before.shimsNs),
    enginePct: pct(after.engineNs - before.engineNs),
    machinePct: 100 * busyFraction(before.machine, after.machine),
  };
}
