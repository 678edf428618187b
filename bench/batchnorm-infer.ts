/**
 * `node dist/bench/batchnorm-infer.js [channels] [size]`: inference-mode batch norm on one NHWC activation
 * ([128, size, size, channels]; default the width-16 network's first stage), ms per call, three ways on native
 * TensorFlow: FusedBatchNormV3 in inference mode (what tf.batchNorm runs), FusedBatchNormV3 in training mode (for
 * scale: the same kernel family with batch statistics), and the models' scale and shift (lib/backend/fused). Says why
 * scoring does not use TensorFlow's inference batch norm. Run it with ONEDNN_MAX_CPU_ISA=AVX2 for the other kernels.
 */
import { tf, useBackend } from '../lib/backend';
import { batchNormAffine, batchNormTrain, scaleShift } from '../lib/backend/fused';

useBackend('tensorflow');
const c = Number(process.argv[2] ?? 16);
const size = Number(process.argv[3] ?? 32);
const x = tf.randomNormal([128, size, size, c]) as tf.Tensor4D;
const gamma = tf.randomUniform([c], 0.5, 1.5) as tf.Tensor1D;
const beta = tf.randomNormal([c]) as tf.Tensor1D;
const mean = tf.randomNormal([c]) as tf.Tensor1D;
const variance = tf.randomUniform([c], 0.5, 2) as tf.Tensor1D;
const { scale, shift } = batchNormAffine(gamma, beta, mean, variance, 1e-5);

function time(name: string, f: () => tf.Tensor | tf.Tensor[], reps = 20): void {
  for (let i = 0; i < 3; i++) tf.dispose(f());
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < reps; i++) tf.dispose(f()); // native ops run synchronously: no read-back needed
  console.log(`${name.padEnd(48)} ${(Number(process.hrtime.bigint() - t0) / 1e6 / reps).toFixed(2)} ms`);
}

console.log(
  `batch norm on [128, ${size}, ${size}, ${c}], ONEDNN_MAX_CPU_ISA=${process.env.ONEDNN_MAX_CPU_ISA ?? 'unset'}`,
);
time('FusedBatchNormV3, inference (tf.batchNorm)', () => tf.batchNorm(x, mean, variance, beta, gamma, 1e-5));
time('FusedBatchNormV3, training (batch statistics)', () => {
  const r = batchNormTrain(x, gamma, beta, mean, variance, 0.1, 1e-5);
  return [r.y, r.runningMean, r.runningVar];
});
time("scale and shift (Mul + AddV2, the models' inference)", () => scaleShift(x, scale, shift));
