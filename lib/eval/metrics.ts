import { tf } from '../backend';
import type { LabeledData } from '../data/dataset';
import type { Model } from '../models';
import { Calibration, calibration, CALIBRATION_BINS } from './calibration';

export interface Predictions {
  /** Softmax probabilities, n × classes, row-major. */
  probs: Float32Array;
  numClasses: number;
  /** Mean cross-entropy against `labels`. */
  loss: number;
}

function range(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}

/** Inference-mode predictions over all of `data` (or `indices`), in batches. */
export function predict(
  model: Model,
  data: LabeledData,
  batchSize = 500,
  indices: ArrayLike<number> = range(data.n),
): Predictions {
  const k = model.numClasses;
  const probs = new Float32Array(indices.length * k);
  let lossSum = 0;
  for (let s = 0; s < indices.length; s += batchSize) {
    const idx = Array.prototype.slice.call(indices, s, s + batchSize) as number[];
    // Tensors out of tidy, values read after: tidy walks every element of a typed array handed back to it.
    const [p, l] = tf.tidy(() => {
      const logits = model.apply(data.batch(idx), { training: false });
      const labels = tf.tensor1d(
        idx.map((i) => data.labels[i]),
        'int32',
      );
      const logp = tf.logSoftmax(logits);
      const nll = tf.neg(tf.sum(tf.mul(logp, tf.oneHot(labels, k)), 1));
      return [tf.exp(logp), tf.sum(nll)];
    });
    probs.set(p.dataSync() as Float32Array, s * k);
    lossSum += l.dataSync()[0];
    tf.dispose([p, l]);
  }
  return { probs, numClasses: k, loss: lossSum / indices.length };
}

export function argmaxRows(probs: Float32Array, k: number): Int32Array {
  const out = new Int32Array(probs.length / k);
  for (let i = 0; i < out.length; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (probs[i * k + j] > probs[i * k + best]) best = j;
    out[i] = best;
  }
  return out;
}

/** Fraction of predictions that differ from the labels. */
export function errorRate(predicted: ArrayLike<number>, labels: ArrayLike<number>): number {
  if (predicted.length !== labels.length)
    throw new Error(`errorRate: ${predicted.length} predictions for ${labels.length} labels`);
  let wrong = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] !== labels[i]) wrong++;
  return labels.length ? wrong / labels.length : 0;
}

/** Expected calibration error (Guo et al. 2017) over equal-width bins of the top probability: lib/eval/calibration's. */
export function expectedCalibrationError(
  probs: Float32Array,
  labels: ArrayLike<number>,
  k: number,
  bins = CALIBRATION_BINS,
): number {
  return calibration({ probs, numClasses: k, loss: NaN }, labels, bins).ece;
}

export interface Evaluation {
  loss: number;
  error: number;
  ece: number;
  n: number;
  /** The rest of lib/eval/calibration's measures, from the same probabilities. */
  calibration: Calibration;
}

export function evaluate(model: Model, data: LabeledData, batchSize = 500, indices?: ArrayLike<number>): Evaluation {
  const idx = indices ?? range(data.n);
  const p = predict(model, data, batchSize, idx);
  const labels = Int32Array.from(idx as ArrayLike<number>, (i) => data.labels[i]);
  const cal = calibration(p, labels);
  return {
    loss: p.loss,
    error: errorRate(argmaxRows(p.probs, p.numClasses), labels),
    ece: cal.ece,
    n: labels.length,
    calibration: cal,
  };
}
