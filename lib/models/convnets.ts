/**
 * The two speech networks of the paper's section 3.3, sized for spectrograms [frames, bins, 1]: the paper reports
 * that mixup does not help its small LeNet but helps its VGG-11. The paper does not publish their exact layers, so:
 *  - LeNet: conv 5×5 ×6, ReLU, max-pool 2; conv 5×5 ×16, ReLU, max-pool 2 (valid padding, as LeNet-5); fully
 *    connected 120, 84, classes.
 *  - VGG: VGG-11's layout [w, M, 2w, M, 4w, 4w, M, 8w, 8w, M, 8w, 8w, M] of 3×3 conv + BN + ReLU with `width` = w
 *    (VGG-11 is w = 64), global average pooling (the pooled map is not square), a linear head.
 */
import { tf } from '../backend';
import { maxPool, relu } from '../backend/fused';
import type { RandomStream } from '../random';
import { ApplyOptions, checkMix, Model, ModelSpec } from './model';
import { batchNorm, BatchNormParams, batchNormRelu, conv, dense, ParamStore } from './params';

type Spec<K extends string> = Extract<ModelSpec, { kind: K }>;

function checkInput(name: string, x: tf.Tensor, shape: number[]): void {
  if (x.rank !== 4 || x.shape.slice(1).join() !== shape.join())
    throw new Error(`${name} takes [n, ${shape}] inputs, got [${x.shape}]`);
}

const pooled = (n: number, times: number, shrink: (v: number) => number) =>
  Array.from({ length: times }).reduce<number>((v) => shrink(v), n);

export class LeNet implements Model {
  readonly name = 'lenet';
  readonly params: ParamStore;
  readonly inputShape: number[];
  readonly numClasses: number;
  private readonly conv1: tf.Variable;
  private readonly conv2: tf.Variable;
  private readonly fc: { w: tf.Variable; b: tf.Variable }[];

  constructor(
    readonly spec: Spec<'lenet'>,
    rng: RandomStream,
  ) {
    const [h, w, c] = spec.input;
    this.inputShape = spec.input;
    this.numClasses = spec.numClasses;
    const p = (this.params = new ParamStore(rng));
    this.conv1 = p.conv('conv1', 5, c, 6);
    this.conv2 = p.conv('conv2', 5, 6, 16);
    // Two rounds of a valid 5×5 conv (−4) and a 2×2 pool (÷2, floored).
    const side = (v: number) => pooled(v, 2, (u) => Math.floor((u - 4) / 2));
    const flat = side(h) * side(w) * 16;
    if (side(h) < 1 || side(w) < 1) throw new Error(`LeNet needs inputs of at least 16×16, got ${h}×${w}`);
    this.fc = [p.dense('fc1', flat, 120), p.dense('fc2', 120, 84), p.dense('fc3', 84, spec.numClasses)];
  }

  /** Inputs only: the speech protocol mixes spectrograms. */
  readonly mixPoints = 0;

  apply(x: tf.Tensor, { mix }: ApplyOptions): tf.Tensor2D {
    checkMix(this, mix);
    checkInput(this.name, x, this.inputShape);
    return tf.tidy(() => {
      // ReLU after the pool: the same values as before it (max commutes with a rising function), on a quarter of them.
      let h = relu(maxPool(conv(x as tf.Tensor4D, this.conv1, 1, 0), 2));
      h = relu(maxPool(conv(h, this.conv2, 1, 0), 2));
      let f = tf.reshape(h, [h.shape[0], -1]) as tf.Tensor2D;
      f = relu(dense(f, this.fc[0]));
      f = relu(dense(f, this.fc[1]));
      return dense(f, this.fc[2]);
    });
  }

  dispose(): void {
    this.params.dispose();
  }
}

export const VGG11_LAYOUT: (number | 'M')[] = [1, 'M', 2, 'M', 4, 4, 'M', 8, 8, 'M', 8, 8, 'M'];

export class Vgg implements Model {
  readonly name = 'vgg';
  readonly params: ParamStore;
  readonly inputShape: number[];
  readonly numClasses: number;
  private readonly layers: ({ w: tf.Variable; bn: BatchNormParams } | 'M')[] = [];
  private readonly head: { w: tf.Variable; b: tf.Variable };

  constructor(
    readonly spec: Spec<'vgg'>,
    rng: RandomStream,
  ) {
    if (!Number.isInteger(spec.width) || spec.width < 1)
      throw new Error(`VGG width must be a positive integer, got ${spec.width}`);
    const [h, w, c] = spec.input;
    const pools = VGG11_LAYOUT.filter((l) => l === 'M').length;
    if (h >> pools < 1 || w >> pools < 1)
      throw new Error(`VGG-11 pools ${pools} times: inputs need at least ${1 << pools}×${1 << pools}, got ${h}×${w}`);
    this.inputShape = spec.input;
    this.numClasses = spec.numClasses;
    const p = (this.params = new ParamStore(rng));
    let cin = c;
    VGG11_LAYOUT.forEach((l, i) => {
      if (l === 'M') {
        this.layers.push('M');
        return;
      }
      const cout = l * spec.width;
      this.layers.push({ w: p.conv(`conv${i + 1}`, 3, cin, cout), bn: p.batchNorm(`bn${i + 1}`, cout) });
      cin = cout;
    });
    this.head = p.dense('linear', cin, spec.numClasses);
  }

  /** Inputs only: the speech protocol mixes spectrograms. */
  readonly mixPoints = 0;

  apply(x: tf.Tensor, { training, mix }: ApplyOptions): tf.Tensor2D {
    checkMix(this, mix);
    checkInput(this.name, x, this.inputShape);
    return tf.tidy(() => {
      let h = x as tf.Tensor4D;
      for (const l of this.layers) h = l === 'M' ? maxPool(h, 2) : batchNormRelu(conv(h, l.w, 1), l.bn, training);
      return dense(tf.mean(h, [1, 2]) as tf.Tensor2D, this.head);
    });
  }

  dispose(): void {
    this.params.dispose();
  }
}
