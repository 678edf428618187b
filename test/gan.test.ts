/** The GAN of section 3.7 on real computation: the 2-D mixtures, the coverage measures, mixup's discriminator batch, the loop. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf } from '../lib/backend';
import { modeCentres, sampleModes } from '../lib/data/modes2d';
import { modeCoverage } from '../lib/eval/modes';
import { buildModel } from '../lib/models';
import { stream } from '../lib/random';
import { discriminatorBatch, GanConfig, trainGan } from '../lib/gan/train';
import { backendForTests } from './helpers';

backendForTests();

test('the ring has 8 modes on the unit circle, the grid 25 spaced 0.5; samples sit on them, seeded', () => {
  const ring = modeCentres('ring'),
    grid = modeCentres('grid');
  assert.equal(ring.length / 2, 8);
  for (let m = 0; m < 8; m++) assert.ok(Math.abs(Math.hypot(ring[2 * m], ring[2 * m + 1]) - 1) < 1e-6);
  assert.equal(grid.length / 2, 25);
  assert.deepEqual(
    [...new Set(Array.from(grid))].sort((a, b) => a - b),
    [-1, -0.5, 0, 0.5, 1],
  );
  const a = sampleModes('grid', 500, 0.01, stream(1, 'real')),
    b = sampleModes('grid', 500, 0.01, stream(1, 'real'));
  assert.deepEqual(a, b);
  const cov = modeCoverage(a, grid, { radius: 0.05 });
  assert.equal(cov.highQuality, 1, 'every sample lies within 5σ of a mode');
  assert.equal(cov.covered, 25);
  assert.throws(() => modeCentres('spiral' as never), /unknown 2-D mode set 'spiral'/);
});

test('mode coverage: collapsed, spread and off-mode generators are told apart', () => {
  const ring = modeCentres('ring');
  const collapsed = new Float32Array(2000);
  for (let i = 0; i < 1000; i++) {
    collapsed[2 * i] = ring[0];
    collapsed[2 * i + 1] = ring[1] + 0.001;
  }
  const c = modeCoverage(collapsed, ring, { radius: 0.05 });
  assert.deepEqual([c.covered, c.highQuality], [1, 1]);
  const off = Float32Array.from({ length: 2000 }, () => 0); // every point at the centre, 1 from every mode
  const o = modeCoverage(off, ring, { radius: 0.05 });
  assert.deepEqual([o.covered, o.highQuality], [0, 0]);
  assert.ok(Math.abs(o.meanDistance - 1) < 1e-6);
  // A mode with a few stray points is not covered: it needs a quarter of its fair share by default.
  const spread = sampleModes('ring', 800, 0.01, stream(2, 'x'));
  spread.set([ring[2], ring[3]], 0);
  assert.equal(modeCoverage(spread.subarray(0, 2 * 790), ring, { radius: 0.05 }).covered, 8);
});

const config = (mixup: number, iterations = 300): GanConfig => ({
  data: 'ring',
  std: 0.01,
  latent: 2,
  hidden: 64,
  layers: 2,
  batchSize: 64,
  dSteps: 3,
  iterations,
  lrD: 1e-3,
  lrG: 1e-3,
  mixup,
  seed: 4,
  measureAt: [1, 100, 200],
  keepPointsAt: [iterations],
  measure: { samples: 500, radius: 0.1, minShare: 0.25 },
});

test("mixup-GAN's discriminator batch: real and generated points mixed per example, targets mixed the same way", () => {
  const c = config(0.5);
  const g = buildModel({ kind: 'mlp', inputs: 2, hidden: [8], numClasses: 2 }, 1);
  const s = { real: stream(1, 'r'), noise: stream(1, 'n'), perm: stream(1, 'p'), lam: stream(1, 'l') };
  const plain = discriminatorBatch(g, { ...c, mixup: 0 }, s);
  assert.equal(plain.lam, null);
  const y0 = plain.y.dataSync();
  assert.equal(Array.from(y0).filter((v) => v === 1).length, c.batchSize, 'half real, half generated');
  const mixed = discriminatorBatch(g, c, s);
  const y = mixed.y.dataSync(),
    lam = mixed.lam!;
  assert.equal(y.length, 2 * c.batchSize);
  for (let i = 0; i < y.length; i++) {
    assert.ok(lam[i] >= 0 && lam[i] <= 0.5, 'λ ~ U(0, mixup)');
    // ỹ = λ·y₁ + (1−λ)·y₂ with y₁, y₂ ∈ {0, 1}: one of 0, λ, 1−λ, 1.
    assert.ok(
      [0, lam[i], 1 - lam[i], 1].some((v) => Math.abs(v - y[i]) < 1e-6),
      `target ${y[i]} with λ ${lam[i]}`,
    );
  }
  assert.ok(
    Array.from(y).some((v) => v > 0 && v < 1),
    'some targets are soft',
  );
  tf.dispose([plain.x, plain.y, mixed.x, mixed.y]);
  g.dispose();
});

test('the GAN loop: same seed, same history; the generator moves onto the ring; no tensors left', async () => {
  const before = tf.memory().numTensors;
  const a = await trainGan(config(0.2)),
    b = await trainGan(config(0.2));
  assert.deepEqual(
    a.history.map((h) => [h.covered, h.highQuality, h.dLoss, h.gLoss]),
    b.history.map((h) => [h.covered, h.highQuality, h.dLoss, h.gLoss]),
  );
  assert.deepEqual(
    a.history.map((h) => h.iteration),
    [1, 100, 200, 300],
  );
  const first = a.history[0],
    last = a.history.at(-1)!;
  assert.ok(
    last.meanDistance < 0.6 * first.meanDistance,
    `mean distance to the nearest mode ${first.meanDistance} → ${last.meanDistance}`,
  );
  assert.equal(last.points!.length, 2 * 500);
  assert.equal(tf.memory().numTensors, before);
  await assert.rejects(trainGan({ ...config(0), mixup: 2 }), /mixup must lie in \[0, 1\]/);
});
