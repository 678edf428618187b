import assert from 'node:assert/strict';
import { test } from 'node:test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { speechReferenceErrors, speechReferenceRuns } from '../lib/reference/speech';
import { effectOf } from '../lib/stats';
import { speechFinding, speechTableRows } from '../lib/findings/speech';

const rec = (name: string, o: object) =>
  JSON.stringify({
    name,
    split: 'speaker-nicolas',
    model: 'vgg',
    width: 8,
    epochs: 3,
    alpha: 0.2,
    seed: 1,
    loss: 1,
    s: 1,
    ...o,
  });

test('speech reference: per-epoch curves, a shorter configuration read from a longer run, a rerun counted once, other files left alone', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'speech-ref-'));
  fs.writeFileSync(
    path.join(dir, 'speech-search.jsonl'),
    [
      rec('a', { epoch: 0, test_err: 50 }),
      rec('b', { seed: 2, epoch: 0, test_err: 60 }),
      rec('a', { epoch: 1, test_err: 40, s: 2 }),
      // a cut run started again: its epochs come again, the same numbers
      rec('a', { epoch: 0, test_err: 50 }),
      rec('a', { epoch: 1, test_err: 40, s: 2 }),
      rec('a', { epoch: 2, test_err: 30, s: 3 }),
      rec('a', { final: true, test_err: 30, s: 3 }),
      rec('l', { model: 'lenet', split: 'official', width: 0, epoch: 0, test_err: 9 }),
    ].join('\n') + '\n',
  );
  fs.writeFileSync(path.join(dir, 'reference-lowdata.jsonl'), '{"name": "erm-s1", "n": 2500}\n');
  const runs = speechReferenceRuns(dir);
  assert.equal(runs.length, 3);
  const a = runs.find((r) => r.name === 'a')!;
  assert.deepEqual(a.curve, [50, 40, 30]);
  assert.equal(a.split, 'speaker:nicolas');
  assert.deepEqual(a.elapsed, [1, 2, 3]);
  assert.equal(a.source, 'reference/speech-search.jsonl');
  const vgg = { split: 'speaker:nicolas', model: 'vgg' as const, width: 8, alpha: 0.2 };
  assert.deepEqual([...speechReferenceErrors(runs, { ...vgg, epochs: 2 })], [[1, 40]]);
  // seed 2 got one epoch only: it counts at 1 epoch, not at 3
  assert.deepEqual([...speechReferenceErrors(runs, { ...vgg, epochs: 1 })].sort(), [
    [1, 50],
    [2, 60],
  ]);
  assert.deepEqual([...speechReferenceErrors(runs, { ...vgg, epochs: 3 })], [[1, 30]]);
  assert.equal(speechReferenceErrors(runs, { ...vgg, width: 16, epochs: 1 }).size, 0);
  // LeNet has no width: any width asked is LeNet
  assert.deepEqual(
    [...speechReferenceErrors(runs, { split: 'official', model: 'lenet', width: 8, alpha: 0.2, epochs: 1 })],
    [[1, 9]],
  );
});

test('speech reference: a missing epoch, an unknown net and a broken line are named with the file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'speech-ref-'));
  const file = path.join(dir, 'speech-x.jsonl');
  fs.writeFileSync(file, [rec('a', { epoch: 0, test_err: 50 }), rec('a', { epoch: 2, test_err: 30 })].join('\n'));
  assert.throws(() => speechReferenceRuns(dir), /speech-x\.jsonl: run a misses epochs/);
  fs.writeFileSync(file, rec('a', { model: 'resnet', epoch: 0, test_err: 50 }));
  assert.throws(() => speechReferenceRuns(dir), /run a has model resnet: speech.py trains lenet or vgg/);
  fs.writeFileSync(file, rec('a', { epoch: 0, test_err: 50 }) + '\n{"name": broken\n');
  assert.throws(() => speechReferenceRuns(dir), /speech-x\.jsonl:2 is not JSON/);
});

test('effectOf: a gain only where Welch separates the seeds', () => {
  const lower = effectOf([10, 11, 12], [5, 6, 7]);
  assert.equal(lower.verdict, 'lower');
  assert.ok(Math.abs(lower.gain - 5) < 1e-12 && lower.p! < 0.05);
  assert.equal(effectOf([5, 6, 7], [10, 11, 12]).verdict, 'higher');
  const noisy = effectOf([10, 30, 20], [12, 28, 15]);
  assert.equal(noisy.verdict, 'no clear difference');
  assert.ok(noisy.gain > 0 && noisy.p! > 0.05);
  // one seed: no test, no verdict
  assert.deepEqual(effectOf([10], [5]), { gain: 5, p: null, verdict: 'no clear difference' });
});

test("speech finding: the paper's two claims read from ours and the reference over seeds; a training subset has no reference", () => {
  const held = 'speaker:nicolas';
  const row = (model: 'lenet' | 'vgg', alpha: number, seed: number, error: number, trainLimit = 0) => ({
    split: held,
    model,
    width: model === 'vgg' ? 8 : 0,
    epochs: 60,
    alpha,
    seed,
    error,
    trainLimit,
  });
  // VGG: mixup clearly lower; LeNet: seeds overlap.
  const ours = [
    ...[40, 42, 41].map((e, i) => row('vgg', 0, i + 1, e)),
    ...[30, 31, 32].map((e, i) => row('vgg', 0.2, i + 1, e)),
    ...[40, 50, 45].map((e, i) => row('lenet', 0, i + 1, e)),
    ...[44, 47, 41].map((e, i) => row('lenet', 0.2, i + 1, e)),
  ];
  const ref = ours.map((r) => ({
    name: `${r.model}-${r.alpha}-${r.seed}`,
    split: held,
    model: r.model,
    width: r.width,
    epochs: 60,
    alpha: r.alpha,
    seed: r.seed,
    // the reference's curve reaches the same last error two points higher
    curve: [...Array(59).fill(90), r.error + 2],
    elapsed: [],
    source: 'reference/speech-test.jsonl',
  }));
  const f = speechFinding(ours, ref, held);
  assert.deepEqual(f.vggGains, { ours: 'holds', reference: 'holds' });
  assert.deepEqual(f.lenetDoesNot, { ours: 'not contradicted', reference: 'not contradicted' });
  assert.equal(f.ours.vgg!.alpha, 0.2);
  assert.ok(Math.abs(f.ours.vgg!.effect.gain - 10) < 1e-9);
  assert.match(
    f.sentence,
    /first claim .* holds in ours and in the reference; its second .* is not contradicted \(no difference Welch separates\) in ours and in the reference/,
  );
  // Mixup clearly lowering LeNet's error contradicts the second claim.
  const lenetGains = ours.map((r) => (r.model === 'lenet' && r.alpha > 0 ? { ...r, error: r.error - 20 } : r));
  assert.equal(speechFinding(lenetGains, ref, held).lenetDoesNot.ours, 'contradicted');
  const rows = speechTableRows(ours, ref);
  assert.equal(rows.length, 4);
  assert.equal(rows[0]['our mean against the reference seeds'], '1.00 below (2.0 sd from the mean)');
  // One seed a side: no test, so no claim is read.
  const one = speechFinding(
    ours.filter((r) => r.seed === 1),
    ref,
    held,
  );
  assert.deepEqual(one.vggGains, { ours: null, reference: 'holds' });
  // A smoke run on 200 recordings is not the reference's protocol.
  const subset = ours.map((r) => ({ ...r, trainLimit: 200 }));
  assert.equal(speechTableRows(subset, ref)[0]['PyTorch reference, same protocol'], 'not run');
  assert.equal(speechFinding(subset, ref, held).reference.vgg, null);
  assert.equal(speechFinding(subset, ref, held).vggGains.reference, 'not run');
});
