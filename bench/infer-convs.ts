/**
 * `node dist/bench/infer-convs.js [width]`: every convolution of a PreAct ResNet-18 inference batch (128, 32×32) timed
 * alone on native TensorFlow, ms per batch in all (bench/torch_convs.py is the same in PyTorch). Says whether the
 * network's inference gap to PyTorch is in its convolutions or in the ops between them (docs/lab-notes.md, Benchmark).
 * `TF_ENABLE_ONEDNN_OPTS=0` in the environment times TensorFlow's Eigen kernels instead of oneDNN's.
 */
import { tf, useBackend } from '../lib/backend';
import { conv } from '../lib/models/params';
import { convShapes } from './conv-shapes';

useBackend('tensorflow');
const width = Number(process.argv[2] ?? 16);
let total = 0;
for (const s of convShapes(width)) {
  const x = tf.randomNormal([128, s.size, s.size, s.cin]) as tf.Tensor4D;
  const f = tf.randomNormal([s.k, s.k, s.cin, s.cout]) as tf.Tensor4D;
  // The model's own convolution (PyTorch's symmetric padding); native ops run synchronously: no read-back needed.
  const run = () => conv(x, f, s.stride).dispose();
  for (let i = 0; i < 3; i++) run();
  const reps = 20;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < reps; i++) run();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6 / reps;
  total += ms * s.count;
  console.log(
    `${s.size}×${s.size} ${s.cin}→${s.cout} k${s.k} stride ${s.stride} ×${s.count}: ${ms.toFixed(2)} ms each`,
  );
  x.dispose();
  f.dispose();
}
console.log(
  `convolutions per batch: ${total.toFixed(1)} ms (width ${width}, TF_ENABLE_ONEDNN_OPTS=${process.env.TF_ENABLE_ONEDNN_OPTS ?? 'unset'})`,
);
