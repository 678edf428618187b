/**
 * A pre-activation block's training pass on native TensorFlow as one op with a hand-written backward pass.
 *
 * Why by hand: tfjs's autodiff keeps every gradient of a backward pass alive until the whole pass ends, so a
 * ResNet-18 step held its activations' gradients beside the activations (its peak memory well above PyTorch's, more
 * so the wider the net: `npm run bench` measures it). Here each block's backward runs in its own scope and frees its temporaries as it goes; only the
 * gradient it hands to the block below survives. It also saves only what the backward needs (the block input,
 * ReLU outputs and the first conv's output) and runs each step as one TensorFlow kernel, with no tape bookkeeping.
 * The kernels are the ones the tfjs path runs; values agree with the pure-JS backend's autodiff to float
 * rounding (test/ops.test.ts). Other backends, and inference, keep the composed layers in resnet.ts.
 */
import { tf } from '../backend';
import { NativeKernels, nativeKernels } from '../backend/fused';
import { BatchNormParams, BN_EPS, BN_MOMENTUM } from './params';

export interface PreActBlockParams {
  stride: number;
  conv1: tf.Variable;
  conv2: tf.Variable;
  bn1: BatchNormParams;
  bn2: BatchNormParams;
  shortcut?: tf.Variable;
}

/**
 * out = conv2(relu(bn2(conv1(a)))) + (shortcut ? conv_s(a) : a) with a = relu(bn1(x)), batch statistics, running
 * statistics updated. Returns null where native TensorFlow is not the backend (the caller composes the block).
 */
export function preActBlockTrain(x: tf.Tensor4D, b: PreActBlockParams): tf.Tensor4D | null {
  const k = nativeKernels();
  if (!k) return null;
  const stats: tf.Tensor1D[] = [];
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const [xi, g1, be1, w1, g2, be2, w2, ws] = args as tf.Tensor4D[];
    const bn1 = k.batchNormTrain(xi, g1, be1, b.bn1.mean, b.bn1.variance, BN_MOMENTUM, BN_EPS);
    const a = k.relu(bn1.y);
    const h1 = k.conv(a, w1, b.stride);
    const bn2 = k.batchNormTrain(h1, g2, be2, b.bn2.mean, b.bn2.variance, BN_MOMENTUM, BN_EPS);
    const c = k.relu(bn2.y);
    const out = k.add(k.conv(c, w2, 1), ws ? k.conv(a, ws, b.stride) : a);
    // The running statistics leave the op's scope; the caller assigns and disposes them.
    stats.push(...[bn1.mean, bn1.variance, bn2.mean, bn2.variance].map((t) => tf.keep(t)));
    save([xi, a, h1, c, g1, g2, w1, w2, ...bn1.reserve, ...bn2.reserve, ...(ws ? [ws] : [])]);
    return {
      value: out,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => backward(k, dy as tf.Tensor4D, saved as tf.Tensor4D[], b.stride)),
    };
  });
  const inputs = [
    x,
    b.bn1.gamma,
    b.bn1.beta,
    b.conv1,
    b.bn2.gamma,
    b.bn2.beta,
    b.conv2,
    ...(b.shortcut ? [b.shortcut] : []),
  ];
  const y = op(...inputs) as tf.Tensor4D;
  const [m1, v1, m2, v2] = stats;
  b.bn1.mean.assign(m1);
  b.bn1.variance.assign(v1);
  b.bn2.mean.assign(m2);
  b.bn2.variance.assign(v2);
  for (const t of stats) t.dispose();
  return y;
}

/** Gradients with respect to [x, γ1, β1, W1, γ2, β2, W2, W_shortcut?], in the order of the op's inputs. */
function backward(k: NativeKernels, dy: tf.Tensor4D, saved: tf.Tensor4D[], stride: number): tf.Tensor[] {
  const [x, a, h1, c, g1, g2, w1, w2, r11, r12, r13, r21, r22, r23, ws] = saved;
  const dc = k.convBackpropInput(c.shape, w2, dy, 1);
  const dW2 = k.convBackpropFilter(c, w2, dy, 1);
  const dbn2 = k.reluGrad(dc, c);
  dc.dispose();
  const [dh1, dg2, db2] = k.batchNormGrad(dbn2, h1, g2, [r21, r22, r23], BN_EPS);
  dbn2.dispose();
  const dMain = k.convBackpropInput(a.shape, w1, dh1, stride);
  const dW1 = k.convBackpropFilter(a, w1, dh1, stride);
  dh1.dispose();
  const dShortcut = ws ? k.convBackpropInput(a.shape, ws, dy, stride) : dy;
  const dWs = ws ? [k.convBackpropFilter(a, ws, dy, stride)] : [];
  const da = k.add(dMain, dShortcut);
  dMain.dispose();
  if (ws) dShortcut.dispose();
  const dbn1 = k.reluGrad(da, a);
  da.dispose();
  const [dx, dg1, db1] = k.batchNormGrad(dbn1, x, g1, [r11, r12, r13], BN_EPS);
  return [dx, dg1, db1, dW1, dg2, db2, dW2, ...dWs];
}
