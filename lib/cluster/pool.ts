/**
 * Trains a notebook's runs side by side, each in a worker process of its own, then loads them from the run cache.
 *
 * Why processes: on two cores one run keeps them only partly busy (at width 8–16 much of a step is per-op overhead
 * between small kernels), so two runs with one TensorFlow thread each finish sooner than the same two runs one
 * after the other with two threads (`npm run bench:pool` measures by how much; docs/runs.md). tfjs-node runs every op on the calling
 * thread, so a second run needs a second process.
 *
 * The thread count changes float rounding, so it is fixed by the worker count alone — never by how many runs happen
 * to be waiting — and a seed gives the same numbers whether its run trained alone or beside another.
 * With one worker the runs train in this process with TensorFlow's default threads, as before pooling existed.
 * Two notebooks' pools on one run cache (the report's lanes) share `workers` training slots (lib/runs/slots): their workers
 * all start, but no more than `workers` of them train at once.
 * Written by hand: worker pools on npm (piscina, workerpool) run worker_threads, and tfjs-node's binding is loaded
 * once per process.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EpochRecord, TrainCallbacks } from '../train/loop';
import { TrainerProcess } from './child';
import { CachedResult, CachedRun, RunSpec } from '../runs/cache';
import { readExecutor } from './executor';
import { jobDir, jobLabel, RunJob, trainSpec, Wanted } from '../experiments/jobs';
import { computeResult, ResultJob } from '../experiments/result-jobs';
import { jobCost, longestFirst } from '../experiments/cost';
import { publishedRuns } from '../runs/published';
import { trainOnQueue } from './queue';

export interface PoolOptions {
  /** Runs trained at once (default: MIXUP_WORKERS, else 2 on a machine with at least two cores, else 1). */
  workers?: number;
  /** Progress display per job (index into `jobs`), e.g. `liveProgress(tslab, label)`. */
  progress?: (job: RunJob, index: number) => TrainCallbacks;
  /** Called when a worker process (its pid) takes up job `index`. */
  onWorkerJob?: (index: number, pid: number) => void;
  /**
   * Where runs not yet cached train: a queue (`redis://host:port[/queue]`, see lib/cluster/queue) or 'local';
   * default MIXUP_EXECUTOR, else local.
   */
  executor?: string;
  /** Where the queue's "training on HOST" lines go (default: console.log, the notebook's output). */
  log?: (line: string) => void;
}

export function defaultWorkers(env = process.env): number {
  if (env.MIXUP_WORKERS !== undefined) {
    const w = Number(env.MIXUP_WORKERS);
    if (!Number.isInteger(w) || w < 1)
      throw new Error(
        `MIXUP_WORKERS=${env.MIXUP_WORKERS}: give a whole number ≥ 1 of runs to train at once (1 = in this process)`,
      );
    return w;
  }
  return Math.min(2, os.availableParallelism());
}

/** TensorFlow threads per worker: the cores shared out evenly, whatever is queued. */
export function threadsPerWorker(workers: number, cores = os.availableParallelism()): number {
  return Math.max(1, Math.floor(cores / workers));
}

/**
 * Trains every job not yet in the run cache — in `workers` processes at once when that is more than one — and
 * returns all of them from the cache, in the order given. A failed or killed worker leaves its run's last finished
 * epoch checkpointed (a rerun resumes there); the others are stopped the same way and the call fails naming the run.
 * Each run's data is the set its spec names (lib/data/sets), loaded where it trains.
 */
export async function trainRuns(jobs: RunSpec[], options: PoolOptions = {}): Promise<CachedRun[]> {
  const callbacks = jobs.map((j, i) => options.progress?.(j, i) ?? {});
  await trainElsewhere(jobs, options, callbacks);
  const out: CachedRun[] = [];
  for (let i = 0; i < jobs.length; i++) out.push(await trainSpec(jobs[i], callbacks[i]));
  return out;
}

/**
 * What `trainRuns` and `computeWanted` train before loading: the jobs not yet cached, longest first by their recorded
 * cost (so that a notebook's pool ends on short jobs, as the report's does), in local worker processes or on the queue.
 * With one local worker nothing happens here: the jobs train in this process as they are loaded.
 */
async function trainElsewhere(jobs: RunJob[], options: PoolOptions, callbacks: TrainCallbacks[]): Promise<void> {
  const workers = options.workers ?? defaultWorkers();
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`workers must be a whole number ≥ 1, got ${workers}`);
  const executor = options.executor === 'local' ? null : readExecutor(options.executor);
  if (!executor && workers === 1) return;
  const published = publishedRuns();
  const order = longestFirst(jobs.map((j) => jobCost(j, published).seconds));
  const { onWorkerJob } = options;
  await trainAbsent(
    order.map((i) => jobs[i]),
    {
      ...options,
      workers,
      progress: (_, k) => callbacks[order[k]],
      ...(onWorkerJob ? { onWorkerJob: (k: number, pid: number) => onWorkerJob(order[k], pid) } : {}),
    },
  );
}

/**
 * Trains every job not yet in the run cache, in the order given, without loading any: in `workers` worker processes
 * here, or through the queue when an executor is set. Two jobs of one configuration train once. Returns the indices of
 * the jobs it trained (the others were cached). What the report's pool calls: the notebooks load the runs later.
 */
export async function trainAbsent(jobs: RunJob[], options: PoolOptions = {}): Promise<number[]> {
  const workers = options.workers ?? defaultWorkers();
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`workers must be a whole number ≥ 1, got ${workers}`);
  const callbacks = jobs.map((j, i) => options.progress?.(j, i) ?? {});
  const executor = options.executor === 'local' ? null : readExecutor(options.executor);
  // One worker job per cache folder not finished yet (two jobs of one configuration train once).
  const todo = new Map<string, number>();
  for (const [i, j] of jobs.entries()) {
    const dir = jobDir(j);
    if (!fs.existsSync(path.join(dir, 'result.json')) && !todo.has(dir)) todo.set(dir, i);
  }
  const queue = [...todo].map(([dir, index]) => ({ index, dir }));
  if (executor) {
    await trainOnQueue(
      executor,
      queue.map((q) => ({
        key: path.basename(q.dir),
        dir: q.dir,
        job: jobs[q.index],
        callbacks: callbacks[q.index],
      })),
      {
        log: options.log ?? console.log,
        // Which machine took which run: a line in the notebook's output beside its progress.
        onStart: (key, host) => {
          const q = queue.find((x) => path.basename(x.dir) === key);
          if (q) {
            options.onWorkerJob?.(q.index, 0);
            (options.log ?? console.log)(`${jobLabel(jobs[q.index])}: training on ${host}`);
          }
        },
      },
    );
    const missing = queue.filter((q) => !fs.existsSync(path.join(q.dir, 'result.json')));
    if (missing.length) {
      throw new Error(
        `the queue finished ${missing.length} run(s) whose result is not in this run cache (${path.dirname(missing[0].dir)}): ` +
          'the workers and this notebook must share one run cache (MIXUP_RUNS_DIR on shared storage)',
      );
    }
  } else if (queue.length) await inWorkers([...queue], jobs, callbacks, workers, options.onWorkerJob);
  return queue.map((q) => q.index);
}

/** A job waiting for a worker: its index in `jobs` and the cache folder it trains into. */
interface Queued {
  index: number;
  dir: string;
}

function inWorkers(
  queue: Queued[],
  jobs: RunJob[],
  callbacks: TrainCallbacks[],
  workers: number,
  onWorkerJob?: (index: number, pid: number) => void,
): Promise<void> {
  const threads = threadsPerWorker(workers);
  // The slots cap the runs training at once across every pool on this run cache (lib/runs/slots) at this pool's count.
  const trainers = Array.from(
    { length: Math.min(workers, queue.length) },
    () => new TrainerProcess(threads, { slots: workers }),
  );
  let failed: Error | null = null;
  const fail = (e: Error) => {
    if (failed) return;
    failed = e;
    for (const t of trainers) t.kill();
  };
  // Each trainer takes the next job off the queue until none is left (or one failed), then is let go.
  const lane = async (t: TrainerProcess) => {
    for (let q = queue.shift(); q && !failed; q = queue.shift()) {
      const cb = callbacks[q.index];
      const history: EpochRecord[] = [];
      onWorkerJob?.(q.index, t.child.pid!);
      const o = await t.run(jobs[q.index], false, (m) => {
        if (m.type === 'step') cb.onStep?.(m.info);
        else if (m.type === 'epoch') {
          history.push(m.record);
          cb.onEpoch?.(m.record, history);
        }
      });
      if (o.ok) continue;
      const label = jobLabel(jobs[q.index]);
      fail(
        new Error(
          o.exit
            ? `the worker training ${label} stopped (${o.exit}); its last finished epoch is checkpointed in ${q.dir}, ` +
                `so a rerun resumes there.${o.output ? `\n  its last output: ${o.output}` : ''}`
            : `${label} failed in its worker: ${o.message}`,
        ),
      );
    }
    t.close();
  };
  return Promise.all(trainers.map(lane)).then(() => {
    if (failed) throw failed;
  });
}

/**
 * `trainRuns` for runs a notebook asks for by name (lib/experiments/jobs' Wanted): each comes back beside what it is,
 * so that nothing downstream reads a run by its place in a list.
 */
export async function trainWanted<W extends Wanted>(
  wanted: W[],
  options: Omit<PoolOptions, 'progress'> & { progress?: (w: W) => TrainCallbacks } = {},
): Promise<(W & { run: CachedRun })[]> {
  const { progress, ...rest } = options;
  const trained = await trainRuns(
    wanted.map((w) => w.job),
    { ...rest, ...(progress ? { progress: (_, i) => progress(wanted[i]) } : {}) },
  );
  return wanted.map((w, i) => ({ ...w, run: trained[i] }));
}

/**
 * The results of result jobs a notebook asks for by name (a GAN's measures, an attack sweep): computed in the pool's
 * workers or on the queue as `trainWanted`'s runs are, then read from the run cache, each beside what it is.
 */
export async function computeWanted<R, W extends Wanted<ResultJob> = Wanted<ResultJob>>(
  wanted: W[],
  options: Omit<PoolOptions, 'progress'> & { progress?: (w: W) => TrainCallbacks } = {},
): Promise<(W & { result: CachedResult<R> })[]> {
  const { progress, ...rest } = options;
  const callbacks = wanted.map((w) => progress?.(w) ?? {});
  await trainElsewhere(
    wanted.map((w) => w.job),
    rest,
    callbacks,
  );
  const out: (W & { result: CachedResult<R> })[] = [];
  for (const [i, w] of wanted.entries())
    out.push({
      ...w,
      result: await computeResult<R>(w.job, {
        onStep: callbacks[i].onStep,
        onCached: (info) => callbacks[i].onCached?.({ ...info, history: [] }),
      }),
    });
  return out;
}
