/**
 * Parameters of a network as named tf.Variables, initialised from a seeded stream (tfjs's own
 * initialisers draw from Math.random-seeded generators we cannot tie to a run seed), with PyTorch's
 * defaults so runs compare with the reference code: conv and linear weights U(±1/√fan_in)
 * (kaiming_uniform with a = √5), linear bias U(±1/√fan_in), BN γ = 1, β = 0.
 */
import { isNative, tf } from '../backend';
import { batchNormAffine, batchNormReluInfer, batchNormTrain, conv2dPadded, relu, scaleShift } from '../backend/fused';
import type { RandomStream } from '../random';

export interface NamedArray {
  name: string;
  shape: number[];
  data: Float32Array;
}

let storeCounter = 0;

export interface BatchNormParams {
  gamma: tf.Variable;
  beta: tf.Variable;
  mean: tf.Variable;
  variance: tf.Variable;
}

export class ParamStore {
  /** Trainable parameters in creation order (the optimizer relies on a stable order). */
  readonly trainable = new Map<string, tf.Variable>();
  /** Non-trainable state (batch-norm running statistics). */
  readonly state = new Map<string, tf.Variable>();
  private readonly prefix = `m${++storeCounter}`;

  constructor(private readonly rng: RandomStream) {}

  private add(map: Map<string, tf.Variable>, name: string, value: tf.Tensor, trainable: boolean): tf.Variable {
    if (this.trainable.has(name) || this.state.has(name)) throw new Error(`parameter ${name} defined twice`);
    const v = tf.variable(value, trainable, `${this.prefix}/${name}`);
    value.dispose();
    map.set(name, v);
    return v;
  }

  private uniform(shape: number[], bound: number): tf.Tensor {
    const n = shape.reduce((a, b) => a * b, 1);
    return tf.tensor(this.rng.uniformArray(n, -bound, bound), shape);
  }

  /** A [k, k, cin, cout] filter (tfjs's layout). */
  conv(name: string, k: number, cin: number, cout: number): tf.Variable {
    return this.add(this.trainable, name, this.uniform([k, k, cin, cout], 1 / Math.sqrt(cin * k * k)), true);
  }

  dense(name: string, cin: number, cout: number): { w: tf.Variable; b: tf.Variable } {
    const bound = 1 / Math.sqrt(cin);
    return {
      w: this.add(this.trainable, `${name}/w`, this.uniform([cin, cout], bound), true),
      b: this.add(this.trainable, `${name}/b`, this.uniform([cout], bound), true),
    };
  }

  batchNorm(name: string, c: number): BatchNormParams {
    return {
      gamma: this.add(this.trainable, `${name}/gamma`, tf.ones([c]), true),
      beta: this.add(this.trainable, `${name}/beta`, tf.zeros([c]), true),
      mean: this.add(this.state, `${name}/mean`, tf.zeros([c]), false),
      variance: this.add(this.state, `${name}/var`, tf.ones([c]), false),
    };
  }

  /** Number of trainable scalars. */
  count(): number {
    let n = 0;
    for (const v of this.trainable.values()) n += v.size;
    return n;
  }

  list(): tf.Variable[] {
    return [...this.trainable.values()];
  }

  toArrays(): NamedArray[] {
    return [...this.trainable, ...this.state].map(([name, v]) => ({
      name,
      shape: v.shape,
      data: v.dataSync() as Float32Array,
    }));
  }

  load(arrays: NamedArray[]): void {
    const all = new Map([...this.trainable, ...this.state]);
    if (arrays.length !== all.size)
      throw new Error(`checkpoint has ${arrays.length} tensors, the model ${all.size}: not the same architecture`);
    for (const a of arrays) {
      const v = all.get(a.name);
      if (!v || v.shape.join() !== a.shape.join()) {
        throw new Error(`checkpoint tensor ${a.name} [${a.shape}] does not match the model${v ? ` [${v.shape}]` : ''}`);
      }
      const t = tf.tensor(a.data, a.shape);
      v.assign(t);
      t.dispose();
    }
  }

  dispose(): void {
    for (const v of [...this.trainable.values(), ...this.state.values()]) v.dispose();
  }
}

export const BN_MOMENTUM = 0.1; // PyTorch's default
export const BN_EPS = 1e-5;

/** Batch norm that, in training, normalises with batch statistics and updates the running ones. */
export function batchNorm(x: tf.Tensor4D, p: BatchNormParams, training: boolean): tf.Tensor4D {
  if (!training) {
    return tf.tidy(() => {
      const { scale, shift } = batchNormAffine(
        p.gamma as tf.Tensor1D,
        p.beta as tf.Tensor1D,
        p.mean as tf.Tensor1D,
        p.variance as tf.Tensor1D,
        BN_EPS,
      );
      return scaleShift(x, scale, shift);
    });
  }
  const r = batchNormTrain(
    x,
    p.gamma as tf.Tensor1D,
    p.beta as tf.Tensor1D,
    p.mean as tf.Tensor1D,
    p.variance as tf.Tensor1D,
    BN_MOMENTUM,
    BN_EPS,
  );
  p.mean.assign(r.runningMean);
  p.variance.assign(r.runningVar);
  r.runningMean.dispose();
  r.runningVar.dispose();
  return r.y;
}

/** relu(batchNorm(x)): in inference on oneDNN's kernels one fused op, else the two (training: always the two). */
export function batchNormRelu(x: tf.Tensor4D, p: BatchNormParams, training: boolean): tf.Tensor4D {
  if (!training) {
    const fused = batchNormReluInfer(
      x,
      p.gamma as tf.Tensor1D,
      p.beta as tf.Tensor1D,
      p.mean as tf.Tensor1D,
      p.variance as tf.Tensor1D,
      BN_EPS,
    );
    if (fused) return fused;
  }
  return relu(batchNorm(x, p, training));
}

/**
 * Convolution with PyTorch's symmetric padding, (k−1)/2 unless `pad` says otherwise (LeNet's valid convs pass 0).
 * TensorFlow's 'same' equals (k−1)/2 at stride 1, but at stride 2 on even sizes it pads only bottom/right, shifting
 * the sampling grid; stride-2 convs therefore pass the padding explicitly (lib/backend/fused: bitwise the same as
 * padding first and running 'valid', and faster than the separate pad). Strided 1×1 convs go there too, never to
 * tf.conv2d: on native TensorFlow they must not reach oneDNN's strided 1×1 primitive (lib/backend/fused says why).
 */
export function conv(x: tf.Tensor4D, w: tf.Tensor, stride: number, pad = (w.shape[0] - 1) / 2): tf.Tensor4D {
  // Native TensorFlow: every convolution through lib/backend/fused, whose kernels are oneDNN's (tfjs's conv2d names
  // TensorFlow's eager Conv2D, several times slower at the notebooks' widths).
  if (isNative()) return conv2dPadded(x, w as tf.Tensor4D, stride, pad);
  if (stride === 1 && pad === 0) return tf.conv2d(x, w as tf.Tensor4D, 1, 'valid');
  if (stride === 1 && pad === (w.shape[0] - 1) / 2) return tf.conv2d(x, w as tf.Tensor4D, 1, 'same');
  return conv2dPadded(x, w as tf.Tensor4D, stride, pad);
}

export function dense(x: tf.Tensor2D, p: { w: tf.Variable; b: tf.Variable }): tf.Tensor2D {
  return tf.add(tf.matMul(x, p.w as tf.Tensor2D), p.b) as tf.Tensor2D;
}
