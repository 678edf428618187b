/**
 * A run as plain data is its spec (`RunSpec`, the run cache's key): what a notebook asks for, what the pool schedules,
 * what the queue carries and what a worker trains. `trainSpec` is the one way a spec becomes a trained run, in a
 * notebook's process or a worker's: it loads the data set the spec names (lib/data/sets), adds the measures that set's
 * runs record, and trains through the run cache, so a run trained anywhere is loaded unchanged everywhere.
 */
import path from 'node:path';
import { dataSet, LoadedSet } from '../data/sets';
import { ImageData } from '../data/dataset';
import { oodSets } from '../data/ood';
import { evaluate } from '../eval/metrics';
import { oodMeasures } from '../eval/ood';
import type { Model } from '../models';
import type { TrainCallbacks } from '../train/loop';
import { cachedRun, CachedRun, finishedRun, RunClaim, runsRoot, RunSpec, specKey } from '../runs/cache';
import { isResultJob, resultKind, ResultJob } from './result-jobs';
import { CifarParams, CifarVariant, jobSpec } from './cifar';
import { method, methodAlpha, MethodName, PAPER_METHODS } from '../methods';
import type { MixupOptions } from '../mixup';

/** What the pool, the queue and a worker take: a run spec (weights and a history) or a result job (lib/experiments/result-jobs). */
export type RunJob = RunSpec | ResultJob;

/**
 * A job a notebook asks for, named by what it is: its method (the row of a table: a lib/methods name), the group
 * it is compared within (a noise level and protocol, a weight decay, a data set; '' for none) and its seed. Findings
 * pick runs by these, never by their place in a list.
 */
export interface Wanted<J extends RunJob = RunSpec> {
  label: string;
  /** The rows its error is measured on where they are not the test rows ('validation': notebook 4's α candidates). */
  scoredOn?: string;
  method: string;
  group: string;
  seed: number;
  job: J;
}
export type WantedRun = Wanted<RunSpec>;

/**
 * Each method's run for each seed, within `group`: what notebooks 1, 2 and 4 compare (ERM and mixup by default).
 * `spec` builds a run from the method's α (lib/methods' `methodAlpha`, with `alpha` the protocol's) and its sampler
 * options beyond α (none for ERM and mixup, so their runs keep their keys).
 */
export function methodRuns(
  seeds: number[],
  alpha: number,
  spec: (alpha: number, seed: number, options: Omit<MixupOptions, 'alpha'>) => RunSpec,
  group = '',
  methods: readonly MethodName[] = PAPER_METHODS,
): WantedRun[] {
  return seeds.flatMap((seed) =>
    methods.map((name) => {
      const m = method(name);
      return {
        method: m.name,
        group,
        seed,
        label: `${group ? `${group}, ` : ''}${m.name}, seed ${seed}`,
        job: spec(methodAlpha(m, alpha), seed, m.options),
      };
    }),
  );
}

/** The run cache's key of a job: a run spec's `runKey`, a result job's `cachedResult` key (both: the job's hash). */
export const jobKey = (job: RunJob): string => specKey(job);

/** The job's folder in the run cache; its result.json marks it done. */
export const jobDir = (job: RunJob, root = runsRoot()): string => path.join(root, jobKey(job));

/** Epochs for a progress bar: a result job counts as one. */
export const jobEpochs = (job: RunJob): number => (isResultJob(job) ? 1 : job.train.epochs);

/** The runs a job reads, which must be in the run cache before it starts (an attack's models). */
export function jobNeeds(job: RunJob): RunSpec[] {
  return isResultJob(job) ? resultKind(job).needs(job.spec) : [];
}

/** What a job's seconds are counted under in the pool's record: its data set, or its result kind. */
export function jobKind(job: RunJob): string {
  return isResultJob(job) ? job.kind : String(job.data.set);
}

/** The data whose checksums a worker must share to take the job (null: it generates its own). */
export function jobData(job: RunJob): Record<string, unknown> | null {
  return isResultJob(job) ? resultKind(job).data(job.spec) : job.data;
}

/** Notebook 2's run: a CIFAR protocol at α (0: ERM), one seed, and what it changes beyond α. */
export function cifarJob(params: CifarParams, alpha: number, seed: number, variant?: CifarVariant): RunSpec {
  return jobSpec({ kind: 'cifar', params, alpha, seed, ...(variant ? { variant } : {}) });
}

/** Notebook 3's run: a fraction `noise` of the training labels redrawn, `probe` redrawn and untouched images scored. */
export function corruptedJob(
  params: CifarParams & { probe: number },
  noise: number,
  alpha: number,
  seed: number,
  variant?: CifarVariant,
): RunSpec {
  return jobSpec({ kind: 'corrupted', params, noise, alpha, seed, ...(variant ? { variant } : {}) });
}

/** Images of each out-of-distribution set a CIFAR run's last epoch is scored on (fewer when the test set is smaller). */
export const OOD_IMAGES = 1000;

/**
 * What a memorisation run scores each scored epoch beside the test set: the training error, against the labels trained
 * on, of the first redrawn examples (`corruptedTrainError`: 0 = every random label memorised; a redrawn example that
 * drew its true class again counts too, as in the PyTorch reference) and of the first untouched ones (`cleanTrainError`).
 * The spec names how many of each; a draw that gives other counts would be cached under another key than it trains.
 */
function probes(spec: RunSpec, loaded: LoadedSet): TrainCallbacks['evaluate'] {
  const named = spec.data.probe as { redrawn: number; untouched: number } | undefined;
  const c = loaded.corruption;
  if (!named || !c) return undefined;
  const redrawn = c.corrupted.slice(0, named.redrawn);
  const untouched = Int32Array.from({ length: loaded.train.n }, (_, i) => i)
    .filter((i) => !c.isCorrupted[i])
    .slice(0, named.untouched);
  if (redrawn.length !== named.redrawn || untouched.length !== named.untouched)
    throw new Error(
      `the memorisation run's spec names ${named.redrawn} redrawn and ${named.untouched} untouched probes, but its labels ` +
        `give ${redrawn.length} and ${untouched.length}: the run would be cached under another key than it trains (check corruptLabels' count)`,
    );
  const train = loaded.train;
  return (m: Model) => ({
    corruptedTrainError: evaluate(m, train, 500, redrawn).error,
    cleanTrainError: evaluate(m, train, 500, untouched).error,
  });
}

/**
 * The last epoch's confidence on inputs of no class (lib/eval/ood), beside whatever else `base` measures: on image
 * sets, 2 × 1,000 more images scored once per run (what that costs: `node dist/bench/calibration-cost.js`).
 */
function withOod(spec: RunSpec, test: LoadedSet['test'], base: TrainCallbacks['evaluate']): TrainCallbacks['evaluate'] {
  if (!dataSet(spec.data).images || !(test instanceof ImageData)) return base;
  let sets: ReturnType<typeof oodSets> | null = null;
  return (model, epoch) => {
    const measured = base?.(model, epoch) ?? {};
    if (epoch !== spec.train.epochs - 1) return measured;
    sets ??= oodSets(test, Math.min(OOD_IMAGES, test.n));
    return { ...measured, ...oodMeasures(model, sets) };
  };
}

/** The spec's data as its set's loader gives it, with the measures its runs record. */
export async function specData(
  spec: RunSpec,
  callbacks: TrainCallbacks = {},
): Promise<{ data: LoadedSet; callbacks: TrainCallbacks }> {
  const data = await dataSet(spec.data).load(spec.data, spec.train.seed);
  const evaluate = withOod(spec, data.test, probes(spec, data) ?? callbacks.evaluate);
  return { data, callbacks: { ...callbacks, ...(evaluate ? { evaluate } : {}) } };
}

/**
 * Trains `spec` in this process through the run cache, or loads it when it has finished before (then no data is
 * read). `claim.takeover`: a scheduler gave this process the run (lib/runs/lock).
 */
export async function trainSpec(spec: RunSpec, callbacks: TrainCallbacks = {}, claim?: RunClaim): Promise<CachedRun> {
  const done = finishedRun(spec, callbacks);
  if (done) return done;
  const s = await specData(spec, callbacks);
  return cachedRun(spec, s.data, s.callbacks, undefined, claim);
}

/** A few words naming the job, for progress and error messages ("CIFAR-10 run α = 1, 50 % noise, seed 3"). */
export function jobLabel(job: RunJob): string {
  if (isResultJob(job)) return resultKind(job).label(job.spec);
  const spec = job;
  const d = spec.data;
  const model = spec.model as { kind: string; width?: number; dropout?: number };
  // The paper's CIFAR network goes unnamed; every other network is named.
  const net = model.kind === 'preact-resnet18' ? '' : ` ${model.kind}${model.width ? `-${model.width}` : ''}`;
  const split = typeof d.split === 'string' ? ` ${d.split}` : '';
  const noise = typeof d.corruption === 'number' ? `, ${d.corruption * 100} % noise` : '';
  const { alpha, ...mixing } = spec.train.mixup;
  const more = [
    Object.keys(mixing).length ? JSON.stringify(mixing) : '',
    model.dropout ? `dropout ${model.dropout}` : '',
  ].filter(Boolean);
  return `${dataSet(d).label}${split}${net} run α = ${alpha}${noise}, seed ${spec.train.seed}${more.length ? ` ${more.join(', ')}` : ''}`;
}
