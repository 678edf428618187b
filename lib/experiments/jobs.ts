/**
 * A CIFAR training run as plain data: what a notebook asks for, what a worker process (lib/experiments/worker)
 * receives to train it, and what the run cache is keyed by (through `jobSpec`). The same job run in-process and in a
 * worker goes through the same function (`runJob`), so the notebook loads the worker's run from the cache unchanged.
 */
import type { LabeledData } from '../data/dataset';
import type { TrainCallbacks } from '../train/loop';
import type { CachedRun, RunSpec } from './cache';
import { CifarParams, cifarRun, cifarSpec, CifarVariant, corruptedCifarRun, corruptedSetup } from './cifar';

export type RunJob =
  | { kind: 'cifar'; params: CifarParams; alpha: number; seed: number; variant?: CifarVariant }
  /** A fraction `noise` of the training labels redrawn (the memorisation experiment, lib/experiments/cifar). */
  | { kind: 'corrupted'; params: CifarParams & { probe: number }; noise: number; alpha: number; seed: number; variant?: CifarVariant };

export type CifarData = { train: LabeledData; test: LabeledData };

export function cifarJob(params: CifarParams, alpha: number, seed: number, variant?: CifarVariant): RunJob {
  return { kind: 'cifar', params, alpha, seed, ...(variant ? { variant } : {}) };
}

export function corruptedJob(params: CifarParams & { probe: number }, noise: number, alpha: number, seed: number, variant?: CifarVariant): RunJob {
  return { kind: 'corrupted', params, noise, alpha, seed, ...(variant ? { variant } : {}) };
}

/** The run spec (and so the cache folder) a job trains; `data` is the job's CIFAR subset, as `runJob` gets it. */
export function jobSpec(job: RunJob, data: CifarData): RunSpec {
  if (job.kind === 'cifar') return cifarSpec(job.params, job.alpha, job.seed, {}, job.variant);
  return cifarSpec(job.params, job.alpha, job.seed, corruptedSetup(job.params, job.noise, job.seed, data).extraData, job.variant);
}

/** Trains the job in this process, or loads it from the run cache when it has finished before. */
export function runJob(job: RunJob, data: CifarData, callbacks?: TrainCallbacks): Promise<CachedRun> {
  if (job.kind === 'cifar') return cifarRun(job.params, job.alpha, job.seed, data, callbacks, undefined, job.variant);
  return corruptedCifarRun(job.params, job.noise, job.alpha, job.seed, data, callbacks, job.variant);
}

/** A few words naming the job, for progress and error messages. */
export function jobLabel(job: RunJob): string {
  const v = job.variant ? ` ${JSON.stringify(job.variant)}` : '';
  const noise = job.kind === 'corrupted' ? `, ${job.noise * 100} % noise` : '';
  return `CIFAR-10 run α = ${job.alpha}${noise}, seed ${job.seed}${v}`;
}
