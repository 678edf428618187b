/**
 * Who trains a run: a lock file in the run's folder holding the trainer's host, pid and a token, so that two notebooks
 * (or report lanes, or queue workers on several machines sharing one run cache) asking for one run train it once.
 * On one machine a dead holder is found by its pid and its run taken over (it resumes from its checkpoint). Across
 * machines no pid can be probed: the queue (lib/cluster/queue, runner) decides who trains, and its worker takes the lock over; the
 * holder it replaced (stalled, paused) is fenced out, because every rename of a checkpoint or a result first checks
 * that the lock still holds the writer's token.
 * Written by hand: the npm lock packages (proper-lockfile and the like) decide staleness by age, and an epoch of the
 * paper profile outlasts any sensible age; a dead process id is the exact test on one machine.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readCheckpointHeader, writeFileAtomic } from '../train/checkpoint';
import type { EpochRecord, TrainCallbacks } from '../train/loop';

/** Whether process `pid` is running on this machine. */
function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What a lock or slot file holds. Files of older versions hold a bare pid (this host's). */
export interface Holder {
  host: string;
  pid: number;
  token: string;
}

export function readHolder(file: string): Holder | null | 'empty' {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  if (text.trim() === '') return 'empty';
  if (/^\d+$/.test(text.trim())) return { host: os.hostname(), pid: Number(text), token: '' };
  try {
    return JSON.parse(text) as Holder;
  } catch {
    return 'empty'; // being written
  }
}

const me = (): Holder => ({ host: os.hostname(), pid: process.pid, token: randomUUID() });

/**
 * Creates `file` holding this process's host, pid and a fresh token ('claimed'). When it exists: 'freed' if its holder
 * is gone (the file was removed, or its holder is a process of this host that is not running, and this call removed
 * it: claim again), else 'held' (a live holder, one on another host, or a claim being written). The run lock (below)
 * and the training slots (./slots) are such files.
 */
export function claimPidFile(file: string): { state: 'claimed'; holder: Holder } | { state: 'held' | 'freed' } {
  const holder = me();
  try {
    fs.writeFileSync(file, JSON.stringify(holder), { flag: 'wx' });
    return { state: 'claimed', holder };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const h = readHolder(file);
  if (h === null) return { state: 'freed' }; // released meanwhile
  if (h === 'empty' || h.host !== os.hostname() || alive(h.pid)) return { state: 'held' };
  fs.rmSync(file, { force: true });
  return { state: 'freed' };
}

export const RUN_LOCK = 'train.lock';

/** Thrown by a writer whose lock was taken over: it must stop without writing. */
export class LostRunError extends Error {
  constructor(dir: string, by: Holder | null | 'empty') {
    const who = by && by !== 'empty' ? `${by.host} (pid ${by.pid})` : 'nobody (the lock was removed)';
    super(`the run in ${dir} was taken over by ${who}: this trainer stops without writing its checkpoint or result`);
  }
}

/** This process's hold on a run: `check()` before every rename into the run's folder, `release()` at the end. */
export interface RunLease {
  holder: Holder;
  check(): void;
  release(): void;
}

function lease(dir: string, holder: Holder): RunLease {
  const file = path.join(dir, RUN_LOCK);
  const ours = () => {
    const h = readHolder(file);
    return h !== null && h !== 'empty' && h.token === holder.token;
  };
  return {
    holder,
    check: () => {
      if (!ours()) throw new LostRunError(dir, readHolder(file));
    },
    // Only our own lock is removed: a trainer that was taken over leaves its successor's in place.
    release: () => {
      if (ours()) fs.rmSync(file, { force: true });
    },
  };
}

/**
 * Makes this process the one that trains the run in `dir` (its lease), or waits until another process that holds it
 * has finished it (null). While waiting, the holder's finished epochs are passed to `onEpoch` from its checkpoint.
 * `takeover`: the caller was given the run by the queue, which knows that any other holder lost it (stalled or
 * killed): the lock becomes this process's at once, and the other is fenced out.
 */
export async function claimRun(
  dir: string,
  callbacks: TrainCallbacks,
  options: { takeover?: boolean; pollMs?: number } = {},
): Promise<RunLease | null> {
  const lock = path.join(dir, RUN_LOCK);
  const done = () => fs.existsSync(path.join(dir, 'result.json'));
  if (options.takeover) {
    if (done()) return null;
    const holder = me();
    writeFileAtomic(lock, JSON.stringify(holder));
    return lease(dir, holder);
  }
  let shown = 0;
  for (;;) {
    if (done()) return null;
    const claim = claimPidFile(lock);
    if (claim.state === 'claimed') {
      // The holder may have finished between the check above and the claim.
      if (done()) {
        fs.rmSync(lock, { force: true });
        return null;
      }
      return lease(dir, claim.holder);
    }
    // Two waiters may both find the same dead holder; the second could then remove the first's fresh lock and both
    // would train. The first is then fenced out at its next write; the second trains the same bytes.
    if (claim.state === 'freed') continue;
    const header = readCheckpointHeader<{ history: EpochRecord[] }>(dir);
    const history = header?.meta.history ?? [];
    for (; shown < history.length; shown++) callbacks.onEpoch?.(history[shown], history.slice(0, shown + 1));
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 2000));
  }
}
