/**
 * A queue worker (`npm run worker`): takes runs off the BullMQ queue named by an executor and trains each in a worker
 * child process (lib/cluster/worker), the same child and `trainSpec` as the local pool, with a fixed TensorFlow thread
 * count, so a run's numbers do not depend on the machine that took it. Progress goes back as the job's progress
 * events (epoch records, throttled step lines, this host's name). The run cache must be the submitters' (shared
 * storage: MIXUP_RUNS_DIR), where the finished run lands.
 * BullMQ brings the rest: retries, a stalled job (its worker killed or paused) handed to another worker, which takes
 * the run's lock over and resumes from its checkpoint (lib/runs/lock fences the old one out).
 */
import fs from 'node:fs';
import os from 'node:os';
import { DelayedError, Job, UnrecoverableError, Worker } from 'bullmq';
import type { RunJob } from '../experiments/jobs';
import { jobLabel } from '../experiments/jobs';
import { TrainerProcess } from './child';
import { STOPPED, WorkerMessage } from './protocol';
import { runsRoot } from '../runs/cache';
import { assertReachable, connection, Executor } from './executor';
import { Fingerprint, fingerprint, fingerprintMismatch } from './fingerprint';
import { checkQueuedRun } from './payload';

/** What a queued job carries. */
export interface QueuedRun {
  job: RunJob;
  fingerprint: Fingerprint;
  /** Who asked for it (host), for the sweep's table. */
  submitter: string;
}

/** A job's progress event: an epoch record, or a step line at most once a second; `host` says which machine trains. */
export type RunProgress =
  | { type: 'start'; host: string }
  | { type: 'step'; host: string; info: Extract<WorkerMessage, { type: 'step' }>['info'] }
  | { type: 'epoch'; host: string; record: Extract<WorkerMessage, { type: 'epoch' }>['record'] };

export interface RunnerOptions {
  executor: Executor;
  /** Runs trained at once on this machine (default 1). */
  concurrency?: number;
  /** TensorFlow threads per run (default 1, as the local pool's workers on two cores). */
  threads?: number;
  /** BullMQ's lock on an active job and how often stalled jobs are looked for (ms): how soon a dead worker's run moves. */
  lockMs?: number;
  stalledMs?: number;
  /** Told what happens, one line at a time. */
  log?: (line: string) => void;
}

export interface Runner {
  worker: Worker<QueuedRun>;
  /**
   * Stops taking jobs; a run in progress stops after its next checkpoint and goes back to the queue. Bounded whatever
   * Redis does: once the runs have checkpointed, the queue connection gets `closeMs` (default 5 s) to close, then is
   * cut. Resolves true when no run was lost (every run in progress checkpointed or finished).
   */
  shutdown(closeMs?: number): Promise<boolean>;
}

export async function startRunner(o: RunnerOptions): Promise<Runner> {
  const root = runsRoot();
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    throw new Error(
      `the run cache ${root} does not exist on this machine: mount the shared folder and point MIXUP_RUNS_DIR at it (a worker writes its runs there for the submitters to load)`,
    );
  }
  await assertReachable(o.executor);
  const concurrency = o.concurrency ?? 1;
  // A fixed count, not the machine's: a run's numbers must not depend on where it trained.
  const threads = o.threads ?? 1;
  const host = os.hostname();
  const log = o.log ?? ((l: string) => console.log(l));
  const idle: TrainerProcess[] = [];
  const busy = new Set<TrainerProcess>();
  /** Each run in progress, until its trainer has stopped: true if it checkpointed or finished. */
  const running = new Set<Promise<boolean>>();
  let stopping = false;

  const processor = async (job: Job<QueuedRun>, token?: string): Promise<{ host: string }> => {
    // No payload reaches a trainer unchecked: a bad one fails for good (no retry), naming the job and the field.
    let data: QueuedRun;
    try {
      data = checkQueuedRun(job.data, String(job.id));
    } catch (e) {
      log(`worker ${host}: refused ${(e as Error).message}`);
      throw new UnrecoverableError(`${host} refused ${(e as Error).message}`);
    }
    job.data = data;
    const mismatch = fingerprintMismatch(job.data.fingerprint, fingerprint(job.data.job));
    if (mismatch) throw new UnrecoverableError(`${host} refused ${jobLabel(job.data.job)}: ${mismatch}`);
    const label = jobLabel(job.data.job);
    log(`worker ${host}: ${label} (${job.id}) started, attempt ${job.attemptsMade + 1}`);
    let progress: Promise<unknown> = job.updateProgress({ type: 'start', host } satisfies RunProgress);
    const report = (p: RunProgress) => {
      // In order, one at a time: the submitter shows them as they come.
      progress = progress.then(() => job.updateProgress(p)).catch(() => {});
    };
    let lastStep = 0;
    // A process left idle by an earlier run takes this one: no new TensorFlow start, the data already loaded.
    const trainer = idle.pop() ?? new TrainerProcess(threads);
    busy.add(trainer);
    if (stopping) trainer.stop();
    const ran = trainer.run(job.data.job, true, (m) => {
      if (m.type === 'step') {
        if (Date.now() - lastStep >= 1000) {
          lastStep = Date.now();
          report({ type: 'step', host, info: m.info });
        }
      } else if (m.type === 'epoch') report({ type: 'epoch', host, record: m.record });
    });
    const settled = ran.then((o) => o.ok || (stopping && o.message.includes(STOPPED)));
    running.add(settled);
    const outcome = await ran;
    running.delete(settled);
    busy.delete(trainer);
    // Kept only after a clean run: after an error or a stop its state is not to be trusted with another.
    if (outcome.ok && !stopping && trainer.usable) idle.push(trainer);
    else trainer.close();
    await progress;
    if (outcome.ok) {
      log(`worker ${host}: ${label} (${job.id}) done`);
      return { host };
    }
    if (stopping && outcome.message.includes(STOPPED)) {
      // Handed back without using up an attempt: the next worker resumes from the checkpoint just written.
      log(`worker ${host}: ${label} (${job.id}) handed back after its last checkpoint`);
      await job.moveToDelayed(Date.now(), token);
      throw new DelayedError();
    }
    log(`worker ${host}: ${label} (${job.id}) failed: ${outcome.message}`);
    throw new Error(`${host}: ${outcome.message}`);
  };

  const worker = new Worker<QueuedRun>(o.executor.queue, processor, {
    connection: connection(o.executor),
    concurrency,
    lockDuration: o.lockMs ?? 30_000,
    stalledInterval: o.stalledMs ?? 30_000,
    // A run that stalls (its worker killed or paused) goes back to the queue this many times before it counts as failed.
    maxStalledCount: 5,
  });
  worker.on('error', (e) => log(`worker ${host}: ${e.message}`));
  await worker.waitUntilReady();
  log(
    `worker ${host}: taking runs from ${o.executor.url} (queue ${o.executor.queue}), ${concurrency} at once, ${threads} TensorFlow thread(s) each, run cache ${root}`,
  );
  return {
    worker,
    shutdown: async (closeMs = 5000) => {
      stopping = true;
      for (const t of busy) t.stop();
      // The runs in progress end at their next checkpoint: the trainers' time, without Redis.
      const clean = (await Promise.all([...running])).every(Boolean);
      for (const t of idle.splice(0)) t.close();
      // Closing waits for Redis (BullMQ hands each job back); a Redis that has gone never answers, so it gets closeMs.
      let timer: NodeJS.Timeout | undefined;
      const closed = await Promise.race([
        worker.close().then(
          () => true,
          () => false,
        ),
        new Promise<false>((r) => (timer = setTimeout(() => r(false), closeMs))),
      ]);
      clearTimeout(timer);
      if (!closed) {
        log(`worker ${host}: the queue's Redis did not answer within ${closeMs / 1000} s; disconnecting from it`);
        // Cut, not awaited: a connection to a host that has gone may never report its end.
        void worker.disconnect().catch(() => {});
      }
      for (const t of busy) t.close();
      return clean;
    },
  };
}
