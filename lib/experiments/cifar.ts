/**
 * The CIFAR-10 runs shared by the CIFAR, corrupted-label and adversarial notebooks: one place defines the
 * profiles and the run spec, so notebook 5 reuses notebook 2's cached models when their configuration matches.
 */
import type { MixupOptions } from '../mixup';
import { CIFAR_SGD_RECIPE, SgdRecipe, sgdForEpochs } from '../train/optimizer';
import type { RunSpec } from '../runs/cache';
import { BaseParams, Defaults, profileTable } from './profiles';

export interface CifarParams extends BaseParams {
  trainLimit: number;
  testLimit: number;
  width: number;
  epochs: number;
  batchSize: number;
  alpha: number;
  /** Score the test set after the first epoch, every evalEvery-th and the last (1: every epoch). */
  evalEvery: number;
  /** The optimizer and its schedule, stated (the paper's SGD, its decays as shares of the epochs). */
  optimizer: SgdRecipe;
}

/**
 * quick (the base): the low-data idea at a quarter of its cost — the first 1,000 training images for 240 epochs at
 * width 8, all 10,000 test images every 20 epochs, where the PyTorch reference shows mixup's lower clean error and its
 * resistance to memorisation there (results/reference/quick-candidates.jsonl; not the FGSM effect, which needs width
 * 16). Sized for a whole report on a 2-core CPU (its time: results/quick/timings.json).
 * lowdata: the first 2,500 training images for 240 epochs at width 16, scored on all 10,000 test images every
 * 10 epochs — the budget of 12 epochs of full CIFAR-10, where the PyTorch reference shows all three of the
 * paper's CIFAR effects (results/reference/).
 */
export const CIFAR_DEFAULTS: Defaults<CifarParams> = {
  base: {
    seeds: [1],
    trainLimit: 1000,
    testLimit: 10000,
    width: 8,
    epochs: 240,
    batchSize: 128,
    alpha: 1,
    evalEvery: 20,
    optimizer: CIFAR_SGD_RECIPE,
  },
  profiles: {
    smoke: { trainLimit: 256, testLimit: 200, width: 4, epochs: 1, batchSize: 64, evalEvery: 1 },
    lowdata: { trainLimit: 2500, width: 16, evalEvery: 10 },
    paper: { trainLimit: 50000, width: 64, epochs: 200, evalEvery: 1 },
  },
};

export const CIFAR_PROFILES = profileTable(CIFAR_DEFAULTS);

/**
 * What a run changes beyond α: the ablation's sampler options (pairing, targets, label smoothing, input noise),
 * weight decay, and dropout on the network's pooled features. Absent means the reference recipe.
 */
export interface CifarVariant {
  mixup?: Omit<MixupOptions, 'alpha'>;
  weightDecay?: number;
  dropout?: number;
}

export function cifarSpec(
  p: CifarParams,
  alpha: number,
  seed: number,
  extraData: Record<string, unknown> = {},
  variant: CifarVariant = {},
): RunSpec {
  const optimizer = sgdForEpochs(p.optimizer, p.epochs);
  // Only what differs from the reference recipe enters the spec, so runs cached before an option existed keep their keys.
  return {
    data: { set: 'cifar10', trainLimit: p.trainLimit, testLimit: p.testLimit, ...extraData },
    model: {
      kind: 'preact-resnet18',
      width: p.width,
      numClasses: 10,
      ...(variant.dropout ? { dropout: variant.dropout } : {}),
    },
    train: {
      epochs: p.epochs,
      batchSize: p.batchSize,
      optimizer: variant.weightDecay !== undefined ? { ...optimizer, weightDecay: variant.weightDecay } : optimizer,
      mixup: { alpha, ...(variant.mixup ?? {}) },
      seed,
      ...(p.evalEvery > 1 ? { evalEvery: p.evalEvery } : {}),
    },
  };
}

/** A CIFAR run by its protocol, α and seed: what `jobSpec` turns into the run's spec (lib/experiments/jobs). */
export type CifarJob = { kind: 'cifar'; params: CifarParams; alpha: number; seed: number; variant?: CifarVariant };
/** A fraction `noise` of the training labels redrawn (the memorisation experiment, `corruptedCifarRun`). */
export type CorruptedJob = {
  kind: 'corrupted';
  params: CifarParams & { probe: number };
  noise: number;
  alpha: number;
  seed: number;
  variant?: CifarVariant;
};

/**
 * The run spec (and so the cache folder) a job trains: the one place a job becomes its spec and key. It needs no data:
 * a memorisation run redraws exactly round(noise · n) labels (lib/data/corrupt), so its probe counts follow from its
 * params, and `trainSpec` (lib/experiments/jobs) checks that they match the labels it draws.
 */
export function jobSpec(job: CifarJob | CorruptedJob): RunSpec {
  return cifarSpec(job.params, job.alpha, job.seed, job.kind === 'corrupted' ? corruptedExtra(job) : {}, job.variant);
}

function corruptedExtra(job: CorruptedJob) {
  const { trainLimit, probe } = job.params;
  const redrawn = Math.round(job.noise * trainLimit);
  return {
    corruption: job.noise,
    corruptionSeed: job.seed,
    probe: { redrawn: Math.min(probe, redrawn), untouched: Math.min(probe, trainLimit - redrawn) },
  };
}
