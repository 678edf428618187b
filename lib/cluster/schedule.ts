/**
 * The report's runs as one pool: every run not in the run cache, longest first by its recorded cost, on all
 * training slots (or the queue, when an executor is set: the same call, lib/cluster/pool's `trainAbsent`), with one
 * progress view. Longest first, so that the pool ends on short runs and no core idles long beside the last one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { jobCost, longestFirst } from '../experiments/cost';
import { jobDir, jobEpochs, jobKey, jobKind, jobNeeds, RunJob } from '../experiments/jobs';
import type { PublishedRun } from '../runs/published';
import { poolBoard } from './board';
import { defaultWorkers, PoolOptions, trainAbsent } from './pool';

export interface ScheduledRun {
  label: string;
  job: RunJob;
}

export interface PoolOutcome {
  /** Runs the pool trained, and those it found in the run cache. */
  trained: number;
  cached: number;
  seconds: number;
  workers: number;
  /** Seconds the trained jobs took (their own records), summed per data set or result kind. */
  perKind: Record<string, number>;
  /** The share of the pool's worker-seconds spent in jobs: Σ job seconds / (workers × pool seconds). */
  busy: number;
}

const finished = (job: RunJob) => path.join(jobDir(job), 'result.json');

/**
 * Trains `runs` not yet cached, longest first. `published`: the recorded runs their costs come from (results/).
 * `stream`: where the progress view goes (stdout by default).
 */
export async function trainPool(
  runs: ScheduledRun[],
  published: PublishedRun[],
  o: Pick<PoolOptions, 'workers' | 'executor' | 'log'> & { stream?: NodeJS.WritableStream; intervalMs?: number } = {},
): Promise<PoolOutcome> {
  const workers = o.workers ?? defaultWorkers();
  const absent = runs.filter((r) => !fs.existsSync(finished(r.job)));
  const costs = absent.map((r) => jobCost(r.job, published).seconds);
  const order = longestFirst(costs);
  const todo = order.map((i) => absent[i]);
  const t0 = Date.now();
  if (todo.length) {
    const board = poolBoard(
      order.map((i) => ({ label: absent[i].label, cost: costs[i], epochs: jobEpochs(absent[i].job) })),
      { stream: o.stream, title: `runs (${workers} at once)`, intervalMs: o.intervalMs, workers },
    );
    // In waves: a job that reads other jobs' runs (an attack's models) waits for those in this pool to finish.
    const pooled = new Set(todo.map((r) => jobKey(r.job)));
    let left = todo.map((_, i) => i);
    try {
      while (left.length) {
        const ready = left.filter((i) =>
          jobNeeds(todo[i].job).every((n) => fs.existsSync(finished(n)) || !pooled.has(jobKey(n))),
        );
        // None ready: a need that failed to appear; its jobs run and fail naming it.
        const wave = ready.length ? ready : left;
        await trainAbsent(
          wave.map((i) => todo[i].job),
          {
            workers,
            executor: o.executor,
            log: o.log ?? ((l) => console.log(l)),
            progress: (_, k) => board.callbacks(wave[k]),
            onWorkerJob: (k) => board.started(wave[k]),
          },
        );
        left = left.filter((i) => !wave.includes(i));
      }
    } finally {
      board.stop();
    }
  }
  const seconds = (Date.now() - t0) / 1000;
  const perKind: Record<string, number> = {};
  for (const r of todo) {
    const s = (JSON.parse(fs.readFileSync(finished(r.job), 'utf8')) as { seconds: number }).seconds;
    perKind[jobKind(r.job)] = (perKind[jobKind(r.job)] ?? 0) + s;
  }
  const jobSeconds = Object.values(perKind).reduce((a, s) => a + s, 0);
  return {
    trained: todo.length,
    cached: runs.length - todo.length,
    seconds,
    workers,
    perKind,
    busy: seconds > 0 ? jobSeconds / (workers * seconds) : 0,
  };
}
