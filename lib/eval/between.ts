/**
 * The paper's Fig. 2: how a model behaves between training examples. For random training pairs (i, j) and
 * λ on a grid, at x = λ·x_i + (1−λ)·x_j:
 *   (a) a miss is a prediction outside {y_i, y_j};
 *   (b) the norm of the gradient of the loss (cross-entropy against λ·y_i + (1−λ)·y_j) w.r.t. the input.
 */
import { tf } from '../backend';
import type { LabeledData } from '../data/dataset';
import type { Model } from '../models';
import { RandomStream, stream } from '../random';

export interface BetweenPoint {
  lambda: number;
  missRate: number;
  gradNorm: number;
}

/** The λ grid of Fig. 2. */
export const BETWEEN_LAMBDAS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];

export interface BetweenOptions {
  pairs: number;
  lambdas: number[];
  batchSize?: number;
}

export function inBetween(model: Model, data: LabeledData, rng: RandomStream, options: BetweenOptions): BetweenPoint[] {
  const { pairs, lambdas } = options;
  if (!Number.isInteger(pairs) || pairs < 1) throw new Error(`pairs must be a positive integer, got ${pairs}`);
  if (lambdas.some((l) => !(l >= 0 && l <= 1))) throw new Error(`every λ must lie in [0, 1], got [${lambdas}]`);
  const a = Int32Array.from({ length: pairs }, () => rng.int(data.n));
  const b = Int32Array.from({ length: pairs }, () => rng.int(data.n));
  const bs = options.batchSize ?? 250;
  const k = data.numClasses;
  return lambdas.map((lambda) => {
    let misses = 0,
      normSum = 0;
    for (let s = 0; s < pairs; s += bs) {
      const ia = Array.from(a.subarray(s, s + bs)),
        ib = Array.from(b.subarray(s, s + bs));
      const ya = ia.map((i) => data.labels[i]),
        yb = ib.map((i) => data.labels[i]);
      const [pred, norms] = tf.tidy(() => {
        const x = tf.add(tf.mul(data.batch(ia), lambda), tf.mul(data.batch(ib), 1 - lambda));
        const target = tf.add(
          tf.mul(tf.oneHot(ya, k).toFloat(), lambda),
          tf.mul(tf.oneHot(yb, k).toFloat(), 1 - lambda),
        );
        let logits: tf.Tensor | null = null;
        // Summed per-example losses: in inference mode examples are independent, so each row of the
        // gradient is that example's own gradient.
        const g = tf.grad((xi: tf.Tensor) => {
          logits = tf.keep(model.apply(xi, { training: false }));
          return tf.sum(tf.neg(tf.sum(tf.mul(target, tf.logSoftmax(logits)), 1)));
        })(x);
        const flat = tf.reshape(g, [g.shape[0], -1]);
        const out: [Int32Array, Float32Array] = [
          tf.argMax(logits!, 1).dataSync() as Int32Array,
          tf.norm(flat, 'euclidean', 1).dataSync() as Float32Array,
        ];
        (logits as unknown as tf.Tensor).dispose();
        return out;
      });
      for (let i = 0; i < pred.length; i++) {
        if (pred[i] !== ya[i] && pred[i] !== yb[i]) misses++;
        normSum += norms[i];
      }
    }
    return { lambda, missRate: misses / pairs, gradNorm: normSum / pairs };
  });
}

/**
 * Fig. 2's measures for several models on the same pairs: each model draws its pairs from a fresh stream `between` of
 * `seed`, so ERM and mixup are measured at the very same points.
 */
export function inBetweenByMethod(
  models: Record<string, Model>,
  data: LabeledData,
  seed: number,
  options: BetweenOptions,
): Record<string, BetweenPoint[]> {
  return Object.fromEntries(
    Object.entries(models).map(([m, model]) => [m, inBetween(model, data, stream(seed, 'between'), options)]),
  );
}
