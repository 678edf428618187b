/**
 * The report's CIFAR runs as one pool: every run not in the run cache, longest first by its recorded cost, on all
 * training slots (or the queue, when an executor is set: the same call, lib/cluster/pool's `trainAbsent`), with one
 * progress view. Longest first, so that the pool ends on short runs and no core idles long beside the last one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { jobCost, longestFirst } from '../experiments/cost';
import { jobSpec, RunJob } from '../experiments/jobs';
import { runDir } from '../runs/cache';
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
}

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
  const absent = runs.filter((r) => !fs.existsSync(path.join(runDir(jobSpec(r.job)), 'result.json')));
  const costs = absent.map((r) => jobCost(r.job, published).seconds);
  const order = longestFirst(costs);
  const todo = order.map((i) => absent[i]);
  const t0 = Date.now();
  if (todo.length) {
    const board = poolBoard(
      order.map((i) => ({ label: absent[i].label, cost: costs[i], epochs: absent[i].job.params.epochs })),
      { stream: o.stream, title: `runs (${workers} at once)`, intervalMs: o.intervalMs, workers },
    );
    try {
      await trainAbsent(
        todo.map((r) => r.job),
        {
          workers,
          executor: o.executor,
          log: o.log ?? ((l) => console.log(l)),
          progress: (_, i) => board.callbacks(i),
          onWorkerJob: (i) => board.started(i),
        },
      );
    } finally {
      board.stop();
    }
  }
  return {
    trained: todo.length,
    cached: runs.length - todo.length,
    seconds: (Date.now() - t0) / 1000,
    workers,
  };
}
