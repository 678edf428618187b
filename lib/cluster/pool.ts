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
import { ChildProcess, fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tf } from '../backend';
import { isNativeCrash, NATIVE_CRASH_HINT } from '../backend/cpu';
import type { EpochRecord, TrainCallbacks } from '../train/loop';
import type { WorkerMessage, WorkerRequest } from './protocol';
import { CachedResult, CachedRun, RunSpec } from '../runs/cache';
import { readExecutor } from './executor';
import { jobDir, jobLabel, RunJob, trainSpec, Wanted } from '../experiments/jobs';
import { computeResult, ResultJob } from '../experiments/result-jobs';
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

const WORKER_SCRIPT = path.join(__dirname, 'worker.js');

/**
 * Trains every job not yet in the run cache — in `workers` processes at once when that is more than one — and
 * returns all of them from the cache, in the order given. A failed or killed worker leaves its run's last finished
 * epoch checkpointed (a rerun resumes there); the others are stopped the same way and the call fails naming the run.
 * Each run's data is the set its spec names (lib/data/sets), loaded where it trains.
 */
export async function trainRuns(jobs: RunSpec[], options: PoolOptions = {}): Promise<CachedRun[]> {
  const workers = options.workers ?? defaultWorkers();
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`workers must be a whole number ≥ 1, got ${workers}`);
  const callbacks = jobs.map((j, i) => options.progress?.(j, i) ?? {});
  const executor = options.executor === 'local' ? null : readExecutor(options.executor);
  // With one local worker the runs train in this process, as `trainSpec` below does for whatever is not cached.
  if (executor || workers > 1) await trainAbsent(jobs, { ...options, workers, progress: (_, i) => callbacks[i] });
  const out: CachedRun[] = [];
  for (let i = 0; i < jobs.length; i++) out.push(await trainSpec(jobs[i], callbacks[i]));
  return out;
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
  const backend = tf.getBackend();
  const children: ChildProcess[] = [];
  return new Promise<void>((resolve, reject) => {
    let failed = false;
    let running = 0;
    const fail = (e: Error) => {
      if (failed) return;
      failed = true;
      for (const c of children) c.kill('SIGTERM');
      reject(e);
    };
    const start = () => {
      const child = fork(WORKER_SCRIPT, [], {
        // The thread count is set before TensorFlow starts in the child; it is part of what makes a seed's numbers.
        // The slots cap the runs training at once across every pool on this run cache (lib/runs/slots) at this pool's count.
        env: {
          ...process.env,
          TF_NUM_INTRAOP_THREADS: String(threads),
          MIXUP_BACKEND: backend,
          MIXUP_TRAINING_SLOTS: String(workers),
        },
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      });
      children.push(child);
      running++;
      let stderr = '';
      child.stderr!.on('data', (b: Buffer) => {
        stderr = (stderr + b.toString()).slice(-2000);
      });
      let current: Queued | null = null;
      let history: EpochRecord[] = [];
      const next = () => {
        current = queue.shift() ?? null;
        history = [];
        if (current === null) child.disconnect();
        else {
          child.send({ job: jobs[current.index] } satisfies WorkerRequest);
          onWorkerJob?.(current.index, child.pid!);
        }
      };
      child.on('message', (m: WorkerMessage) => {
        if (current === null) return;
        const cb = callbacks[current.index];
        if (m.type === 'step') cb.onStep?.(m.info);
        else if (m.type === 'epoch') {
          history.push(m.record);
          cb.onEpoch?.(m.record, history);
        } else if (m.type === 'done') next();
        else fail(new Error(`${jobLabel(jobs[current.index])} failed in its worker: ${m.message}`));
      });
      child.on('error', (e) => fail(new Error(`could not start a training worker (${WORKER_SCRIPT}): ${e.message}`)));
      child.on('exit', (code, signal) => {
        running--;
        if (current !== null) {
          fail(
            new Error(
              `the worker training ${jobLabel(jobs[current.index])} stopped (${signal ?? `exit code ${code}`}` +
                `${isNativeCrash(code, signal) ? `: ${NATIVE_CRASH_HINT}` : ''}); its last finished ` +
                `epoch is checkpointed in ${current.dir}, so a rerun resumes there.` +
                (stderr.trim() ? `\n  its last output: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : ''),
            ),
          );
        } else if (running === 0 && !failed) resolve();
      });
      next();
    };
    // The count first: each start() takes a job off the queue.
    const n = Math.min(workers, queue.length);
    for (let w = 0; w < n; w++) start();
  });
}

/**
 * `trainRuns` for runs a notebook asks for by name (lib/experiments/report-runs): each comes back beside what it is,
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
  const workers = rest.workers ?? defaultWorkers();
  const executor = rest.executor === 'local' ? null : readExecutor(rest.executor);
  // With one local worker the jobs are computed in this process, by `computeResult` below.
  if (executor || workers > 1)
    await trainAbsent(
      wanted.map((w) => w.job),
      { ...rest, workers, progress: (_, i) => callbacks[i] },
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
