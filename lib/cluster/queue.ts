/**
 * The notebook's side of the queue: sends the runs not yet in the run cache to the executor's BullMQ queue, with the
 * run's cache key as the job id (two notebooks, or two users, asking for one run queue it once), shows their progress
 * from the queue's events, and returns when every one has finished. A notebook reopened while its runs are queued or
 * training attaches to them again: the job ids are the same. Finished runs are loaded from the shared run cache by
 * the caller, as in the local pool.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Job, Queue, QueueEvents } from 'bullmq';
import { z } from 'zod';
import type { RunJob } from '../experiments/jobs';
import { jobKey, jobLabel } from '../experiments/jobs';
import type { EpochRecord, TrainCallbacks } from '../train/loop';
import { readCheckpointHeader } from '../train/checkpoint';
import { assertReachable, connection, Executor } from './executor';
import { fingerprint } from './fingerprint';
import { checkQueuedRun, QUEUE_JOB_OPTIONS, quoteId } from './payload';
import type { QueuedRun, RunProgress } from './runner';

export interface QueuedWork {
  /** The run's cache key: the job id. */
  key: string;
  /** The run's cache folder (on the shared storage), whose checkpoint shows a re-attached run's finished epochs. */
  dir: string;
  job: RunJob;
  callbacks: TrainCallbacks;
}

/** Why the job found under a run's key cannot be joined (failed, delayed far ahead, another payload), or null. */
async function notJoinable(found: Job<QueuedRun>, data: QueuedRun): Promise<string | null> {
  const state = await found.getState();
  if (state === 'failed') return `it had failed (${JSON.stringify(found.failedReason ?? '')})`;
  const theirs = found.data as Partial<QueuedRun> | undefined;
  let sameRun = false;
  try {
    sameRun = !!theirs?.job && jobKey(theirs.job) === jobKey(data.job);
  } catch {
    // Not a job at all.
  }
  if (!sameRun || JSON.stringify(theirs?.fingerprint) !== JSON.stringify(data.fingerprint))
    return 'it carries another payload than this run';
  // A run handed back by a stopping worker is delayed by nothing; a job delayed for long would leave the run waiting.
  if (state === 'delayed' && found.timestamp + (found.delay ?? 0) > Date.now() + 5000)
    return `it was delayed until ${new Date(found.timestamp + found.delay).toISOString()}`;
  return null;
}

/**
 * Puts one run on the queue under its cache key, or finds it there (waiting, training or just handed back: the same
 * run asked for again, joined). Whatever else is under the key is replaced, and the replacement is logged: a failed
 * job, one delayed far ahead, one carrying another payload, or one that cannot be read. A completed one whose result
 * this run cache lacks is queued anew.
 */
export async function enqueue(
  queue: Queue<QueuedRun>,
  key: string,
  job: RunJob,
  log: (line: string) => void = (l) => console.log(l),
): Promise<Job<QueuedRun>> {
  // The worker checks every payload with the same schema; a bad one is refused here, before it is sent.
  const data = checkQueuedRun({ job, fingerprint: fingerprint(job), submitter: os.hostname() }, key);
  let found: Job<QueuedRun> | undefined;
  let replace: string | null = null;
  try {
    found = await Job.fromId<QueuedRun>(queue, key);
  } catch (e) {
    replace = `it could not be read (${(e as Error).message.split('\n')[0]})`;
  }
  if (found && (await found.isCompleted())) {
    await queue.remove(key);
    found = undefined;
  }
  if (found) replace = await notJoinable(found, data);
  else if (!replace) return add(queue, key, data);
  if (!replace) return found!;
  if ((await queue.remove(key)) !== 1)
    throw new Error(
      `job ${quoteId(key)} on the queue ${queue.name} is held by a worker and ${replace}: wait for it to end, or remove it ` +
        `(it is not this run's job), then rerun`,
    );
  log(`queue ${queue.name}: replaced the job found under ${quoteId(key)} (${jobLabel(job)}): ${replace}`);
  return add(queue, key, data);
}

const add = (queue: Queue<QueuedRun>, key: string, data: QueuedRun) =>
  queue.add('train', data, { jobId: key, ...QUEUE_JOB_OPTIONS });

/** A progress event as a worker sends it (lib/cluster/runner's RunProgress); anything else on the stream is ignored. */
const num = z.number();
const RUN_PROGRESS = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('start'), host: z.string().max(255) }),
  z.looseObject({
    type: z.literal('step'),
    host: z.string().max(255),
    info: z.looseObject({
      epoch: num,
      epochs: num,
      step: num,
      steps: num,
      loss: num,
      imgPerSec: num,
      elapsedSeconds: num,
      etaSeconds: num,
    }),
  }),
  z.looseObject({
    type: z.literal('epoch'),
    host: z.string().max(255),
    record: z.looseObject({ epoch: num, testError: num.nullable() }),
  }),
]);

export interface SubmitOptions {
  /** Told which host took which run. */
  onStart?: (key: string, host: string) => void;
  /** Where the lines about the queue's workers go (none connected, none taking runs); default console.log. */
  log?: (line: string) => void;
  /** How often the queue's workers are looked at, and how long runs may wait untaken before a line says so (ms). */
  watchMs?: number;
  idleMs?: number;
  /** How long Redis may be silent before the call fails, naming MIXUP_EXECUTOR (ms; default 10 s). */
  lostMs?: number;
  /** How often each run's state is read from the queue (ms; default 1 s): a finished run is seen whatever the events do. */
  pollMs?: number;
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

/**
 * Follows the queue's event stream for progress, for as long as it is not closed. A stream that fails (an event that is
 * not JSON, written by any client of the Redis) stops BullMQ's reader for good: a new one takes over from the newest
 * event, and a line says so. Nothing waits on events alone: they only make progress lines, and wake the state poll.
 */
function followEvents(
  executor: Executor,
  o: { onEvent: (event: string, args: { jobId: string; data?: unknown }) => void; log: (line: string) => void },
): { ready: Promise<void>; close(cut: boolean): Promise<void> } {
  let current: QueueEvents | null = null;
  let closed = false;
  let restarts = 0;
  let timer: NodeJS.Timeout | undefined;
  const open = () => {
    const events = new QueueEvents(executor.queue, { connection: connection(executor), autorun: false });
    current = events;
    for (const event of ['progress', 'completed', 'failed'] as const)
      events.on(event, (args: { jobId: string; data?: unknown }) => o.onEvent(event, args));
    // Connection trouble: BullMQ's reader retries it, and the watchdog reports a Redis that has gone.
    events.on('error', () => {});
    // The reader's loop ends only when closed, or when an event broke it.
    events.run().catch((e: Error) => {
      if (closed || current !== events) return;
      current = null;
      void events.disconnect().catch(() => {});
      // Said once, then quietly.
      if (restarts++ === 0)
        o.log(
          `queue ${executor.queue}: its event stream failed (${e.message.split('\n')[0]}); following it again from its ` +
            'newest event (the runs are followed by their state meanwhile)',
        );
      timer = setTimeout(() => !closed && open(), 1000);
    });
  };
  open();
  // The first reader's connection, before anything is queued (its events start at the stream's newest).
  const ready = (current as QueueEvents | null)?.waitUntilReady().then(() => {}) ?? Promise.resolve();
  return {
    ready,
    close: async (cut) => {
      closed = true;
      clearTimeout(timer);
      const events = current as QueueEvents | null;
      if (!events) return;
      if (cut) void events.disconnect().catch(() => {});
      else await events.close();
    },
  };
}

/**
 * Reads each run's state every `pollMs` (sooner when `wake` is called) until none is waiting or training; returns the
 * failed ones' reasons by key. A job gone from the queue whose result is in the run cache (aged out) counts as done.
 */
async function waitFinished(
  queue: Queue<QueuedRun>,
  work: QueuedWork[],
  pollMs: number,
  setWake: (wake: () => void) => void,
): Promise<Map<string, string>> {
  const pending = new Map(work.map((w) => [w.key, w]));
  const failed = new Map<string, string>();
  for (;;) {
    for (const [key, w] of [...pending]) {
      const state = await queue.getJobState(key);
      if (state === 'completed') pending.delete(key);
      else if (state === 'failed') {
        const job = await Job.fromId<QueuedRun>(queue, key).catch(() => undefined);
        failed.set(key, job?.failedReason || 'failed, giving no reason');
        pending.delete(key);
      } else if (state === 'unknown') {
        if (!fs.existsSync(path.join(w.dir, 'result.json')))
          failed.set(key, 'its job was removed from the queue before it finished (by another client of its Redis)');
        pending.delete(key);
      }
    }
    if (!pending.size) return failed;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, pollMs);
      setWake(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}

/** Queues the runs, follows them, and resolves when all are done; fails naming the run, the host and the reason. */
export async function trainOnQueue(executor: Executor, work: QueuedWork[], o: SubmitOptions = {}): Promise<void> {
  if (!work.length) return;
  await assertReachable(executor);
  const log = o.log ?? ((l: string) => console.log(l));
  const queue = new Queue<QueuedRun>(executor.queue, { connection: connection(executor) });
  const byKey = new Map(work.map((w) => [w.key, { w, history: [] as EpochRecord[] }]));
  let lastTaken = Date.now();
  let wake = () => {};
  const events = followEvents(executor, {
    log,
    onEvent: (event, { jobId, data }) => {
      const entry = byKey.get(jobId);
      if (!entry) return;
      if (event !== 'progress') return wake();
      const parsed = RUN_PROGRESS.safeParse(data);
      if (!parsed.success) return; // not a worker's: ignored
      lastTaken = Date.now();
      const p = parsed.data as RunProgress;
      if (p.type === 'start') o.onStart?.(jobId, p.host);
      else if (p.type === 'step') entry.w.callbacks.onStep?.(p.info);
      else if (p.type === 'epoch' && !entry.history.some((h) => h.epoch === p.record.epoch)) {
        entry.history.push(p.record);
        entry.w.callbacks.onEpoch?.(p.record, entry.history);
      }
    },
  });
  let stopWatching = () => {};
  let lost = false;
  try {
    let onLost: (why: string) => void = () => {};
    const lostQueue = new Promise<never>((_, reject) => (onLost = (why) => reject(new Error(why))));
    stopWatching = watchWorkers(queue, executor, {
      log,
      lastTaken: () => lastTaken,
      everyMs: o.watchMs,
      idleMs: o.idleMs,
      lostMs: o.lostMs,
      onLost: (why) => {
        lost = true;
        onLost(why);
      },
    });
    await Promise.race([events.ready, lostQueue]);
    for (const { w } of byKey.values()) {
      await enqueue(queue, w.key, w.job, log);
      // A run re-attached to shows the epochs it has already finished.
      const header = readCheckpointHeader<{ history: EpochRecord[] }>(w.dir);
      const entry = byKey.get(w.key)!;
      for (const record of header?.meta.history ?? []) {
        if (entry.history.some((h) => h.epoch === record.epoch)) continue;
        entry.history.push(record);
        w.callbacks.onEpoch?.(record, entry.history);
      }
    }
    let failed: Map<string, string>;
    try {
      failed = await Promise.race([waitFinished(queue, work, o.pollMs ?? 1000, (w) => (wake = w)), lostQueue]);
    } catch (e) {
      throw new Error(
        `lost the queue ${executor.queue} (MIXUP_EXECUTOR=${executor.url}) while ${work.length} run(s) were queued or ` +
          `training: ${(e as Error).message}. Finished epochs stay checkpointed in the run cache: start Redis and a ` +
          'worker again and rerun, and the runs resume there.',
      );
    }
    if (failed.size) {
      throw new Error(
        [...failed]
          .map(
            ([key, reason]) =>
              `${jobLabel(byKey.get(key)!.w.job)} (run ${key}) failed on the queue ${executor.url}: ${reason}`,
          )
          .join('\n'),
      );
    }
  } finally {
    stopWatching();
    // Closing a connection to a Redis that has gone would wait for ever: cut it instead.
    await events.close(lost);
    if (lost) void queue.disconnect().catch(() => {});
    else await queue.close();
  }
}
