/**
 * Whom an example mixes with, for the pairings of the paper's ablation (section 3.8) that look beyond the batch:
 *  - 'within-class': a random other training example of the same class (the paper's "AC" row);
 *  - 'nearest': a random one of the k training examples nearest in input space (Euclidean on raw pixels; the
 *    paper's "KNN" row, k = 200 per a secondary source).
 * The reference code's default, a random partner from the same batch, needs no table (lib/mixup.ts permutes).
 * k-nearest neighbours are hand-written on TensorFlow (squared distances from one matrix product per block of rows
 * and tf.topk): no kept library does brute-force kNN on tensors, and at 2,500 images it takes about a second.
 */
import { tf } from '../backend';
import type { RandomStream } from '../random';
import type { LabeledData } from './dataset';

export type Pairing = 'random' | 'within-class' | 'nearest';
export const PAIRINGS: readonly Pairing[] = ['random', 'within-class', 'nearest'];
export const DEFAULT_NEIGHBOURS = 200;

export interface PartnerTable {
  readonly pairing: Exclude<Pairing, 'random'>;
  /** One partner for each of `indices` (training-set indices), drawn from `rng`. */
  draw(indices: ArrayLike<number>, rng: RandomStream): Int32Array;
}

/** Partners among the same class; an example alone in its class partners itself (mixing with itself changes nothing). */
export function withinClassPartners(labels: ArrayLike<number>, numClasses: number): PartnerTable {
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < labels.length; i++) byClass[labels[i]].push(i);
  return {
    pairing: 'within-class',
    draw(indices, rng) {
      return Int32Array.from(indices, (i) => {
        const pool = byClass[labels[i]];
        if (pool.length < 2) return i;
        const j = rng.int(pool.length - 1); // a uniform pick among the others: skip i's own slot
        const pick = pool[j];
        return pick === i ? pool[pool.length - 1] : pick;
      });
    },
  };
}

/**
 * Indices [n, k] of each row's k nearest other rows of `x` [n, d] (squared Euclidean distance, ties by index),
 * computed `blockRows` rows at a time so an n × n distance matrix is never held.
 */
export function nearestNeighbours(x: tf.Tensor2D, k: number, blockRows = 512): Int32Array {
  const [n] = x.shape;
  if (!Number.isInteger(k) || k < 1 || k >= n)
    throw new Error(`nearest-neighbour pairing needs 1 ≤ k < ${n} (the training set's size), got k = ${k}`);
  const out = new Int32Array(n * k);
  const norms = tf.tidy(() => tf.sum(tf.square(x), 1));
  for (let start = 0; start < n; start += blockRows) {
    const rows = Math.min(blockRows, n - start);
    const idx = tf.tidy(() => {
      const block = tf.slice(x, [start, 0], [rows, -1]);
      // −‖a − b‖² = 2a·b − ‖a‖² − ‖b‖²; topk of the negative distance is the k nearest.
      let negDist = tf.sub(
        tf.sub(tf.mul(2, tf.matMul(block, x, false, true)), tf.slice(norms, [start], [rows]).reshape([rows, 1])),
        norms.reshape([1, n]),
      );
      // Exclude each row itself.
      const self = tf.oneHot(tf.range(start, start + rows, 1, 'int32'), n).toFloat();
      negDist = tf.sub(negDist, tf.mul(self, 1e30));
      return tf.topk(negDist, k).indices;
    });
    out.set(idx.dataSync() as Int32Array, start * k);
    idx.dispose();
  }
  norms.dispose();
  return out;
}

export function nearestPartners(data: LabeledData, k = DEFAULT_NEIGHBOURS): PartnerTable {
  const all = Int32Array.from({ length: data.n }, (_, i) => i);
  const table = tf.tidy(() => {
    const x = data.batch(all);
    return x.reshape([data.n, -1]) as tf.Tensor2D;
  });
  const nn = nearestNeighbours(table, k);
  table.dispose();
  return {
    pairing: 'nearest',
    draw(indices, rng) {
      return Int32Array.from(indices, (i) => nn[i * k + rng.int(k)]);
    },
  };
}

/** The partner table a pairing needs, or null for 'random' (partners from the batch). */
export function partnerTable(pairing: Pairing, data: LabeledData, k = DEFAULT_NEIGHBOURS): PartnerTable | null {
  if (!PAIRINGS.includes(pairing))
    throw new Error(`unknown mixup pairing '${String(pairing)}': use one of ${PAIRINGS.join(', ')}`);
  if (pairing === 'random') return null;
  return pairing === 'within-class' ? withinClassPartners(data.labels, data.numClasses) : nearestPartners(data, k);
}
