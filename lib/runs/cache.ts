/**
 * Finished runs are cached per configuration and seed under .cache/runs/<hash>/ (git-ignored):
 * `result.json` marks a finished run and is never overwritten; `checkpoint.bin` holds the last finished epoch,
 * so an interrupted run resumes there. Rerunning a notebook with the same configuration reuses the run at once.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LabeledData } from '../data/dataset';
import { intraOpThreads } from '../backend';
import { PROJECT_ROOT } from '../data/paths';
import { buildModel, Model, ModelSpec } from '../models';
import { loadCheckpoint, writeFileAtomic } from '../train/checkpoint';
import { claimRun } from './lock';
import { EpochRecord, train, TrainCallbacks, TrainConfig } from '../train/loop';

/** The run cache's folder: MIXUP_RUNS_DIR, read at each call (a worker process inherits it), else .cache/runs. */
export function runsRoot(): string {
  return process.env.MIXUP_RUNS_DIR ?? path.join(PROJECT_ROOT, '.cache', 'runs');
}

export interface RunSpec {
  /** What the data is (names, sizes, noise): anything that changes the examples must be here. */
  data: Record<string, unknown>;
  model: ModelSpec;
  train: TrainConfig;
}

export interface RunResult {
  spec: RunSpec;
  history: EpochRecord[];
  seconds: number;
  finishedAt: string;
  /** TensorFlow intra-op threads it trained with (native backend; absent in runs cached before it was recorded). */
  threads?: number;
  /** The machine that finished it (absent in runs cached before it was recorded). */
  host?: string;
}

export interface CachedRun extends RunResult {
  model: Model;
  dir: string;
  cached: boolean;
}

function stable(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stable);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, stable((v as Record<string, unknown>)[k])]),
    );
  return v;
}

/** result.json appears whole or not at all: a killed run never leaves half a result. */
function writeResult(file: string, value: unknown, beforeRename?: () => void): void {
  writeFileAtomic(file, JSON.stringify(value, null, 1), beforeRename);
}

/** The cache key of any JSON-able configuration: a hash of its keys in sorted order. */
export function specKey(spec: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(stable(spec)))
    .digest('hex')
    .slice(0, 16);
}

export function runKey(spec: RunSpec): string {
  return specKey(spec);
}

export interface CachedResult<R> {
  result: R;
  spec: unknown;
  seconds: number;
  finishedAt: string;
  dir: string;
  cached: boolean;
}

/**
 * The run cache for runs whose result is all a notebook needs later (no weights to restore, e.g. a GAN's measures):
 * `compute` runs once per configuration, its result lands in result.json (never overwritten), reruns read it.
 */
export async function cachedResult<R>(
  kind: string,
  spec: unknown,
  compute: () => Promise<R>,
  onCached?: (info: { finishedAt: string; seconds: number }) => void,
  root = runsRoot(),
): Promise<CachedResult<R>> {
  const full = { kind, spec };
  const dir = path.join(root, specKey(full));
  const file = path.join(dir, 'result.json');
  if (fs.existsSync(file)) {
    const r = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      spec: unknown;
      result: R;
      seconds: number;
      finishedAt: string;
    };
    // As a run's: a result is read only under the spec it was computed for (a folder renamed, edited or planted is not).
    if (specKey(r.spec) !== specKey(full))
      throw new Error(
        `${file} holds another result's spec (key ${specKey(r.spec)}, asked for ${specKey(full)}): the cache folder ` +
          'was renamed or edited; delete it to compute the result again',
      );
    onCached?.(r);
    return { result: r.result, spec, seconds: r.seconds, finishedAt: r.finishedAt, dir, cached: true };
  }
  const t0 = Date.now();
  const result = await compute();
  const seconds = (Date.now() - t0) / 1000;
  const finishedAt = new Date().toISOString();
  fs.mkdirSync(dir, { recursive: true });
  writeResult(file, { spec: full, result, seconds, finishedAt });
  return { result, spec, seconds, finishedAt, dir, cached: false };
}

export function runDir(spec: RunSpec, root = runsRoot()): string {
  return path.join(root, runKey(spec));
}

/** How a run is claimed: `takeover` when a queue gave this process the run (lib/runs/lock, claimRun). */
export interface RunClaim {
  takeover?: boolean;
}

/** Trains `spec` on `data`, or returns the cached finished run (its model restored from the last checkpoint). */
export async function cachedRun(
  spec: RunSpec,
  data: { train: LabeledData; test: LabeledData },
  callbacks: TrainCallbacks = {},
  root = runsRoot(),
  claim: RunClaim = {},
): Promise<CachedRun> {
  const dir = runDir(spec, root);
  const resultFile = path.join(dir, 'result.json');
  const model = buildModel(spec.model, spec.train.seed);
  if (!fs.existsSync(resultFile)) {
    fs.mkdirSync(dir, { recursive: true });
    const lease = await claimRun(dir, callbacks, { takeover: claim.takeover });
    if (lease) {
      // The gate comes after the lock: a process waiting for another's run then holds no slot a trainer could use.
      let release: (() => void) | undefined;
      try {
        release = await callbacks.beforeTraining?.();
        fs.writeFileSync(path.join(dir, 'spec.json'), JSON.stringify(spec, null, 1));
        const r = await train(model, data, spec.train, { checkpointDir: dir, callbacks, beforeCommit: lease.check });
        const threads = intraOpThreads();
        const result: RunResult = {
          spec,
          history: r.history,
          seconds: r.seconds,
          finishedAt: new Date().toISOString(),
          ...(threads ? { threads } : {}),
          host: os.hostname(),
        };
        writeResult(resultFile, result, lease.check);
        return { ...result, model, dir, cached: false };
      } finally {
        release?.();
        lease.release();
      }
    }
  }
  return loadFinished(spec, dir, model, callbacks);
}

/** The finished run of `spec` from the run cache (its model restored from the last checkpoint), or null: no data needed. */
export function finishedRun(
  spec: RunSpec,
  callbacks: Pick<TrainCallbacks, 'onCached'> = {},
  root = runsRoot(),
): CachedRun | null {
  const dir = runDir(spec, root);
  if (!fs.existsSync(path.join(dir, 'result.json'))) return null;
  return loadFinished(spec, dir, buildModel(spec.model, spec.train.seed), callbacks);
}

function loadFinished(
  spec: RunSpec,
  dir: string,
  model: Model,
  callbacks: Pick<TrainCallbacks, 'onCached'>,
): CachedRun {
  const result = JSON.parse(fs.readFileSync(path.join(dir, 'result.json'), 'utf8')) as RunResult;
  if (runKey(result.spec) !== runKey(spec)) {
    model.dispose();
    throw new Error(
      `${dir}/result.json holds another run's spec (key ${runKey(result.spec)}, asked for ${runKey(spec)}): ` +
        'the cache folder was renamed or edited; delete it to train the run again',
    );
  }
  const ckpt = loadCheckpoint(dir);
  if (!ckpt) {
    model.dispose();
    throw new Error(`cached run ${dir} has a result but no checkpoint.bin: delete the folder to train it again`);
  }
  model.params.load(ckpt.model);
  callbacks.onCached?.(result);
  return { ...result, model, dir, cached: true };
}
