/**
 * The CIFAR-10 runs shared by the CIFAR, corrupted-label and adversarial notebooks: one place defines the
 * profiles and the run spec, so notebook 5 reuses notebook 2's cached models when their configuration matches.
 */
import type { LabeledData } from '../data/dataset';
import type { TrainCallbacks } from '../train/loop';
import { PAPER_CIFAR_SGD, scaledCifarSgd } from '../train/optimizer';
import { cachedRun, CachedRun, RunSpec } from './cache';
import type { BaseParams, Profile } from './profiles';

export interface CifarParams extends BaseParams {
  trainLimit: number; testLimit: number; width: number; epochs: number; batchSize: number; alpha: number;
}

/** quick: sized to native TensorFlow on a 2-core CPU (see the README for measured times). */
export const CIFAR_PROFILES: Record<Profile, CifarParams> = {
  smoke: { seeds: [1], trainLimit: 256, testLimit: 200, width: 4, epochs: 1, batchSize: 64, alpha: 1 },
  quick: { seeds: [1, 2, 3], trainLimit: 10000, testLimit: 2000, width: 8, epochs: 4, batchSize: 128, alpha: 1 },
  paper: { seeds: [1], trainLimit: 50000, testLimit: 10000, width: 64, epochs: 200, batchSize: 128, alpha: 1 },
};

export function cifarSpec(p: CifarParams, alpha: number, seed: number, extraData: Record<string, unknown> = {}): RunSpec {
  return {
    data: { set: 'cifar10', trainLimit: p.trainLimit, testLimit: p.testLimit, ...extraData },
    model: { kind: 'preact-resnet18', width: p.width, numClasses: 10 },
    train: { epochs: p.epochs, batchSize: p.batchSize, optimizer: p.epochs === 200 ? PAPER_CIFAR_SGD : scaledCifarSgd(p.epochs), mixup: { alpha }, seed },
  };
}

export function cifarRun(p: CifarParams, alpha: number, seed: number, data: { train: LabeledData; test: LabeledData },
  callbacks?: TrainCallbacks, extraData?: Record<string, unknown>): Promise<CachedRun> {
  return cachedRun(cifarSpec(p, alpha, seed, extraData), data, callbacks);
}
