import type { RandomStream } from '../random';

export interface CorruptedLabels {
  labels: Int32Array;
  /** Indices whose label was redrawn (sorted). */
  corrupted: Int32Array;
  /** True for each redrawn index, for per-subset metrics. */
  isCorrupted: Uint8Array;
  /** How many redrawn labels differ from the original (a redraw may hit the true class). */
  changed: number;
}

/**
 * Replaces a fraction p of the labels (exactly round(p·n), chosen by a seeded permutation) with classes drawn
 * uniformly from all classes, as in the paper's memorisation experiment (after Zhang et al. 2017).
 */
export function corruptLabels(
  labels: Int32Array,
  numClasses: number,
  fraction: number,
  rng: RandomStream,
): CorruptedLabels {
  if (!(fraction >= 0 && fraction <= 1)) throw new Error(`label-noise fraction must be in [0, 1], got ${fraction}`);
  const n = labels.length;
  const k = Math.round(fraction * n);
  const chosen = rng.permutation(n).slice(0, k).sort();
  const out = Int32Array.from(labels);
  const isCorrupted = new Uint8Array(n);
  let changed = 0;
  for (const i of chosen) {
    out[i] = rng.int(numClasses);
    isCorrupted[i] = 1;
    if (out[i] !== labels[i]) changed++;
  }
  return { labels: out, corrupted: chosen, isCorrupted, changed };
}
