/**
 * One run in a fresh worker child (./worker) at a fixed TensorFlow thread count: what a queue worker (./runner) and an
 * array-job task (`npm run runs -- train`) do with each run. The local pool (./pool) keeps its children across jobs.
 */
import { ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { tf } from '../backend';
import { isNativeCrash, NATIVE_CRASH_HINT } from '../backend/cpu';
import type { RunJob } from './jobs';
import type { WorkerMessage, WorkerRequest } from './protocol';

const WORKER_SCRIPT = path.join(__dirname, 'worker.js');

export interface ChildRun {
  child: ChildProcess;
  /** Resolves when the run is done, or with why it is not (the child's error, or how it stopped). */
  outcome: Promise<{ ok: true } | { ok: false; message: string }>;
}

export function trainInChild(
  job: RunJob,
  o: { threads: number; takeover: boolean; onMessage?: (m: WorkerMessage) => void },
): ChildRun {
  const child = fork(WORKER_SCRIPT, [], {
    // No training slots: the caller's own concurrency caps its runs.
    env: {
      ...process.env,
      TF_NUM_INTRAOP_THREADS: String(o.threads),
      MIXUP_BACKEND: tf.getBackend(),
      MIXUP_TRAINING_SLOTS: '',
    },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-2000)));
  const outcome = new Promise<{ ok: true } | { ok: false; message: string }>((resolve) => {
    child.on('message', (m: WorkerMessage) => {
      o.onMessage?.(m);
      if (m.type === 'done') resolve({ ok: true });
      else if (m.type === 'error') resolve({ ok: false, message: m.message });
    });
    child.on('exit', (code, signal) => {
      const crash = isNativeCrash(code, signal) ? `: ${NATIVE_CRASH_HINT}` : '';
      const last = stderr.trim() ? `; its last output: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : '';
      resolve({ ok: false, message: `its training process stopped (${signal ?? `exit code ${code}`}${crash})${last}` });
    });
    child.send({ job, takeover: o.takeover } satisfies WorkerRequest);
  });
  void outcome.then(() => {
    if (child.connected) child.disconnect();
  });
  return { child, outcome };
}
