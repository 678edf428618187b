/** How sharp a 2-class decision boundary is: p(y = 1 | x) over a grid and the share of it that is uncertain. */
import { tf } from '../backend';
import type { Grid } from '../data/toy2d';
import type { Model } from '../models';

export function probabilityGrid(model: Model, grid: Grid): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor2d(grid.points, [grid.points.length / 2, 2]);
    return tf
      .softmax(model.apply(x, { training: false }))
      .slice([0, 1], [-1, 1])
      .dataSync() as Float32Array;
  });
}

/** Fraction of grid points with lo < p < hi: the area of the band where the model is unsure (0 for a hard boundary). */
export function uncertainBand(p: ArrayLike<number>, lo = 0.1, hi = 0.9): number {
  let k = 0;
  for (let i = 0; i < p.length; i++) if (p[i] > lo && p[i] < hi) k++;
  return k / p.length;
}
