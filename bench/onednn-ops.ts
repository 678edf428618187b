/**
 * `node dist/bench/onednn-ops.js [batch]`: each convolution and batch-norm op of a PreAct ResNet-18 stage, ms per
 * call, on TensorFlow's eager kernel (what tfjs-node names) and on oneDNN's own (`_MklNative<Op>`, what
 * lib/backend/fused calls), with the largest difference between their outputs. One TensorFlow thread unless
 * TF_NUM_INTRAOP_THREADS says otherwise. Says why the models call oneDNN's kernels by name.
 */
import { tf, useBackend } from '../lib/backend';

interface Backend {
  binding: Record<string, number>;
  executeSingleOutput(name: string, attrs: unknown[], inputs: tf.Tensor[]): tf.Tensor;
  executeMultipleOutputs(name: string, attrs: unknown[], inputs: tf.Tensor[], n: number): tf.Tensor[];
}

process.env.TF_NUM_INTRAOP_THREADS ??= '1';
useBackend('tensorflow');
const be = tf.backend() as unknown as Backend;
const B = be.binding;
const batch = Number(process.argv[2] ?? 128);
const T = { name: 'T', type: B.TF_ATTR_TYPE, value: B.TF_FLOAT };
const U = { name: 'U', type: B.TF_ATTR_TYPE, value: B.TF_FLOAT };
const LABEL = { name: '_kernel', type: B.TF_ATTR_STRING, value: 'MklNameChangeOp' };
const conv = [
  T,
  { name: 'strides', type: B.TF_ATTR_INT, value: [1, 1, 1, 1] },
  { name: 'padding', type: B.TF_ATTR_STRING, value: 'SAME' },
  { name: 'data_format', type: B.TF_ATTR_STRING, value: 'NHWC' },
  { name: 'use_cudnn_on_gpu', type: B.TF_ATTR_BOOL, value: true },
  { name: 'dilations', type: B.TF_ATTR_INT, value: [1, 1, 1, 1] },
];
const bn = [
  T,
  U,
  { name: 'epsilon', type: B.TF_ATTR_FLOAT, value: 1e-5 },
  { name: 'data_format', type: B.TF_ATTR_STRING, value: 'NHWC' },
  { name: 'is_training', type: B.TF_ATTR_BOOL, value: true },
];

function ms(f: () => tf.Tensor | tf.Tensor[], reps = 20): number {
  for (let i = 0; i < 3; i++) tf.dispose(f());
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < reps; i++) tf.dispose(f()); // native ops run synchronously: no read-back needed
  return Number(process.hrtime.bigint() - t0) / 1e6 / reps;
}

const rows: string[] = [];
for (const [h, c] of [
  [32, 8],
  [16, 16],
  [8, 32],
  [4, 64],
  [32, 16],
  [32, 64],
]) {
  const x = tf.randomNormal([batch, h, h, c]);
  const dy = tf.randomNormal([batch, h, h, c]);
  const w = tf.randomNormal([3, 3, c, c]);
  const sizes = tf.tensor1d([batch, h, h, c], 'int32');
  const fsizes = tf.tensor1d([3, 3, c, c], 'int32');
  const [g, b, m, v] = [tf.randomUniform([c], 0.5, 1.5), tf.zeros([c]), tf.zeros([c]), tf.ones([c])];
  const fwd = be.executeMultipleOutputs('_MklNativeFusedBatchNormV3', [...bn, LABEL], [x, g, b, m, v], 6);
  const eig = be.executeMultipleOutputs('FusedBatchNormV3', bn, [x, g, b, m, v], 6);
  const ops: [string, unknown[], (mkl: boolean) => tf.Tensor[], number][] = [
    ['Conv2D', conv, () => [x, w], 1],
    ['Conv2DBackpropInput', conv, () => [sizes, w, dy], 1],
    ['Conv2DBackpropFilter', conv, () => [x, fsizes, dy], 1],
    ['FusedBatchNormV3', bn, () => [x, g, b, m, v], 6],
    // Each side's gradient takes its own forward's reserve tensors.
    ['FusedBatchNormGradV3', bn, (mkl) => [dy, x, g, ...(mkl ? fwd : eig).slice(3, 6)], 5],
  ];
  for (const [name, attrs, inputs, n] of ops) {
    const call = (mkl: boolean) =>
      n === 1
        ? [be.executeSingleOutput(mkl ? `_MklNative${name}` : name, mkl ? [...attrs, LABEL] : attrs, inputs(mkl))]
        : be.executeMultipleOutputs(mkl ? `_MklNative${name}` : name, mkl ? [...attrs, LABEL] : attrs, inputs(mkl), n);
    const [a, o] = [call(false), call(true)];
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(a[0], o[0]))).dataSync()[0]);
    tf.dispose([...a, ...o]);
    const [te, to] = [ms(() => call(false)), ms(() => call(true))];
    rows.push(
      `| [${batch}, ${h}, ${h}, ${c}] | ${name} | ${te.toFixed(2)} | ${to.toFixed(2)} | ${(te / to).toFixed(1)}x | ${diff.toExponential(1)} |`,
    );
  }
  tf.dispose([x, dy, w, sizes, fsizes, g, b, m, v, ...fwd, ...eig]);
}
console.log(
  `TensorFlow eager kernels against oneDNN's, ${process.env.TF_NUM_INTRAOP_THREADS} thread(s), ms per call\n`,
);
console.log('| activation | op | eager ms | oneDNN ms | speed-up | largest output difference |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of rows) console.log(r);
