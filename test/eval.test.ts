import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf } from '../lib/backend';
import { attackErrors, fgsm, signGradient } from '../lib/attacks/fgsm';
import { loadCifar10 } from '../lib/data/cifar10';
import { twoMoons } from '../lib/data/toy2d';
import { inBetween } from '../lib/eval/between';
import { errorRate, evaluate, expectedCalibrationError } from '../lib/eval/metrics';
import { buildModel, Model } from '../lib/models';
import { stream } from '../lib/random';
import { train } from '../lib/train/loop';
import { backendForTests, cifarSource } from './helpers';

backendForTests();

test('error rate and expected calibration error', () => {
  assert.equal(errorRate([0, 1, 2, 2], [0, 1, 1, 0]), 0.5);
  assert.throws(() => errorRate([0], [0, 1]), /1 predictions for 2 labels/);
  // Two confident right answers (0.9) and two confident wrong ones (0.9): accuracy 0.5 in the 0.9 bin → ECE 0.4.
  const probs = Float32Array.from([0.9, 0.1, 0.1, 0.9, 0.9, 0.1, 0.1, 0.9]);
  assert.ok(Math.abs(expectedCalibrationError(probs, [0, 1, 1, 0], 2) - 0.4) < 1e-6);
  assert.ok(Math.abs(expectedCalibrationError(probs, [0, 1, 0, 1], 2) - 0.1) < 1e-6, 'all right at confidence 0.9');
});

async function trainedCifar() {
  const c = await loadCifar10({ source: cifarSource(), trainLimit: 1024, testLimit: 200 });
  const m = buildModel({ kind: 'preact-resnet18', width: 4, numClasses: 10 }, 1);
  await train(m, c, {
    epochs: 2,
    batchSize: 64,
    optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 5e-4, milestones: [], gamma: 0.1 },
    mixup: { alpha: 0 },
    seed: 1,
  });
  return { c, m };
}

test("FGSM moves every pixel by exactly ε along its gradient's sign (or to the clip), stays in [0, 1], and raises the loss; I-FGSM stays in the ε-ball", async () => {
  const { c, m } = await trainedCifar();
  const idx = Array.from({ length: 32 }, (_, i) => i);
  const labels = idx.map((i) => c.test.labels[i]);
  const x = c.test.batch(idx);
  const eps = 8 / 255;
  const adv = fgsm(m, x, labels, eps);
  const xv = x.dataSync(),
    av = adv.dataSync(),
    sv = signGradient(m, x, labels).dataSync();
  let moved = 0;
  for (let i = 0; i < xv.length; i++) {
    assert.ok(av[i] >= 0 && av[i] <= 1);
    // A pixel whose gradient is exactly 0 stays: this barely trained width-4 net has stem ReLUs dead all around some
    // pixels, and how many depends on float rounding in its two epochs, so on the CPU.
    const want = Math.min(1, Math.max(0, xv[i] + eps * sv[i]));
    assert.ok(Math.abs(av[i] - want) < 1e-6, `pixel ${i}: ${xv[i]} → ${av[i]}, not clip(x + ε·sign(∇)) = ${want}`);
    if (sv[i] !== 0 && Math.abs(Math.abs(av[i] - xv[i]) - eps) < 1e-5) moved++;
  }
  assert.ok(moved / xv.length > 0.6, `${moved} of ${xv.length} pixels moved by ε`);
  const y = tf.oneHot(labels, 10).toFloat();
  const loss = (t: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, m.apply(t, { training: false })).dataSync()[0];
  assert.ok(loss(adv) > loss(x) + 0.1, `loss ${loss(x)} → ${loss(adv)}`);
  const iter = fgsm(m, x, labels, eps, { iterations: 10 }).dataSync();
  for (let i = 0; i < xv.length; i++) assert.ok(Math.abs(iter[i] - xv[i]) <= eps + 1e-6);
  assert.ok(loss(tf.tensor(iter, x.shape)) >= loss(adv) - 0.05, 'I-FGSM is at least as strong');
  assert.throws(() => fgsm(m, x, labels, -1), /epsilon must be a finite number ≥ 0/);
  m.dispose();
});

test('FGSM direction on a confident model: the sign of the exact gradient, where float32 p − y is decided by rounding', () => {
  // A linear model z = xW over 8 inputs and 10 classes whose true class wins by a logit margin of 15–18 (p_y within a
  // few float32 steps of 1, as in an ERM network that has fitted its training set). The exact ∇ₓ CE = W (p − y) in
  // float64, with 1 − p_y summed from the other classes, is the yardstick.
  const rng = stream(7, 'confident');
  const n = 64,
    d = 8,
    k = 10;
  const W = Array.from({ length: d * k }, () => rng.uniform() - 0.5);
  const X = Array.from({ length: n * d }, () => rng.uniform() - 0.5);
  const labels = Array.from({ length: n }, (_, i) => i % k);
  const logits = (i: number) =>
    Array.from({ length: k }, (_, c) => X.slice(i * d, (i + 1) * d).reduce((a, x, j) => a + x * W[j * k + c], 0));
  // Shift each example's true logit so that it leads by a margin in [15, 18].
  const shift = labels.map((l, i) => {
    const z = logits(i);
    return 15 + 3 * rng.uniform() + Math.max(...z.filter((_, c) => c !== l)) - z[l];
  });
  const model = {
    numClasses: k,
    apply: (x: tf.Tensor) =>
      tf.add(tf.matMul(x as tf.Tensor2D, tf.tensor2d(W, [d, k])), tf.oneHot(labels, k).mul(tf.tensor2d(shift, [n, 1]))),
  } as unknown as Model;
  const exact: number[] = [];
  for (let i = 0; i < n; i++) {
    const z = logits(i).map((v, c) => (c === labels[i] ? v + shift[i] : v));
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const sum = e.reduce((a, b) => a + b, 0);
    const p = e.map((v) => v / sum);
    const others = p.reduce((a, v, c) => (c === labels[i] ? a : a + v), 0);
    const dz = p.map((v, c) => (c === labels[i] ? -others : v));
    for (let j = 0; j < d; j++) exact.push(Math.sign(dz.reduce((a, g, c) => a + g * W[j * k + c], 0)));
  }
  const x = tf.tensor2d(X, [n, d]);
  const ours = Array.from(signGradient(model, x, labels).dataSync());
  const y = tf.oneHot(labels, k).toFloat();
  const usual = Array.from(
    tf
      .sign(tf.grad((xi: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, model.apply(xi, { training: false })))(x))
      .dataSync(),
  );
  const differ = (a: number[]) => a.filter((v, i) => v !== exact[i]).length;
  assert.ok(
    differ(usual) > 0.05 * exact.length,
    `the usual float32 gradient should be rounding-bound here (${differ(usual)} of ${exact.length} signs differ)`,
  );
  assert.equal(differ(ours), 0, `${differ(ours)} of ${exact.length} signs differ from the exact gradient's`);
});

test('attack errors: ε = 0 is the clean error; error grows with ε; white-box and black-box rows per target', async () => {
  const { c, m } = await trainedCifar();
  const other = buildModel({ kind: 'resnet18', width: 4, numClasses: 10 }, 2);
  const rows = attackErrors(m, { white: m, black: other }, c.test, [0, 2 / 255, 8 / 255], { limit: 200 });
  assert.equal(rows.length, 6);
  const white = rows.filter((r) => r.target === 'white').map((r) => r.error);
  assert.ok(Math.abs(white[0] - evaluate(m, c.test).error) < 1e-9);
  // A weak model (two epochs at width 4, 80–90 % clean error) has little room above its clean error, and how much
  // depends on its float rounding: strict growth with ε, not a margin.
  assert.ok(white[0] < white[1] && white[1] < white[2], `white-box error ${white} should grow with ε`);
  // One gradient serves every ε: the rows equal what fgsm() gives for each ε on its own.
  const idx = Array.from({ length: 200 }, (_, i) => i);
  const labels = idx.map((i) => c.test.labels[i]);
  for (const [k, eps] of [2 / 255, 8 / 255].entries()) {
    const pred = tf.tidy(() =>
      tf.argMax(other.apply(fgsm(m, c.test.batch(idx), labels, eps), { training: false }), 1).dataSync(),
    );
    assert.equal(
      rows.filter((r) => r.target === 'black')[k + 1].error,
      labels.filter((l, i) => pred[i] !== l).length / 200,
    );
  }
  m.dispose();
  other.dispose();
});

test('Fig. 2 measures: an ERM net has larger input gradients between examples than at them; misses need a third class', async () => {
  const d = twoMoons(400, 0.05, stream(1, 'toy'));
  const m = buildModel({ kind: 'mlp', inputs: 2, hidden: [64, 64], numClasses: 2 }, 1);
  await train(
    m,
    { train: d, test: d },
    { epochs: 30, batchSize: 16, optimizer: { kind: 'adam', lr: 0.01 }, mixup: { alpha: 0 }, seed: 1 },
  );
  const pts = inBetween(m, d, stream(1, 'between'), { pairs: 400, lambdas: [0, 0.5, 1] });
  assert.deepEqual(
    pts.map((p) => p.lambda),
    [0, 0.5, 1],
  );
  // With two classes every prediction is y_i or y_j unless the pair shares a class: misses are rare.
  assert.ok(pts[0].missRate < 0.05 && pts[2].missRate < 0.05);
  assert.ok(pts[1].gradNorm > pts[0].gradNorm, `gradient norms ${pts.map((p) => p.gradNorm)}`);
  assert.throws(() => inBetween(m, d, stream(1, 'b'), { pairs: 10, lambdas: [1.5] }), /every λ must lie in \[0, 1\]/);
  m.dispose();
});
