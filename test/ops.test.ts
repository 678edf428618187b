/**
 * Each op family the models use, native TensorFlow against tfjs's pure-JS cpu backend on the same random
 * inputs: values and gradients. Skipped (with a reason) where native TensorFlow is not loaded.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf } from '../lib/backend';
import { batchNormTrain, maxPool, relu } from '../lib/backend/fused';
import { hasAvx512 } from '../lib/backend/cpu';
import { buildModel } from '../lib/models';
import { batchNorm, BatchNormParams, batchNormRelu, BN_EPS, conv } from '../lib/models/params';
import { stream } from '../lib/random';
import { backendForTests, maxAbsDiff, onBackend } from './helpers';

const report = backendForTests();
const native = report.name === 'tensorflow';
const skip = native ? false : `native TensorFlow not loaded (${report.reasons.join('; ')})`;

function rand(shape: number[], seed: number, lo = -1, hi = 1): () => tf.Tensor {
  const data = stream(seed, 'ops').uniformArray(
    shape.reduce((a, b) => a * b, 1),
    lo,
    hi,
  );
  return () => tf.tensor(data, shape);
}

/** Value and gradients of f w.r.t. each input, as arrays, on one backend. */
function valueAndGrads(
  backend: string,
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  inputs: (() => tf.Tensor)[],
): Float32Array[] {
  return onBackend(backend, () =>
    tf.tidy(() => {
      const xs = inputs.map((mk) => mk());
      const y = f(...xs);
      // A random projection makes every output element matter to the gradient.
      const w = rand(y.shape, 99)();
      const grads = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(f(...a), w)))(xs);
      return [y, ...grads].map((t) => t.dataSync() as Float32Array);
    }),
  );
}

function compare(name: string, f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: (() => tf.Tensor)[], tol = 1e-4): void {
  test(`${name}: native matches cpu (values and gradients)`, { skip }, () => {
    const a = valueAndGrads('tensorflow', f, inputs);
    const b = valueAndGrads('cpu', f, inputs);
    a.forEach((arr, i) => {
      const scale = Math.max(1, ...Array.from(b[i], Math.abs));
      const d = maxAbsDiff(arr, b[i]) / scale;
      assert.ok(d < tol, `${i === 0 ? 'value' : `gradient ${i}`} differs by ${d}`);
    });
  });
}

compare('conv2d 3×3 stride 1', (x, w) => conv(x as tf.Tensor4D, w, 1), [rand([4, 8, 8, 3], 1), rand([3, 3, 3, 5], 2)]);
compare('conv2d 3×3 stride 2 (PyTorch padding)', (x, w) => conv(x as tf.Tensor4D, w, 2), [
  rand([4, 8, 8, 3], 3),
  rand([3, 3, 3, 5], 4),
]);
compare('conv2d 1×1 stride 2', (x, w) => conv(x as tf.Tensor4D, w, 2), [rand([4, 8, 8, 3], 5), rand([1, 1, 3, 6], 6)]);
compare('conv2d 5×5 valid (LeNet)', (x, w) => conv(x as tf.Tensor4D, w, 1, 0), [
  rand([4, 11, 9, 2], 37),
  rand([5, 5, 2, 4], 38),
]);
// Odd sizes: the pool drops the last row and column, as 'valid' does; oneDNN's own kernels on native.
compare('max pool 2×2 (oneDNN MaxPool and MaxPoolGrad on native)', (x) => maxPool(x as tf.Tensor4D, 2), [
  rand([4, 7, 9, 3], 39),
]);
compare('relu (ReluGrad kernel on native)', (x) => relu(x), [rand([4, 5, 5, 3], 7)]);
compare('average pool (global mean)', (x) => tf.mean(x, [1, 2]), [rand([4, 4, 4, 6], 8)]);
compare('avgPool 2×2', (x) => tf.avgPool(x as tf.Tensor4D, 2, 2, 'valid'), [rand([4, 4, 4, 6], 9)]);
compare('dense', (x, w, b) => tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b), [
  rand([6, 7], 10),
  rand([7, 3], 11),
  rand([3], 12),
]);
compare(
  'softmax cross-entropy (soft targets)',
  (logits) => tf.losses.softmaxCrossEntropy(tf.softmax(rand([6, 10], 13)()), logits),
  [rand([6, 10], 14, -3, 3)],
);
compare(
  'batch norm, inference',
  (x, g, b) => tf.batchNorm(x, tf.tensor1d([0.1, -0.2, 0.3]), tf.tensor1d([1.5, 0.5, 2]), b, g, 1e-5),
  [rand([4, 5, 5, 3], 15), rand([3], 16, 0.5, 1.5), rand([3], 17)],
);

// relu(batch norm) in inference as the models run it: one oneDNN op on native (lib/backend/fused's
// batchNormReluInfer, with its hand-written input gradient), scale, shift and ReLU on cpu.
compare(
  'batch norm + ReLU, inference (one oneDNN op on native), value and input gradient',
  (x) =>
    batchNormRelu(
      x as tf.Tensor4D,
      {
        gamma: tf.tensor1d([1.2, 0.7, 1]),
        beta: tf.tensor1d([0.1, -0.3, 0.2]),
        mean: tf.tensor1d([0.1, -0.2, 0.3]),
        variance: tf.tensor1d([1.5, 0.5, 2]),
      } as unknown as BatchNormParams,
      false,
    ),
  [rand([4, 5, 5, 3], 36, -2, 2)],
);

// Inference batch norm as the models run it (lib/models/params: a cached scale and shift, Mul + BiasAdd on native)
// against TensorFlow's own inference batch norm formula on the cpu backend, values and input gradient (an attack's).
test(
  'inference batch norm (scale and shift) equals tf.batchNorm within float32 rounding, values and input gradient',
  { skip },
  () => {
    const shape = [8, 6, 6, 5];
    const [x, g, b, m, v] = [
      rand(shape, 30, -3, 3),
      rand([5], 31, 0.5, 1.5),
      rand([5], 32),
      rand([5], 33, -1, 1),
      rand([5], 34, 0.2, 3),
    ];
    const proj = rand(shape, 35);
    const ours = onBackend('tensorflow', () =>
      tf.tidy(() => {
        const p: BatchNormParams = {
          gamma: tf.variable(g()),
          beta: tf.variable(b()),
          mean: tf.variable(m(), false),
          variance: tf.variable(v(), false),
        };
        const f = (xi: tf.Tensor) => batchNorm(xi as tf.Tensor4D, p, false);
        const out = [f(x()), tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(f(xi), proj())))(x())].map(
          (t) => t.dataSync() as Float32Array,
        );
        for (const t of [p.gamma, p.beta, p.mean, p.variance]) t.dispose();
        return out;
      }),
    );
    const theirs = onBackend('cpu', () =>
      tf.tidy(() => {
        const f = (xi: tf.Tensor) =>
          tf.batchNorm(
            xi as tf.Tensor4D,
            m() as tf.Tensor1D,
            v() as tf.Tensor1D,
            b() as tf.Tensor1D,
            g() as tf.Tensor1D,
            BN_EPS,
          );
        return [f(x()), tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(f(xi), proj())))(x())].map(
          (t) => t.dataSync() as Float32Array,
        );
      }),
    );
    ['value', 'input gradient'].forEach((what, i) => {
      const scale = Math.max(...Array.from(theirs[i], Math.abs));
      const d = maxAbsDiff(ours[i], theirs[i]) / scale;
      assert.ok(d < 1e-6, `${what} differs by ${d} of its largest entry`);
    });
  },
);

// The fused training batch norm against the composed one, both on native and across backends.
const bnInputs = [rand([8, 6, 6, 4], 18, -2, 3), rand([4], 19, 0.5, 1.5), rand([4], 20)];
const bnTrain = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
  const r = batchNormTrain(
    x as tf.Tensor4D,
    g as tf.Tensor1D,
    b as tf.Tensor1D,
    tf.zeros([4]),
    tf.ones([4]),
    0.1,
    1e-5,
  );
  r.runningMean.dispose();
  r.runningVar.dispose();
  return r.y;
};
compare('batch norm, training (fused on native, composed on cpu)', bnTrain, bnInputs);

test('fused batch norm updates running statistics as PyTorch does (unbiased variance, momentum 0.1)', { skip }, () => {
  const stats = (backend: string) =>
    onBackend(backend, () =>
      tf.tidy(() => {
        const r = batchNormTrain(
          bnInputs[0]() as tf.Tensor4D,
          bnInputs[1]() as tf.Tensor1D,
          bnInputs[2]() as tf.Tensor1D,
          tf.fill([4], 0.5),
          tf.fill([4], 2),
          0.1,
          1e-5,
        );
        const out = [r.runningMean.dataSync(), r.runningVar.dataSync()];
        r.runningMean.dispose();
        r.runningVar.dispose();
        return out;
      }),
    );
  const [mn, vn] = stats('tensorflow');
  const [mc, vc] = stats('cpu');
  assert.ok(maxAbsDiff(mn, mc) < 1e-5 && maxAbsDiff(vn, vc) < 1e-4, `native ${mn} ${vn} vs cpu ${mc} ${vc}`);
  // By hand for channel 0: 0.9·0.5 + 0.1·mean, 0.9·2 + 0.1·var·n/(n−1).
  const x = bnInputs[0]().dataSync();
  const ch = Array.from(x).filter((_, i) => i % 4 === 0);
  const m = ch.reduce((a, b) => a + b, 0) / ch.length;
  const v = ch.reduce((a, b) => a + (b - m) ** 2, 0) / (ch.length - 1);
  assert.ok(Math.abs(mn[0] - (0.45 + 0.1 * m)) < 1e-5);
  assert.ok(Math.abs(vn[0] - (1.8 + 0.1 * v)) < 1e-4);
});

// The whole training pass: on native each PreAct block is one op with a hand-written backward (lib/models/preact-block),
// on cpu tfjs differentiates the composed layers. Loss, every parameter's gradient and the running statistics agree.
// A whole pass, unlike one op, is exposed to ReLU gates flipped by rounding. On AVX-512 this pass flips none and agrees
// to 1e-3; oneDNN's AVX2 kernels flip a few (on the code before this change too), so there the bound is a whole float32
// pass's (the brief's measured spread between float32 codes), and the per-op tests above carry the precision.
const WHOLE_PASS_TOLERANCE = hasAvx512() ? 1e-3 : 3e-2;
test('PreAct ResNet-18 training pass: native (hand-written block backward) matches cpu autodiff', { skip }, () => {
  const images = stream(21, 'ops').uniformArray(6 * 32 * 32 * 3, 0, 1);
  const labels = Array.from({ length: 6 }, (_, i) => (i * 3) % 10);
  const pass = (backend: string) =>
    onBackend(backend, () => {
      const m = buildModel({ kind: 'preact-resnet18', width: 4, numClasses: 10 }, 5);
      const out = tf.tidy(() => {
        const x = tf.tensor4d(images, [6, 32, 32, 3]);
        const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10).toFloat();
        const { value, grads } = tf.variableGrads(
          () => tf.losses.softmaxCrossEntropy(y, m.apply(x, { training: true })) as tf.Scalar,
          m.params.list(),
        );
        return [value, ...m.params.list().map((v) => grads[v.name])].map((t) => t.dataSync() as Float32Array);
      });
      const names = [...m.params.trainable.keys()];
      const state = [...m.params.state.values()].map((v) => v.dataSync() as Float32Array);
      m.dispose();
      return { out, names, state };
    });
  const a = pass('tensorflow');
  const b = pass('cpu');
  assert.equal(a.out.length, 1 + a.names.length);
  a.out.forEach((arr, i) => {
    const scale = Math.max(1e-3, ...Array.from(b.out[i], Math.abs));
    const d = maxAbsDiff(arr, b.out[i]) / scale;
    assert.ok(
      d < WHOLE_PASS_TOLERANCE,
      `${i === 0 ? 'loss' : `gradient of ${a.names[i - 1]}`} differs by ${d} (relative to its largest entry)`,
    );
  });
  a.state.forEach((arr, i) => assert.ok(maxAbsDiff(arr, b.state[i]) < 1e-4, `running statistic ${i} differs`));
  // Not a trivial pass: the gradients are not all zero and the running statistics moved.
  assert.ok(
    a.out.slice(1).every((g) => g.some((v) => v !== 0)),
    'every parameter gets a gradient',
  );
});
