/**
 * The mixup sampler (Zhang et al. 2018; the reference train.py's mixup_data/mixup_criterion):
 * one λ ~ Beta(α, α) per batch, partners from a random permutation of the same batch,
 *   x̃ = λ·x + (1−λ)·x[perm],  ỹ = λ·y + (1−λ)·y[perm]  (y one-hot or soft).
 * α = 0 is ERM. Modes and the ablation's variants (section 3.8) are options, as data (after timm's Mixup):
 *  - mode: 'batch' (the paper), 'sample' (one λ per example), 'cutmix' (a box of area 1−λ pasted from the partner,
 *    λ corrected to the box's true area);
 *  - pairing: 'random' (the batch permuted, the paper), 'within-class' or 'nearest' (partners drawn from the training
 *    set by the loop with lib/data/partners, handed to `apply`);
 *  - targets: 'mix' (λ·y + (1−λ)·y_partner, the paper) or 'dominant' (the ablation's "mix inputs only": the one-hot
 *    label of whichever of the two weighs more, λ ≥ ½ keeping the example's own);
 *  - labelSmoothing ε: targets become (1−ε)·ỹ + ε/K, with or without mixing;
 *  - inputNoise σ: Gaussian noise of standard deviation σ (pixel units) added to the inputs, after any mixing;
 *  - layers: where to mix, one drawn uniformly per batch before λ (Manifold Mixup, Verma et al. 2019, whose code draws
 *    from {0, 1, 2}): 0 the inputs, k ≥ 1 the hidden state after the model's k-th mixing point (lib/models/model's
 *    HiddenMix, applied in the forward pass); the targets are mixed by the same λ. Absent: the inputs.
 */
import { tf } from './backend';
import { PAIRINGS, Pairing } from './data/partners';
import type { HiddenMix } from './models/model';
import type { RandomStream } from './random';

export type MixMode = 'batch' | 'sample' | 'cutmix';
export const MIX_MODES: readonly MixMode[] = ['batch', 'sample', 'cutmix'];
export type TargetRule = 'mix' | 'dominant';
export const TARGET_RULES: readonly TargetRule[] = ['mix', 'dominant'];
export type { Pairing };

export interface MixupOptions {
  /** Beta(α, α) concentration; 0 means no mixing (ERM). */
  alpha: number;
  mode?: MixMode;
  /** Default 'random'; the others need partners from the training set (`apply`'s `partner`). */
  pairing?: Pairing;
  /** Default 'mix'. */
  targets?: TargetRule;
  /** Label smoothing ε in [0, 1); default 0. */
  labelSmoothing?: number;
  /** Standard deviation of Gaussian input noise, ≥ 0; default 0. */
  inputNoise?: number;
  /** Where to mix, one drawn per batch: 0 the inputs, k the hidden state after mixing point k. Default [0]. */
  layers?: number[];
}

export interface MixedBatch<T extends tf.Tensor> {
  x: T;
  y: tf.Tensor2D;
  /** The weight of each example's own input (all equal in 'batch' and 'cutmix' modes). */
  lam: Float32Array;
  /** The weight of each example's own label in the targets before smoothing (λ, or 1 / 0 under 'dominant'). */
  targetLam: Float32Array;
  /** Each example's partner within the batch; null when the partners were handed in. */
  perm: Int32Array | null;
  /** The hidden state to mix in the forward pass, when the batch's draw fell on a hidden layer (x is then unmixed). */
  hidden?: HiddenMix;
}

export function validateAlpha(alpha: number): number {
  if (typeof alpha !== 'number' || !Number.isFinite(alpha) || alpha < 0) {
    throw new Error(`mixup alpha must be a finite number ≥ 0 (0 = ERM), got ${alpha}`);
  }
  return alpha;
}

/** Refuses unknown or out-of-range options, naming the accepted ones. */
export function validateMixupOptions(o: MixupOptions): MixupOptions {
  validateAlpha(o.alpha);
  const known = ['alpha', 'mode', 'pairing', 'targets', 'labelSmoothing', 'inputNoise', 'layers'];
  for (const k of Object.keys(o))
    if (!known.includes(k)) throw new Error(`unknown mixup option '${k}': use ${known.join(', ')}`);
  if (o.mode !== undefined && !MIX_MODES.includes(o.mode))
    throw new Error(`unknown mixup mode '${String(o.mode)}': use one of ${MIX_MODES.join(', ')}`);
  if (o.pairing !== undefined && !PAIRINGS.includes(o.pairing))
    throw new Error(`unknown mixup pairing '${String(o.pairing)}': use one of ${PAIRINGS.join(', ')}`);
  if (o.targets !== undefined && !TARGET_RULES.includes(o.targets))
    throw new Error(`unknown mixup targets '${String(o.targets)}': use one of ${TARGET_RULES.join(', ')}`);
  if (o.labelSmoothing !== undefined && !(o.labelSmoothing >= 0 && o.labelSmoothing < 1))
    throw new Error(`labelSmoothing must be in [0, 1), got ${o.labelSmoothing}`);
  if (o.inputNoise !== undefined && !(o.inputNoise >= 0 && Number.isFinite(o.inputNoise)))
    throw new Error(`inputNoise must be a finite standard deviation ≥ 0, got ${o.inputNoise}`);
  if (o.layers !== undefined) {
    if (!Array.isArray(o.layers) || !o.layers.length || o.layers.some((k) => !Number.isInteger(k) || k < 0))
      throw new Error(
        `mixup layers are where to mix, whole numbers ≥ 0 (0: the inputs), at least one, got ${JSON.stringify(o.layers)}`,
      );
    // A hidden state has no pixels to cut, and partners from the training set would need their own forward pass.
    if (o.layers.some((k) => k > 0) && ((o.mode ?? 'batch') === 'cutmix' || (o.pairing ?? 'random') !== 'random'))
      throw new Error('mixup layers past 0 (hidden states) take batch or sample mode with random pairing');
  }
  return o;
}

export class Mixup {
  readonly alpha: number;
  readonly mode: MixMode;
  readonly pairing: Pairing;
  readonly targets: TargetRule;
  readonly labelSmoothing: number;
  readonly inputNoise: number;
  readonly layers: readonly number[];

  constructor(
    options: MixupOptions,
    private readonly rng: RandomStream,
  ) {
    validateMixupOptions(options);
    this.alpha = options.alpha;
    this.mode = options.mode ?? 'batch';
    this.pairing = options.pairing ?? 'random';
    this.targets = options.targets ?? 'mix';
    this.labelSmoothing = options.labelSmoothing ?? 0;
    this.inputNoise = options.inputNoise ?? 0;
    this.layers = options.layers ?? [0];
  }

  get enabled(): boolean {
    return this.alpha > 0;
  }

  /** Whether the training loop must hand `apply` partners drawn from the training set. */
  get needsPartners(): boolean {
    return this.enabled && this.pairing !== 'random';
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
   * Mixes a batch. x: [n, ...features], y: [n, classes] targets; `partner` (same shapes) when the pairing draws
   * partners from the training set. Returns new tensors (call inside tf.tidy), or x and y themselves when nothing
   * applies (α = 0, no smoothing, no noise).
   */
  apply<T extends tf.Tensor>(x: T, y: tf.Tensor2D, partner?: { x: T; y: tf.Tensor2D }): MixedBatch<T> {
    const n = x.shape[0];
    if (y.rank !== 2 || y.shape[0] !== n) {
      throw new Error(
        `mixup needs targets of shape [${n}, classes] (one-hot) for inputs of shape [${x.shape}], got [${y.shape}]`,
      );
    }
    if (this.needsPartners !== (partner !== undefined)) {
      throw new Error(
        this.needsPartners
          ? `mixup pairing '${this.pairing}' needs partners from the training set (lib/data/partners)`
          : 'partners were handed to a mixup whose pairing is random within the batch',
      );
    }
    if (partner && (partner.x.shape.join() !== x.shape.join() || partner.y.shape.join() !== y.shape.join())) {
      throw new Error(
        `partners must match the batch: inputs [${x.shape}] / [${partner.x.shape}], targets [${y.shape}] / [${partner.y.shape}]`,
      );
    }
    const ones = new Float32Array(n).fill(1);
    let mixed: MixedBatch<T> = { x, y, lam: ones, targetLam: ones, perm: Int32Array.from({ length: n }, (_, i) => i) };
    // The layer is drawn first, as the Manifold Mixup authors' code does; a single [0] draws nothing (mixup's streams
    // stay as they were).
    const layer =
      this.enabled && this.layers.length > 1 ? this.layers[this.rng.int(this.layers.length)] : this.layers[0];
    if (this.enabled && layer > 0) mixed = this.hidden(x, y, layer);
    else if (this.enabled) {
      let perm: Int32Array | null = null,
        xb: tf.Tensor,
        yb: tf.Tensor2D;
      if (partner) ({ x: xb, y: yb } = partner);
      else {
        perm = this.rng.permutation(n);
        const permT = tf.tensor1d(perm, 'int32');
        xb = tf.gather(x, permT);
        yb = tf.gather(y, permT);
      }
      mixed = this.mode === 'cutmix' ? this.cutmix(x, y, xb, yb, perm) : this.interpolate(x, y, xb, yb, perm);
    }
    let { x: mx, y: my } = mixed;
    if (this.labelSmoothing > 0)
      my = tf.add(tf.mul(my, 1 - this.labelSmoothing), this.labelSmoothing / y.shape[1]) as tf.Tensor2D;
    if (this.inputNoise > 0) {
      const noise = new Float32Array(mx.size);
      for (let i = 0; i < noise.length; i++) noise[i] = this.rng.normal(0, this.inputNoise);
      mx = tf.add(mx, tf.tensor(noise, mx.shape)) as T;
    }
    return { ...mixed, x: mx, y: my };
  }

  /**
   * A batch whose mixing happens inside the model: the targets mixed now, the inputs left as they are, and the plan
   * that mixes the hidden state after mixing point `after` by the same λ and partners.
   */
  private hidden<T extends tf.Tensor>(x: T, y: tf.Tensor2D, after: number): MixedBatch<T> {
    const n = x.shape[0];
    // Partners, then λ: the order of the inputs' path.
    const perm = this.rng.permutation(n);
    const lam = this.sampleLambda(n);
    const targetLam = this.targetWeights(lam);
    const ly = tf.tensor2d(targetLam, [n, 1]);
    const my = tf.add(tf.mul(ly, y), tf.mul(tf.sub(1, ly), tf.gather(y, tf.tensor1d(perm, 'int32')))) as tf.Tensor2D;
    const mix = (h: tf.Tensor) => {
      const lh = tf.tensor(lam, [n, ...h.shape.slice(1).map(() => 1)]);
      return tf.add(tf.mul(lh, h), tf.mul(tf.sub(1, lh), tf.gather(h, tf.tensor1d(perm, 'int32'))));
    };
    return { x, y: my, lam, targetLam, perm, hidden: { after, mix } };
  }

  /** The weight of each example's own label: λ itself, or under 'dominant' 1 where it weighs more (λ ≥ ½), else 0. */
  private targetWeights(lam: Float32Array): Float32Array {
    return this.targets === 'mix' ? lam : lam.map((l) => (l >= 0.5 ? 1 : 0));
  }

  private interpolate<T extends tf.Tensor>(
    x: T,
    y: tf.Tensor2D,
    xb: tf.Tensor,
    yb: tf.Tensor2D,
    perm: Int32Array | null,
  ): MixedBatch<T> {
    const n = x.shape[0];
    const lam = this.sampleLambda(n);
    const lx = tf.tensor(lam, [n, ...x.shape.slice(1).map(() => 1)]);
    const mx = tf.add(tf.mul(lx, x), tf.mul(tf.sub(1, lx), xb)) as T;
    const targetLam = this.targetWeights(lam);
    const ly = tf.tensor2d(targetLam, [n, 1]);
    const my = tf.add(tf.mul(ly, y), tf.mul(tf.sub(1, ly), yb)) as tf.Tensor2D;
    return { x: mx, y: my, lam, targetLam, perm };
  }

  private cutmix<T extends tf.Tensor>(
    x: T,
    y: tf.Tensor2D,
    xb: tf.Tensor,
    yb: tf.Tensor2D,
    perm: Int32Array | null,
  ): MixedBatch<T> {
    if (x.rank !== 4) throw new Error(`cutmix needs images [n, h, w, c], got shape [${x.shape}]`);
    const [n, h, w] = x.shape as number[];
    const box = cutBox(h, w, this.sampleLambda(1)[0], this.rng);
    const mask = new Float32Array(h * w);
    for (let r = box.top; r < box.bottom; r++) mask.fill(1, r * w + box.left, r * w + box.right);
    const m = tf.tensor4d(mask, [1, h, w, 1]);
    const mx = tf.add(tf.mul(x, tf.sub(1, m)), tf.mul(xb, m)) as T;
    const lam = new Float32Array(n).fill(box.lam);
    const targetLam = this.targetWeights(lam);
    const my = tf.add(tf.mul(y, targetLam[0]), tf.mul(yb, 1 - targetLam[0])) as tf.Tensor2D;
    return { x: mx, y: my, lam, targetLam, perm };
  }
}

export interface CutBox {
  top: number;
  bottom: number;
  left: number;
  right: number;
  lam: number;
}

/** CutMix's box: sides √(1−λ)·(h, w), centre uniform, clipped to the image; λ recomputed from the clipped area. */
export function cutBox(h: number, w: number, lam: number, rng: RandomStream): CutBox {
  const ratio = Math.sqrt(1 - lam);
  const ch = Math.floor(h * ratio),
    cw = Math.floor(w * ratio);
  const cy = rng.int(h),
    cx = rng.int(w);
  const top = Math.max(0, cy - Math.floor(ch / 2)),
    bottom = Math.min(h, cy + Math.ceil(ch / 2));
  const left = Math.max(0, cx - Math.floor(cw / 2)),
    right = Math.min(w, cx + Math.ceil(cw / 2));
  return { top, bottom, left, right, lam: 1 - ((bottom - top) * (right - left)) / (h * w) };
}

/** One-hot targets [n, classes] from integer labels, with a clear error for labels out of range. */
export function oneHot(labels: ArrayLike<number>, classes: number): tf.Tensor2D {
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (!Number.isInteger(l) || l < 0 || l >= classes)
      throw new Error(`label ${l} at index ${i} is outside 0..${classes - 1}`);
  }
  return tf.oneHot(tf.tensor1d(Array.from(labels), 'int32'), classes).toFloat() as tf.Tensor2D;
}
