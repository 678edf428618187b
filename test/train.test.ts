import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { tf } from '../lib/backend';
import { loadCifar10 } from '../lib/data/cifar10';
import { TabularData } from '../lib/data/dataset';
import { twoMoons } from '../lib/data/toy2d';
import { buildModel } from '../lib/models';
import { cachedRun, runKey } from '../lib/runs/cache';
import { RUN_LOCK } from '../lib/runs/lock';
import { publishedAcrossSeeds, publishedResult, publishRuns } from '../lib/runs/published';
import { liveProgress } from '../lib/notebook/display';
import { NonFiniteLossError, train, TrainConfig } from '../lib/train/loop';
import { CIFAR_SGD_RECIPE, learningRate, PAPER_CIFAR_SGD, sgdForEpochs } from '../lib/train/optimizer';
import { stream } from '../lib/random';
import { bestTestError, lastTestError } from '../lib/train/history';
import { backendForTests, cifarSource, maxAbsDiff } from './helpers';

backendForTests();
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'mixup-train-'));

async function smallCifar() {
  const c = await loadCifar10({ source: cifarSource(), trainLimit: 384, testLimit: 200 });
  return { train: c.train, test: c.test };
}

const cifarConfig = (alpha: number, epochs = 2): TrainConfig => ({
  epochs,
  batchSize: 64,
  optimizer: sgdForEpochs(CIFAR_SGD_RECIPE, epochs),
  mixup: { alpha },
  seed: 5,
});

function weights(m: ReturnType<typeof buildModel>): Float32Array {
  return Float32Array.from(m.params.toArrays().flatMap((a) => Array.from(a.data)));
}

test("the paper's step schedule: 0.1, 0.01 from epoch 100, 0.001 from 150", () => {
  assert.deepEqual(
    [0, 99, 100, 149, 150, 199].map((e) => learningRate(PAPER_CIFAR_SGD, e)).map((v) => +v.toPrecision(3)),
    [0.1, 0.1, 0.01, 0.01, 0.001, 0.001],
  );
});

test('same seed, same numbers: two mixup runs on real CIFAR-10 end with identical weights and history', async () => {
  const data = await smallCifar();
  const run = async () => {
    const m = buildModel({ kind: 'preact-resnet18', width: 4, numClasses: 10 }, 5);
    const r = await train(m, data, cifarConfig(1));
    const w = weights(m);
    m.dispose();
    return { w, h: r.history.map((e) => [e.trainLoss, e.testError]) };
  };
  const a = await run(),
    b = await run();
  assert.deepEqual(a.h, b.h);
  assert.equal(maxAbsDiff(a.w, b.w), 0, 'bitwise equal weights');
});

test('a resumed run ends exactly where an uninterrupted one does; checkpoints of another config are refused', async () => {
  const data = await smallCifar();
  const dir = tmp();
  const full = buildModel({ kind: 'preact-resnet18', width: 4, numClasses: 10 }, 5);
  const fullRun = await train(full, data, cifarConfig(1, 3));
  // Interrupted after epoch 2 of 3: train 2 epochs of the 3-epoch config by stopping in onEpoch.
  const first = buildModel({ kind: 'preact-resnet18', width: 4, numClasses: 10 }, 5);
  await assert.rejects(
    train(first, data, cifarConfig(1, 3), {
      checkpointDir: dir,
      callbacks: {
        onEpoch: (r) => {
          if (r.epoch === 1) throw new Error('interrupted');
        },
      },
    }),
    /interrupted/,
  );
  first.dispose();
  const second = buildModel({ kind: 'preact-resnet18', width: 4, numClasses: 10 }, 5);
  const resumed = await train(second, data, cifarConfig(1, 3), { checkpointDir: dir });
  assert.equal(resumed.resumedFromEpoch, 1);
  assert.equal(resumed.history.length, 3);
  assert.deepEqual(
    resumed.history.map((e) => e.testError),
    fullRun.history.map((e) => e.testError),
  );
  assert.equal(maxAbsDiff(weights(second), weights(full)), 0);
  const other = buildModel({ kind: 'preact-resnet18', width: 4, numClasses: 10 }, 5);
  await assert.rejects(
    train(other, data, cifarConfig(0, 3), { checkpointDir: dir }),
    /belongs to another configuration/,
  );
  for (const m of [full, second, other]) m.dispose();
  fs.rmSync(dir, { recursive: true });
});

test('no tensor leaks: tf.memory().numTensors is constant over many training steps', async () => {
  const data = await smallCifar();
  const m = buildModel({ kind: 'preact-resnet18', width: 4, numClasses: 10 }, 1);
  const counts: number[] = [];
  await train(
    m,
    data,
    { ...cifarConfig(1, 4) },
    { stepEvery: 1, callbacks: { onStep: () => counts.push(tf.memory().numTensors) } },
  );
  assert.ok(counts.length >= 20);
  // The first step creates the optimizer's momentum buffers; from then on nothing may accumulate.
  assert.equal(new Set(counts.slice(1)).size, 1, `tensor counts ${[...new Set(counts)]}`);
  m.dispose();
});

test('progress reaches the callback with epoch, step, loss, img/s and time left', async () => {
  const data = await smallCifar();
  const m = buildModel({ kind: 'preact-resnet18', width: 4, numClasses: 10 }, 1);
  const seen: string[] = [];
  const r = await train(m, data, cifarConfig(0, 1), {
    stepEvery: 2,
    callbacks: { onStep: (s) => seen.push(`${s.epoch}/${s.step}/${s.steps}`) },
  });
  assert.deepEqual(seen, ['0/1/6', '0/3/6', '0/5/6']);
  const e = r.history[0];
  for (const k of ['trainLoss', 'trainError', 'testLoss', 'testError', 'testEce', 'imgPerSec'] as const)
    assert.ok(Number.isFinite(e[k]), k);
  m.dispose();
});

test('an evaluation schedule scores the first, every k-th and the last epoch, and leaves training untouched', async () => {
  const d = { train: twoMoons(128, 0.1, stream(1, 'toy')), test: twoMoons(64, 0.1, stream(2, 'toy')) };
  const config: TrainConfig = {
    epochs: 7,
    batchSize: 16,
    optimizer: { kind: 'adam', lr: 0.01 },
    mixup: { alpha: 1 },
    seed: 3,
  };
  const run = async (evalEvery?: number) => {
    const m = buildModel({ kind: 'mlp', inputs: 2, hidden: [8], numClasses: 2 }, 2);
    const extraAt: number[] = [];
    const r = await train(
      m,
      d,
      { ...config, evalEvery },
      {
        callbacks: {
          evaluate: (_m, epoch) => {
            extraAt.push(epoch);
            return { probe: epoch };
          },
        },
      },
    );
    const w = weights(m);
    m.dispose();
    return { r, w, extraAt };
  };
  const every = await run(),
    sparse = await run(3);
  const scored = sparse.r.history.filter((e) => e.testError !== null).map((e) => e.epoch);
  assert.deepEqual(scored, [0, 2, 5, 6]);
  assert.deepEqual(sparse.extraAt, [0, 2, 5, 6], 'extra measures follow the same schedule');
  assert.deepEqual(sparse.r.history[1].extra, {});
  assert.equal(maxAbsDiff(every.w, sparse.w), 0, 'scoring fewer epochs does not change the weights');
  assert.deepEqual(
    sparse.r.history.map((e) => e.trainLoss),
    every.r.history.map((e) => e.trainLoss),
  );
  for (const e of [0, 2, 5, 6]) assert.equal(sparse.r.history[e].testError, every.r.history[e].testError);
  assert.equal(lastTestError(sparse.r.history), every.r.history[6].testError);
  assert.equal(bestTestError(sparse.r.history), Math.min(...[0, 2, 5, 6].map((e) => every.r.history[e].testError!)));
  const m = buildModel({ kind: 'mlp', inputs: 2, hidden: [8], numClasses: 2 }, 2);
  await assert.rejects(train(m, d, { ...config, evalEvery: 0 }), /evalEvery must be a positive integer/);
  m.dispose();
});

test('a NaN loss stops the run with a message naming epoch and step', async () => {
  const feats = new Float32Array(64 * 2).fill(1);
  feats[40 * 2] = NaN;
  const d = new TabularData(
    feats,
    2,
    Int32Array.from({ length: 64 }, (_, i) => i % 2),
    2,
  );
  const m = buildModel({ kind: 'mlp', inputs: 2, hidden: [8], numClasses: 2 }, 1);
  await assert.rejects(
    train(
      m,
      { train: d, test: d },
      { epochs: 1, batchSize: 16, optimizer: { kind: 'adam', lr: 0.01 }, mixup: { alpha: 0 }, seed: 1 },
    ),
    (e: Error) => e instanceof NonFiniteLossError && /loss became NaN at epoch 1, step \d/.test(e.message),
  );
  m.dispose();
});

test('ERM and mixup both learn the two-moons problem with Adam (the tabular path)', async () => {
  const d = twoMoons(512, 0.1, stream(1, 'toy'));
  for (const alpha of [0, 1]) {
    const m = buildModel({ kind: 'mlp', inputs: 2, hidden: [32, 32], numClasses: 2 }, 2);
    const r = await train(
      m,
      { train: d, test: twoMoons(256, 0.1, stream(2, 'toy')) },
      { epochs: 15, batchSize: 16, optimizer: { kind: 'adam', lr: 0.01 }, mixup: { alpha }, seed: 3 },
    );
    assert.ok(lastTestError(r.history) < 0.06, `α=${alpha}: test error ${lastTestError(r.history)}`);
    m.dispose();
  }
});

test('bad training options are refused before any work', async () => {
  const d = twoMoons(32, 0.1, stream(1, 'toy'));
  const m = buildModel({ kind: 'mlp', inputs: 2, hidden: [4], numClasses: 2 }, 1);
  const base: TrainConfig = {
    epochs: 1,
    batchSize: 8,
    optimizer: { kind: 'adam', lr: 0.01 },
    mixup: { alpha: 0 },
    seed: 1,
  };
  await assert.rejects(train(m, { train: d, test: d }, { ...base, epochs: 0 }), /epochs must be a positive integer/);
  await assert.rejects(
    train(m, { train: d, test: d }, { ...base, optimizer: { kind: 'rmsprop' } as never }),
    /unknown optimizer 'rmsprop'/,
  );
  await assert.rejects(train(m, { train: d, test: d }, { ...base, mixup: { alpha: -2 } }), /alpha must be/);
  const wrong = buildModel({ kind: 'mlp', inputs: 3, hidden: [4], numClasses: 2 }, 1);
  await assert.rejects(
    train(wrong, { train: d, test: d }, base),
    /the model takes examples of shape \[3\], the data has \[2\]/,
  );
  m.dispose();
  wrong.dispose();
});

test('the run cache: the same configuration and seed reuse the finished run; another seed trains anew', async () => {
  const root = tmp();
  const d = { train: twoMoons(128, 0.1, stream(1, 'toy')), test: twoMoons(64, 0.1, stream(2, 'toy')) };
  const tensorsBefore = tf.memory().numTensors;
  const spec = (seed: number) => ({
    data: { set: 'two-moons' },
    model: { kind: 'mlp' as const, inputs: 2, hidden: [8], numClasses: 2 },
    train: { epochs: 2, batchSize: 16, optimizer: { kind: 'adam' as const, lr: 0.01 }, mixup: { alpha: 1 }, seed },
  });
  const a = await cachedRun(spec(1), d, {}, root);
  const resultFile = path.join(a.dir, 'result.json');
  const mtime = fs.statSync(resultFile).mtimeMs;
  // A notebook's live progress line says where a cached run came from instead of staying at "starting…".
  const shown: string[] = [];
  const display = {
    raw() {},
    html() {},
    text(s: string) {
      shown.push(s);
    },
  };
  const b = await cachedRun(spec(1), d, liveProgress({ display, newDisplay: () => display }, 'ERM, seed 1'), root);
  assert.match(
    shown.at(-1)!,
    /^ERM, seed 1: from the run cache — trained \d{4}-\d\d-\d\d \d\d:\d\d UTC in 0m\d\ds \(2 epochs, test error [\d.]+ %\)$/,
  );
  assert.ok(shown.at(-1)!.includes(a.finishedAt.replace('T', ' ').slice(0, 16)));
  assert.equal(a.cached, false);
  assert.equal(b.cached, true);
  assert.deepEqual(b.history, a.history);
  assert.equal(maxAbsDiff(weights(a.model), weights(b.model)), 0, 'the cached model is the trained one');
  assert.equal(fs.statSync(resultFile).mtimeMs, mtime, 'a finished run is never overwritten');
  const c = await cachedRun(spec(2), d, {}, root);
  assert.equal(c.cached, false);
  assert.notEqual(c.dir, a.dir);
  for (const m of [a.model, b.model, c.model]) m.dispose();
  assert.equal(
    tf.memory().numTensors,
    tensorsBefore,
    'training with checkpoints and reloading a cached run leave no tensors behind',
  );
  fs.rmSync(root, { recursive: true });
});

test("the run lock: a run another live process is training is waited for (its epochs shown), a dead holder's lock is taken over", async () => {
  const d = { train: twoMoons(128, 0.1, stream(1, 'toy')), test: twoMoons(64, 0.1, stream(2, 'toy')) };
  const spec = {
    data: { set: 'two-moons' },
    model: { kind: 'mlp' as const, inputs: 2, hidden: [8], numClasses: 2 },
    train: { epochs: 3, batchSize: 16, optimizer: { kind: 'adam' as const, lr: 0.01 }, mixup: { alpha: 1 }, seed: 4 },
  };
  // The run, trained elsewhere: what the other process will have written when it finishes.
  const elsewhere = tmp();
  const done = await cachedRun(spec, d, {}, elsewhere);
  done.model.dispose();
  const root = tmp();
  const dir = path.join(root, runKey(spec));
  fs.mkdirSync(dir, { recursive: true });
  // A live holder (a sleeping child process) has the lock and has finished two epochs so far.
  const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], { stdio: 'ignore' });
  fs.writeFileSync(path.join(dir, RUN_LOCK), String(holder.pid));
  fs.copyFileSync(path.join(done.dir, 'checkpoint.bin'), path.join(dir, 'checkpoint.bin'));
  const seen: number[] = [];
  // A process waiting for another's run must not hold a training slot meanwhile: its gate is never asked for.
  const waiting = cachedRun(
    spec,
    d,
    {
      onEpoch: (r) => {
        seen.push(r.epoch);
      },
      onStep: () => {
        throw new Error('the waiting process must not train');
      },
      beforeTraining: () => {
        throw new Error('a waiting process must not take a training slot');
      },
    },
    root,
  );
  await new Promise((r) => setTimeout(r, 2500));
  assert.deepEqual(seen, [0, 1, 2], "the holder's finished epochs, read from its checkpoint");
  // The holder finishes: its result appears, the waiting call returns it.
  fs.copyFileSync(path.join(done.dir, 'result.json'), path.join(dir, 'result.json'));
  const got = await waiting;
  assert.equal(got.cached, true);
  assert.deepEqual(got.history, done.history);
  got.model.dispose();
  holder.kill();
  // A lock left by a process that is gone: taken over, trained here, released.
  const root2 = tmp();
  const dir2 = path.join(root2, runKey(spec));
  fs.mkdirSync(dir2, { recursive: true });
  const gone = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid;
  fs.writeFileSync(path.join(dir2, RUN_LOCK), String(gone));
  // The process that trains passes its gate once, after taking the lock and before the first step, and releases it.
  const gate: string[] = [];
  const taken = await cachedRun(
    spec,
    d,
    {
      beforeTraining: async () => {
        gate.push(
          fs.existsSync(path.join(dir2, RUN_LOCK)) &&
            JSON.parse(fs.readFileSync(path.join(dir2, RUN_LOCK), 'utf8')).pid === process.pid
            ? 'gate (lock held)'
            : 'gate (no lock)',
        );
        return () => {
          gate.push('release');
        };
      },
      onStep: () => {
        if (gate.at(-1) !== 'step') gate.push('step');
      },
    },
    root2,
  );
  assert.deepEqual(gate, ['gate (lock held)', 'step', 'release']);
  assert.equal(taken.cached, false);
  assert.deepEqual(
    taken.history.map((e) => e.trainLoss),
    done.history.map((e) => e.trainLoss),
  );
  assert.equal(fs.existsSync(path.join(dir2, RUN_LOCK)), false, 'the lock is released');
  taken.model.dispose();
  for (const r of [elsewhere, root, root2]) fs.rmSync(r, { recursive: true });
});

test('published runs: a finished run result.json is copied into results/<profile>/ and found again by its spec', async () => {
  const runs = tmp(),
    published = tmp();
  const d = { train: twoMoons(64, 0.1, stream(1, 'toy')), test: twoMoons(32, 0.1, stream(2, 'toy')) };
  const spec = (seed: number) => ({
    data: { set: 'two-moons' },
    model: { kind: 'mlp' as const, inputs: 2, hidden: [4], numClasses: 2 },
    train: { epochs: 1, batchSize: 16, optimizer: { kind: 'adam' as const, lr: 0.01 }, mixup: { alpha: 1 }, seed },
  });
  const a = await cachedRun(spec(1), d, {}, runs);
  const b = await cachedRun(spec(2), d, {}, runs);
  a.model.dispose();
  b.model.dispose();
  assert.equal(publishedResult(spec(1), published), null);
  const files = publishRuns('toy', (s) => s.train.seed === 1, runs, published);
  assert.deepEqual(files, [path.join(published, 'toy', `${runKey(spec(1))}.json`)]);
  assert.deepEqual(publishedResult(spec(1), published)!.history, a.history);
  assert.equal(publishedResult(spec(2), published), null, 'only the runs the filter keeps');
  // Every published run of a configuration, whatever its seed and folder (a rerun kept in a subfolder counts too);
  // other configurations and other published measures beside the runs are left out.
  publishRuns('toy', (s) => s.train.seed === 2, runs, published);
  fs.mkdirSync(path.join(published, 'toy', 'reruns'));
  fs.copyFileSync(
    path.join(published, 'toy', `${runKey(spec(1))}.json`),
    path.join(published, 'toy', 'reruns', `${runKey(spec(1))}.json`),
  );
  fs.writeFileSync(path.join(published, 'toy', 'fgsm.json'), JSON.stringify({ erm: [1, 2] }));
  const c = await cachedRun({ ...spec(1), train: { ...spec(1).train, epochs: 2 } }, d, {}, runs);
  c.model.dispose();
  publishRuns('toy', () => true, runs, published);
  assert.deepEqual(
    publishedAcrossSeeds(spec(7), published)
      .map((r) => r.spec.train.seed)
      .sort(),
    [1, 1, 2],
  );
  // Runs on noisy labels count across seeds with their noise draws (each seed draws its own), not across noise levels.
  const noisy = (seed: number, corruption: number) => ({
    spec: { ...spec(seed), data: { set: 'two-moons', corruption, corruptionSeed: seed } },
    history: a.history,
    seconds: 1,
    finishedAt: '',
  });
  for (const [seed, corruption] of [
    [1, 0.5],
    [2, 0.5],
    [3, 0.2],
  ]) {
    fs.writeFileSync(path.join(published, 'toy', `noisy-${seed}.json`), JSON.stringify(noisy(seed, corruption)));
  }
  assert.deepEqual(
    publishedAcrossSeeds(noisy(7, 0.5).spec, published)
      .map((r) => r.spec.data.corruptionSeed)
      .sort(),
    [1, 2],
  );
  assert.deepEqual(
    publishedAcrossSeeds(spec(7), published)
      .map((r) => r.spec.train.seed)
      .sort(),
    [1, 1, 2],
    'clean runs stay apart',
  );
  fs.writeFileSync(path.join(published, 'toy', 'reruns', 'cut.json'), '{"spec": {');
  assert.throws(
    () => publishedAcrossSeeds(spec(7), published),
    /cut\.json is not valid JSON .*restore it from git or delete it/,
  );
  fs.rmSync(path.join(published, 'toy', 'reruns', 'cut.json'));
  // A cache folder whose name is not its spec's key is refused rather than published under the wrong key.
  fs.renameSync(b.dir, path.join(runs, 'renamed'));
  assert.throws(() => publishRuns('toy', () => true, runs, published), /holds the spec of another run/);
  fs.rmSync(runs, { recursive: true });
  fs.rmSync(published, { recursive: true });
});

test("the ablation's variants train through the loop: partners from the training set, hard or smoothed targets, noise", async () => {
  const data = await smallCifar();
  const variants = [
    { alpha: 1, pairing: 'within-class' as const },
    { alpha: 1, pairing: 'nearest' as const },
    { alpha: 1, targets: 'dominant' as const, labelSmoothing: 0.1 },
    { alpha: 0, inputNoise: 0.05 },
  ];
  const baseline = await (async () => {
    const m = buildModel({ kind: 'preact-resnet18', width: 4, numClasses: 10 }, 5);
    const r = await train(m, data, cifarConfig(1, 1));
    m.dispose();
    return r.history[0].trainLoss;
  })();
  for (const mixup of variants) {
    const run = async () => {
      const m = buildModel({ kind: 'preact-resnet18', width: 4, numClasses: 10 }, 5);
      const r = await train(m, data, { ...cifarConfig(1, 1), mixup });
      m.dispose();
      return r.history[0];
    };
    const a = await run(),
      b = await run();
    assert.ok(Number.isFinite(a.trainLoss) && a.trainError >= 0 && a.trainError <= 1, JSON.stringify(mixup));
    assert.deepEqual(
      [a.trainLoss, a.testError],
      [b.trainLoss, b.testError],
      `${JSON.stringify(mixup)}: same seed, same numbers`,
    );
    assert.notEqual(a.trainLoss, baseline, `${JSON.stringify(mixup)} trains differently from plain mixup`);
  }
  await assert.rejects(
    train(buildModel({ kind: 'preact-resnet18', width: 4, numClasses: 10 }, 5), data, {
      ...cifarConfig(1, 1),
      mixup: { alpha: 1, pairing: 'knn' as never },
    }),
    /unknown mixup pairing 'knn'/,
  );
});

test('Manifold Mixup trains: layers drawn from a seeded stream give the same history twice, and a layer the model lacks is refused before training', async () => {
  const d = { train: twoMoons(128, 0.1, stream(1, 'toy')), test: twoMoons(64, 0.1, stream(2, 'toy')) };
  const spec = { kind: 'mlp' as const, inputs: 2, hidden: [16, 16], numClasses: 2 };
  const config: TrainConfig = {
    epochs: 3,
    batchSize: 32,
    optimizer: { kind: 'adam', lr: 0.01 },
    mixup: { alpha: 2, layers: [0, 1, 2] },
    seed: 4,
  };
  const a = await train(buildModel(spec, 4), d, config);
  const b = await train(buildModel(spec, 4), d, config);
  assert.deepEqual(
    a.history.map((h) => [h.trainLoss, h.testError]),
    b.history.map((h) => [h.trainLoss, h.testError]),
  );
  assert.ok(a.history.every((h) => Number.isFinite(h.trainLoss)));
  const inputsOnly = await train(buildModel(spec, 4), d, { ...config, mixup: { alpha: 2 } });
  assert.notDeepEqual(
    a.history.map((h) => h.trainLoss),
    inputsOnly.history.map((h) => h.trainLoss),
    'mixing hidden states trains another way than mixing inputs',
  );
  await assert.rejects(
    train(buildModel(spec, 4), d, { ...config, mixup: { alpha: 2, layers: [0, 3] } }),
    /mlp mixes hidden states after points 1…2 \(0: the inputs\), not 3/,
  );
});
