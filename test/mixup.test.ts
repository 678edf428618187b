import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf } from '../lib/backend';
import { cutBox, Mixup, oneHot } from '../lib/mixup';
import { stream } from '../lib/random';
import { backendForTests, maxAbsDiff } from './helpers';

backendForTests();

function batch(n: number) {
  const rng = stream(5, 'data');
  const x = tf.tensor4d(rng.uniformArray(n * 4 * 4 * 3, 0, 1), [n, 4, 4, 3]);
  const labels = Int32Array.from({ length: n }, () => rng.int(10));
  return { x, labels, y: oneHot(labels, 10) };
}

for (const n of [7, 128]) {
  test(`batch mixup of ${n} examples is the exact convex combination with its permutation`, () => {
    const { x, labels, y } = batch(n);
    const m = new Mixup({ alpha: 1 }, stream(1, 'mixup')).apply(x, y);
    assert.equal(new Set(m.lam).size, 1, 'one λ per batch');
    const lam = m.lam[0];
    assert.ok(lam > 0 && lam < 1);
    assert.deepEqual([...m.perm].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i));
    const xs = x.arraySync() as number[][][][];
    const got = m.x.arraySync() as number[][][][];
    let worst = 0;
    for (let i = 0; i < n; i++) {
      const want = xs[i].flat(2).map((v, j) => lam * v + (1 - lam) * xs[m.perm[i]].flat(2)[j]);
      worst = Math.max(worst, maxAbsDiff(got[i].flat(2), want));
    }
    assert.ok(worst < 1e-6, `max error ${worst}`);
    const ys = m.y.arraySync();
    ys.forEach((row, i) => {
      assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-6, 'targets sum to 1');
      const want = new Array(10).fill(0);
      want[labels[i]] += lam; want[labels[m.perm[i]]] += 1 - lam;
      assert.ok(maxAbsDiff(row, want) < 1e-6);
    });
  });
}

test('α = 0 is ERM: inputs and targets pass through unmixed', () => {
  const { x, y } = batch(9);
  const m = new Mixup({ alpha: 0 }, stream(1, 'mixup')).apply(x, y);
  assert.equal(m.x, x);
  assert.equal(m.y, y);
  assert.ok(m.lam.every((l) => l === 1));
});

test('per-sample mode draws a λ per example, each row still a convex combination', () => {
  const { x, y } = batch(16);
  const m = new Mixup({ alpha: 0.5, mode: 'sample' }, stream(2, 'mixup')).apply(x, y);
  assert.ok(new Set(m.lam).size > 10);
  const ys = m.y.arraySync();
  ys.forEach((row, i) => assert.ok(Math.abs(Math.max(...row) - Math.max(m.lam[i], 1 - m.lam[i])) < 1e-6 || row.filter((v) => v > 0).length === 1));
});

test('CutMix pastes a box from the partner and corrects λ to its true area', () => {
  const { x, y } = batch(6);
  const m = new Mixup({ alpha: 1, mode: 'cutmix' }, stream(4, 'mixup')).apply(x, y);
  const xs = x.arraySync() as number[][][][], got = m.x.arraySync() as number[][][][];
  let fromPartner = 0;
  for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) {
    const own = maxAbsDiff(got[0][r][c], xs[0][r][c]) === 0;
    const partner = maxAbsDiff(got[0][r][c], xs[m.perm[0]][r][c]) === 0;
    assert.ok(own || partner, 'every pixel comes from the example or its partner');
    if (!own) fromPartner++;
  }
  if (m.perm[0] !== 0) assert.ok(Math.abs(1 - m.lam[0] - fromPartner / 16) < 1e-6, 'λ = 1 − box area');
  const box = cutBox(32, 32, 0.75, stream(1, 'box'));
  assert.equal(box.lam, 1 - ((box.bottom - box.top) * (box.right - box.left)) / 1024);
});

test('bad options are rejected with a message that names them', () => {
  for (const alpha of [-1, NaN, Infinity]) assert.throws(() => new Mixup({ alpha }, stream(1, 'm')), /alpha must be a finite number ≥ 0/);
  assert.throws(() => new Mixup({ alpha: 1, mode: 'manifold' as never }, stream(1, 'm')), /unknown mixup mode 'manifold'/);
  const { x } = batch(4);
  assert.throws(() => new Mixup({ alpha: 1 }, stream(1, 'm')).apply(x, oneHot([1, 2, 3], 10)), /targets of shape \[4, classes\]/);
  assert.throws(() => oneHot([0, 10], 10), /label 10 at index 1 is outside 0..9/);
});
