// Whole-machine CPU use from /proc/stat (pure: tests/unit/bench-cpu.test.ts).

export interface CpuTimes {
  /** idle + iowait jiffies. */
  idle: number;
  total: number;
}

/** The aggregate `cpu` line of /proc/stat. */
export function parseProcStat(text: string): CpuTimes {
  const line = text.split("\n").find((l) => /^cpu\s/.test(l));
  if (!line) throw new Error("/proc/stat has no aggregate cpu line");
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  if (fields.length < 5 || fields.some((f) => !Number.isFinite(f))) throw new Error(`unreadable cpu line: ${line}`);
  // user nice system idle iowait irq softirq steal (guest time is already inside user and nice)
  const total = fields.slice(0, 8).reduce((s, f) => s + f, 0);
  return { idle: fields[3] + fields[4], total };
}

/** Share of the machine's CPU time that was busy between two samples (0 … 1). */
export function busyFraction(before: CpuTimes, after: CpuTimes): number {
  const total = after.total - before.total;
  if (total <= 0) return 0;
  return 1 - (after.idle - before.idle) / total;
}

/** What the bench reads of /proc/<pid>/stat. */
export interface PidStat {
  comm: string;
  ppid: number;
  /** utime + stime + cutime + cstime, in clock ticks: the process's CPU and its reaped children's. */
  ticks: number;
}

export function parsePidStat(text: string): PidStat {
  // comm is in parentheses and may itself hold spaces and parentheses: split after the last ")".
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) throw new Error(`unreadable /proc/<pid>/stat: ${text.slice(0, 80)}`);
  const rest = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // rest[0] is field 3 (state): ppid is field 4, utime..cstime are fields 14..17.
  const field = (n: number) => Number(rest[n - 3]);
  const ticks = field(14) + field(15) + field(16) + field(17);
  if (!Number.isFinite(ticks) || !Number.isFinite(field(4)))
    throw new Error(`unreadable /proc/<pid>/stat: ${text.slice(0, 80)}`);
  return { comm: text.slice(open + 1, close), ppid: field(4), ticks };
}

/**
 * The cgroup file that counts a process's CPU time, from its /proc/<pid>/cgroup: cgroup v1's
 * cpuacct controller (cpuacct.usage, ns) or the v2 unified hierarchy (cpu.stat usage_usec).
 */
export function cpuCgroupFile(procCgroup: string): { version: 1 | 2; path: string } {
  const lines = procCgroup.split("\n").filter((l) => l !== "");
  const v1 = lines.map((l) => l.split(":")).find(([, controllers]) => controllers.split(",").includes("cpuacct"));
  if (v1) return { version: 1, path: `/sys/fs/cgroup/cpuacct${v1.slice(2).join(":")}/cpuacct.usage` };
  const v2 = lines.map((l) => l.split(":")).find(([id, controllers]) => id === "0" && controllers === "");
  if (v2) return { version: 2, path: `/sys/fs/cgroup${v2.slice(2).join(":")}/cpu.stat` };
  throw new Error(`no cpuacct or unified cgroup in: ${lines.join(" | ")}`);
}

/** CPU time in ns from a cgroup file's content (cpuacct.usage, or cpu.stat's usage_usec). */
export function cgroupCpuNs(version: 1 | 2, text: string): number {
  const ns = version === 1 ? Number(text.trim()) : Number(/^usage_usec (\d+)$/m.exec(text)?.[1]) * 1000;
  if (!Number.isFinite(ns)) throw new Error(`unreadable cgroup CPU counter: ${text.slice(0, 80)}`);
  return ns;
}
