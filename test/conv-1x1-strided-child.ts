/**
 * Child process of conv-1x1-strided.test: `node dist/test/conv-1x1-strided-child.js BATCH IC` runs a 1×1 stride-2
 * convolution (NHWC, 16×16 → 8×8, 16 output channels) on native TensorFlow through every path the models take — the
 * model's conv with tfjs's tape, and the raw kernels of the hand-written block backward — and prints, as JSON, each
 * result's largest difference from a float64 computation, relative to the largest entry of that computation.
 * A child, so that a native crash kills it and not the test runner.
 */
import { tf, useBackend } from '../lib/backend';
import { nativeKernels } from '../lib/backend/fused';
import { conv } from '../lib/models/params';
import { stream } from '../lib/random';

const [batch, ic] = process.argv.slice(2).map(Number);
const H = 16,
  S = 2,
  OC = 16,
  HO = H / S;
useBackend('tensorflow');
const rng = stream(1000 * batch + ic, 'conv-1x1-strided');
const xs = rng.uniformArray(batch * H * H * ic, -1, 1);
const ws = rng.uniformArray(ic * OC, -1, 1);
const rs = rng.uniformArray(batch * HO * HO * OC, -1, 1); // a random projection of the output: the loss is Σ y·r

// float64: y[n,i,j,o] = Σ_c x[n,2i,2j,c] w[c,o]; dW[c,o] = Σ x[n,2i,2j,c] r[n,i,j,o]; dx[n,2i,2j,c] = Σ_o r[n,i,j,o] w[c,o].
const y64 = new Float64Array(batch * HO * HO * OC);
const dw64 = new Float64Array(ic * OC);
const dx64 = new Float64Array(batch * H * H * ic);
for (let n = 0; n < batch; n++)
  for (let i = 0; i < HO; i++)
    for (let j = 0; j < HO; j++) {
      const xo = ((n * H + S * i) * H + S * j) * ic;
      const yo = ((n * HO + i) * HO + j) * OC;
      for (let c = 0; c < ic; c++)
        for (let o = 0; o < OC; o++) {
          y64[yo + o] += xs[xo + c] * ws[c * OC + o];
          dw64[c * OC + o] += xs[xo + c] * rs[yo + o];
          dx64[xo + c] += rs[yo + o] * ws[c * OC + o];
        }
    }

function relErr(got: ArrayLike<number>, want: Float64Array): number {
  let d = 0,
    m = 0;
  for (let i = 0; i < want.length; i++) {
    d = Math.max(d, Math.abs(got[i] - want[i]));
    m = Math.max(m, Math.abs(want[i]));
  }
  return d / m;
}

const x = tf.tensor4d(xs, [batch, H, H, ic]);
const w = tf.tensor4d(ws, [1, 1, ic, OC]);
const r = tf.tensor4d(rs, [batch, HO, HO, OC]);
const [dxTape, dwTape] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a as tf.Tensor4D, b, S), r)))([
  x,
  w,
]);
const k = nativeKernels()!;
console.log(
  JSON.stringify({
    'forward (model conv)': relErr(conv(x, w, S).dataSync(), y64),
    'input gradient (model conv, tape)': relErr(dxTape.dataSync(), dx64),
    'filter gradient (model conv, tape)': relErr(dwTape.dataSync(), dw64),
    'forward (block kernels)': relErr(k.conv(x, w, S).dataSync(), y64),
    'input gradient (block backward)': relErr(k.convBackpropInput(x.shape, w, r, S).dataSync(), dx64),
    'filter gradient (block backward)': relErr(k.convBackpropFilter(x, w, r, S).dataSync(), dw64),
  }),
);
