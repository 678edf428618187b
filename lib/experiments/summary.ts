import type { EpochRecord } from '../train/loop';

/** Mean and spread over seeds, for the notebooks' tables. */
export function meanStd(xs: number[]): { mean: number; std: number; n: number } {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}

/** "12.34 ± 0.56" in percent (± is the sample standard deviation over seeds; omitted for one seed). */
export function summarize(fractions: number[], digits = 2): string {
  const { mean, std, n } = meanStd(fractions.map((f) => 100 * f));
  return n > 1 ? `${mean.toFixed(digits)} ± ${std.toFixed(digits)}` : mean.toFixed(digits);
}

/** Test error after the last epoch (always scored, whatever the evaluation schedule). */
export function lastTestError(history: EpochRecord[]): number {
  const e = history.at(-1);
  if (!e || e.testError === null) throw new Error('the run has no scored last epoch: was it trained with this version of lib/train?');
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
