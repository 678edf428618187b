/**
 * Confidence where there is nothing to recognise: a model scored on lib/data/ood's inputs (noise, pixel-shuffled
 * images). A calibrated model's top-class probability there stays near 1/classes; an over-confident one calls noise a
 * frog at 0.99.
 */
import type { OodSets } from '../data/ood';
import type { Model } from '../models';
import { topOf } from './calibration';
import { predict } from './metrics';

export interface OodConfidence {
  n: number;
  /** Mean top-class probability on inputs that belong to no class. */
  meanConfidence: number;
  /** Share of them on which the model is more than 90 % sure of some class. */
  over90: number;
}

/** What a model claims about inputs that are no class at all: its top-class probabilities' mean and share above 0.9. */
export function oodConfidence(probs: Float32Array, numClasses: number): OodConfidence {
  const n = probs.length / numClasses;
  let sum = 0,
    over = 0;
  for (let i = 0; i < n; i++) {
    const c = topOf(probs, numClasses, i)[1];
    sum += c;
    if (c > 0.9) over++;
  }
  return { n, meanConfidence: n ? sum / n : 0, over90: n ? over / n : 0 };
}

/** The keys a CIFAR run's last epoch records in `extra` (lib/experiments/cifar), one pair per set. */
export const OOD_KEYS = {
  noise: { confidence: 'oodNoiseConfidence', over90: 'oodNoiseOver90' },
  shuffled: { confidence: 'oodShuffledConfidence', over90: 'oodShuffledOver90' },
} as const;

/** `model` on both sets, as the per-epoch `extra` measures a run records. */
export function oodMeasures(model: Model, sets: OodSets, batchSize = 500): Record<string, number> {
  const out: Record<string, number> = {};
  for (const set of ['noise', 'shuffled'] as const) {
    const c = oodConfidence(predict(model, sets[set], batchSize).probs, model.numClasses);
    out[OOD_KEYS[set].confidence] = c.meanConfidence;
    out[OOD_KEYS[set].over90] = c.over90;
  }
  return out;
}
