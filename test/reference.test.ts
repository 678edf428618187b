import assert from 'node:assert/strict';
import { test } from 'node:test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { againstSpread } from '../lib/stats';
import {
  lowdataReferenceRuns,
  readReferenceFile,
  referenceGapSpread,
  referenceRunsFor,
  referenceSpread,
  REFERENCE_DIR,
} from '../lib/reference/runs';
import { CIFAR_PROFILES } from '../lib/experiments/cifar';

const P = { n: 2500, width: 16, epochs: 240 };
const line = (o: object) => JSON.stringify({ ...P, ...o });

test('reference file: last, best over scored epochs, memorisation at the last epoch, black-box by target, exact-gradient rescoring by run; unfinished and other protocols left out', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ref-'));
  const file = path.join(dir, 'r.jsonl');
  fs.writeFileSync(
    file,
    [
      line({
        name: 'erm-noise50-s2',
        alpha: 0,
        noise: 0.5,
        seed: 2,
        epoch: 19,
        test_err: 60.5,
        train_err_corrupted_vs_noisy: 80,
      }),
      line({
        name: 'erm-noise50-s2',
        alpha: 0,
        noise: 0.5,
        seed: 2,
        epoch: 239,
        test_err: 68.0,
        train_err_corrupted_vs_noisy: 0.4,
      }),
      line({
        name: 'erm-noise50-s2',
        final: true,
        alpha: 0,
        noise: 0.5,
        seed: 2,
        test_err: 68.0,
        fgsm_white_1: 80,
        fgsm_white_2: 90,
        fgsm_white_4: 95,
        fgsm_white_8: 99,
      }),
      line({ name: 'mixup-s2', alpha: 1, noise: 0, seed: 2, epoch: 19, test_err: 50 }), // unfinished: no final line
      JSON.stringify({
        name: 'erm-s9',
        n: 10000,
        width: 16,
        epochs: 60,
        final: true,
        alpha: 0,
        noise: 0,
        seed: 9,
        test_err: 19,
      }),
      JSON.stringify({
        source: 'erm2-s102.pt',
        target: 'erm-noise50-s2.pt',
        fgsm_black_1: 30,
        fgsm_black_2: 40,
        fgsm_black_4: 50,
        fgsm_black_8: 60,
      }),
      JSON.stringify({
        rescored: 'erm-noise50-s2',
        model: 'm/erm-noise50-s2.pt',
        test_err: 68.0,
        fgsm_white_1: 80,
        fgsm_exact_white_1: 82,
        fgsm_exact_white_2: 93,
        fgsm_exact_white_4: 97,
        fgsm_exact_white_8: 99.5,
      }),
      // tools/reference/calibration.py's line for the same model.
      JSON.stringify({
        calibrated: 'erm-noise50-s2',
        model: 'm/erm-noise50-s2.pt',
        n: 10000,
        bins: 15,
        ece: 0.5,
        mce: 0.6,
        nll: 3.1,
        ood_noise_confidence: 0.97,
        ood_noise_over90: 0.9,
        ood_shuffled_confidence: 0.95,
        ood_shuffled_over90: 0.8,
      }),
    ].join('\n') + '\n',
  );
  const runs = readReferenceFile(file);
  assert.equal(runs.length, 1);
  const { calibration, ...rest } = runs[0];
  assert.deepEqual(
    [calibration?.ece, calibration?.mce, calibration?.nll, calibration?.bins, calibration?.ood],
    [
      0.5,
      0.6,
      3.1,
      15,
      { noise: { meanConfidence: 0.97, over90: 0.9 }, shuffled: { meanConfidence: 0.95, over90: 0.8 } },
    ],
  );
  assert.deepEqual(
    { ...rest, source: undefined },
    {
      seed: 2,
      alpha: 0,
      noise: 0.5,
      last: 68.0,
      best: 60.5,
      corruptedTrain: 0.4,
      source: undefined,
      fgsmWhite: { 1: 80, 2: 90, 4: 95, 8: 99 },
      fgsmWhiteExact: { 1: 82, 2: 93, 4: 97, 8: 99.5 },
      fgsmBlack: { 1: 30, 2: 40, 4: 50, 8: 60 },
      curve: [
        { epoch: 20, testError: 60.5 },
        { epoch: 240, testError: 68.0 },
      ],
    },
  );
  fs.appendFileSync(file, '{"name": broken\n');
  assert.throws(() => readReferenceFile(file), /r\.jsonl:9 is not JSON/);
});

test('reference spread: mean, sample sd and range over seeds, per-seed gaps, and where a value of ours lies', () => {
  const runs = lowdataReferenceRuns(fs.mkdtempSync(path.join(os.tmpdir(), 'none-'))); // no files: the facts file's seed 1 alone
  assert.deepEqual(
    runs.filter((r) => r.noise === 0).map((r) => [r.alpha, r.last]),
    [
      [0, 34.24],
      [1, 26.95],
    ],
  );
  const one = referenceSpread(runs, 1, 0, (r) => r.last)!;
  assert.equal(one.n, 1);
  assert.equal(againstSpread(27, one), null, 'one seed has no spread to be inside of');
  const three = [25, 27, 29]
    .map((last, i) => ({ ...runs[1], seed: i + 1, last, fgsmWhite: { 8: 90 - i } }))
    .concat([30, 31, 35].map((last, i) => ({ ...runs[0], seed: i + 1, last, fgsmWhite: { 8: 95 } })));
  const s = referenceSpread(three, 1, 0, (r) => r.last)!;
  assert.deepEqual([s.n, s.mean, s.std, s.min, s.max, s.seeds], [3, 27, 2, 25, 29, [1, 2, 3]]);
  assert.equal(againstSpread(26, s), 'inside');
  assert.equal(againstSpread(31, s), '2.00 above (2.0 sd from the mean)');
  const gap = referenceGapSpread(three, 0, 1, 0, (r) => r.fgsmWhite[8])!;
  assert.deepEqual([gap.mean, gap.min, gap.max], [-6, -7, -5]);
});

test('the published reference runs parse, one per configuration and seed, at the lowdata and the quick protocol', () => {
  assert.ok(fs.existsSync(REFERENCE_DIR), 'results/reference/ holds the reference runs');
  const lowdata = lowdataReferenceRuns().filter((r) => r.noise === 0);
  const quick = referenceRunsFor(CIFAR_PROFILES.quick);
  assert.ok(
    lowdata.filter((r) => r.alpha === 0).length >= 2 && lowdata.filter((r) => r.alpha === 1).length >= 2,
    "seeds beyond the facts file's seed 1",
  );
  assert.ok(
    quick.some((r) => r.alpha === 0 && r.noise === 0) &&
      quick.some((r) => r.alpha === CIFAR_PROFILES.quick.alpha && r.noise === 0),
    "the quick protocol's ERM and mixup",
  );
  assert.ok(
    !quick.some((r) => lowdata.includes(r)) && quick.every((r) => r.source.includes('quick')),
    'runs of one protocol only',
  );
  for (const r of [...lowdata, ...quick.filter((q) => q.noise === 0)]) {
    assert.ok(r.last > 10 && r.last < 60 && r.best <= r.last, `seed ${r.seed} α ${r.alpha}: a trained network's error`);
    assert.ok(r.fgsmWhite[8] >= r.fgsmWhite[1], 'a larger ε fools at least as often');
  }
});
