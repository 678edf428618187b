/**
 * A CIFAR training run as plain data: what a notebook asks for, what a worker process (lib/cluster/worker)
 * receives to train it, and what the run cache is keyed by (through `jobSpec`, lib/experiments/cifar). The same job run in-process and in a
 * worker goes through the same function (`runJob`), so the notebook loads the worker's run from the cache unchanged.
 */
import { loadCifar10 } from '../data/cifar10';
import type { LabeledData } from '../data/dataset';
import type { TrainCallbacks } from '../train/loop';
import { CachedRun, RunClaim, RunSpec, specKey } from '../runs/cache';
import { CifarJob, CifarParams, cifarRun, CifarVariant, CorruptedJob, corruptedCifarRun, jobSpec } from './cifar';

export { jobSpec };

export type RunJob = CifarJob | CorruptedJob;

export type CifarData = { train: LabeledData; test: LabeledData };

/** The CIFAR subset a job trains on (its params' first trainLimit / testLimit images), each subset loaded once. */
export type JobData = (job: RunJob) => Promise<CifarData>;

export function jobData(
  load: (limits: { trainLimit: number; testLimit: number }) => Promise<CifarData> = loadCifar10,
): JobData {
  const loaded = new Map<string, Promise<CifarData>>();
  return (job) => {
    const { trainLimit, testLimit } = job.params;
    const key = `${trainLimit}/${testLimit}`;
    if (!loaded.has(key)) loaded.set(key, load({ trainLimit, testLimit }));
    return loaded.get(key)!;
  };
}

/**
 * A corrupted job redraws the labels of the images it is given, so data of another size would train a different run
 * than its spec (`jobSpec`) names and caches.
 */
function checkData(job: RunJob, data: CifarData): void {
  const { trainLimit, testLimit } = job.params;
  if (data.train.n !== trainLimit || data.test.n !== testLimit) {
    throw new Error(
      `${jobLabel(job)} trains on the first ${trainLimit} training and ${testLimit} test images, but was given ` +
        `${data.train.n} and ${data.test.n}: load the data its params name (loadCifar10 with those limits, or pass jobData() to trainRuns)`,
    );
  }
}

export function cifarJob(params: CifarParams, alpha: number, seed: number, variant?: CifarVariant): RunJob {
  return { kind: 'cifar', params, alpha, seed, ...(variant ? { variant } : {}) };
}

export function corruptedJob(
  params: CifarParams & { probe: number },
  noise: number,
  alpha: number,
  seed: number,
  variant?: CifarVariant,
): RunJob {
  return { kind: 'corrupted', params, noise, alpha, seed, ...(variant ? { variant } : {}) };
}

/** Trains the job in this process, or loads it from the run cache when it has finished before. */
export async function runJob(
  job: RunJob,
  data: CifarData,
  callbacks?: TrainCallbacks,
  claim?: RunClaim,
): Promise<CachedRun> {
  checkData(job, data);
  return job.kind === 'cifar' ? cifarRun(job, data, callbacks, claim) : corruptedCifarRun(job, data, callbacks, claim);
}

/** A few words naming the job, for progress and error messages. */
export function jobLabel(job: RunJob): string {
  const v = job.variant ? ` ${JSON.stringify(job.variant)}` : '';
  const noise = job.kind === 'corrupted' ? `, ${job.noise * 100} % noise` : '';
  return `CIFAR-10 run α = ${job.alpha}${noise}, seed ${job.seed}${v}`;
}

/** Whether `spec` is a run of `job`'s configuration, at any seed. */
export function isRunOf(job: RunJob, spec: RunSpec): boolean {
  const p: CifarParams = job.params;
  const want = jobSpec({ ...job, seed: 0 });
  const noise = job.kind === 'corrupted' ? job.noise : 0;
  return (
    spec.data.set === 'cifar10' &&
    spec.data.trainLimit === p.trainLimit &&
    spec.data.testLimit === p.testLimit &&
    ((spec.data.corruption as number | undefined) ?? 0) === noise &&
    specKey(spec.model) === specKey(want.model) &&
    specKey({ ...spec.train, seed: 0 }) === specKey({ ...want.train, seed: 0 })
  );
}
