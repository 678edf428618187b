/**
 * One contract for every notebook's experiment (docs/architecture.md): its parameters as one typed config, the runs a
 * parameter set asks for, what the notebook reads from them once finished, the reference it stands beside and the
 * comparison. A notebook calls `run(experiment, P)` and draws what it returns; `npm run runs -- manifest`, the report
 * and the docs generators call the same members (`runs` through ./report, `compare`'s functions
 * through scripts/generators), so what a notebook shows and what the docs say cannot drift apart.
 */
import type { CachedRun, CachedResult } from '../runs/cache';
import { computeWanted, trainWanted } from '../cluster/pool';
import type { TrainCallbacks } from '../train/loop';
import type { RunJob, Wanted } from '../experiments/jobs';
import { isResultJob, ResultJob } from '../experiments/result-jobs';
import { BaseParams, Defaults, Profile, profileTable, Resolved } from '../experiments/profiles';
import type { RunSpec } from '../runs/cache';

/** What every comparison returns: the table, one point per seed, curves ([] where a notebook draws none), the finding. */
export interface Comparison {
  rows: Record<string, unknown>[];
  strip: Record<string, unknown>[];
  curves: Record<string, unknown>[];
  finding: { sentence: string };
}

/** The finished work of a notebook: its runs with their models, and its result jobs with their results. */
export interface Done {
  trained: (Wanted<RunSpec> & { run: CachedRun })[];
  computed: (Wanted<ResultJob> & { result: CachedResult<unknown> })[];
}

export interface Experiment<T extends BaseParams, Ours, Reference, C extends Comparison> {
  /** The notebook's file name without .ipynb. */
  notebook: string;
  defaults: Defaults<T>;
  /** Every profile's parameters, from `defaults`: what the parameters cell starts from. */
  profiles: Record<Profile, T>;
  runs(P: Resolved<T>): Wanted<RunJob>[];
  /** What the comparison and the charts read from the finished work; models are read and disposed of here. */
  results(done: Done, P: Resolved<T>): Promise<Ours>;
  /** The PyTorch reference's runs at P's protocol (null where a notebook has none). */
  reference(P: Resolved<T>): Reference;
  compare(ours: Ours, reference: Reference, P: Resolved<T>): C;
}

/** An experiment with its profile table derived from its defaults. */
export function experiment<T extends BaseParams, Ours, Reference, C extends Comparison>(
  e: Omit<Experiment<T, Ours, Reference, C>, 'profiles'>,
): Experiment<T, Ours, Reference, C> {
  return { ...e, profiles: profileTable(e.defaults) };
}

export interface RunOptions {
  /** Live progress per run (lib/notebook's liveProgress). */
  progress?: (w: Wanted<RunJob>) => TrainCallbacks;
}

/**
 * A notebook's work: the runs `P` asks for, answered from the run cache and published runs or trained (in worker
 * processes, or on the queue MIXUP_EXECUTOR names), then read and compared.
 */
export async function run<T extends BaseParams, Ours, Reference, C extends Comparison>(
  e: Experiment<T, Ours, Reference, C>,
  P: Resolved<T>,
  o: RunOptions = {},
): Promise<{ ours: Ours; reference: Reference } & C> {
  const wanted = e.runs(P);
  const progress = o.progress ? { progress: o.progress } : {};
  const trained = await trainWanted(
    wanted.filter((w): w is Wanted<RunSpec> => !isResultJob(w.job)),
    progress,
  );
  const computed = await computeWanted<unknown>(
    wanted.filter((w): w is Wanted<ResultJob> => isResultJob(w.job)),
    progress,
  );
  const ours = await e.results({ trained, computed }, P);
  const reference = e.reference(P);
  return { ours, reference, ...e.compare(ours, reference, P) };
}
