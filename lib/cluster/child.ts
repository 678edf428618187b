/**
 * A training process (./worker) at a fixed TensorFlow thread count that trains one run at a time and can be given the
 * next: what a queue worker (./runner) keeps one of per run it trains at once, and what an array-job task
 * (`npm run runs -- train`) starts for its run. Reusing the process spares each run TensorFlow's start and the data's
 * loading; the numbers are the same as in a fresh process (the local pool, ./pool, reuses its workers the same way).
 */
import { ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { tf } from '../backend';
import { isNativeCrash, NATIVE_CRASH_HINT } from '../backend/cpu';
import type { RunJob } from '../experiments/jobs';
import type { WorkerMessage, WorkerRequest } from './protocol';

const WORKER_SCRIPT = path.join(__dirname, 'worker.js');

export type Outcome = { ok: true } | { ok: false; message: string };

export class TrainerProcess {
  readonly child: ChildProcess;
  private current: { resolve: (o: Outcome) => void; onMessage?: (m: WorkerMessage) => void } | null = null;
  private exited: string | null = null;
  private stderr = '';

  constructor(threads: number) {
    this.child = fork(WORKER_SCRIPT, [], {
      // No training slots: the caller's own concurrency caps its runs.
      env: {
        ...process.env,
        TF_NUM_INTRAOP_THREADS: String(threads),
        MIXUP_BACKEND: tf.getBackend(),
        MIXUP_TRAINING_SLOTS: '',
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
    this.child.on('exit', (code, signal) => {
      const crash = isNativeCrash(code, signal) ? `: ${NATIVE_CRASH_HINT}` : '';
      const last = this.stderr.trim()
        ? `; its last output: ${this.stderr.trim().split('\n').slice(-3).join(' | ')}`
        : '';
      this.exited = `its training process stopped (${signal ?? `exit code ${code}`}${crash})${last}`;
      this.finish({ ok: false, message: this.exited });
    });
  }

  /** Whether it can take a run. */
  get usable(): boolean {
    return this.exited === null && this.current === null && this.child.connected;
  }

  /** Trains `job` (`takeover`: the caller was given the run by a scheduler; lib/runs/lock). */
  run(job: RunJob, takeover: boolean, onMessage?: (m: WorkerMessage) => void): Promise<Outcome> {
    if (this.exited) return Promise.resolve({ ok: false, message: this.exited });
    if (this.current) throw new Error('this training process is busy with another run');
    return new Promise<Outcome>((resolve) => {
      this.current = { resolve, onMessage };
      this.child.send({ job, takeover } satisfies WorkerRequest);
    });
  }

  /** Asks the run in progress to stop after its next checkpoint (the process cannot take runs after it). */
  stop(): void {
    if (this.child.connected) this.child.send({ stop: true } satisfies WorkerRequest);
  }

  /** Lets the process exit (it exits when disconnected). */
  close(): void {
    if (this.child.connected) this.child.disconnect();
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
