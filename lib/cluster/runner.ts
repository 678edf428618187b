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
import { DelayedError, Job, JobJsonRaw, UnrecoverableError, Worker } from 'bullmq';
import type { RunJob } from '../experiments/jobs';
import { jobKey, jobLabel } from '../experiments/jobs';
import { jobWork } from '../experiments/cost';
import { TrainerProcess, TrainLimits } from './child';
import { STOPPED, WorkerMessage } from './protocol';
import { runsRoot } from '../runs/cache';
import { assertReachable, connection, Executor } from './executor';
import { Fingerprint, fingerprint, fingerprintMismatch } from './fingerprint';
import { checkQueuedRun, NOT_JSON, payloadSizeProblem, QUEUE_JOB_OPTIONS, quoteId } from './payload';

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
  /**
   * The largest job this worker takes, in lib/experiments/cost's `jobWork` units (examples × width² × epochs); a job
   * above it fails at once, naming the ceiling (default: none; `npm run worker` sizes it to the reports' largest run).
   */
  maxWork?: number;
  /** What each trainer may use: resident memory and wall time per job (npm run worker sets defaults). */
  limits?: TrainLimits;
}

function parses(text: string | undefined): boolean {
  try {
    JSON.parse(text || '{}');
    return true;
  } catch {
    return false;
  }
}

/** Jobs whose raw payload could not be read, with why: they fail at once rather than cycle through stall checks. */
const unreadable = new WeakMap<Job, string>();

/**
 * BullMQ's worker, reading each job with the queue's own rules: a payload too big or not JSON is marked (and refused
 * by the processor) instead of throwing inside BullMQ, where the job would sit active until its stall checks ran out;
 * and the job's own attempts, backoff and retention are replaced by the queue's (QUEUE_JOB_OPTIONS).
 */
class QueueWorker extends Worker<QueuedRun> {
  protected override createJob(raw: JobJsonRaw, jobId: string): Job<QueuedRun> {
    // The size before any parse; BullMQ's own parse (one per job) then says whether it is JSON.
    let problem = payloadSizeProblem(Buffer.byteLength(raw.data ?? ''));
    let job: Job<QueuedRun>;
    try {
      job = super.createJob(problem ? { ...raw, data: '{}' } : raw, jobId);
    } catch {
      // Which field failed, on this rare path only: the payload, or else its options or progress.
      problem ??= parses(raw.data) ? 'its options are not JSON' : NOT_JSON;
      job = super.createJob({ ...raw, data: '{}', opts: '{}', progress: '0' }, jobId);
    }
    Object.assign(job.opts, QUEUE_JOB_OPTIONS);
    if (problem) unreadable.set(job, problem);
    return job;
  }
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

  const refuse = (why: string): never => {
    log(`worker ${host}: refused ${why}`);
    throw new UnrecoverableError(`${host} refused ${why}`);
  };
  const processor = async (job: Job<QueuedRun>, token?: string): Promise<{ host: string }> => {
    const id = quoteId(job.id);
    // No payload reaches a trainer unchecked: a bad one fails for good (no retry), naming the job and the field.
    const problem = unreadable.get(job);
    if (problem) refuse(`job ${id}: ${problem}`);
    let data: QueuedRun;
    try {
      data = checkQueuedRun(job.data, String(job.id));
    } catch (e) {
      return refuse((e as Error).message);
    }
    job.data = data;
    // An id is the key of what the job carries: a job planted under another run's key, or one run under two ids (two
    // workers would take it from each other), is refused.
    const key = jobKey(data.job);
    if (job.id !== key)
      refuse(
        `job ${id}: its id is not the key of the run it carries (${key}): queue runs through a notebook, ` +
          '`npm run sweep` or `npm run runs`, which name each job by its key',
      );
    const mismatch = fingerprintMismatch(data.fingerprint, fingerprint(data.job));
    if (mismatch) refuse(`${jobLabel(data.job)}: ${mismatch}`);
    const work = jobWork(data.job);
    if (o.maxWork !== undefined && work > o.maxWork)
      refuse(
        `job ${id} (${jobLabel(data.job)}): its size, ${work.toExponential(2)} (examples × width² × epochs), is over ` +
          `this worker's ceiling of ${o.maxWork.toExponential(2)}: start the worker with --max-work ${work.toExponential(2)} ` +
          'if you meant to train it',
      );
    const label = jobLabel(data.job);
    log(`worker ${host}: ${label} (${id}) started, attempt ${job.attemptsMade + 1}`);
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
    const ran = trainer.run(
      job.data.job,
      true,
      (m) => {
        if (m.type === 'step') {
          if (Date.now() - lastStep >= 1000) {
            lastStep = Date.now();
            report({ type: 'step', host, info: m.info });
          }
        } else if (m.type === 'epoch') report({ type: 'epoch', host, record: m.record });
      },
      o.limits,
    );
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
      log(`worker ${host}: ${label} (${id}) done`);
      return { host };
    }
    if (stopping && outcome.message.includes(STOPPED)) {
      // Handed back without using up an attempt: the next worker resumes from the checkpoint just written.
      log(`worker ${host}: ${label} (${id}) handed back after its last checkpoint`);
      await job.moveToDelayed(Date.now(), token);
      throw new DelayedError();
    }
    log(`worker ${host}: ${label} (${id}) failed: ${outcome.message}`);
    // Past a limit it would only fail again: no retry.
    if (!outcome.ok && outcome.limit) throw new UnrecoverableError(`${host}: ${outcome.message}`);
    throw new Error(`${host}: ${outcome.message}`);
  };

  const worker = new QueueWorker(o.executor.queue, processor, {
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
    `worker ${host}: taking runs from ${o.executor.url} (queue ${o.executor.queue}), ${concurrency} at once, ${threads} TensorFlow thread(s) each, run cache ${root}` +
      (o.maxWork !== undefined ? `; jobs up to size ${o.maxWork.toExponential(2)}` : '') +
      (o.limits?.maxRssBytes ? `, ${(o.limits.maxRssBytes / 1024 ** 3).toFixed(1)} GiB` : '') +
      (o.limits?.maxSeconds ? `, ${(o.limits.maxSeconds / 3600).toFixed(1)} h each` : ''),
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
