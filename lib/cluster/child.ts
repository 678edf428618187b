/**
 * A training process (./worker) at a fixed TensorFlow thread count that trains one job at a time and can be given the
 * next: the one child wrapper of every runner. The local pool (./pool) keeps one per worker, a queue worker (./runner)
 * one per run it trains at once, and an array-job task (`npm run runs -- train`) starts one for its run. Reusing the
 * process spares each job TensorFlow's start and the data's loading; the numbers are the same as in a fresh process.
 */
import { ChildProcess, fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tf } from '../backend';
import { isNativeCrash, NATIVE_CRASH_HINT } from '../backend/cpu';
import type { RunJob } from '../experiments/jobs';
import type { WorkerMessage, WorkerRequest } from './protocol';

const WORKER_SCRIPT = path.join(__dirname, 'worker.js');

/**
 * How a job ended. A failure is the job's own error, or the process's end: `exit` then says how it stopped ("out of
 * memory: …", "killed for time: …", "SIGSEGV: a native crash …", "exit code 1"), `limit` whether a limit of the caller's
 * stopped it, and `output` holds its last lines of stderr.
 */
export type Outcome =
  { ok: true } | { ok: false; message: string; exit?: string; limit?: 'memory' | 'time'; output?: string };

/** What one job may use (a queue worker's, for jobs it did not write); none: the local pool's own runs. */
export interface TrainLimits {
  /** Resident memory, checked every second (the process is killed past it). */
  maxRssBytes?: number;
  /** Wall time of the job. */
  maxSeconds?: number;
  /** How the limits are raised, for the message (e.g. "npm run worker -- --max-memory-gb G"). */
  raise?: { memory: string; time: string };
}

/** A process's resident memory from /proc (Linux), or null where it cannot be read. */
export function residentBytes(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

const GIB = 1024 ** 3;
/** What an allocator that ran out says on stderr before it aborts (C++, TensorFlow, the kernel's mmap). */
const OUT_OF_MEMORY = /bad_alloc|out of memory|OOM when allocating|ResourceExhausted|Cannot allocate memory/i;

/** How a process that exited so stopped, in words: out of memory, a signal from outside, a native crash, a code. */
export function exitCause(code: number | null, signal: NodeJS.Signals | null, stderr: string): string {
  if (OUT_OF_MEMORY.test(stderr)) return `out of memory (${signal ?? `exit code ${code}`})`;
  if (signal === 'SIGKILL')
    return 'SIGKILL: killed from outside, most often by the system running out of memory (see `dmesg`)';
  return `${signal ?? `exit code ${code}`}${isNativeCrash(code, signal) ? `: ${NATIVE_CRASH_HINT}` : ''}`;
}

export class TrainerProcess {
  readonly child: ChildProcess;
  private current: { resolve: (o: Outcome) => void; onMessage?: (m: WorkerMessage) => void } | null = null;
  private exited: Extract<Outcome, { ok: false }> | null = null;
  private stderr = '';
  /** Why this process was killed by its limits, if it was. */
  private limited: { limit: 'memory' | 'time'; why: string } | null = null;

  /**
   * `slots`: the run cache's training slots its runs take (lib/runs/slots), shared by every pool on this machine; none
   * (a queue worker, an array task): the caller's own concurrency caps its runs.
   */
  constructor(threads: number, o: { slots?: number } = {}) {
    this.child = fork(WORKER_SCRIPT, [], {
      // The thread count is set before TensorFlow starts in the child; it is part of what makes a seed's numbers.
      env: {
        ...process.env,
        TF_NUM_INTRAOP_THREADS: String(threads),
        MIXUP_BACKEND: tf.getBackend(),
        MIXUP_TRAINING_SLOTS: o.slots ? String(o.slots) : '',
      },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.child.stderr!.on('data', (b: Buffer) => (this.stderr = (this.stderr + b.toString()).slice(-2000)));
    this.child.on('message', (m: WorkerMessage) => {
      const cur = this.current;
      if (!cur) return;
      cur.onMessage?.(m);
      if (m.type === 'done') this.finish({ ok: true });
      else if (m.type === 'error') this.finish({ ok: false, message: m.message });
    });
    this.child.on('error', (e) => {
      // A message sent to a process that has just died (EPIPE, a closed channel) is not the cause: its 'exit' says how
      // it stopped. Only a process that never started ends the run here.
      if (this.child.pid !== undefined) return;
      this.exited = { ok: false, message: `could not start a training process (${WORKER_SCRIPT}): ${e.message}` };
      this.finish(this.exited);
    });
    this.child.on('exit', (code, signal) => {
      const exit = this.limited?.why ?? exitCause(code, signal, this.stderr);
      const output = this.stderr.trim() ? this.stderr.trim().split('\n').slice(-3).join(' | ') : undefined;
      this.exited = {
        ok: false,
        message: `its training process stopped (${exit})${output ? `; its last output: ${output}` : ''}`,
        exit,
        ...(this.limited ? { limit: this.limited.limit } : {}),
        ...(output ? { output } : {}),
      };
      this.finish(this.exited);
    });
  }

  /** Whether it can take a run. */
  get usable(): boolean {
    return this.exited === null && this.current === null && this.child.connected;
  }

  /**
   * Trains `job` (`takeover`: the caller was given the run by a scheduler; lib/runs/lock) within `limits`: past one,
   * the process is killed and the outcome names the limit.
   */
  run(
    job: RunJob,
    takeover: boolean,
    onMessage?: (m: WorkerMessage) => void,
    limits: TrainLimits = {},
  ): Promise<Outcome> {
    if (this.exited) return Promise.resolve(this.exited);
    if (this.current) throw new Error('this training process is busy with another run');
    const watch = this.watch(limits);
    return new Promise<Outcome>((resolve) => {
      this.current = { resolve, onMessage };
      this.child.send({ job, takeover } satisfies WorkerRequest);
    }).finally(watch);
  }

  /** Starts checking `limits` on the job about to run; returns the stop. */
  private watch(limits: TrainLimits): () => void {
    const { maxRssBytes, maxSeconds, raise } = limits;
    const kill = (limit: 'memory' | 'time', why: string) => {
      if (this.limited) return;
      this.limited = { limit, why };
      this.child.kill('SIGKILL');
    };
    const memory =
      maxRssBytes === undefined
        ? undefined
        : setInterval(() => {
            const rss = residentBytes(this.child.pid!);
            if (rss !== null && rss > maxRssBytes)
              kill(
                'memory',
                `out of memory: it held ${(rss / GIB).toFixed(1)} GiB, over this worker's limit of ` +
                  `${(maxRssBytes / GIB).toFixed(1)} GiB${raise ? ` (${raise.memory})` : ''}`,
              );
          }, 1000);
    const time =
      maxSeconds === undefined
        ? undefined
        : setTimeout(
            () =>
              kill(
                'time',
                `killed for time: it ran past this worker's limit of ${maxSeconds} s${raise ? ` (${raise.time})` : ''}`,
              ),
            maxSeconds * 1000,
          );
    return () => {
      clearInterval(memory);
      clearTimeout(time);
    };
  }

  /** Asks the run in progress to stop after its next checkpoint (the process cannot take runs after it). */
  stop(): void {
    if (this.child.connected) this.child.send({ stop: true } satisfies WorkerRequest);
  }

  /** Lets the process exit (it exits when disconnected). */
  close(): void {
    if (this.child.connected) this.child.disconnect();
  }

  /** Stops the process now (its run's last finished epoch stays checkpointed). */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
  }

  private finish(o: Outcome): void {
    const cur = this.current;
    this.current = null;
    cur?.resolve(o);
  }
}

/** One run in a fresh training process, which exits after it. */
export function trainInChild(
  job: RunJob,
  o: { threads: number; takeover: boolean; onMessage?: (m: WorkerMessage) => void },
): { child: ChildProcess; outcome: Promise<Outcome> } {
  const t = new TrainerProcess(o.threads);
  const outcome = t.run(job, o.takeover, o.onMessage).finally(() => t.close());
  return { child: t.child, outcome };
}
