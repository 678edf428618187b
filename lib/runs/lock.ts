/**
 * Who trains a run: a pid file in the run's folder, so that two notebooks (or report lanes) asking for one run train
 * it once, and a dead holder's run is taken over and resumes from its checkpoint.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readCheckpointHeader } from '../train/checkpoint';
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

/**
 * Creates `file` holding this process's pid ('claimed'). When it exists: 'freed' if its holder is gone (the file was
 * removed, or its pid is not running and this call removed it: claim again), else 'held'. An empty file is a claim
 * being written, so held. The run lock (below) and the training slots (./slots) are such files.
 */
export function claimPidFile(file: string): 'claimed' | 'held' | 'freed' {
  try {
    fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
    return 'claimed';
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  let holder = '';
  try {
    holder = fs.readFileSync(file, 'utf8');
  } catch {
    return 'freed'; /* released meanwhile */
  }
  if (holder === '' || alive(Number(holder))) return 'held';
  fs.rmSync(file, { force: true });
  return 'freed';
}

export const RUN_LOCK = 'train.lock';

/**
 * Makes this process the one that trains the run in `dir` (true), or waits until another process that holds it has
 * finished it (false). Two notebooks, or two report lanes, may ask for the same run at once; without the lock both
 * would write the same checkpoint. While waiting, the holder's finished epochs are passed to `onEpoch` from its
 * checkpoint. A lock whose process is gone (killed) is taken over, and the run resumes from its checkpoint.
 * Written by hand: the npm lock packages (proper-lockfile and the like) decide staleness by age, and an epoch of the
 * paper profile outlasts any sensible age; a dead process id is the exact test on one machine.
 */
export async function claimRun(dir: string, callbacks: TrainCallbacks, pollMs = 2000): Promise<boolean> {
  const lock = path.join(dir, RUN_LOCK);
  let shown = 0;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'result.json'))) return false;
    const claim = claimPidFile(lock);
    if (claim === 'claimed') {
      // The holder may have finished between the check above and the claim.
      if (fs.existsSync(path.join(dir, 'result.json'))) {
        fs.rmSync(lock, { force: true });
        return false;
      }
      return true;
    }
    // Two waiters may both find the same dead holder; the second could then remove the first's fresh lock and both
    // would train. Both would write the same bytes (same spec, seed and threads), so the run stays right.
    if (claim === 'freed') continue;
    const header = readCheckpointHeader<{ history: EpochRecord[] }>(dir);
    const history = header?.meta.history ?? [];
    for (; shown < history.length; shown++) callbacks.onEpoch?.(history[shown], history.slice(0, shown + 1));
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
