/**
 * The 2-D mixtures of the paper's GAN figure (section 3.7), as the authors' demo (hongyi-zhang/mixup,
 * gan/example_gan.py) draws them: 'ring', 8 Gaussians on the unit circle; 'grid', 5×5 Gaussians on
 * {-1, -0.5, 0, 0.5, 1}²; each with standard deviation 0.01 and equal weights.
 */
import type { RandomStream } from '../random';

export type ModeSet = 'ring' | 'grid';
export const MODE_SETS: readonly ModeSet[] = ['ring', 'grid'];

/** The mode centres, [k × 2] row-major. */
export function modeCentres(set: ModeSet): Float32Array {
  if (set === 'ring') {
    // The demo's angles: t = 0, 2π/8, …, starting at (sin 0, cos 0) = (0, 1).
    return Float32Array.from({ length: 16 }, (_, i) =>
      (i % 2 === 0 ? Math.sin : Math.cos)((2 * Math.PI * Math.floor(i / 2)) / 8),
    );
  }
  if (set === 'grid') {
    const out = new Float32Array(50);
    let k = 0;
    for (let i = -2; i <= 2; i++)
      for (let j = -2; j <= 2; j++) {
        out[k++] = i / 2;
        out[k++] = j / 2;
      }
    return out;
  }
  throw new Error(`unknown 2-D mode set '${String(set)}': use one of ${MODE_SETS.join(', ')}`);
}

/** n points: a uniformly chosen mode plus N(0, std²) noise per coordinate. [n × 2] row-major. */
export function sampleModes(set: ModeSet, n: number, std: number, rng: RandomStream): Float32Array {
  if (!Number.isInteger(n) || n < 1) throw new Error(`sampleModes needs n ≥ 1 points, got ${n}`);
  if (!(std >= 0)) throw new Error(`std must be ≥ 0, got ${std}`);
  const c = modeCentres(set);
  const k = c.length / 2;
  const out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const m = rng.int(k);
    out[2 * i] = c[2 * m] + rng.normal(0, std);
    out[2 * i + 1] = c[2 * m + 1] + rng.normal(0, std);
  }
  return out;
}
