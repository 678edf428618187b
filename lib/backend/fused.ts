/**
 * The models' ops on native TensorFlow where tfjs's own route is slow or unsafe there: fused kernels where tfjs composes
 * an op from many small ones, and other forms where a TensorFlow kernel is slow (inference batch norm) or broken on
 * some CPUs (strided 1×1 convolutions).
 *
 * Batch norm on TensorFlow's fused kernels. tfjs composes training-mode batch norm (moments, normalise,
 * and the gradient of each) from many small ops; on the native backend FusedBatchNormV3 and
 * FusedBatchNormGradV3 do it in one kernel each, in a fraction of the composed ops' time at the notebooks' widths.
 * Other backends get tfjs's composed ops with the same semantics.
 */
import { tf, isNative } from './index';

export interface BatchNormTrainResult {
  y: tf.Tensor4D;
  /**
   * Running statistics after this batch: (1 - momentum) * old + momentum * batch (variance unbiased, as
   * PyTorch). Kept outside any tidy on the native path: the caller disposes them.
   */
  runningMean: tf.Tensor1D;
  runningVar: tf.Tensor1D;
}

interface NativeBackend {
  binding: {
    TF_ATTR_FLOAT: number;
    TF_ATTR_STRING: number;
    TF_ATTR_BOOL: number;
    TF_ATTR_TYPE: number;
    TF_ATTR_INT: number;
    TF_FLOAT: number;
  };
  executeMultipleOutputs(name: string, attrs: unknown[], inputs: tf.Tensor[], n: number): tf.Tensor[];
  executeSingleOutput(name: string, attrs: unknown[], inputs: tf.Tensor[]): tf.Tensor;
}

function nativeAttrs(backend: NativeBackend, eps: number, training: boolean, avgFactor?: number): unknown[] {
  const { TF_ATTR_TYPE, TF_FLOAT } = backend.binding;
  const attrs: unknown[] = [
    { name: 'T', type: TF_ATTR_TYPE, value: TF_FLOAT },
    { name: 'U', type: TF_ATTR_TYPE, value: TF_FLOAT },
    { name: 'epsilon', type: backend.binding.TF_ATTR_FLOAT, value: eps },
    { name: 'data_format', type: backend.binding.TF_ATTR_STRING, value: 'NHWC' },
    { name: 'is_training', type: backend.binding.TF_ATTR_BOOL, value: training },
  ];
  if (avgFactor !== undefined)
    attrs.push({ name: 'exponential_avg_factor', type: backend.binding.TF_ATTR_FLOAT, value: avgFactor });
  return attrs;
}

/**
 * oneDNN's own kernels for convolution and training batch norm, called by name. TensorFlow's eager Conv2D and
 * FusedBatchNorm run Eigen's code, whose convolutions call oneDNN's sgemm on many tiny blocks; TensorFlow rewrites
 * them to oneDNN's primitives only in graphs, which tfjs-node never builds. The same primitives PyTorch's CPU
 * convolutions use are registered as `_MklNative<Op>` (plain NHWC tensors in and out) behind the kernel label
 * MklNameChangeOp, so an eager call that names them and carries that label gets them. At the notebooks' widths they
 * are several times faster on AVX2 (`node dist/bench/onednn-ops.js` times each op both ways); their values agree to
 * float rounding (test/ops.test.ts). MIXUP_ONEDNN=0 keeps TensorFlow's eager kernels (to compare, or on a build whose
 * oneDNN kernels misbehave); a TensorFlow without them (no oneDNN) gets those anyway.
 */
const ONEDNN_OPS = new Set([
  'Conv2D',
  'Conv2DBackpropInput',
  'Conv2DBackpropFilter',
  'FusedBatchNormV3',
  'FusedBatchNormGradV3',
]);
let onednn: boolean | null = null;

/** Whether the oneDNN kernels are used: MIXUP_ONEDNN (0 / 1), else whether this TensorFlow runs them. */
export function onednnKernels(backend: NativeBackend = tf.backend() as unknown as NativeBackend): boolean {
  if (onednn !== null) return onednn;
  const choice = process.env.MIXUP_ONEDNN;
  if (choice !== undefined && choice !== '0' && choice !== '1')
    throw new Error(`MIXUP_ONEDNN=${choice}: use 1 (oneDNN's kernels) or 0 (TensorFlow's eager kernels)`);
  if (choice === '0') return (onednn = false);
  const x = tf.zeros([1, 3, 3, 1]);
  const w = tf.zeros([3, 3, 1, 1]);
  try {
    tf.dispose(
      backend.executeSingleOutput('_MklNativeConv2D', [...convAttrs(backend, 1, 1), labelAttr(backend)], [x, w]),
    );
    onednn = true;
  } catch (e) {
    if (choice === '1')
      throw new Error(`MIXUP_ONEDNN=1, but this TensorFlow has no oneDNN kernels (${(e as Error).message}): unset it`);
    onednn = false;
  } finally {
    tf.dispose([x, w]);
  }
  return onednn;
}

function labelAttr(backend: NativeBackend): unknown {
  return { name: '_kernel', type: backend.binding.TF_ATTR_STRING, value: 'MklNameChangeOp' };
}

/** oneDNN's filter gradient cannot build a primitive for explicit padding (stride 2 with padding): Eigen's takes it. */
const explicit = (name: string, attrs: unknown[]) =>
  name === 'Conv2DBackpropFilter' &&
  attrs.some((a) => (a as { name: string }).name === 'padding' && (a as { value: unknown }).value === 'EXPLICIT');

/** One TensorFlow op by name, through oneDNN's kernel of it when there is one and they are in use. */
function run1(backend: NativeBackend, name: string, attrs: unknown[], inputs: tf.Tensor[]): tf.Tensor {
  return ONEDNN_OPS.has(name) && !explicit(name, attrs) && onednnKernels(backend)
    ? backend.executeSingleOutput(`_MklNative${name}`, [...attrs, labelAttr(backend)], inputs)
    : backend.executeSingleOutput(name, attrs, inputs);
}

function runN(backend: NativeBackend, name: string, attrs: unknown[], inputs: tf.Tensor[], n: number): tf.Tensor[] {
  return ONEDNN_OPS.has(name) && onednnKernels(backend)
    ? backend.executeMultipleOutputs(`_MklNative${name}`, [...attrs, labelAttr(backend)], inputs, n)
    : backend.executeMultipleOutputs(name, attrs, inputs, n);
}

/** Training-mode batch norm over N, H, W of an NHWC tensor; gradients flow to x, gamma and beta. */
export function batchNormTrain(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  runningMean: tf.Tensor1D,
  runningVar: tf.Tensor1D,
  momentum: number,
  eps: number,
): BatchNormTrainResult {
  if (isNative()) return fusedTrain(x, gamma, beta, runningMean, runningVar, momentum, eps);
  return composedTrain(x, gamma, beta, runningMean, runningVar, momentum, eps);
}

function fusedTrain(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  runningMean: tf.Tensor1D,
  runningVar: tf.Tensor1D,
  momentum: number,
  eps: number,
): BatchNormTrainResult {
  const backend = tf.backend() as unknown as NativeBackend;
  let stats: [tf.Tensor1D, tf.Tensor1D] | null = null;
  const op = tf.customGrad((xi, g, b, save) => {
    const [y, newMean, newVar, r1, r2, r3] = runN(
      backend,
      'FusedBatchNormV3',
      nativeAttrs(backend, eps, true, momentum),
      [xi as tf.Tensor, g as tf.Tensor, b as tf.Tensor, runningMean, runningVar],
      6,
    );
    // customGrad runs this inside its own tidy; keep the statistics for the caller, who disposes them.
    stats = [tf.keep(newMean) as tf.Tensor1D, tf.keep(newVar) as tf.Tensor1D];
    (save as tf.GradSaveFunc)([xi as tf.Tensor, g as tf.Tensor, r1, r2, r3]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sg, s1, s2, s3] = saved;
        const [dx, dg, db] = runN(
          backend,
          'FusedBatchNormGradV3',
          nativeAttrs(backend, eps, true),
          [dy, sx, sg, s1, s2, s3],
          5,
        );
        return [dx, dg, db];
      },
    };
  });
  const y = op(x, gamma, beta) as tf.Tensor4D;
  const [m, v] = stats as unknown as [tf.Tensor1D, tf.Tensor1D];
  return { y, runningMean: m, runningVar: v };
}

function composedTrain(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  runningMean: tf.Tensor1D,
  runningVar: tf.Tensor1D,
  momentum: number,
  eps: number,
): BatchNormTrainResult {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  const y = tf.batchNorm(x, mean, variance, beta, gamma, eps) as tf.Tensor4D;
  const n = x.shape[0] * x.shape[1] * x.shape[2];
  const unbiased = tf.mul(variance, n / Math.max(n - 1, 1));
  return {
    y,
    runningMean: tf.add(tf.mul(runningMean, 1 - momentum), tf.mul(mean, momentum)) as tf.Tensor1D,
    runningVar: tf.add(tf.mul(runningVar, 1 - momentum), tf.mul(unbiased, momentum)) as tf.Tensor1D,
  };
}

/**
 * Inference-mode batch norm as one per-channel scale and shift, y = x·s + t with s = γ/√(var + ε), t = β − mean·s
 * (PyTorch's CPU inference computes the same). Not TensorFlow's FusedBatchNormV3: its inference mode (oneDNN's
 * forward_inference, global statistics) runs many times slower than its own training mode and than this multiply-add,
 * and was the largest single cost of scoring a network (`node dist/bench/batchnorm-infer.js` times them).
 * (Keeping s and t between batches, keyed on the variables' data, saved too little to be worth its bookkeeping.)
 */
export function batchNormAffine(
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  runningMean: tf.Tensor1D,
  runningVar: tf.Tensor1D,
  eps: number,
): { scale: tf.Tensor1D; shift: tf.Tensor1D } {
  return tf.tidy(() => {
    const scale = tf.mul(gamma, tf.rsqrt(tf.add(runningVar, eps))) as tf.Tensor1D;
    return { scale, shift: tf.sub(beta, tf.mul(runningMean, scale)) as tf.Tensor1D };
  });
}

/**
 * relu(batch norm(x)) in inference mode as one oneDNN kernel (`_MklNativeFusedBatchNormEx`, ReLU fused), where the
 * oneDNN kernels are in use; null elsewhere (the caller composes scale, shift and ReLU). Scoring's second cost after
 * the convolutions was these three passes over every activation. The input gradient (an attack's) is ReluGrad of the
 * output times the per-channel scale γ/√(var + ε); γ, β and the statistics get none (inference trains nothing).
 */
export function batchNormReluInfer(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  mean: tf.Tensor1D,
  variance: tf.Tensor1D,
  eps: number,
): tf.Tensor4D | null {
  if (!isNative()) return null;
  const be = tf.backend() as unknown as NativeBackend;
  if (!onednnKernels(be)) return null;
  const { TF_ATTR_INT, TF_ATTR_STRING } = be.binding;
  const attrs = [
    ...nativeAttrs(be, eps, false, 1),
    { name: 'num_side_inputs', type: TF_ATTR_INT, value: 0 },
    { name: 'activation_mode', type: TF_ATTR_STRING, value: 'Relu' },
    labelAttr(be),
  ];
  const op = tf.customGrad((xi, save) => {
    const [y, ...rest] = be.executeMultipleOutputs(
      '_MklNativeFusedBatchNormEx',
      attrs,
      [xi as tf.Tensor, gamma, beta, mean, variance],
      6,
    );
    tf.dispose(rest);
    // The scale is saved with the output: the statistics it comes from may be gone when the gradient is asked for.
    const { scale, shift } = batchNormAffine(gamma, beta, mean, variance, eps);
    shift.dispose();
    (save as tf.GradSaveFunc)([y, scale]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => tf.mul(be.executeSingleOutput('ReluGrad', [typeAttr(be)], [dy, saved[0]]), saved[1])),
    };
  });
  return op(x) as tf.Tensor4D;
}

/**
 * x·scale + shift over the channels of NHWC `x`: two broadcasting tfjs ops, so an attack's input gradient flows through
 * it on every backend. (TensorFlow's BiasAdd for the shift timed no faster than AddV2 here.)
 */
export function scaleShift(x: tf.Tensor4D, scale: tf.Tensor1D, shift: tf.Tensor1D): tf.Tensor4D {
  return tf.tidy(() => tf.add(tf.mul(x, scale), shift) as tf.Tensor4D);
}

/**
 * ReLU whose gradient is TensorFlow's ReluGrad kernel on the native backend. tfjs's own gradient is
 * dy * step(x), and tfjs-node builds step from five kernels (isNaN, greater, fill, select twice): at width 16
 * that was a fifth of a PreAct ResNet-18 training step. The gradient also reads the output rather than the
 * input, and the output is what the next convolution keeps anyway, so the input is freed after the forward pass.
 */
export function relu<T extends tf.Tensor>(x: T): T {
  if (!isNative()) return tf.relu(x);
  const backend = tf.backend() as unknown as NativeBackend;
  const op = tf.customGrad((xi, save) => {
    const y = tf.relu(xi as tf.Tensor);
    (save as tf.GradSaveFunc)([y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
        backend.executeSingleOutput('ReluGrad', [typeAttr(backend)], [dy, saved[0]]),
      ],
    };
  });
  return op(x) as T;
}

/**
 * k×k max pooling at stride k, 'VALID' (the speech nets' pools). On oneDNN, its own MaxPool and MaxPoolGrad: Eigen's
 * MaxPoolGrad took half of a LeNet training step on spectrograms (`node dist/bench/onednn-ops.js`). The gradient is
 * the same (to the first maximum of each window); the forward's second output is oneDNN's workspace, an opaque
 * uint8 buffer that only the gradient reads (tfjs labels it int32; nothing reads its values).
 */
export function maxPool(x: tf.Tensor4D, k: number): tf.Tensor4D {
  if (!isNative()) return tf.maxPool(x, k, k, 'valid');
  const backend = tf.backend() as unknown as NativeBackend;
  if (!onednnKernels(backend)) return tf.maxPool(x, k, k, 'valid');
  const { TF_ATTR_INT, TF_ATTR_STRING } = backend.binding;
  const attrs = [
    typeAttr(backend),
    { name: 'ksize', type: TF_ATTR_INT, value: [1, k, k, 1] },
    { name: 'strides', type: TF_ATTR_INT, value: [1, k, k, 1] },
    { name: 'padding', type: TF_ATTR_STRING, value: 'VALID' },
    { name: 'data_format', type: TF_ATTR_STRING, value: 'NHWC' },
    labelAttr(backend),
  ];
  const op = tf.customGrad((xi, save) => {
    const [y, workspace] = backend.executeMultipleOutputs('_MklNativeMaxPool', attrs, [xi as tf.Tensor], 2);
    (save as tf.GradSaveFunc)([xi as tf.Tensor, y, workspace]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, [input, output, ws]: tf.Tensor[]) =>
        backend.executeSingleOutput('_MklNativeMaxPoolGrad', attrs, [input, output, dy, ws]),
    };
  });
  return op(x) as tf.Tensor4D;
}

function typeAttr(backend: NativeBackend): unknown {
  return { name: 'T', type: backend.binding.TF_ATTR_TYPE, value: backend.binding.TF_FLOAT };
}

/**
 * A convolution with explicit symmetric padding whose gradients run TensorFlow's own backprop kernels with the
 * same padding. tfjs-node runs Conv2D with EXPLICIT padding but not its backprop ops, so models padded
 * stride-2 convolutions separately (a PadV2 forward, a Slice backward, and a slower 'valid' convolution).
 * Registered as a kernel with a gradient, not a customGrad, so each gradient is computed only when asked for:
 * an attack's input gradient does not pay for the filter gradient. The input gradient runs 'VALID' on the padded
 * shape and crops: TensorFlow's EXPLICIT Conv2DBackpropInput leaves oneDNN at wide layers, several times slower.
 */
const CONV_KERNEL = 'MixupLabConv2DExplicit';
const CONV_INPUT_GRAD = 'MixupLabConv2DExplicitBackpropInput';
const CONV_FILTER_GRAD = 'MixupLabConv2DExplicitBackpropFilter';
interface ConvAttrs {
  stride: number;
  pad: number;
}

/**
 * Attributes of Conv2D and its backprop ops; `pad` null means 'VALID'. Stride 1 with (k−1)/2 padding is 'SAME'
 * (identical, and EXPLICIT's backprop kernels are slower), stride 2 is EXPLICIT.
 */
function convAttrs(backend: NativeBackend, stride: number, pad: number | null): unknown[] {
  const { TF_ATTR_INT, TF_ATTR_STRING, TF_ATTR_BOOL } = backend.binding;
  const padding = pad === null ? 'VALID' : stride === 1 ? 'SAME' : 'EXPLICIT';
  return [
    typeAttr(backend),
    { name: 'strides', type: TF_ATTR_INT, value: [1, stride, stride, 1] },
    { name: 'padding', type: TF_ATTR_STRING, value: padding },
    ...(padding === 'EXPLICIT'
      ? [{ name: 'explicit_paddings', type: TF_ATTR_INT, value: [0, 0, pad, pad, pad, pad, 0, 0] }]
      : []),
    { name: 'data_format', type: TF_ATTR_STRING, value: 'NHWC' },
    { name: 'use_cudnn_on_gpu', type: TF_ATTR_BOOL, value: true },
    { name: 'dilations', type: TF_ATTR_INT, value: [1, 1, 1, 1] },
  ];
}

/**
 * A 1×1 convolution with stride s > 1 never reaches TensorFlow as one: it runs as x[:, ::s, ::s, :] followed by a 1×1
 * stride-1 convolution, forward and in both gradients (the same sum of the same products). Why: oneDNN's strided 1×1
 * backward-weights primitive (jit_1x1, which first copies the strided input into a "reduce to unit stride" workspace)
 * writes past that workspace when the input has fewer channels than its channel block: heap corruption and a crash on
 * AVX-512 CPUs (block 16), wrong filter gradients with no error on AVX2 (block 8) — uxlfoundation/oneDNN issue 6035.
 * Every PreAct ResNet-18 below width 16 has such a shortcut. The subsampling is an AvgPool over one pixel (exact, and
 * the cheapest strided copy TensorFlow has here); its gradient, AvgPoolGrad, scatters back into zeros, also exactly.
 * test/conv-1x1-strided.test.ts runs the shapes that crashed, each in a child process.
 */
function isStrided1x1(filterShape: number[], stride: number, pad: number): boolean {
  if (stride === 1 || filterShape[0] !== 1 || filterShape[1] !== 1) return false;
  if (pad !== 0)
    throw new Error(
      `a 1×1 convolution with stride ${stride} and padding ${pad} is not supported: lib/backend/fused runs strided 1×1 convolutions unpadded only`,
    );
  return true;
}

function poolAttrs(be: NativeBackend, stride: number): unknown[] {
  const { TF_ATTR_INT, TF_ATTR_STRING } = be.binding;
  return [
    typeAttr(be),
    { name: 'ksize', type: TF_ATTR_INT, value: [1, 1, 1, 1] },
    { name: 'strides', type: TF_ATTR_INT, value: [1, stride, stride, 1] },
    { name: 'padding', type: TF_ATTR_STRING, value: 'VALID' },
    { name: 'data_format', type: TF_ATTR_STRING, value: 'NHWC' },
  ];
}

/** x[:, ::s, ::s, :]. */
function subsample(be: NativeBackend, x: tf.Tensor, stride: number): tf.Tensor4D {
  return be.executeSingleOutput('AvgPool', poolAttrs(be, stride), [x]) as tf.Tensor4D;
}

/** The gradient of `subsample`: `d` placed at every s-th pixel of a zero tensor of `inputShape`. */
function subsampleGrad(be: NativeBackend, inputShape: number[], d: tf.Tensor, stride: number): tf.Tensor4D {
  const sizes = tf.tensor1d(inputShape, 'int32');
  const dx = be.executeSingleOutput('AvgPoolGrad', poolAttrs(be, stride), [sizes, d]) as tf.Tensor4D;
  sizes.dispose();
  return dx;
}

/**
 * Conv2D and its backprop ops as single native calls (no tape), shared by the registered kernel below and the
 * hand-written backward passes (`nativeKernels`). `pad` is PyTorch's symmetric padding; 0 runs 'VALID'.
 */
function convForward(be: NativeBackend, x: tf.Tensor, w: tf.Tensor, stride: number, pad: number): tf.Tensor4D {
  if (isStrided1x1(w.shape, stride, pad)) {
    const xs = subsample(be, x, stride);
    const y = convForward(be, xs, w, 1, 0);
    xs.dispose();
    return y;
  }
  return run1(be, 'Conv2D', convAttrs(be, stride, pad === 0 ? null : pad), [x, w]) as tf.Tensor4D;
}

function convInputGrad(
  be: NativeBackend,
  inputShape: number[],
  w: tf.Tensor,
  dy: tf.Tensor,
  stride: number,
  pad: number,
): tf.Tensor4D {
  const [n, h, wd, c] = inputShape;
  if (isStrided1x1(w.shape, stride, pad)) {
    const [, ho, wo] = dy.shape as number[];
    const ds = convInputGrad(be, [n, ho, wo, c], w, dy, 1, 0);
    const dx = subsampleGrad(be, inputShape, ds, stride);
    ds.dispose();
    return dx;
  }
  const direct = pad === 0 || stride === 1;
  // Stride 2 with padding: VALID on the padded shape, then crop (EXPLICIT leaves oneDNN at wide layers).
  const sizes = tf.tensor1d(direct ? inputShape : [n, h + 2 * pad, wd + 2 * pad, c], 'int32');
  const full = run1(be, 'Conv2DBackpropInput', convAttrs(be, stride, direct && pad > 0 ? pad : null), [
    sizes,
    w,
    dy,
  ]) as tf.Tensor4D;
  sizes.dispose();
  if (direct) return full;
  const dx = tf.slice(full, [0, pad, pad, 0], [n, h, wd, c]);
  full.dispose();
  return dx;
}

function convFilterGrad(
  be: NativeBackend,
  x: tf.Tensor,
  filterShape: number[],
  dy: tf.Tensor,
  stride: number,
  pad: number,
): tf.Tensor4D {
  if (isStrided1x1(filterShape, stride, pad)) {
    const xs = subsample(be, x, stride);
    const dw = convFilterGrad(be, xs, filterShape, dy, 1, 0);
    xs.dispose();
    return dw;
  }
  const sizes = tf.tensor1d(filterShape, 'int32');
  const dw = run1(be, 'Conv2DBackpropFilter', convAttrs(be, stride, pad === 0 ? null : pad), [
    x,
    sizes,
    dy,
  ]) as tf.Tensor4D;
  sizes.dispose();
  return dw;
}

let convRegistered = false;
function registerConv(): void {
  if (convRegistered) return;
  convRegistered = true;
  const native = (b: unknown) => b as NativeBackend;
  type Attrs = ConvAttrs & { inputShape: number[]; filterShape: number[] };
  const attrsOf = (a: unknown) => a as Attrs;
  tf.registerKernel({
    kernelName: CONV_KERNEL,
    backendName: 'tensorflow',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { stride, pad } = attrsOf(attrs);
      return convForward(native(backend), inputs.x as tf.Tensor, inputs.filter as tf.Tensor, stride, pad);
    },
  });
  tf.registerKernel({
    kernelName: CONV_INPUT_GRAD,
    backendName: 'tensorflow',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { stride, pad, inputShape } = attrsOf(attrs);
      return convInputGrad(
        native(backend),
        inputShape,
        inputs.filter as tf.Tensor,
        inputs.dy as tf.Tensor,
        stride,
        pad,
      );
    },
  });
  tf.registerKernel({
    kernelName: CONV_FILTER_GRAD,
    backendName: 'tensorflow',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { stride, pad, filterShape } = attrsOf(attrs);
      return convFilterGrad(native(backend), inputs.x as tf.Tensor, filterShape, inputs.dy as tf.Tensor, stride, pad);
    },
  });
  tf.registerGradient({
    kernelName: CONV_KERNEL,
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter] = saved;
      const a = attrs as unknown as ConvAttrs;
      return {
        x: () =>
          tf.engine().runKernel(CONV_INPUT_GRAD, { dy: dy as tf.Tensor, filter }, {
            ...a,
            inputShape: x.shape,
          } as unknown as tf.NamedAttrMap) as tf.Tensor,
        filter: () =>
          tf.engine().runKernel(CONV_FILTER_GRAD, { dy: dy as tf.Tensor, x }, {
            ...a,
            filterShape: filter.shape,
          } as unknown as tf.NamedAttrMap) as tf.Tensor,
      };
    },
  });
}

/**
 * Convolution of NHWC `x` with a [k, k, cin, cout] filter, `pad` zeros on every side (PyTorch's padding).
 * Native: one Conv2D with EXPLICIT padding (a 1×1 strided one in its unit-stride form, above); elsewhere tfjs's conv2d
 * with the same explicit padding.
 */
export function conv2dPadded(x: tf.Tensor4D, filter: tf.Tensor4D, stride: number, pad: number): tf.Tensor4D {
  const padding: [[number, number], [number, number], [number, number], [number, number]] = [
    [0, 0],
    [pad, pad],
    [pad, pad],
    [0, 0],
  ];
  if (!isNative()) return tf.conv2d(x, filter, stride, padding);
  registerConv();
  return tf
    .engine()
    .runKernel(CONV_KERNEL, { x, filter }, { stride, pad } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

/**
 * Raw native kernels for hand-written backward passes (lib/models/preact-block): no tape, no gradient; each call
 * is one TensorFlow op. Convolutions take PyTorch's padding (k−1)/2 as the layers above do.
 */
export interface NativeKernels {
  conv(x: tf.Tensor4D, w: tf.Tensor4D, stride: number): tf.Tensor4D;
  convBackpropInput(inputShape: number[], w: tf.Tensor4D, dy: tf.Tensor4D, stride: number): tf.Tensor4D;
  convBackpropFilter(x: tf.Tensor4D, w: tf.Tensor4D, dy: tf.Tensor4D, stride: number): tf.Tensor4D;
  /** Training batch norm: output, updated running mean and variance, and the three reserve tensors its gradient needs. */
  batchNormTrain(
    x: tf.Tensor4D,
    gamma: tf.Tensor,
    beta: tf.Tensor,
    mean: tf.Tensor,
    variance: tf.Tensor,
    momentum: number,
    eps: number,
  ): { y: tf.Tensor4D; mean: tf.Tensor1D; variance: tf.Tensor1D; reserve: tf.Tensor[] };
  /** Gradients of training batch norm with respect to input, gamma and beta. */
  batchNormGrad(
    dy: tf.Tensor4D,
    x: tf.Tensor4D,
    gamma: tf.Tensor,
    reserve: tf.Tensor[],
    eps: number,
  ): [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
  relu(x: tf.Tensor4D): tf.Tensor4D;
  /** Gradient of ReLU from its output. */
  reluGrad(dy: tf.Tensor4D, y: tf.Tensor4D): tf.Tensor4D;
  add(a: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor4D;
}

/** The native kernels, or null where native TensorFlow is not the backend running now. */
export function nativeKernels(): NativeKernels | null {
  if (!isNative()) return null;
  const be = tf.backend() as unknown as NativeBackend;
  const one = (name: string, attrs: unknown[], inputs: tf.Tensor[]) =>
    be.executeSingleOutput(name, attrs, inputs) as tf.Tensor4D;
  const padOf = (w: tf.Tensor) => (w.shape[0] - 1) / 2;
  return {
    conv: (x, w, stride) => convForward(be, x, w, stride, padOf(w)),
    convBackpropInput: (inputShape, w, dy, stride) => convInputGrad(be, inputShape, w, dy, stride, padOf(w)),
    convBackpropFilter: (x, w, dy, stride) => convFilterGrad(be, x, w.shape, dy, stride, padOf(w)),
    batchNormTrain: (x, gamma, beta, mean, variance, momentum, eps) => {
      const [y, m, v, r1, r2, r3] = runN(
        be,
        'FusedBatchNormV3',
        nativeAttrs(be, eps, true, momentum),
        [x, gamma, beta, mean, variance],
        6,
      );
      return { y: y as tf.Tensor4D, mean: m as tf.Tensor1D, variance: v as tf.Tensor1D, reserve: [r1, r2, r3] };
    },
    batchNormGrad: (dy, x, gamma, reserve, eps) => {
      const [dx, dg, db, r4, r5] = runN(
        be,
        'FusedBatchNormGradV3',
        nativeAttrs(be, eps, true),
        [dy, x, gamma, ...reserve],
        5,
      );
      r4.dispose();
      r5.dispose();
      return [dx as tf.Tensor4D, dg as tf.Tensor1D, db as tf.Tensor1D];
    },
    relu: (x) => one('Relu', [typeAttr(be)], [x]),
    reluGrad: (dy, y) => one('ReluGrad', [typeAttr(be)], [dy, y]),
    add: (a, b) => one('AddV2', [typeAttr(be)], [a, b]),
  };
}
