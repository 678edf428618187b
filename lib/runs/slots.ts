/**
 * Training slots: however many notebooks' pools start worker processes on one run cache, at most `n` of those
 * workers train at once. Why: the report executes two notebooks side by side (scripts/notebooks --lanes), and each
 * notebook's pool starts its own `workers` processes with cores / workers TensorFlow threads each, so two
 * notebooks would put four training processes on two cores — less throughput than two, and twice the memory. A worker holds a slot while it trains a job; the others wait.
 *
 * A slot is a file `<runs>/.slots/slot-<i>` holding its trainer's pid (`claimPidFile`, as the run lock); a slot whose
 * process is gone (killed) is taken over. Written by hand for the reason the run lock in ./cache is: staleness is a
 * dead pid on this machine, not an age.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runsRoot } from './cache';
import { claimPidFile } from './lock';

export const SLOTS_DIR = '.slots';

/** Slot `i` of this machine: slots are per machine, also when machines share one run cache (lib/cluster/runner). */
export function slotFile(root: string, i: number): string {
  return path.join(root, SLOTS_DIR, `slot-${os.hostname()}-${i}`);
}

/**
 * Takes one of `n` slots for this process, waiting (polling every `pollMs`) while live processes hold all of them.
 * Returns the release; call it when the job is done (a process that dies holding a slot frees it by dying).
 */
export async function claimSlot(n: number, root = runsRoot(), pollMs = 500): Promise<() => void> {
  if (!Number.isInteger(n) || n < 1) throw new Error(`training slots must be a whole number ≥ 1, got ${n}`);
  const dir = path.join(root, SLOTS_DIR);
  fs.mkdirSync(dir, { recursive: true });
  for (;;) {
    for (let i = 0; i < n; i++) {
      const file = slotFile(root, i);
      // A slot freed by a dead holder is tried again next round.
      if (claimPidFile(file).state === 'claimed') return () => fs.rmSync(file, { force: true });
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
