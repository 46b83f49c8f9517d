// Summary statistics for the bench (pure: tested in tests/unit/bench-stats.test.ts).

export interface Summary {
  n: number;
  min: number;
  median: number;
  max: number;
}

function sorted(values: number[]): number[] {
  if (values.length === 0) throw new Error("no values to summarise");
  return [...values].sort((a, b) => a - b);
}

/** The median; the mean of the two middle values for an even count. */
export function median(values: number[]): number {
  const s = sorted(values);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Nearest-rank percentile: a measured value, never interpolated. */
export function percentile(values: number[], p: number): number {
  if (!(p > 0 && p <= 100)) throw new Error(`percentile must be in (0, 100]; got ${p}`);
  const s = sorted(values);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

export function summarise(values: number[]): Summary {
  const s = sorted(values);
  return { n: s.length, min: s[0], median: median(s), max: s[s.length - 1] };
}

/** b[i] / a[i] for each pair, in run order: pairs taken back to back share the machine's state. */
export function pairwiseRatios(a: number[], b: number[]): number[] {
  if (a.length !== b.length)
    throw new Error(`pairwise ratios need as many A runs as B runs; got ${a.length} and ${b.length}`);
  return a.map((x, i) => {
    if (!(x > 0)) throw new Error(`run ${i + 1} of A took ${x}: a ratio needs a positive time`);
    return b[i] / x;
  });
}

export interface LinearFit {
  /** Change in y per unit of x (e.g. ms per worker). */
  slope: number;
  intercept: number;
  /** Coefficient of determination: 1 is a perfect line. */
  r2: number;
}

/** Ordinary least squares y = intercept + slope·x. */
export function linearFit(points: { x: number; y: number }[]): LinearFit {
  if (new Set(points.map((p) => p.x)).size < 2) throw new Error("a linear fit needs at least two distinct x values");
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  const sxy = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const syy = points.reduce((s, p) => s + (p.y - my) ** 2, 0);
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  const ssRes = points.reduce((s, p) => s + (p.y - (intercept + slope * p.x)) ** 2, 0);
  return { slope, intercept, r2: syy === 0 ? 1 : 1 - ssRes / syy };
}

export type Growth = "linear" | "super-linear" | "sub-linear";

/**
 * Whether y grows linearly with x: compares the slope over the upper half of the range with the
 * slope over the lower half (a factor of 2 either way is the line) and asks the fit to explain
 * 95% of the variance.
 */
export function growth(points: { x: number; y: number }[]): {
  verdict: Growth;
  lowerSlope: number;
  upperSlope: number;
  fit: LinearFit;
} {
  const p = [...points].sort((a, b) => a.x - b.x);
  if (p.length < 3) throw new Error("judging growth needs at least three points");
  const slope = (a: { x: number; y: number }, b: { x: number; y: number }) => (b.y - a.y) / (b.x - a.x);
  const mid = p[Math.floor(p.length / 2)];
  const lowerSlope = slope(p[0], mid);
  const upperSlope = slope(mid, p[p.length - 1]);
  const fit = linearFit(p);
  const factor = upperSlope / lowerSlope;
  const verdict: Growth =
    lowerSlope > 0 && factor > 2
      ? "super-linear"
      : lowerSlope > 0 && factor < 0.5
        ? "sub-linear"
        : fit.r2 >= 0.95
          ? "linear"
          : upperSlope > lowerSlope
            ? "super-linear"
            : "sub-linear";
  return { verdict, lowerSlope, upperSlope, fit };
}
