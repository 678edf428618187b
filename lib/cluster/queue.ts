/**
 * The notebook's side of the queue: sends the runs not yet in the run cache to the executor's BullMQ queue, with the
 * run's cache key as the job id (two notebooks, or two users, asking for one run queue it once), shows their progress
 * from the queue's events, and returns when every one has finished. A notebook reopened while its runs are queued or
 * training attaches to them again: the job ids are the same. Finished runs are loaded from the shared run cache by
 * the caller, as in the local pool.
 */
import os from 'node:os';
import { Job, Queue, QueueEvents } from 'bullmq';
import type { RunJob } from '../experiments/jobs';
import { jobLabel } from '../experiments/jobs';
import type { EpochRecord, TrainCallbacks } from '../train/loop';
import { readCheckpointHeader } from '../train/checkpoint';
import { assertReachable, connection, Executor } from './executor';
import { fingerprint } from './fingerprint';
import type { QueuedRun, RunProgress } from './runner';

export interface QueuedWork {
  /** The run's cache key: the job id. */
  key: string;
  /** The run's cache folder (on the shared storage), whose checkpoint shows a re-attached run's finished epochs. */
  dir: string;
  job: RunJob;
  callbacks: TrainCallbacks;
}

/**
 * Puts one run on the queue under its cache key, or finds it there (waiting, training or delayed: the same run asked
 * for again). A failed run is retried; a completed one whose result this run cache lacks is queued anew.
 */
export async function enqueue(
  queue: Queue<QueuedRun>,
  key: string,
  job: RunJob,
  attempts = 3,
): Promise<Job<QueuedRun>> {
  let found = await Job.fromId<QueuedRun>(queue, key);
  if (found && (await found.isFailed())) {
    await found.retry('failed');
    return found;
  }
  if (found && (await found.isCompleted())) {
    await found.remove();
    found = undefined;
  }
  if (found) return found;
  const data: QueuedRun = { job, fingerprint: fingerprint(), submitter: os.hostname() };
  return queue.add('train', data, {
    jobId: key,
    attempts,
    backoff: { type: 'fixed', delay: 1000 },
    removeOnComplete: { age: 3600 },
    removeOnFail: false,
  });
}

export interface SubmitOptions {
  /** Attempts per run before it counts as failed (default 3). */
  attempts?: number;
  /** Told which host took which run. */
  onStart?: (key: string, host: string) => void;
}

/** Queues the runs, follows them, and resolves when all are done; fails naming the run, the host and the reason. */
export async function trainOnQueue(executor: Executor, work: QueuedWork[], o: SubmitOptions = {}): Promise<void> {
  if (!work.length) return;
  await assertReachable(executor);
  const queue = new Queue<QueuedRun>(executor.queue, { connection: connection(executor) });
  const events = new QueueEvents(executor.queue, { connection: connection(executor) });
  try {
    await events.waitUntilReady();
    const byKey = new Map(work.map((w) => [w.key, { w, history: [] as EpochRecord[] }]));
    events.on('progress', ({ jobId, data }) => {
      const entry = byKey.get(jobId);
      if (!entry) return;
      const p = data as RunProgress;
      if (p.type === 'start') o.onStart?.(jobId, p.host);
      else if (p.type === 'step') entry.w.callbacks.onStep?.(p.info);
      else if (p.type === 'epoch' && !entry.history.some((h) => h.epoch === p.record.epoch)) {
        entry.history.push(p.record);
        entry.w.callbacks.onEpoch?.(p.record, entry.history);
      }
    });
    const jobs: Job<QueuedRun>[] = [];
    for (const { w } of byKey.values()) {
      const job = await enqueue(queue, w.key, w.job, o.attempts);
      // A run re-attached to shows the epochs it has already finished.
      const header = readCheckpointHeader<{ history: EpochRecord[] }>(w.dir);
      const entry = byKey.get(w.key)!;
      for (const record of header?.meta.history ?? []) {
        if (entry.history.some((h) => h.epoch === record.epoch)) continue;
        entry.history.push(record);
        w.callbacks.onEpoch?.(record, entry.history);
      }
      jobs.push(job);
    }
    const results = await Promise.allSettled(jobs.map((j) => j.waitUntilFinished(events)));
    const failed = results.map((r, i) => ({ r, w: [...byKey.values()][i].w })).filter((x) => x.r.status === 'rejected');
    if (failed.length) {
      throw new Error(
        failed
          .map(
            ({ r, w }) =>
              `${jobLabel(w.job)} (run ${w.key}) failed on the queue ${executor.url}: ${(r as PromiseRejectedResult).reason?.message ?? r}`,
          )
          .join('\n'),
      );
    }
  } finally {
    await events.close();
    await queue.close();
  }
}
