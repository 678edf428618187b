/** Queue workers for the queue's tests: `npm run worker` as a tracked child on a run cache, its output kept. */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { spawnTracked } from '../scripts/processes';
import { cifarSource, ROOT, until } from './helpers';

export interface Proc {
  child: ChildProcess;
  log: () => string;
}

/** A compiled script (dist/scripts/NAME.js) on the run cache `runs`; `onText` sees everything it prints. */
export function startScript(
  name: string,
  args: string[],
  runs: string,
  env: NodeJS.ProcessEnv = {},
  onText?: (text: string) => void,
): Proc {
  let out = '';
  const child = spawnTracked(process.execPath, [path.join(ROOT, 'dist', 'scripts', `${name}.js`), ...args], {
    env: { ...process.env, MIXUP_RUNS_DIR: runs, MIXUP_CIFAR10: cifarSource(), TF_CPP_MIN_LOG_LEVEL: '2', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const take = (b: Buffer) => {
    out += b.toString();
    onText?.(b.toString());
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  return { child, log: () => out };
}

/** `npm run worker` at one thread with short lock and stall timeouts (`args` add to them). */
export function startWorker(
  url: string,
  runs: string,
  o: { args?: string[]; env?: NodeJS.ProcessEnv; onText?: (text: string) => void } = {},
): Proc {
  return startScript(
    'worker',
    ['--executor', url, '--threads', '1', '--lock-ms', '3000', '--stalled-ms', '1000', ...(o.args ?? [])],
    runs,
    o.env,
    o.onText,
  );
}

export const workerReady = (w: Proc) =>
  until('the worker to take runs', () => w.log().includes('taking runs from'), 60_000);
