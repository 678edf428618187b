/**
 * lib/eval/calibration and lib/eval/ood on inputs whose answers are known by hand, the last epoch of a real training
 * run recording them, and the PyTorch reference's code (tools/reference/calibration.py) agreeing on the same logits.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { tf } from '../lib/backend';
import { ImageData } from '../lib/data/dataset';
import { oodSets } from '../lib/data/ood';
import { binOf, Calibration, calibration, ScoredProbs } from '../lib/eval/calibration';
import { CIFAR_PROFILES, cifarSpec } from '../lib/experiments/cifar';
import { calibrationComparison, pooledBins } from '../lib/findings/calibration';
import type { OurRun } from '../lib/findings/common';
import type { ReferenceRun } from '../lib/reference/runs';
import { predict } from '../lib/eval/metrics';
import { oodConfidence } from '../lib/eval/ood';
import type { Model } from '../lib/models';
import { stream } from '../lib/random';
import type { EpochRecord } from '../lib/train/loop';
import { ROOT } from './helpers';

/** n two-class rows at top confidence c, the first `right` of them right (label 0), the rest wrong (label 1). */
function rows(n: number, c: number, right: number): { probs: number[]; labels: number[] } {
  const probs: number[] = [],
    labels: number[] = [];
  for (let i = 0; i < n; i++) {
    probs.push(c, 1 - c);
    labels.push(i < right ? 0 : 1);
  }
  return { probs, labels };
}

function scored(...parts: { probs: number[]; labels: number[] }[]): [ScoredProbs, number[]] {
  return [
    { probs: Float32Array.from(parts.flatMap((p) => p.probs)), numClasses: 2, loss: 0.5 },
    parts.flatMap((p) => p.labels),
  ];
}

const close = (a: number | null, b: number, what: string, tol = 1e-6) =>
  assert.ok(a !== null && Math.abs(a - b) < tol, `${what}: ${a}, expected ${b}`);

test('a perfectly calibrated set: every bin as accurate as it is confident, so ECE and MCE are 0', () => {
  // 100 predictions at 0.6 with 60 right, 200 at 0.95 with 190 right, 50 at 1 (the last bin) all right.
  const [pred, labels] = scored(rows(100, 0.6, 60), rows(200, 0.95, 190), rows(50, 1, 50));
  const c = calibration(pred, labels);
  close(c.ece, 0, 'ECE', 1e-6);
  close(c.mce, 0, 'MCE', 1e-6);
  close(c.error, (40 + 10) / 350, 'error');
  close(c.meanConfidence, (100 * 0.6 + 200 * 0.95 + 50) / 350, 'mean confidence');
  const used = c.reliability.filter((r) => r.count > 0);
  assert.deepEqual(
    used.map((r) => [r.lo, r.count]),
    [
      [9 / 15, 100],
      [14 / 15, 250],
    ],
    'the bins of 0.6 and of 0.95 and 1 (1 itself falls in the last bin)',
  );
  close(used[1].accuracy, 240 / 250, 'last bin accuracy');
  close(used[1].confidence, (200 * 0.95 + 50) / 250, 'last bin confidence');
  assert.equal(c.reliability.length, 15);
  assert.equal(c.reliability[0].confidence, null, 'an empty bin has no confidence');
  close(c.confidenceCorrect, (60 * 0.6 + 190 * 0.95 + 50) / 300, 'confidence when right');
  close(c.confidenceWrong, (40 * 0.6 + 10 * 0.95) / 50, 'confidence when wrong');
  assert.equal(c.nll, 0.5, 'the NLL is the scoring pass’s own cross-entropy');
});

test('an over-confident set: ECE is the gap weighted by bin size, MCE the largest gap', () => {
  // Half the predictions at 0.9 but only 60 % right (gap 0.3), half at 0.7 and 70 % right (gap 0).
  const [pred, labels] = scored(rows(100, 0.9, 60), rows(100, 0.7, 70));
  const c = calibration(pred, labels);
  close(c.ece, 0.15, 'ECE');
  close(c.mce, 0.3, 'MCE');
  // The same predictions all right: under-confident by 0.1 and 0.3.
  const [sure, all] = scored(rows(100, 0.9, 100), rows(100, 0.7, 100));
  close(calibration(sure, all).ece, 0.2, 'under-confidence counts as a gap too');
  assert.equal(binOf(0.9, 15), 13);
  assert.equal(binOf(1, 15), 14);
  assert.throws(() => calibration(pred, labels.slice(1)), /199 labels/);
});

test('the scoring pass: probabilities and NLL from a model’s logits, the NLL exact where a probability underflows', () => {
  const logits = [
    [2, 0, -1],
    [0, 0, 0],
    [150, 0, 0], // the true class (2) has probability e^-150: 0 in float32, −log of it still 150
  ];
  const labels = [0, 1, 2];
  const model = {
    numClasses: 3,
    apply: (x: tf.Tensor) => tf.gather(tf.tensor2d(logits), tf.cast(tf.reshape(x, [-1]), 'int32')),
  } as unknown as Model;
  const data = { n: 3, labels: Int32Array.from(labels), batch: (idx: number[]) => tf.tensor1d(idx) };
  const p = predict(model, data as never, 2);
  const lse = (z: number[]) => Math.log(z.reduce((s, v) => s + Math.exp(v - Math.max(...z)), 0)) + Math.max(...z);
  const nll = logits.reduce((s, z, i) => s + lse(z) - z[labels[i]], 0) / 3;
  const c = calibration(p, labels);
  close(c.nll, nll, 'NLL', 1e-4);
  assert.ok(c.nll > 50, 'an underflowed probability still costs its log');
  close(c.error, 2 / 3, 'error (a tie picks the first class; row 2 picks class 0)');
});

test('out-of-distribution confidence: the mean top-class probability and the share above 0.9', () => {
  const probs = Float32Array.from([0.95, 0.05, 0.5, 0.5, 0.91, 0.09, 0.2, 0.8]);
  const o = oodConfidence(probs, 2);
  assert.equal(o.n, 4);
  close(o.meanConfidence, (0.95 + 0.5 + 0.91 + 0.8) / 4, 'mean');
  assert.equal(o.over90, 0.5);
});

test('out-of-distribution sets: noise from a fixed stream, shuffled images keep each image’s pixels and lose their places', () => {
  const n = 4,
    h = 6,
    w = 5;
  const px = stream(3, 'test-images').uniformArray(n * h * w * 3, 0, 256);
  const test = new ImageData(Uint8Array.from(px, Math.floor), h, w, new Int32Array(n), 10);
  const a = oodSets(test, 3),
    b = oodSets(test, 3);
  assert.equal(a.noise.n, 3);
  assert.deepEqual(a.noise.pixels, b.noise.pixels, 'the same noise every time');
  assert.deepEqual(a.shuffled.pixels, b.shuffled.pixels);
  const size = h * w * 3;
  const triples = (px: Uint8Array, i: number) =>
    Array.from({ length: h * w }, (_, p) => Array.from(px.subarray(i * size + p * 3, i * size + p * 3 + 3)).join())
      .sort()
      .join(';');
  for (let i = 0; i < 3; i++) {
    assert.equal(
      triples(a.shuffled.pixels, i),
      triples(test.pixels, i),
      `image ${i}: the same pixels, channels together`,
    );
    assert.notDeepEqual(
      a.shuffled.pixels.subarray(i * size, (i + 1) * size),
      test.pixels.subarray(i * size, (i + 1) * size),
    );
  }
  assert.throws(() => oodSets(test, 5), /1\.\.4/);
});

test('the reference’s calibration code (tools/reference/calibration.py) agrees with ours on the same logits', () => {
  const n = 400,
    k = 10;
  const r = stream(11, 'calibration-logits');
  // Logits of varied sharpness, so that the predictions spread over the bins; labels right about half the time.
  const logits = Array.from({ length: n }, () => {
    const scale = r.uniform() * 6;
    return Array.from({ length: k }, () => r.normal() * scale);
  });
  const labels = logits.map((z) => (r.uniform() < 0.5 ? z.indexOf(Math.max(...z)) : r.int(k)));
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'calib-')), 'logits.json');
  fs.writeFileSync(file, JSON.stringify({ logits, labels }));
  const py = spawnSync('python3', [path.join(ROOT, 'tools', 'reference', 'calibration.py'), '--logits', file], {
    encoding: 'utf8',
  });
  assert.equal(py.status, 0, py.stderr);
  const theirs = JSON.parse(py.stdout);
  const model = {
    numClasses: k,
    apply: (x: tf.Tensor) => tf.gather(tf.tensor2d(logits), tf.cast(tf.reshape(x, [-1]), 'int32')),
  } as unknown as Model;
  const data = { n, labels: Int32Array.from(labels), batch: (idx: number[]) => tf.tensor1d(idx) };
  const ours = calibration(predict(model, data as never, 128), labels);
  for (const key of ['ece', 'mce', 'nll', 'error', 'meanConfidence', 'confidenceCorrect', 'confidenceWrong'] as const)
    close(ours[key] as number, theirs[key], key, 1e-5);
  assert.deepEqual(
    ours.reliability.map((b) => b.count),
    theirs.reliability.map((b: { count: number }) => b.count),
    'the same predictions in each bin',
  );
  assert.ok(ours.reliability.filter((b) => b.count > 0).length >= 8, 'the logits spread over the bins');
});

/** A calibration record with one non-empty bin: `n` predictions at confidence `conf`, a share `acc` right. */
function oneBin(n: number, conf: number, acc: number): Calibration {
  const [pred, labels] = scored(rows(n, conf, Math.round(acc * n)));
  return calibration(pred, labels);
}

/** One of our finished runs whose last epoch has ECE `ece` % (and, when given, its whole calibration record). */
function ourRun(method: string, seed: number, ece: number, cal?: Calibration, shuffledOver90?: number): OurRun {
  const last: EpochRecord = {
    epoch: 0,
    lr: 0.1,
    trainLoss: 1,
    trainError: 0.5,
    testLoss: 1,
    testError: 0.4,
    testEce: ece / 100,
    seconds: 1,
    imgPerSec: 1,
    extra:
      shuffledOver90 === undefined
        ? {}
        : { oodNoiseConfidence: 0.5, oodNoiseOver90: 0, oodShuffledConfidence: 0.6, oodShuffledOver90: shuffledOver90 },
    ...(cal ? { calibration: cal } : {}),
  };
  const run = {
    spec: cifarSpec(CIFAR_PROFILES.smoke, method === 'ERM' ? 0 : 1, seed),
    history: [last],
    seconds: 1,
    finishedAt: `t${seed}`,
  };
  return { method, group: '', seed, run, source: 'here' };
}

function refRun(alpha: number, seed: number, cal: Calibration | null): ReferenceRun {
  return {
    seed,
    alpha,
    noise: 0,
    last: 40,
    best: 40,
    corruptedTrain: null,
    fgsmWhite: {},
    fgsmWhiteExact: null,
    fgsmBlack: null,
    calibration: cal && {
      ...cal,
      ood: { noise: { meanConfidence: 0.5, over90: 0 }, shuffled: { meanConfidence: 0.6, over90: 0.1 } },
    },
    curve: [],
    source: 'made up',
  };
}

test('the calibration finding: mixup lowering the ECE holds where Welch separates the seeds, each side read apart', () => {
  const erm = [25, 26, 24.5],
    mix = [7, 6.5, 7.5];
  const ours = [
    ...erm.map((e, i) =>
      ourRun('ERM', i + 1, e, i === 0 ? oneBin(100, 0.95, 0.7) : undefined, i === 0 ? 0.4 : undefined),
    ),
    ...mix.map((e, i) =>
      ourRun('mixup', i + 1, e, i === 0 ? oneBin(100, 0.7, 0.65) : undefined, i === 0 ? 0.05 : undefined),
    ),
  ];
  // The reference: ERM and mixup calibrated alike (ECE 10, 8, 12 and 8, 12, 10 %): not shown.
  const accs = [0.7, 0.72, 0.68];
  const ref = [1, 2, 3].flatMap((s) => [
    refRun(0, s, oneBin(50, 0.8, accs[s - 1])),
    refRun(1, s, oneBin(50, 0.8, accs[s % 3])),
  ]);
  const c = calibrationComparison(ours, ref, 1);
  assert.deepEqual(c.finding.lowersEce, { ours: 'holds', reference: 'not shown' });
  assert.deepEqual([...c.finding.erm.ours.values()], erm);
  for (const [s, v] of c.finding.erm.reference)
    close(v, 100 * Math.abs(0.8 - accs[s - 1]), `reference ECE, seed ${s}`, 1e-4);
  assert.match(
    c.finding.sentence,
    /Thulasidasan et al.'s finding \(mixup lowers the ECE\) holds in ours and does not show/,
  );
  assert.match(c.finding.sentence, /more than 90 % sure of one on 40\.00 % of them and mixup's on 5\.00 %/);
  // Four rows (two methods × two sides); only seed 1 of ours recorded the whole record, and the table says so.
  assert.equal(c.rows.length, 4);
  assert.equal(c.rows[0]['MCE %'], '25.00 (seed 1)');
  assert.equal(c.rows[0].seeds, '1, 2, 3');
  assert.equal(c.oodRows[0]['shuffled images: > 0.9 sure %'], '40.00 (seed 1)');
  assert.equal(c.rows[0]['shuffled images: > 0.9 sure %'], undefined, 'the OOD measures have their own table');
  assert.equal(c.oodRows[0]['ECE %'], undefined);
  // The diagram: ours from seed 1 alone, the reference's three seeds pooled into one point a method.
  const point = (method: string, side: string) => c.reliability.filter((r) => r.method === method && r.side === side);
  assert.equal(point('ERM', 'mixup-lab').length, 1);
  close(point('ERM', 'mixup-lab')[0].accuracy as number, 70, 'accuracy %');
  close(point('ERM', 'mixup-lab')[0].confidence as number, 95, 'confidence %', 1e-4);
  assert.equal(point('mixup α = 1', 'PyTorch reference')[0].count, 150);
  // No runs with calibration anywhere: the ECE still comes from testEce; no reference: not run.
  const bare = calibrationComparison([ourRun('ERM', 1, 20), ourRun('mixup', 1, 8)], [], 1);
  assert.deepEqual(bare.finding.lowersEce, { ours: null, reference: 'not run' });
  assert.equal(bare.reliability.length, 0);
  // Reference runs from before calibration.py: their seeds are listed and their ECE is 'not recorded', not 'not run'.
  const old = calibrationComparison([ourRun('ERM', 1, 20)], [refRun(0, 4, null), refRun(0, 5, null)], 1);
  assert.equal(old.rows[1].seeds, '4, 5');
  assert.equal(old.rows[1]['ECE %'], 'not recorded');
  assert.equal(old.rows[3]['ECE %'], 'not run', 'no mixup run on either side');
  assert.match(old.finding.sentence, /reference's runs of this protocol \(2 runs\) predate its calibration rescoring/);
  assert.doesNotMatch(bare.finding.sentence, /predate/, 'no reference runs at all: not run');
});

test('pooled reliability bins: counts add, confidence and accuracy are weighted by count', () => {
  const a = oneBin(100, 0.9, 0.6),
    b = oneBin(300, 0.9333, 0.9);
  const [bin] = pooledBins([a, null, b]);
  assert.equal(bin.count, 400);
  close(bin.accuracy, (60 + 270) / 4, 'accuracy %', 1e-9);
  close(bin.confidence, (100 * 0.9 + 300 * 0.9333) / 4, 'confidence %', 1e-4);
  close(bin.share, 100, 'share %');
  assert.throws(() => pooledBins([a, calibration(...scored(rows(10, 0.9, 9)), 10)]), /binned differently/);
});
