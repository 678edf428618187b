/** Mean and spread over seeds, for the notebooks' tables. */
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
