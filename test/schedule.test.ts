/** The report's pool: runs costed from what was recorded, trained longest first, shown on one progress view. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import test from 'node:test';
import { clock, poolBoard } from '../lib/cluster/board';
import { trainPool } from '../lib/cluster/schedule';
import { CIFAR_PROFILES } from '../lib/experiments/cifar';
import { jobCost, longestFirst } from '../lib/experiments/cost';
import { cifarJob } from '../lib/experiments/jobs';
import { reportRuns } from '../lib/lab';
import { RunResult, runDir } from '../lib/runs/cache';
import type { PublishedRun } from '../lib/runs/published';
import { backendForTests, cifarSource } from './helpers';

backendForTests();
const P = { ...CIFAR_PROFILES.smoke, trainLimit: 128, testLimit: 100 };

const published = (job: ReturnType<typeof cifarJob>, seconds: number, seed = 99): PublishedRun => ({
  folder: 'made-up',
  run: {
    spec: { ...job, train: { ...job.train, seed } },
    history: [],
    seconds,
    finishedAt: '2026-12-03T00:00:00Z',
  } as RunResult,
});

test('a run costs what its configuration took when recorded (any seed), else scaled from the recorded runs by its work', () => {
  const erm = cifarJob(P, 0, 1);
  const rec = [published(erm, 40), published(erm, 60, 98), published(erm, 50, 97)];
  assert.deepEqual(jobCost(erm, rec), { seconds: 50, from: 'recorded' });
  // Not recorded: scaled. Three times the epochs costs about three times as much; a wider net costs more.
  const long = jobCost(cifarJob({ ...P, epochs: 3 }, 0, 1), rec);
  assert.equal(long.from, 'scaled');
  const short = jobCost(cifarJob({ ...P, epochs: 1, evalEvery: 1 }, 1, 1), rec);
  assert.ok(
    long.seconds > 2 * short.seconds && long.seconds < 4 * short.seconds,
    `${long.seconds} vs ${short.seconds}`,
  );
  assert.ok(jobCost(cifarJob({ ...P, width: 16 }, 1, 1), rec).seconds > short.seconds);
  assert.deepEqual(longestFirst([5, 9, 1, 9]), [1, 3, 0, 2]);
});

test('the quick report asks each CIFAR run once, and a notebook picked alone gets its own runs, shared ones too', () => {
  const env = { MIXUP_PROFILE: 'quick' };
  const all = reportRuns(env);
  const ablation = reportRuns(env, { notebooks: ['08-ablation'] });
  // Alone, notebook 8 asks for ERM and mixup too, which the whole report lists under notebook 2.
  assert.ok(ablation.some((w) => w.method === 'ERM') && ablation.some((w) => w.method === 'mixup'));
  assert.ok(all.filter((w) => w.notebook === '08-ablation').length < ablation.length);
  // Every notebook's work is in the list: notebook 1's runs are ERM and mixup on two moons over its three seeds.
  const toy = reportRuns(env, { notebooks: ['01-toy-2d'] });
  assert.equal(toy.length, 6);
  assert.ok(toy.every((w) => 'data' in w.job && w.job.data.set === 'two-moons'));
  // Notebook 5's attack sweeps come after the models they need, whatever notebooks ask for them.
  const attacks = reportRuns(env, { notebooks: ['05-adversarial'] }).filter((w) => 'kind' in w.job);
  assert.deepEqual(
    attacks.map((w) => w.method),
    ['FGSM', 'I-FGSM'],
  );
});

test('the progress view counts runs done, running and queued, weighs them by cost and says the time left', () => {
  assert.equal(clock(45), '45 s');
  assert.equal(clock(750), '13 min');
  assert.equal(clock(7500), '2 h 05 min');
  const out = new PassThrough();
  let text = '';
  out.on('data', (b: Buffer) => (text += b.toString()));
  let t = 0;
  const board = poolBoard(
    [
      { label: 'long', cost: 300, epochs: 3 },
      { label: 'short', cost: 100, epochs: 1 },
    ],
    { stream: out, intervalMs: 10, workers: 2, now: () => t },
  );
  assert.deepEqual(board.counts(), { done: 0, running: 0, queued: 2 });
  // At the start: 400 cost-seconds shared over two workers.
  assert.equal(board.secondsLeft(), 200);
  board.started(0);
  t = 100_000; // 100 s in, a third of the long run done: 100 cost-seconds in 100 s, so 300 left at that pace.
  board.callbacks(0).onEpoch!({ epoch: 0 } as never, []);
  assert.deepEqual(board.counts(), { done: 0, running: 1, queued: 1 });
  assert.equal(board.secondsLeft(), 300);
  board.callbacks(1).onStep!({ epoch: 0, epochs: 1, step: 1, steps: 1 } as never);
  assert.deepEqual(board.counts(), { done: 1, running: 1, queued: 0 });
  assert.equal(board.secondsLeft(), 100);
  board.callbacks(0).onEpoch!({ epoch: 2 } as never, []);
  board.stop();
  assert.match(text, /0% \| 0\/2 done, 0 running, 2 queued \| about 3 min left/);
  assert.match(text, /100% \| 2\/2 done, 0 running, 0 queued \| about 0 s left/);
});

test('the pool trains the runs not cached, longest first, and leaves cached ones alone', async () => {
  process.env.MIXUP_CIFAR10 ??= cifarSource();
  const before = process.env.MIXUP_RUNS_DIR;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixup-schedule-'));
  process.env.MIXUP_RUNS_DIR = dir;
  try {
    const runs = [1, 3, 2].map((epochs) => ({
      label: `${epochs} epochs`,
      job: cifarJob({ ...P, epochs, evalEvery: 1 }, 1, 1),
    }));
    const out = new PassThrough();
    let text = '';
    out.on('data', (b: Buffer) => (text += b.toString()));
    const first = await trainPool(runs.slice(1), [], { workers: 1, stream: out, intervalMs: 50 });
    assert.equal(first.trained, 2);
    const finished = (i: number) =>
      (JSON.parse(fs.readFileSync(path.join(runDir(runs[i].job), 'result.json'), 'utf8')) as RunResult).finishedAt;
    // One worker: the 3-epoch run first, then the 2-epoch one.
    assert.ok(finished(1) < finished(2), `${finished(1)} then ${finished(2)}`);
    assert.match(text, /2\/2 done/);
    const again = await trainPool(runs, [], { workers: 1, stream: new PassThrough() });
    assert.deepEqual([again.trained, again.cached], [1, 2]);
  } finally {
    if (before === undefined) delete process.env.MIXUP_RUNS_DIR;
    else process.env.MIXUP_RUNS_DIR = before;
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
