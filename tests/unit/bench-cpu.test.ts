import assert from "node:assert/strict";
import { busyFraction, cgroupCpuNs, cpuCgroupFile, parsePidStat, parseProcStat } from "../../bench/cpu";

const STAT = `cpu  254267 0 101420 903742 2899 0 1769 1323 0 0
cpu0 125215 0 49641 456081 633 0 597 659 0 0
cpu1 129052 0 51779 447661 2265 0 1172 663 0 0
intr 1 2 3
`;

describe("bench cpu", () => {
  it("reads idle (idle + iowait) and total jiffies off the aggregate line, without guest time twice", () => {
    assert.deepEqual(parseProcStat(STAT), { idle: 906641, total: 1265420 });
  });

  it("fails when /proc/stat has no aggregate line or an unreadable one", () => {
    assert.throws(() => parseProcStat("cpu0 1 2 3 4 5\n"), { message: "/proc/stat has no aggregate cpu line" });
    assert.throws(() => parseProcStat("cpu  1 2 x 4 5\n"), { message: "unreadable cpu line: cpu  1 2 x 4 5" });
  });

  it("gives the busy share between two samples", () => {
    assert.equal(busyFraction({ idle: 1000, total: 2000 }, { idle: 1150, total: 2200 }), 0.25);
    assert.equal(busyFraction({ idle: 1000, total: 2000 }, { idle: 1200, total: 2200 }), 0);
  });

  it("calls no elapsed time idle", () => {
    assert.equal(busyFraction({ idle: 5, total: 10 }, { idle: 5, total: 10 }), 0);
  });

  it("reads a process's CPU ticks with its reaped children's, and its parent, even with a comm holding ') ('", () => {
    const stat =
      "4242 (containerd-shim) S 1 4242 3169 0 -1 4194560 2216 0 0 0 17 9 40 12 20 0 11 0 5443 734248960 2411 18446744073709551615 1 1 0 0 0 0";
    assert.deepEqual(parsePidStat(stat), { comm: "containerd-shim", ppid: 1, ticks: 78 });
    assert.deepEqual(parsePidStat("7 (a) (b) R 3 7 7 0 -1 0 0 0 0 0 1 2 3 4 20 0 1 0"), {
      comm: "a) (b",
      ppid: 3,
      ticks: 10,
    });
  });

  it("fails when /proc/<pid>/stat is unreadable", () => {
    assert.throws(() => parsePidStat("garbage"), { message: "unreadable /proc/<pid>/stat: garbage" });
  });

  it("finds the cgroup file that counts a container's CPU, v1 (cpuacct) and v2 (unified)", () => {
    const v1 = "12:cpu,cpuacct:/docker/abc\n9:name=systemd:/docker/abc\n";
    assert.deepEqual(cpuCgroupFile(v1), { version: 1, path: "/sys/fs/cgroup/cpuacct/docker/abc/cpuacct.usage" });
    assert.deepEqual(cpuCgroupFile("0::/system.slice/docker-abc.scope\n"), {
      version: 2,
      path: "/sys/fs/cgroup/system.slice/docker-abc.scope/cpu.stat",
    });
    assert.throws(() => cpuCgroupFile("9:name=systemd:/x\n"), {
      message: "no cpuacct or unified cgroup in: 9:name=systemd:/x",
    });
  });

  it("reads the cgroup CPU counters in nanoseconds", () => {
    assert.equal(cgroupCpuNs(1, "123456789\n"), 123456789);
    assert.equal(cgroupCpuNs(2, "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n"), 1_500_000);
    assert.throws(() => cgroupCpuNs(2, "user_usec 1\n"), { message: "unreadable cgroup CPU counter: user_usec 1\n" });
  });
});
