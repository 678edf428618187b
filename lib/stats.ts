/** Spreads over seeds and the tests between two sets of runs: the one place the project's statistics live. */
import ttest2 from '@stdlib/stats-ttest2';
/** The middle value (the upper of the two middle ones for an even count). */
export function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

/** Mean and sample standard deviation. */
export function meanStd(xs: number[]): { mean: number; std: number; n: number } {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}

/** "12.34 ± 0.56" in percent (± is the sample standard deviation over seeds; omitted for one seed). */
export function summarize(fractions: number[], digits = 2): string {
  const { mean, std, n } = meanStd(fractions.map((f) => 100 * f));
  return n > 1 ? `${mean.toFixed(digits)} ± ${std.toFixed(digits)}` : mean.toFixed(digits);
}

export interface Spread {
  n: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  seeds: number[];
}

/** The spread of values, each labelled with its seed (null when none is a number). */
export function spreadOf(values: { seed: number; v: number | null | undefined }[]): Spread | null {
  const rs = values.filter((x): x is { seed: number; v: number } => typeof x.v === 'number' && Number.isFinite(x.v));
  if (!rs.length) return null;
  const vs = rs.map((x) => x.v);
  return { ...meanStd(vs), min: Math.min(...vs), max: Math.max(...vs), seeds: rs.map((x) => x.seed) };
}

/** "34.24 ± 0.50 [33.8–34.9], 3 seeds" (or the one value for one seed); `of` names what was counted ("runs"). */
export function formatSpread(s: Spread | null, digits = 2, of = 'seeds'): string | null {
  if (!s) return null;
  if (s.n === 1) return `${s.mean.toFixed(digits)} (seed ${s.seeds[0]})`;
  return `${s.mean.toFixed(digits)} ± ${s.std.toFixed(digits)} [${s.min.toFixed(1)}–${s.max.toFixed(1)}], ${s.n} ${of}`;
}

/**
 * Where a value of ours (percent) lies against the reference's seeds: 'inside' their range, or how far outside it
 * and how many standard deviations from their mean (three seeds make a narrow range: read both).
 */
export function againstSpread(value: number, s: Spread | null): string | null {
  if (!s || s.n < 2) return null;
  if (value >= s.min && value <= s.max) return 'inside';
  const by = value < s.min ? s.min - value : value - s.max;
  const z = s.std > 0 ? ` (${(Math.abs(value - s.mean) / s.std).toFixed(1)} sd from the mean)` : '';
  return `${by.toFixed(2)} ${value < s.min ? 'below' : 'above'}${z}`;
}

/**
 * Welch's two-sample t-test (unequal variances, two-sided) of a against b, seeds as units: whether two sets of runs
 * could share a mean. Null when a side has fewer than two values or neither varies (the test is undefined there).
 */
export function welchTest(a: number[], b: number[]): { p: number; t: number; df: number } | null {
  if (a.length < 2 || b.length < 2) return null;
  if (meanStd(a).std === 0 && meanStd(b).std === 0) return null;
  const r = ttest2(a, b, { variance: 'unequal' });
  return { p: r.pValue, t: r.statistic, df: r.df };
}

/** How a method moved an error against a baseline over seeds: `lower` and `higher` only where Welch's test separates them. */
export interface Effect {
  /** Baseline mean minus method mean: positive when the method lowers the error. */
  gain: number;
  p: number | null;
  verdict: 'lower' | 'higher' | 'no clear difference';
}

/** The effect of a method (errors per seed) against a baseline's; `level` is the test's two-sided significance level. */
export function effectOf(baseline: number[], method: number[], level = 0.05): Effect {
  const gain = meanStd(baseline).mean - meanStd(method).mean;
  const t = welchTest(baseline, method);
  const p = t ? t.p : null;
  return { gain, p, verdict: p !== null && p < level ? (gain > 0 ? 'lower' : 'higher') : 'no clear difference' };
}
