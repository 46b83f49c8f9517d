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
