/**
 * Labelled data as plain arrays, turned into tensors one batch at a time. The training loop, evaluation
 * and attacks only see this interface, so images, tables and the 2-D toy share them.
 */
import { tf } from '../backend';
import type { RandomStream } from '../random';

export interface LabeledData {
  readonly n: number;
  readonly numClasses: number;
  /** Labels used for training and scoring (may be corrupted: see corrupt.ts). */
  readonly labels: Int32Array;
  /** Shape of one example. */
  readonly exampleShape: number[];
  /** The examples at `indices` as a float tensor [k, ...exampleShape]; `augment` draws augmentation when given. */
  batch(indices: ArrayLike<number>, augment?: RandomStream): tf.Tensor;
  /** The same examples with other labels. */
  withLabels(labels: Int32Array): LabeledData;
  /** The examples at `indices`, copied. */
  subset(indices: ArrayLike<number>): LabeledData;
}

/** Copies rows (`size` values each) at `indices` of `src` into a new array of the same type. */
function gatherRows<T extends Float32Array | Uint8Array>(src: T, size: number, indices: ArrayLike<number>): T {
  const out = new (src.constructor as new (n: number) => T)(indices.length * size);
  for (let i = 0; i < indices.length; i++) out.set(src.subarray(indices[i] * size, (indices[i] + 1) * size), i * size);
  return out;
}

function gatherLabels(labels: Int32Array, indices: ArrayLike<number>): Int32Array {
  return Int32Array.from({ length: indices.length }, (_, i) => labels[indices[i]]);
}

export function checkLabels(labels: Int32Array, numClasses: number, what: string): void {
  for (let i = 0; i < labels.length; i++) {
    if (!(labels[i] >= 0 && labels[i] < numClasses))
      throw new Error(`${what}: label ${labels[i]} at ${i} is outside 0..${numClasses - 1}`);
  }
}

/** Rows of numeric features; `shape` views each row as a tensor (e.g. a spectrogram [frames, bins, 1]). */
export class TabularData implements LabeledData {
  readonly exampleShape: number[];
  constructor(
    readonly features: Float32Array,
    readonly dim: number,
    readonly labels: Int32Array,
    readonly numClasses: number,
    shape: number[] = [dim],
  ) {
    if (features.length !== labels.length * dim) {
      throw new Error(`tabular data: ${features.length} feature values do not make ${labels.length} rows of ${dim}`);
    }
    if (shape.reduce((a, b) => a * b, 1) !== dim)
      throw new Error(`tabular data: shape [${shape}] does not hold rows of ${dim} values`);
    checkLabels(labels, numClasses, 'tabular data');
    this.exampleShape = shape;
  }

  get n(): number {
    return this.labels.length;
  }

  batch(indices: ArrayLike<number>): tf.Tensor {
    return tf.tensor(gatherRows(this.features, this.dim, indices), [indices.length, ...this.exampleShape]);
  }

  withLabels(labels: Int32Array): TabularData {
    return new TabularData(this.features, this.dim, labels, this.numClasses, this.exampleShape);
  }

  subset(indices: ArrayLike<number>): TabularData {
    return new TabularData(
      gatherRows(this.features, this.dim, indices),
      this.dim,
      gatherLabels(this.labels, indices),
      this.numClasses,
      this.exampleShape,
    );
  }
}

export interface ImageAugment {
  /** Zero padding before a random crop back to the original size (the reference: 4). */
  pad: number;
  flip: boolean;
}

/** Square RGB images stored as bytes, HWC, scaled to [0, 1] per batch. */
export class ImageData implements LabeledData {
  readonly exampleShape: number[];
  private readonly size: number;

  constructor(
    readonly pixels: Uint8Array,
    readonly height: number,
    readonly width: number,
    readonly labels: Int32Array,
    readonly numClasses: number,
    readonly augmentation: ImageAugment | null = null,
  ) {
    this.size = height * width * 3;
    if (pixels.length !== labels.length * this.size) {
      throw new Error(`image data: ${pixels.length} bytes do not make ${labels.length} images of ${height}×${width}×3`);
    }
    checkLabels(labels, numClasses, 'image data');
    this.exampleShape = [height, width, 3];
  }

  get n(): number {
    return this.labels.length;
  }

  /** With `augment`: the reference's random crop of the zero-padded image and horizontal flip. */
  batch(indices: ArrayLike<number>, augment?: RandomStream): tf.Tensor4D {
    const { height: h, width: w, size } = this;
    const out = new Float32Array(indices.length * size);
    const aug = augment ? this.augmentation : null;
    for (let i = 0; i < indices.length; i++) {
      const src = indices[i] * size;
      const dst = i * size;
      if (!aug) {
        for (let j = 0; j < size; j++) out[dst + j] = this.pixels[src + j] / 255;
        continue;
      }
      const dy = augment!.int(2 * aug.pad + 1) - aug.pad;
      const dx = augment!.int(2 * aug.pad + 1) - aug.pad;
      const flip = aug.flip && augment!.uniform() < 0.5;
      for (let y = 0; y < h; y++) {
        const sy = y + dy;
        if (sy < 0 || sy >= h) continue; // zero padding: out is already 0
        for (let x = 0; x < w; x++) {
          const sx = (flip ? w - 1 - x : x) + dx;
          if (sx < 0 || sx >= w) continue;
          const s = src + (sy * w + sx) * 3,
            d = dst + (y * w + x) * 3;
          out[d] = this.pixels[s] / 255;
          out[d + 1] = this.pixels[s + 1] / 255;
          out[d + 2] = this.pixels[s + 2] / 255;
        }
      }
    }
    return tf.tensor4d(out, [indices.length, h, w, 3]);
  }

  withLabels(labels: Int32Array): ImageData {
    return new ImageData(this.pixels, this.height, this.width, labels, this.numClasses, this.augmentation);
  }

  subset(indices: ArrayLike<number>): ImageData {
    return new ImageData(
      gatherRows(this.pixels, this.size, indices),
      this.height,
      this.width,
      gatherLabels(this.labels, indices),
      this.numClasses,
      this.augmentation,
    );
  }

  withAugmentation(augmentation: ImageAugment | null): ImageData {
    return new ImageData(this.pixels, this.height, this.width, this.labels, this.numClasses, augmentation);
  }
}
