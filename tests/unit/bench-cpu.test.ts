import assert from "node:assert/strict";
import { busyFraction, parseProcStat } from "../../bench/cpu";

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
});
