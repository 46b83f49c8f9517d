import assert from "node:assert/strict";
import { growth, linearFit, median, pairwiseRatios, percentile, summarise } from "../../bench/stats";

describe("bench stats", () => {
  it("takes the middle value of an odd count and the mean of the two middle values of an even count", () => {
    assert.equal(median([9, 1, 5]), 5);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([7]), 7);
  });

  it("summarises min, median and max without reordering the input", () => {
    const values = [30, 10, 20, 50, 40];
    assert.deepEqual(summarise(values), { n: 5, min: 10, median: 30, max: 50 });
    assert.deepEqual(values, [30, 10, 20, 50, 40]);
  });

  it("fails when there is nothing to summarise", () => {
    assert.throws(() => summarise([]), { message: "no values to summarise" });
    assert.throws(() => median([]), { message: "no values to summarise" });
  });

  it("takes nearest-rank percentiles: a measured value, never an interpolation", () => {
    const twenty = Array.from({ length: 20 }, (_, i) => (i + 1) * 10); // 10 … 200
    assert.equal(percentile(twenty, 95), 190);
    assert.equal(percentile(twenty, 50), 100);
    assert.equal(percentile(twenty, 100), 200);
    assert.equal(percentile([12.5, 11, 13], 95), 13);
    assert.equal(percentile([12.5, 11, 13], 50), 12.5);
  });

  it("fails when the percentile is outside (0, 100]", () => {
    assert.throws(() => percentile([1, 2], 0), { message: "percentile must be in (0, 100]; got 0" });
    assert.throws(() => percentile([1, 2], 101), { message: "percentile must be in (0, 100]; got 101" });
  });

  it("divides B by A pair by pair, in run order", () => {
    assert.deepEqual(pairwiseRatios([2, 4, 5], [6, 10, 20]), [3, 2.5, 4]);
  });

  it("fails when the runs do not pair up or an A run took no time", () => {
    assert.throws(() => pairwiseRatios([1, 2], [3]), {
      message: "pairwise ratios need as many A runs as B runs; got 2 and 1",
    });
    assert.throws(() => pairwiseRatios([1, 0], [3, 4]), {
      message: "run 2 of A took 0: a ratio needs a positive time",
    });
  });

  it("fits a line by least squares", () => {
    assert.deepEqual(
      linearFit([
        { x: 1, y: 120 },
        { x: 10, y: 300 },
        { x: 100, y: 2100 },
      ]),
      { slope: 20, intercept: 100, r2: 1 },
    );
    const fit = linearFit([
      { x: 0, y: 1 },
      { x: 1, y: 3 },
      { x: 2, y: 2 },
    ]);
    assert.deepEqual(
      { slope: fit.slope, intercept: fit.intercept, r2: Number(fit.r2.toFixed(6)) },
      { slope: 0.5, intercept: 1.5, r2: 0.25 },
    );
  });

  it("fails to fit a line through a single x", () => {
    assert.throws(
      () =>
        linearFit([
          { x: 4, y: 1 },
          { x: 4, y: 2 },
        ]),
      { message: "a linear fit needs at least two distinct x values" },
    );
  });

  it("calls growth linear when both halves of the range have about the same slope", () => {
    const g = growth([
      { x: 100, y: 2100 },
      { x: 1, y: 120 },
      { x: 10, y: 300 },
    ]);
    assert.deepEqual(
      { verdict: g.verdict, lowerSlope: g.lowerSlope, upperSlope: g.upperSlope },
      { verdict: "linear", lowerSlope: 20, upperSlope: 20 },
    );
  });

  it("calls growth super-linear when the upper half's slope is more than twice the lower half's", () => {
    const g = growth([
      { x: 1, y: 6000 },
      { x: 4, y: 9000 },
      { x: 16, y: 45000 },
    ]);
    assert.deepEqual(
      { verdict: g.verdict, lowerSlope: g.lowerSlope, upperSlope: g.upperSlope },
      { verdict: "super-linear", lowerSlope: 1000, upperSlope: 3000 },
    );
  });

  it("calls growth sub-linear when the upper half's slope is under half the lower half's", () => {
    const g = growth([
      { x: 1, y: 1000 },
      { x: 4, y: 4000 },
      { x: 16, y: 8800 },
    ]);
    assert.deepEqual(
      { verdict: g.verdict, lowerSlope: g.lowerSlope, upperSlope: g.upperSlope },
      { verdict: "sub-linear", lowerSlope: 1000, upperSlope: 400 },
    );
  });

  it("fails to judge growth from fewer than three points", () => {
    assert.throws(
      () =>
        growth([
          { x: 1, y: 1 },
          { x: 2, y: 2 },
        ]),
      { message: "judging growth needs at least three points" },
    );
  });
});
