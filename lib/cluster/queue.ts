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
import { checkQueuedRun } from './payload';
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
  // The worker checks every payload with the same schema; a bad one is refused here, before it is sent.
  const data = checkQueuedRun({ job, fingerprint: fingerprint(job), submitter: os.hostname() }, key);
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
  /** Where the lines about the queue's workers go (none connected, none taking runs); default console.log. */
  log?: (line: string) => void;
  /** How often the queue's workers are looked at, and how long runs may wait untaken before a line says so (ms). */
  watchMs?: number;
  idleMs?: number;
  /** How long Redis may be silent before the call fails, naming MIXUP_EXECUTOR (ms; default 10 s). */
  lostMs?: number;
}

/**
 * Looks at the queue's connected workers (BullMQ's getWorkers) every `everyMs` while runs wait, and says so in a line
 * when none is connected, or when none has taken a run for `idleMs`; a line again once one is back. Returns its stop.
 */
export function watchWorkers(
  queue: Queue,
  executor: Executor,
  o: {
    log: (line: string) => void;
    lastTaken: () => number;
    everyMs?: number;
    idleMs?: number;
    /** Told when Redis has not answered for `lostMs` (default 10 s): the queue host has gone. */
    onLost?: (why: string) => void;
    lostMs?: number;
  },
): () => void {
  const everyMs = o.everyMs ?? 5000,
    idleMs = o.idleMs ?? 60_000,
    lostMs = o.lostMs ?? 10_000;
  let none = false,
    idle = false,
    stopped = false,
    asking = false,
    lastAnswer = Date.now();
  const where = `queue ${executor.queue} (MIXUP_EXECUTOR=${executor.url})`;
  const tick = async () => {
    // A Redis that has gone leaves a command waiting for ever (BullMQ's connections retry without end): one at a
    // time, and the silence since the last answer is what says the host is lost.
    const silent = () => {
      if (!stopped && Date.now() - lastAnswer > lostMs)
        o.onLost?.(
          `its Redis at ${executor.host}:${executor.port} has not answered for ${Math.round(lostMs / 1000)} s`,
        );
    };
    if (asking) return silent();
    asking = true;
    const workers = await queue.getWorkers().catch(() => null);
    asking = false;
    if (workers !== null) lastAnswer = Date.now();
    else silent();
    if (stopped || workers === null) return;
    if (!workers.length) {
      if (!none)
        o.log(
          `${where}: no worker is connected, so the runs wait: start one with \`npm run worker -- --executor ${executor.url}\``,
        );
      none = true;
      return;
    }
    if (none) o.log(`${where}: ${workers.length} worker(s) connected`);
    none = false;
    const active = await queue.getActiveCount().catch(() => 1);
    if (stopped) return;
    if (active > 0) idle = false;
    else if (!idle && Date.now() - o.lastTaken() > idleMs) {
      idle = true;
      o.log(
        `${where}: ${workers.length} worker(s) connected, but none has taken a run for ${Math.round(idleMs / 1000)} s: ` +
          'they may be busy with other runs, or refusing these (see their logs)',
      );
    }
  };
  const timer = setInterval(() => void tick(), Math.min(everyMs, lostMs / 2));
  const first = setTimeout(() => void tick(), Math.min(everyMs, 1000));
  return () => {
    stopped = true;
    clearInterval(timer);
    clearTimeout(first);
  };
}

/** Queues the runs, follows them, and resolves when all are done; fails naming the run, the host and the reason. */
export async function trainOnQueue(executor: Executor, work: QueuedWork[], o: SubmitOptions = {}): Promise<void> {
  if (!work.length) return;
  await assertReachable(executor);
  const queue = new Queue<QueuedRun>(executor.queue, { connection: connection(executor) });
  const events = new QueueEvents(executor.queue, { connection: connection(executor) });
  let stopWatching = () => {};
  let lost = false;
  try {
    await events.waitUntilReady();
    const byKey = new Map(work.map((w) => [w.key, { w, history: [] as EpochRecord[] }]));
    let lastTaken = Date.now();
    let onLost: (why: string) => void = () => {};
    const lostQueue = new Promise<never>((_, reject) => (onLost = (why) => reject(new Error(why))));
    stopWatching = watchWorkers(queue, executor, {
      log: o.log ?? ((l) => console.log(l)),
      lastTaken: () => lastTaken,
      everyMs: o.watchMs,
      idleMs: o.idleMs,
      lostMs: o.lostMs,
      onLost: (why) => {
        lost = true;
        onLost(why);
      },
    });
    events.on('progress', ({ jobId, data }) => {
      const entry = byKey.get(jobId);
      if (!entry) return;
      lastTaken = Date.now();
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
    let results: PromiseSettledResult<unknown>[];
    try {
      results = await Promise.race([Promise.allSettled(jobs.map((j) => j.waitUntilFinished(events))), lostQueue]);
    } catch (e) {
      throw new Error(
        `lost the queue ${executor.queue} (MIXUP_EXECUTOR=${executor.url}) while ${work.length} run(s) were queued or ` +
          `training: ${(e as Error).message}. Finished epochs stay checkpointed in the run cache: start Redis and a ` +
          'worker again and rerun, and the runs resume there.',
      );
    }
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
    stopWatching();
    // Closing a connection to a Redis that has gone would wait for ever: cut it instead.
    if (lost) void Promise.all([events.disconnect(), queue.disconnect()]).catch(() => {});
    else {
      await events.close();
      await queue.close();
    }
  }
}
