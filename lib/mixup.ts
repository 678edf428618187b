/**
 * The mixup sampler (Zhang et al. 2018; the reference train.py's mixup_data/mixup_criterion):
 * one λ ~ Beta(α, α) per batch, partners from a random permutation of the same batch,
 *   x̃ = λ·x + (1−λ)·x[perm],  ỹ = λ·y + (1−λ)·y[perm]  (y one-hot or soft).
 * α = 0 is ERM. Modes, as data (after timm's Mixup): 'batch' (the paper), 'sample' (one λ per example),
 * 'cutmix' (a box of area 1−λ pasted from the partner, λ corrected to the box's true area).
 */
import { tf } from './backend';
import type { RandomStream } from './random';

export type MixMode = 'batch' | 'sample' | 'cutmix';
export const MIX_MODES: readonly MixMode[] = ['batch', 'sample', 'cutmix'];

export interface MixupOptions {
  /** Beta(α, α) concentration; 0 means no mixing (ERM). */
  alpha: number;
  mode?: MixMode;
}

export interface MixedBatch<T extends tf.Tensor> {
  x: T;
  y: tf.Tensor2D;
  /** The weight of each example's own target (all equal in 'batch' and 'cutmix' modes). */
  lam: Float32Array;
  perm: Int32Array;
}

export function validateAlpha(alpha: number): number {
  if (typeof alpha !== 'number' || !Number.isFinite(alpha) || alpha < 0) {
    throw new Error(`mixup alpha must be a finite number ≥ 0 (0 = ERM), got ${alpha}`);
  }
  return alpha;
}

export class Mixup {
  readonly alpha: number;
  readonly mode: MixMode;

  constructor(options: MixupOptions, private readonly rng: RandomStream) {
    this.alpha = validateAlpha(options.alpha);
    this.mode = options.mode ?? 'batch';
    if (!MIX_MODES.includes(this.mode)) {
      throw new Error(`unknown mixup mode '${String(this.mode)}': use one of ${MIX_MODES.join(', ')}`);
    }
  }

  get enabled(): boolean {
    return this.alpha > 0;
  }

  /** λ for a batch of n: one draw repeated, or n draws in 'sample' mode; all 1 when α = 0. */
  sampleLambda(n: number): Float32Array {
    const lam = new Float32Array(n).fill(1);
    if (!this.enabled) return lam;
    if (this.mode === 'sample') for (let i = 0; i < n; i++) lam[i] = this.rng.beta(this.alpha, this.alpha);
    else lam.fill(this.rng.beta(this.alpha, this.alpha));
    return lam;
  }

  /**
   * Mixes a batch. x: [n, ...features], y: [n, classes] targets. Returns new tensors (call inside tf.tidy),
   * or x and y themselves when α = 0.
   */
  apply<T extends tf.Tensor>(x: T, y: tf.Tensor2D): MixedBatch<T> {
    const n = x.shape[0];
    if (y.rank !== 2 || y.shape[0] !== n) {
      throw new Error(`mixup needs targets of shape [${n}, classes] (one-hot) for inputs of shape [${x.shape}], got [${y.shape}]`);
    }
    if (!this.enabled) return { x, y, lam: new Float32Array(n).fill(1), perm: Int32Array.from({ length: n }, (_, i) => i) };
    const perm = this.rng.permutation(n);
    const permT = tf.tensor1d(perm, 'int32');
    const xb = tf.gather(x, permT);
    const yb = tf.gather(y, permT);
    if (this.mode === 'cutmix') return this.cutmix(x, y, xb, yb, perm);
    const lam = this.sampleLambda(n);
    const lx = tf.tensor(lam, [n, ...x.shape.slice(1).map(() => 1)]);
    const ly = tf.tensor2d(lam, [n, 1]);
    const mx = tf.add(tf.mul(lx, x), tf.mul(tf.sub(1, lx), xb)) as T;
    const my = tf.add(tf.mul(ly, y), tf.mul(tf.sub(1, ly), yb)) as tf.Tensor2D;
    return { x: mx, y: my, lam, perm };
  }

  private cutmix<T extends tf.Tensor>(x: T, y: tf.Tensor2D, xb: tf.Tensor, yb: tf.Tensor2D, perm: Int32Array): MixedBatch<T> {
    if (x.rank !== 4) throw new Error(`cutmix needs images [n, h, w, c], got shape [${x.shape}]`);
    const [n, h, w] = x.shape as number[];
    const box = cutBox(h, w, this.sampleLambda(1)[0], this.rng);
    const mask = new Float32Array(h * w);
    for (let r = box.top; r < box.bottom; r++) mask.fill(1, r * w + box.left, r * w + box.right);
    const m = tf.tensor4d(mask, [1, h, w, 1]);
    const mx = tf.add(tf.mul(x, tf.sub(1, m)), tf.mul(xb, m)) as T;
    const lam = new Float32Array(n).fill(box.lam);
    const my = tf.add(tf.mul(y, box.lam), tf.mul(yb, 1 - box.lam)) as tf.Tensor2D;
    return { x: mx, y: my, lam, perm };
  }
}

export interface CutBox { top: number; bottom: number; left: number; right: number; lam: number }

/** CutMix's box: sides √(1−λ)·(h, w), centre uniform, clipped to the image; λ recomputed from the clipped area. */
export function cutBox(h: number, w: number, lam: number, rng: RandomStream): CutBox {
  const ratio = Math.sqrt(1 - lam);
  const ch = Math.floor(h * ratio), cw = Math.floor(w * ratio);
  const cy = rng.int(h), cx = rng.int(w);
  const top = Math.max(0, cy - Math.floor(ch / 2)), bottom = Math.min(h, cy + Math.ceil(ch / 2));
  const left = Math.max(0, cx - Math.floor(cw / 2)), right = Math.min(w, cx + Math.ceil(cw / 2));
  return { top, bottom, left, right, lam: 1 - ((bottom - top) * (right - left)) / (h * w) };
}

/** One-hot targets [n, classes] from integer labels, with a clear error for labels out of range. */
export function oneHot(labels: ArrayLike<number>, classes: number): tf.Tensor2D {
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (!Number.isInteger(l) || l < 0 || l >= classes) throw new Error(`label ${l} at index ${i} is outside 0..${classes - 1}`);
  }
  return tf.oneHot(tf.tensor1d(Array.from(labels), 'int32'), classes).toFloat() as tf.Tensor2D;
}
