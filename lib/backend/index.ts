/**
 * The only module that knows about tfjs-node. Picks the backend once per process:
 * native TensorFlow (GPU build first, then CPU build) when its binding loads, otherwise the pure-JS
 * `cpu` backend with a loud warning, because it trains orders of magnitude slower and the notebooks' profiles are
 * sized to native speed.
 */
import * as tf from '@tensorflow/tfjs';
import os from 'node:os';

export { tf };

export type BackendChoice = 'auto' | 'tensorflow' | 'cpu';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'tensorflow', 'cpu'];

export interface BackendReport {
  /** tfjs backend name now active: 'tensorflow' or 'cpu'. */
  name: string;
  /** Which npm package provides it ('@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu' or '@tensorflow/tfjs'). */
  package: string;
  requested: BackendChoice;
  /** Why each better option was not taken (empty when the best one runs). */
  reasons: string[];
}

let current: BackendReport | null = null;

const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}

function loadNative(reasons: string[]): string | null {
  for (const pkg of NATIVE_PACKAGES) {
    try {
      require.resolve(pkg);
    } catch {
      reasons.push(`${pkg} is not installed`);
      continue;
    }
    try {
      require(pkg);
      return pkg;
    } catch (e) {
      reasons.push(`${pkg} is installed but its native binding did not load (${firstLine(e)})`);
    }
  }
  return null;
}

function parseChoice(value: string | undefined): BackendChoice {
  const v = (value ?? 'auto').trim().toLowerCase() || 'auto';
  if (!(BACKEND_CHOICES as readonly string[]).includes(v)) {
    throw new Error(`MIXUP_BACKEND=${value} is not a backend: use one of ${BACKEND_CHOICES.join(', ')}`);
  }
  return v as BackendChoice;
}

/**
 * Selects the backend. `choice` overrides the MIXUP_BACKEND environment variable; both default to 'auto'.
 * Calling it again with the same choice returns the existing report; another choice switches backend.
 */
export function useBackend(choice?: BackendChoice): BackendReport {
  const requested = choice === undefined ? parseChoice(process.env.MIXUP_BACKEND) : parseChoice(choice);
  if (current && current.requested === requested) return current;
  const reasons: string[] = [];
  let pkg = '@tensorflow/tfjs';
  if (requested !== 'cpu') {
    const native = loadNative(reasons);
    if (native && tf.findBackend('tensorflow')) {
      pkg = native;
      tf.setBackend('tensorflow');
    } else if (requested === 'tensorflow') {
      throw new Error(
        `native TensorFlow was requested but is not available: ${reasons.join('; ')}.\n` +
          '  fix: run `npm run setup` (it builds tfjs-node against the pinned TensorFlow wheel)',
      );
    }
  } else {
    reasons.push('the cpu backend was requested explicitly');
  }
  if (tf.getBackend() !== 'tensorflow') {
    tf.setBackend('cpu');
    if (requested === 'auto') {
      console.warn(
        '\n*** mixup-lab WARNING: running on the pure-JavaScript cpu backend, orders of magnitude slower than\n' +
          `*** native TensorFlow. Why: ${reasons.join('; ')}.\n*** Fix: run \`npm run setup\`.\n`,
      );
    }
  }
  current = { name: tf.getBackend(), package: pkg, requested, reasons };
  return current;
}

/** The active backend, choosing it from MIXUP_BACKEND on first use. */
export function ensureBackend(): BackendReport {
  return current ?? useBackend();
}

/**
 * TensorFlow's intra-op threads in this process (TF_NUM_INTRAOP_THREADS, else one per available core), or null on the
 * pure-JS backend. Recorded with each run: the thread count changes float rounding, so it is part of what a seed gives.
 */
export function intraOpThreads(): number | null {
  if (!isNative()) return null;
  const n = Number(process.env.TF_NUM_INTRAOP_THREADS);
  return Number.isInteger(n) && n > 0 ? n : os.availableParallelism();
}

/** Whether the backend running now is native TensorFlow (tests switch backends within a process). */
export function isNative(): boolean {
  ensureBackend();
  return tf.getBackend() === 'tensorflow';
}
