/**
 * The 2-D two-class problem of the paper's Fig. 1(b). Its exact data is not published; two interleaved
 * half-moons with Gaussian noise give the curved boundary the figure needs.
 */
import type { RandomStream } from '../random';
import { TabularData } from './dataset';

export function twoMoons(n: number, noise: number, rng: RandomStream): TabularData {
  if (!Number.isInteger(n) || n < 2) throw new Error(`two moons needs n ≥ 2 points, got ${n}`);
  const features = new Float32Array(2 * n);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    const t = Math.PI * rng.uniform();
    const x = c === 0 ? Math.cos(t) : 1 - Math.cos(t);
    const y = c === 0 ? Math.sin(t) : 0.5 - Math.sin(t);
    features[2 * i] = x + rng.normal(0, noise);
    features[2 * i + 1] = y + rng.normal(0, noise);
    labels[i] = c;
  }
  return new TabularData(features, 2, labels, 2);
}

export interface Grid {
  xs: number[];
  ys: number[];
  points: Float32Array;
}

/** A steps×steps grid over [x0, x1]×[y0, y1], row-major in y then x. */
export function grid2d(x0: number, x1: number, y0: number, y1: number, steps: number): Grid {
  const xs = Array.from({ length: steps }, (_, i) => x0 + ((x1 - x0) * i) / (steps - 1));
  const ys = Array.from({ length: steps }, (_, i) => y0 + ((y1 - y0) * i) / (steps - 1));
  const points = new Float32Array(2 * steps * steps);
  let k = 0;
  for (const y of ys)
    for (const x of xs) {
      points[k++] = x;
      points[k++] = y;
    }
  return { xs, ys, points };
}
