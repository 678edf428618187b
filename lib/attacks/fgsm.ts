/**
 * FGSM (Goodfellow et al. 2015) and I-FGSM (Kurakin et al. 2017) on inputs in [0, 1]:
 *   x' = clip(x + ε·sign(∇ₓ CE(f(x), y)), 0, 1),
 * I-FGSM: `iterations` steps of ε/iterations, each projected back to the ε-ball around x and to [0, 1].
 * ε is in input units: for 8-bit images pass pixel units over 255 (e.g. 8/255).
 */
import { tf } from '../backend';
import type { LabeledData } from '../data/dataset';
import type { Model } from '../models';

export interface AttackOptions { iterations?: number }

export function fgsm(model: Model, x: tf.Tensor, labels: ArrayLike<number>, epsilon: number, options: AttackOptions = {}): tf.Tensor {
  if (!(epsilon >= 0 && Number.isFinite(epsilon))) throw new Error(`epsilon must be a finite number ≥ 0, got ${epsilon}`);
  const iterations = options.iterations ?? 1;
  if (!Number.isInteger(iterations) || iterations < 1) throw new Error(`iterations must be a positive integer, got ${iterations}`);
  return tf.tidy(() => {
    const y = tf.oneHot(Array.from(labels), model.numClasses).toFloat();
    const lossGrad = tf.grad((xi: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, model.apply(xi, false)));
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
    const y = tf.oneHot(Array.from(labels), model.numClasses).toFloat();
    return tf.sign(tf.grad((xi: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, model.apply(xi, false)))(x));
  });
}

export interface AttackRow { epsilon: number; target: string; error: number }

/**
 * Error rates of each target model on adversarial examples made on `source`, per ε. White-box: put the source
 * among the targets; black-box: the other targets. ε = 0 gives the clean error.
 */
export function attackErrors(source: Model, targets: Record<string, Model>, data: LabeledData, epsilons: number[],
  options: AttackOptions & { batchSize?: number; limit?: number } = {}): AttackRow[] {
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
      epsilons.forEach((epsilon, e) => tf.tidy(() => {
        const adv = direction ? tf.clipByValue(tf.add(x, tf.mul(direction, epsilon)), 0, 1) : fgsm(source, x, labels, epsilon, options);
        for (const name of names) {
          const pred = tf.argMax(targets[name].apply(adv, false), 1).dataSync();
          for (let i = 0; i < labels.length; i++) if (pred[i] !== labels[i]) wrong[e][name]++;
        }
      }));
    });
  }
  return epsilons.flatMap((epsilon, e) => names.map((name) => ({ epsilon, target: name, error: wrong[e][name] / n })));
}
