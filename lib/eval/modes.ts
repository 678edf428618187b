/**
 * How well generated 2-D points cover a mixture's modes, the usual GAN-on-toys measures (after Srivastava et al.
 * 2017, VEEGAN): a point is high quality when it lies within `radius` of its nearest mode centre; a mode is covered
 * when at least `minShare` of its fair share (n / k) of the points are high-quality points nearest to it.
 */
export interface ModeCoverage {
  /** Modes covered, out of `modes`. */
  covered: number;
  modes: number;
  /** Share of the points within `radius` of a mode. */
  highQuality: number;
  /** High-quality points per mode. */
  counts: number[];
  /** Mean distance from a point to its nearest mode centre. */
  meanDistance: number;
}

export interface CoverageOptions {
  radius: number;
  minShare?: number;
}

export function modeCoverage(points: Float32Array, centres: Float32Array, o: CoverageOptions): ModeCoverage {
  if (points.length % 2 || centres.length % 2) throw new Error('modeCoverage takes [n × 2] points and centres');
  if (!(o.radius > 0)) throw new Error(`radius must be > 0, got ${o.radius}`);
  const n = points.length / 2,
    k = centres.length / 2;
  const counts = new Array<number>(k).fill(0);
  let good = 0,
    distSum = 0;
  for (let i = 0; i < n; i++) {
    let best = -1,
      bestD = Infinity;
    for (let m = 0; m < k; m++) {
      const dx = points[2 * i] - centres[2 * m],
        dy = points[2 * i + 1] - centres[2 * m + 1];
      const d = dx * dx + dy * dy;
      if (d < bestD) {
        bestD = d;
        best = m;
      }
    }
    distSum += Math.sqrt(bestD);
    if (Math.sqrt(bestD) <= o.radius) {
      counts[best]++;
      good++;
    }
  }
  const need = (o.minShare ?? 0.25) * (n / k);
  return {
    covered: counts.filter((c) => c > 0 && c >= need).length,
    modes: k,
    highQuality: n ? good / n : 0,
    counts,
    meanDistance: n ? distSum / n : 0,
  };
}
