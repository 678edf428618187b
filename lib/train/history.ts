/** What the notebooks read off a run's per-epoch history. */
import type { Calibration } from '../eval/calibration';
import type { EpochRecord } from './loop';

/** Test error after the last epoch (always scored, whatever the evaluation schedule). */
export function lastTestError(history: EpochRecord[]): number {
  const e = history.at(-1);
  if (!e || e.testError === null)
    throw new Error('the run has no scored last epoch: was it trained with this version of lib/train?');
  return e.testError;
}

/** The lowest test error over the scored epochs (the schedule's epochs, not every epoch, when evalEvery > 1). */
export function bestTestError(history: EpochRecord[]): number {
  const scored = history.map((e) => e.testError).filter((v): v is number => v !== null);
  if (!scored.length) throw new Error('the run has no scored epoch');
  return Math.min(...scored);
}

/** A measure of `extra` (e.g. corruptedTrainError) at the last epoch. */
export function lastExtra(history: EpochRecord[], key: string): number {
  const v = history.at(-1)?.extra[key];
  if (v === undefined) throw new Error(`the run's last epoch has no '${key}'`);
  return v;
}

/** ECE after the last epoch (every run records testEce on its scored epochs); null if the last epoch has none. */
export function lastTestEce(history: EpochRecord[]): number | null {
  return history.at(-1)?.testEce ?? null;
}

/** The last epoch's calibration record (lib/eval/calibration), or null for runs recorded before it existed. */
export function lastCalibration(history: EpochRecord[]): Calibration | null {
  return history.at(-1)?.calibration ?? null;
}
