/**
 * The CIFAR ResNet-18s of facebookresearch/mixup-cifar10 (models/resnet.py, from kuangliu/pytorch-cifar):
 *  - PreAct ResNet-18 (`ResNet18()` there, the paper's CIFAR net): stem conv-BN-ReLU, four stages of two
 *    pre-activation blocks, a 4×4 average pool and a linear head. Following the reference, a block's
 *    identity shortcut carries ReLU(BN1(x)), not x (a quirk of that code; later kuangliu code passes x).
 *  - a post-activation ResNet-18 (BasicBlock, BN on the 1×1 shortcut), a second architecture for the
 *    black-box attacks.
 * `width` scales every stage (64 is the paper's network).
 */
import { tf } from '../backend';
import { relu } from '../backend/fused';
import type { RandomStream } from '../random';
import { ApplyOptions, checkMix, Model, ModelSpec } from './model';
import { normalizeImages } from './normalize';
import { preActBlockTrain } from './preact-block';
import { batchNorm, BatchNormParams, batchNormRelu, conv, dense, ParamStore } from './params';

interface Block {
  stride: number;
  conv1: tf.Variable;
  conv2: tf.Variable;
  bn1: BatchNormParams;
  bn2: BatchNormParams;
  shortcut?: tf.Variable;
  bnShortcut?: BatchNormParams;
}

function stageWidths(width: number): number[] {
  if (!Number.isInteger(width) || width < 1) throw new Error(`ResNet width must be a positive integer, got ${width}`);
  return [width, 2 * width, 4 * width, 8 * width];
}

abstract class CifarResNet implements Model {
  readonly params: ParamStore;
  readonly inputShape = [32, 32, 3];
  readonly numClasses: number;
  protected readonly stem: tf.Variable;
  protected readonly stemBn: BatchNormParams;
  protected readonly blocks: Block[] = [];
  protected readonly head: { w: tf.Variable; b: tf.Variable };

  noise?: RandomStream;
  /** Drop probability on the pooled features in training (0: none). */
  private readonly dropRate: number;

  constructor(
    readonly name: string,
    readonly spec: Extract<ModelSpec, { kind: 'preact-resnet18' | 'resnet18' }>,
    rng: RandomStream,
  ) {
    const widths = stageWidths(spec.width);
    const drop = (spec as { dropout?: number }).dropout;
    if (drop !== undefined && !(drop >= 0 && drop < 1))
      throw new Error(`dropout is a drop probability in [0, 1), got ${drop}`);
    this.dropRate = drop ?? 0;
    this.numClasses = spec.numClasses;
    const p = (this.params = new ParamStore(rng));
    this.stem = p.conv('stem/conv', 3, 3, widths[0]);
    this.stemBn = p.batchNorm('stem/bn', widths[0]);
    let cin = widths[0];
    widths.forEach((cout, s) => {
      for (let b = 0; b < 2; b++) {
        const stride = b === 0 && s > 0 ? 2 : 1;
        const n = `stage${s + 1}/block${b + 1}`;
        const block: Block = {
          stride,
          bn1: p.batchNorm(`${n}/bn1`, this.preact ? cin : cout),
          conv1: p.conv(`${n}/conv1`, 3, cin, cout),
          bn2: p.batchNorm(`${n}/bn2`, cout),
          conv2: p.conv(`${n}/conv2`, 3, cout, cout),
        };
        if (stride !== 1 || cin !== cout) {
          block.shortcut = p.conv(`${n}/shortcut`, 1, cin, cout);
          if (!this.preact) block.bnShortcut = p.batchNorm(`${n}/shortcut_bn`, cout);
        }
        this.blocks.push(block);
        cin = cout;
      }
    });
    this.head = p.dense('linear', widths[3], spec.numClasses);
  }

  protected abstract get preact(): boolean;
  protected abstract block(x: tf.Tensor4D, b: Block, training: boolean): tf.Tensor4D;

  /** After each of the four stages (two blocks each), as the Manifold Mixup authors' PreAct ResNet mixes. */
  readonly mixPoints = 4;

  apply(x: tf.Tensor, { training, mix }: ApplyOptions): tf.Tensor2D {
    if (x.rank !== 4 || x.shape.slice(1).join() !== '32,32,3') {
      throw new Error(`${this.name} takes images [n, 32, 32, 3] in [0, 1], got [${x.shape}]`);
    }
    checkMix(this, mix);
    return tf.tidy(() => {
      let h = conv(normalizeImages(x as tf.Tensor4D), this.stem, 1);
      h = batchNormRelu(h, this.stemBn, training);
      // One scope per block frees its intermediates as soon as it ends (what backprop needs is kept by the
      // ops that save it), so the forward pass holds about one block's worth of temporaries, not the network's.
      this.blocks.forEach((b, i) => {
        const input = h;
        h = tf.tidy(() => {
          const out = this.block(input, b, training);
          return mix && i === 2 * mix.after - 1 ? (mix.mix(out) as tf.Tensor4D) : out;
        });
        input.dispose();
      });
      let pooled = tf.mean(h, [1, 2]) as tf.Tensor2D; // the 4×4 average pool on 4×4 maps
      if (training && this.dropRate > 0) pooled = dropout(pooled, this.dropRate, this.noise, this.name);
      return dense(pooled, this.head);
    });
  }

  dispose(): void {
    this.params.dispose();
  }
}

/**
 * Inverted dropout with a mask from a seeded stream (tf.dropout draws from its own generator): kept features are
 * scaled by 1/(1−p) so inference needs no change. Where to drop is our reading of the paper's "ERM + dropout" rows
 * (its network has one fully connected layer; the text gives only p): the pooled features before it.
 */
export function dropout(x: tf.Tensor2D, p: number, rng: RandomStream | undefined, name: string): tf.Tensor2D {
  if (!rng)
    throw new Error(
      `${name} has dropout ${p} but no noise stream: set model.noise to a seeded stream (the training loop does)`,
    );
  const u = rng.uniformArray(x.size, 0, 1);
  const mask = u.map((v) => (v >= p ? 1 / (1 - p) : 0));
  return tf.mul(x, tf.tensor2d(mask, x.shape)) as tf.Tensor2D;
}

export class PreActResNet18 extends CifarResNet {
  protected get preact(): boolean {
    return true;
  }

  protected block(x: tf.Tensor4D, b: Block, training: boolean): tf.Tensor4D {
    const native = training ? preActBlockTrain(x, b) : null; // one op with its own backward on native TensorFlow
    if (native) return native;
    const out = batchNormRelu(x, b.bn1, training);
    const shortcut = b.shortcut ? conv(out, b.shortcut, b.stride) : out;
    let h = conv(out, b.conv1, b.stride);
    h = conv(batchNormRelu(h, b.bn2, training), b.conv2, 1);
    return tf.add(h, shortcut) as tf.Tensor4D;
  }
}

export class ResNet18 extends CifarResNet {
  protected get preact(): boolean {
    return false;
  }

  protected block(x: tf.Tensor4D, b: Block, training: boolean): tf.Tensor4D {
    let h = batchNormRelu(conv(x, b.conv1, b.stride), b.bn1, training);
    h = batchNorm(conv(h, b.conv2, 1), b.bn2, training);
    const shortcut = b.shortcut ? batchNorm(conv(x, b.shortcut, b.stride), b.bnShortcut!, training) : x;
    return relu(tf.add(h, shortcut)) as tf.Tensor4D;
  }
}
