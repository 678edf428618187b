/**
 * FGSM (Goodfellow et al. 2015) and I-FGSM (Kurakin et al. 2017) on inputs in [0, 1]:
 *   x' = clip(x + ε·sign(∇ₓ CE(f(x), y)), 0, 1),
 * I-FGSM: `iterations` steps of ε/iterations, each projected back to the ε-ball around x and to [0, 1].
 * ε is in input units: for 8-bit images pass pixel units over 255 (e.g. 8/255).
 *
 * The gradient is taken through `confidentCrossEntropy`, not tf.losses.softmaxCrossEntropy: on a confident
 * model the usual float32 gradient of the loss w.r.t. the logits, p − y, is decided by rounding (see there), and
 * so is the sign of ∇ₓ. On a confident low-data ERM model the float32 gradient's sign disagreed with the exact
 * (float64) one on part of the input entries, in tfjs and in PyTorch alike, and FGSM understated the error the exact
 * direction gives (`tools/reference/fgsm.py` rescores the reference's models: results/reference/, the `rescored`
 * lines); with this loss the sign agrees with the exact one.
 */
import { tf } from '../backend';
import type { LabeledData } from '../data/dataset';
import type { Model } from '../models';

export interface AttackOptions {
  iterations?: number;
}

/**
 * Mean cross-entropy of logits [n, k] against one-hot targets [n, k], whose gradient w.r.t. the logits,
 * (p − y) / n, is formed without cancellation: for the true class, 1 − p_y is summed from the other classes'
 * probabilities instead of subtracted from 1. Where the model is confident (a logit margin above ~16, p_y within a
 * few float32 steps of 1) the usual form rounds 1 − p_y to 0, 6e-8 or 1.2e-7, and that rounding, not the model,
 * sets how much the true class's logit pulls on the input gradient: FGSM then moves such examples in a direction
 * of float noise and overstates the model's robustness. The value is tfjs's own.
 */
export function confidentCrossEntropy(y: tf.Tensor2D, logits: tf.Tensor2D): tf.Scalar {
  const loss = tf.customGrad((z, save) => {
    (save as tf.GradSaveFunc)([z as tf.Tensor]);
    return {
      value: tf.losses.softmaxCrossEntropy(y, z as tf.Tensor2D) as tf.Scalar,
      gradFunc: (dy: tf.Tensor, [zs]: tf.Tensor[]) => {
        const others = tf.mul(tf.softmax(zs), tf.sub(1, y)); // p_j for j ≠ y, exact to float32 relative rounding
        const dz = tf.sub(others, tf.mul(y, tf.sum(others, 1, true)));
        return tf.mul(dz, tf.div(dy, zs.shape[0]));
      },
    };
  });
  return loss(logits) as tf.Scalar;
}

/** ∇ₓ of the mean cross-entropy against the true labels, through `confidentCrossEntropy`. */
function inputGradient(model: Model, y: tf.Tensor2D): (x: tf.Tensor) => tf.Tensor {
  return tf.grad((xi: tf.Tensor) => confidentCrossEntropy(y, model.apply(xi, { training: false })));
}

export function fgsm(
  model: Model,
  x: tf.Tensor,
  labels: ArrayLike<number>,
  epsilon: number,
  options: AttackOptions = {},
): tf.Tensor {
  if (!(epsilon >= 0 && Number.isFinite(epsilon)))
    throw new Error(`epsilon must be a finite number ≥ 0, got ${epsilon}`);
  const iterations = options.iterations ?? 1;
  if (!Number.isInteger(iterations) || iterations < 1)
    throw new Error(`iterations must be a positive integer, got ${iterations}`);
  return tf.tidy(() => {
    const y = tf.oneHot(Array.from(labels), model.numClasses).toFloat() as tf.Tensor2D;
    const lossGrad = inputGradient(model, y);
    const step = epsilon / iterations;
    let adv = x;
    for (let i = 0; i < iterations; i++) {
      const moved = tf.add(adv, tf.mul(tf.sign(lossGrad(adv)), step));
      adv = tf.clipByValue(tf.minimum(tf.maximum(moved, tf.sub(x, epsilon)), tf.add(x, epsilon)), 0, 1);
    }
    return adv;
  });
}

/** sign(∇ₓ CE(f(x), y)): FGSM's step direction. */
export function signGradient(model: Model, x: tf.Tensor, labels: ArrayLike<number>): tf.Tensor {
  return tf.tidy(() => {
    const y = tf.oneHot(Array.from(labels), model.numClasses).toFloat() as tf.Tensor2D;
    return tf.sign(inputGradient(model, y)(x));
  });
}

export interface AttackRow {
  epsilon: number;
  target: string;
  error: number;
}

/**
 * Error rates of each target model on adversarial examples made on `source`, per ε. White-box: put the source
 * among the targets; black-box: the other targets. ε = 0 gives the clean error.
 */
export function attackErrors(
  source: Model,
  targets: Record<string, Model>,
  data: LabeledData,
  epsilons: number[],
  options: AttackOptions & { batchSize?: number; limit?: number } = {},
): AttackRow[] {
  const n = Math.min(options.limit ?? data.n, data.n);
  const bs = options.batchSize ?? 250;
  const names = Object.keys(targets);
  const wrong = epsilons.map(() => Object.fromEntries(names.map((t) => [t, 0])) as Record<string, number>);
  for (let s = 0; s < n; s += bs) {
    const idx = Array.from({ length: Math.min(bs, n - s) }, (_, i) => s + i);
    const labels = idx.map((i) => data.labels[i]);
    tf.tidy(() => {
      const x = data.batch(idx);
      // FGSM's direction sign(∇ₓ loss) does not depend on ε: one gradient serves every ε (I-FGSM's does not).
      const direction = (options.iterations ?? 1) === 1 ? signGradient(source, x, labels) : null;
      epsilons.forEach((epsilon, e) =>
        tf.tidy(() => {
          const adv = direction
            ? tf.clipByValue(tf.add(x, tf.mul(direction, epsilon)), 0, 1)
            : fgsm(source, x, labels, epsilon, options);
          for (const name of names) {
            const pred = tf.argMax(targets[name].apply(adv, { training: false }), 1).dataSync();
            for (let i = 0; i < labels.length; i++) if (pred[i] !== labels[i]) wrong[e][name]++;
          }
        }),
      );
    });
  }
  return epsilons.flatMap((epsilon, e) => names.map((name) => ({ epsilon, target: name, error: wrong[e][name] / n })));
}
