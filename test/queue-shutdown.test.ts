/**
 * When the queue's Redis goes away (its host lost), a worker still stops on SIGTERM within seconds, keeping the
 * checkpoint of the run it was training, and a submitter waiting on the queue fails within seconds naming
 * MIXUP_EXECUTOR; once Redis and a worker are back, the run resumes from its checkpoint and ends as an uninterrupted
 * run would, bitwise. On real redis-servers started and killed here.
 */
import assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { useBackend } from '../lib/backend';
import { trainRuns } from '../lib/cluster/pool';
import { CIFAR_PROFILES } from '../lib/experiments/cifar';
import { cifarJob } from '../lib/experiments/jobs';
import { RunResult, runKey, RunSpec } from '../lib/runs/cache';
import { CHECKPOINT_FILE, readCheckpointHeader } from '../lib/train/checkpoint';
import type { EpochRecord } from '../lib/train/loop';
import { descendants, spawnTracked, stopAll } from '../scripts/processes';
import { startRedisProcess } from '../scripts/redis';
import { cifarSource, historyNumbers, until, wait } from './helpers';

const ROOT = path.resolve(__dirname, '..', '..');
const WORKER = path.join(ROOT, 'dist', 'scripts', 'worker.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixup-queue-stop-'));

before(() => {
  useBackend('tensorflow');
  process.env.MIXUP_CIFAR10 ??= cifarSource();
});
after(async () => {
  await stopAll(2000);
  fs.rmSync(tmp, { recursive: true, force: true });
});

function worker(url: string, runs: string): { child: ChildProcess; log: () => string } {
  let out = '';
  const child = spawnTracked(
    process.execPath,
    [WORKER, '--executor', url, '--threads', '1', '--lock-ms', '3000', '--stalled-ms', '1000'],
    {
      env: { ...process.env, MIXUP_RUNS_DIR: runs, TF_CPP_MIN_LOG_LEVEL: '2' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  return { child, log: () => out };
}

async function train(runs: string, jobs: RunSpec[], executor: string, onEpoch?: (r: EpochRecord) => void) {
  const before = process.env.MIXUP_RUNS_DIR;
  process.env.MIXUP_RUNS_DIR = runs;
  try {
    const out = await trainRuns(jobs, {
      workers: 2,
      executor,
      log: () => {},
      progress: () => ({ onEpoch: (r) => onEpoch?.(r) }),
    });
    for (const r of out) r.model.dispose();
  } finally {
    if (before === undefined) delete process.env.MIXUP_RUNS_DIR;
    else process.env.MIXUP_RUNS_DIR = before;
  }
}

/** SIGTERM to the worker; resolves with its exit code and the seconds to exit, its children gone too. */
async function terminate(w: { child: ChildProcess }): Promise<{ code: number | null; seconds: number }> {
  const kids = descendants(w.child.pid!);
  const t0 = Date.now();
  const exited = new Promise<number | null>((r) => w.child.on('exit', (code) => r(code)));
  w.child.kill('SIGTERM');
  const code = await exited;
  const seconds = (Date.now() - t0) / 1000;
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  await until('its training children to exit', () => !kids.some(alive), 10_000);
  return { code, seconds };
}

test(
  'an idle worker whose Redis has gone exits on SIGTERM within seconds, its idle trainer with it',
  { timeout: 120_000 },
  async () => {
    const redis = await startRedisProcess();
    const url = `redis://127.0.0.1:${redis.port}/idle`;
    const shared = path.join(tmp, 'idle');
    fs.mkdirSync(shared);
    const w = worker(url, shared);
    await until('the worker', () => w.log().includes('taking runs from'), 30_000);
    // One run first, so that the worker keeps an idle training process.
    await train(shared, [cifarJob({ ...CIFAR_PROFILES.smoke, epochs: 1 }, 0, 31)], url);
    assert.ok(descendants(w.child.pid!).length > 0, 'an idle training process is kept');
    redis.child.kill('SIGKILL');
    await wait(500);
    const { code, seconds } = await terminate(w);
    console.log(`idle worker, Redis gone: SIGTERM to exit ${seconds.toFixed(1)} s`);
    assert.equal(code, 0, w.log());
    assert.ok(seconds < 10, `exited after ${seconds} s`);
  },
);

test(
  'mid-run, Redis gone: the submitter fails naming MIXUP_EXECUTOR, the worker exits keeping the checkpoint, and the run resumes once both are back',
  {
    timeout: 300_000,
  },
  async () => {
    const job = cifarJob({ ...CIFAR_PROFILES.smoke, epochs: 6 }, 1, 32);
    const key = runKey(job);
    const local = path.join(tmp, 'local');
    await train(local, [job], 'local');
    const shared = path.join(tmp, 'mid');
    fs.mkdirSync(shared);
    let redis = await startRedisProcess();
    const url = `redis://127.0.0.1:${redis.port}/mid`;
    const w = worker(url, shared);
    await until('the worker', () => w.log().includes('taking runs from'), 30_000);
    let epochs = 0;
    const submitted = train(shared, [job], url, () => epochs++).then(
      () => null,
      (e: Error) => e,
    );
    await until('an epoch through the queue', () => epochs >= 1, 120_000);
    redis.child.kill('SIGKILL');
    const lostAt = Date.now();
    const { code, seconds } = await terminate(w);
    console.log(`worker mid-run, Redis gone: SIGTERM to exit ${seconds.toFixed(1)} s`);
    assert.equal(code, 0, w.log());
    assert.ok(seconds < 30, `exited after ${seconds} s`);
    assert.ok(fs.existsSync(path.join(shared, key, CHECKPOINT_FILE)), 'the checkpoint is kept');
    const kept = readCheckpointHeader<{ history: EpochRecord[] }>(path.join(shared, key))!.meta.history.length;
    assert.ok(kept >= 1 && kept < 6, `${kept} epochs checkpointed`);
    const err = await submitted;
    console.log(`submitter, Redis gone: failed after ${((Date.now() - lostAt) / 1000).toFixed(1)} s`);
    assert.ok(err, 'the submitter failed');
    assert.match(
      err.message,
      /lost the queue mid \(MIXUP_EXECUTOR=redis:\/\/127\.0\.0\.1:\d+\/mid\).*has not answered/,
    );

    // Redis and a worker back: the run is asked for again and resumes from its checkpoint.
    redis = await startRedisProcess(10_000, { port: redis.port });
    const w2 = worker(url, shared);
    await until('the second worker', () => w2.log().includes('taking runs from'), 30_000);
    await train(shared, [job], url);
    const result = (d: string) => JSON.parse(fs.readFileSync(path.join(d, key, 'result.json'), 'utf8')) as RunResult;
    assert.deepEqual(historyNumbers(result(shared).history), historyNumbers(result(local).history));
    w2.child.kill('SIGTERM');
  },
);
