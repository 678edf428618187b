import fs from 'node:fs';
import path from 'node:path';
import type { EpochRecord } from '../lib/train/loop';
import { tf, useBackend } from '../lib/backend';

export const ROOT = path.resolve(__dirname, '..', '..');

/** Native TensorFlow unless MIXUP_BACKEND says otherwise (CI runs on native). */
export function backendForTests() {
  return useBackend();
}

/** Where the tests read CIFAR-10 from: MIXUP_CIFAR10, else the shared development copy, else an earlier fetch. */
export function cifarSource(): string {
  const candidates = [
    process.env.MIXUP_CIFAR10,
    path.join(ROOT, '..', 'shared', 'data', 'cifar-10-batches-bin'),
    path.join(ROOT, 'data', 'cifar-10', 'cifar-10-batches-bin'),
  ].filter(Boolean) as string[];
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found)
    throw new Error(
      `tests need CIFAR-10: set MIXUP_CIFAR10 to a folder of the .bin files (looked in ${candidates.join(', ')})`,
    );
  return found;
}

/** Runs fn on the named backend and returns plain arrays, restoring the previous backend. */
export function onBackend<T>(name: string, fn: () => T): T {
  const prev = tf.getBackend();
  tf.setBackend(name);
  try {
    return fn();
  } finally {
    tf.setBackend(prev);
  }
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s / xs.length;
}

/** Where the tests read FSDD from: MIXUP_FSDD, else the shared development archive, else an earlier fetch. */
export function fsddSource(): string {
  const candidates = [
    process.env.MIXUP_FSDD,
    path.join(ROOT, '..', 'shared', 'data', 'fsdd-recordings.tar.gz'),
    path.join(ROOT, 'data', 'fsdd', 'recordings'),
  ].filter(Boolean) as string[];
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found)
    throw new Error(
      `tests need FSDD: set MIXUP_FSDD to its archive or a folder of the .wav files (looked in ${candidates.join(', ')})`,
    );
  return found;
}

export const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves once `ok` holds (polled every 100 ms); fails naming `what` after `ms`. */
export async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await wait(100);
  }
}

/** A run's history without its clock readings: what must be bitwise equal between two trainings of one run. */
export const historyNumbers = (h: EpochRecord[]) => h.map(({ seconds, imgPerSec, ...rest }) => rest);
