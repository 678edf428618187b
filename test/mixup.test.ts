import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf } from '../lib/backend';
import { loadCifar10 } from '../lib/data/cifar10';
import { nearestNeighbours, nearestPartners, partnerTable, withinClassPartners } from '../lib/data/partners';
import { cutBox, Mixup, oneHot } from '../lib/mixup';
import { stream } from '../lib/random';
import { backendForTests, cifarSource, maxAbsDiff } from './helpers';

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
    assert.deepEqual(
      [...m.perm!].sort((a, b) => a - b),
      Array.from({ length: n }, (_, i) => i),
    );
    const xs = x.arraySync() as number[][][][];
    const got = m.x.arraySync() as number[][][][];
    let worst = 0;
    for (let i = 0; i < n; i++) {
      const want = xs[i].flat(2).map((v, j) => lam * v + (1 - lam) * xs[m.perm![i]].flat(2)[j]);
      worst = Math.max(worst, maxAbsDiff(got[i].flat(2), want));
    }
    assert.ok(worst < 1e-6, `max error ${worst}`);
    const ys = m.y.arraySync();
    ys.forEach((row, i) => {
      assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-6, 'targets sum to 1');
      const want = new Array(10).fill(0);
      want[labels[i]] += lam;
      want[labels[m.perm![i]]] += 1 - lam;
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
  ys.forEach((row, i) =>
    assert.ok(
      Math.abs(Math.max(...row) - Math.max(m.lam[i], 1 - m.lam[i])) < 1e-6 || row.filter((v) => v > 0).length === 1,
    ),
  );
});

test('CutMix pastes a box from the partner and corrects λ to its true area', () => {
  const { x, y } = batch(6);
  const m = new Mixup({ alpha: 1, mode: 'cutmix' }, stream(4, 'mixup')).apply(x, y);
  const xs = x.arraySync() as number[][][][],
    got = m.x.arraySync() as number[][][][];
  let fromPartner = 0;
  for (let r = 0; r < 4; r++)
    for (let c = 0; c < 4; c++) {
      const own = maxAbsDiff(got[0][r][c], xs[0][r][c]) === 0;
      const partner = maxAbsDiff(got[0][r][c], xs[m.perm![0]][r][c]) === 0;
      assert.ok(own || partner, 'every pixel comes from the example or its partner');
      if (!own) fromPartner++;
    }
  if (m.perm![0] !== 0) assert.ok(Math.abs(1 - m.lam[0] - fromPartner / 16) < 1e-6, 'λ = 1 − box area');
  const box = cutBox(32, 32, 0.75, stream(1, 'box'));
  assert.equal(box.lam, 1 - ((box.bottom - box.top) * (box.right - box.left)) / 1024);
});

test('bad options are rejected with a message that names them', () => {
  for (const alpha of [-1, NaN, Infinity])
    assert.throws(() => new Mixup({ alpha }, stream(1, 'm')), /alpha must be a finite number ≥ 0/);
  assert.throws(
    () => new Mixup({ alpha: 1, mode: 'manifold' as never }, stream(1, 'm')),
    /unknown mixup mode 'manifold'/,
  );
  const { x } = batch(4);
  assert.throws(
    () => new Mixup({ alpha: 1 }, stream(1, 'm')).apply(x, oneHot([1, 2, 3], 10)),
    /targets of shape \[4, classes\]/,
  );
  assert.throws(() => oneHot([0, 10], 10), /label 10 at index 1 is outside 0..9/);
  assert.throws(
    () => new Mixup({ alpha: 1, pairing: 'furthest' as never }, stream(1, 'm')),
    /unknown mixup pairing 'furthest': use one of random, within-class, nearest/,
  );
  assert.throws(
    () => new Mixup({ alpha: 1, targets: 'soft' as never }, stream(1, 'm')),
    /unknown mixup targets 'soft'/,
  );
  assert.throws(() => new Mixup({ alpha: 1, labelSmoothing: 1 }, stream(1, 'm')), /labelSmoothing must be in \[0, 1\)/);
  assert.throws(
    () => new Mixup({ alpha: 0, inputNoise: -0.1 }, stream(1, 'm')),
    /inputNoise must be a finite standard deviation/,
  );
  assert.throws(() => new Mixup({ alpha: 1, lambda: 0.5 } as never, stream(1, 'm')), /unknown mixup option 'lambda'/);
  const { y } = batch(4);
  assert.throws(
    () => new Mixup({ alpha: 1, pairing: 'nearest' }, stream(1, 'm')).apply(x, y),
    /pairing 'nearest' needs partners from the training set/,
  );
});

// The ablation's variants (section 3.8), each on real tensors.

test('inputs only: mixed inputs, but the one-hot label of whichever example weighs more', () => {
  const { x, y, labels } = batch(32);
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    const m = new Mixup({ alpha: 1, targets: 'dominant' }, stream(seed, 'mixup')).apply(x, y);
    const lam = m.lam[0];
    const ys = m.y.arraySync();
    ys.forEach((row, i) => {
      assert.equal(row.filter((v) => v === 1).length, 1, 'one-hot');
      assert.equal(
        row.reduce((a, b) => a + b, 0),
        1,
      );
      assert.equal(row.indexOf(1), lam >= 0.5 ? labels[i] : labels[m.perm![i]]);
    });
    assert.ok(m.targetLam.every((t) => t === (lam >= 0.5 ? 1 : 0)));
    // The inputs are still the convex combination.
    const want = tf.add(tf.mul(x, lam), tf.mul(tf.gather(x, tf.tensor1d(m.perm!, 'int32')), 1 - lam));
    assert.ok(maxAbsDiff(m.x.dataSync(), want.dataSync()) < 1e-6);
  }
});

test('label smoothing, alone and after mixing: rows sum to one, every class gets at least ε/K', () => {
  const { x, y, labels } = batch(16);
  const eps = 0.1;
  const alone = new Mixup({ alpha: 0, labelSmoothing: eps }, stream(1, 'mixup')).apply(x, y);
  assert.equal(alone.x, x, 'inputs untouched without mixing or noise');
  alone.y.arraySync().forEach((row, i) => {
    assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-6);
    row.forEach((v, c) => assert.ok(Math.abs(v - (c === labels[i] ? 1 - eps + eps / 10 : eps / 10)) < 1e-6));
  });
  const mixed = new Mixup({ alpha: 1, targets: 'dominant', labelSmoothing: eps }, stream(2, 'mixup')).apply(x, y);
  mixed.y.arraySync().forEach((row) => {
    assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-6);
    assert.ok(Math.min(...row) >= eps / 10 - 1e-7 && Math.max(...row) <= 1 - eps + eps / 10 + 1e-6);
  });
});

test('Gaussian input noise: seeded, zero-mean, of the asked standard deviation, targets untouched', () => {
  const { x, y } = batch(64);
  const a = new Mixup({ alpha: 0, inputNoise: 0.05 }, stream(3, 'mixup')).apply(x, y);
  const b = new Mixup({ alpha: 0, inputNoise: 0.05 }, stream(3, 'mixup')).apply(x, y);
  assert.deepEqual(a.x.dataSync(), b.x.dataSync(), 'same stream, same noise');
  const d = tf.sub(a.x, x);
  const { mean, variance } = tf.moments(d);
  assert.ok(Math.abs(mean.dataSync()[0]) < 0.002, `mean ${mean.dataSync()[0]}`);
  assert.ok(Math.abs(Math.sqrt(variance.dataSync()[0]) - 0.05) < 0.002, `std ${Math.sqrt(variance.dataSync()[0])}`);
  assert.equal(a.y, y);
});

test('within-class pairs share the class, and are another example where the class has one', () => {
  const labels = Int32Array.from([0, 1, 0, 2, 1, 0, 3, 1, 0, 2]);
  const t = withinClassPartners(labels, 4);
  const rng = stream(7, 'partners');
  const idx = Int32Array.from({ length: 10 }, (_, i) => i);
  const seen = new Set<string>();
  for (let r = 0; r < 50; r++) {
    const p = t.draw(idx, rng);
    p.forEach((j, i) => {
      assert.equal(labels[j], labels[i], `example ${i} (class ${labels[i]}) paired with ${j} (class ${labels[j]})`);
      if (labels[i] !== 3) assert.notEqual(j, i, 'another example of the class');
      seen.add(`${i}-${j}`);
    });
  }
  assert.equal(t.draw([6], rng)[0], 6, 'a class of one pairs with itself');
  // Every pair of the largest class (four examples: 0, 2, 5, 8) turns up: partners are drawn, not fixed.
  for (const i of [0, 2, 5, 8])
    for (const j of [0, 2, 5, 8]) if (i !== j) assert.ok(seen.has(`${i}-${j}`), `pair ${i}-${j} never drawn`);
});

test('nearest neighbours on real CIFAR-10 pixels are the nearest by brute force, and mixing uses them', async () => {
  const data = await loadCifar10({ source: cifarSource(), trainLimit: 300, testLimit: 10 });
  const train = data.train;
  const flat = tf.tidy(() => train.batch(Int32Array.from({ length: train.n }, (_, i) => i)).reshape([train.n, -1]));
  const px = flat.dataSync() as Float32Array;
  const d = px.length / train.n;
  const k = 5;
  const table = nearestNeighbours(flat as tf.Tensor2D, k, 128);
  for (const i of [0, 17, 150, 299]) {
    const dist = Array.from({ length: train.n }, (_, j) => {
      let s = 0;
      for (let c = 0; c < d; c++) {
        const v = px[i * d + c] - px[j * d + c];
        s += v * v;
      }
      return [s, j];
    })
      .filter(([, j]) => j !== i)
      .sort((a, b) => a[0] - b[0]);
    const got = Array.from(table.subarray(i * k, (i + 1) * k));
    // The k-th nearest distance matches (the sets may differ only on exact ties).
    const want = dist.slice(0, k).map(([, j]) => j);
    assert.deepEqual(
      [...got].sort((a, b) => a - b),
      [...want].sort((a, b) => a - b),
      `row ${i}`,
    );
  }
  flat.dispose();
  const partners = nearestPartners(train, k);
  const p = partners.draw([0, 17, 150], stream(1, 'partners'));
  p.forEach((j, r) =>
    assert.ok(Array.from(table.subarray([0, 17, 150][r] * k, ([0, 17, 150][r] + 1) * k)).includes(j)),
  );
  assert.equal(partnerTable('random', train), null);
  assert.throws(() => nearestNeighbours(tf.zeros([4, 3]) as tf.Tensor2D, 4), /needs 1 ≤ k < 4/);
});

test('partners handed in are what the batch mixes with', () => {
  const { x, y } = batch(8);
  const other = batch(8);
  const xp = tf.reverse(other.x, 0),
    yp = tf.reverse(other.y, 0);
  const m = new Mixup({ alpha: 1, pairing: 'within-class' }, stream(4, 'mixup')).apply(x, y, {
    x: xp as tf.Tensor4D,
    y: yp as tf.Tensor2D,
  });
  assert.equal(m.perm, null);
  const lam = m.lam[0];
  assert.ok(maxAbsDiff(m.x.dataSync(), tf.add(tf.mul(x, lam), tf.mul(xp, 1 - lam)).dataSync()) < 1e-6);
  assert.ok(maxAbsDiff(m.y.dataSync(), tf.add(tf.mul(y, lam), tf.mul(yp, 1 - lam)).dataSync()) < 1e-6);
});

test('hidden layers (Manifold Mixup): the layer drawn per batch, the inputs left, the targets and the hidden state mixed by one λ', () => {
  const { x, labels, y } = batch(16);
  // A single [0] draws what plain mixup draws: the streams of every published run are untouched.
  const plain = new Mixup({ alpha: 1 }, stream(9, 'mixup')).apply(x, y);
  const zero = new Mixup({ alpha: 1, layers: [0] }, stream(9, 'mixup')).apply(x, y);
  assert.equal(maxAbsDiff(plain.x.dataSync(), zero.x.dataSync()), 0);
  assert.deepEqual([...plain.perm!], [...zero.perm!]);

  const m = new Mixup({ alpha: 1, layers: [0, 1, 2] }, stream(3, 'mixup'));
  const drawn = new Map<number, number>();
  for (let i = 0; i < 300; i++) {
    const b = m.apply(x, y);
    const at = b.hidden?.after ?? 0;
    drawn.set(at, (drawn.get(at) ?? 0) + 1);
    if (!b.hidden) continue;
    assert.equal(b.x, x, 'a hidden draw leaves the inputs unmixed');
    const lam = b.lam[0];
    const perm = b.perm!;
    const ys = b.y.arraySync() as number[][];
    for (let r = 0; r < 16; r++) {
      const want = Array.from(
        { length: 10 },
        (_, c) => lam * +(labels[r] === c) + (1 - lam) * +(labels[perm[r]] === c),
      );
      assert.ok(maxAbsDiff(ys[r], want) < 1e-6, 'targets mixed by λ with the same partners');
    }
    const h = tf.tensor2d(stream(4, 'h').uniformArray(16 * 5, -1, 1), [16, 5]);
    const hs = h.arraySync() as number[][];
    const mixed = b.hidden.mix(h).arraySync() as number[][];
    for (let r = 0; r < 16; r++) {
      const want = hs[r].map((v, c) => lam * v + (1 - lam) * hs[perm[r]][c]);
      assert.ok(maxAbsDiff(mixed[r], want) < 1e-6, 'the hidden state mixed by the same λ and partners');
    }
  }
  for (const k of [0, 1, 2]) assert.ok((drawn.get(k) ?? 0) > 60, `layer ${k} drawn ${drawn.get(k)} of 300 times`);
  assert.throws(() => new Mixup({ alpha: 1, layers: [] }, stream(1, 'm')), /mixup layers are where to mix/);
  assert.throws(() => new Mixup({ alpha: 1, layers: [1.5] }, stream(1, 'm')), /whole numbers ≥ 0/);
  assert.throws(
    () => new Mixup({ alpha: 1, layers: [0, 1], mode: 'cutmix' }, stream(1, 'm')),
    /take batch or sample mode with random pairing/,
  );
});
