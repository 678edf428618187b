import type { tf } from '../backend';
import type { RandomStream } from '../random';
import type { ParamStore } from './params';

/** A classifier: parameters plus a forward pass from inputs to logits. */
export interface Model {
  readonly name: string;
  /** The configuration that rebuilds this architecture (part of the run cache key). */
  readonly spec: ModelSpec;
  readonly params: ParamStore;
  /** Input shape without the batch dimension. */
  readonly inputShape: number[];
  readonly numClasses: number;
  /** Logits [n, classes]. `training` uses batch statistics and updates running ones, and draws dropout. */
  apply(x: tf.Tensor, training: boolean): tf.Tensor2D;
  /**
   * The stream training-time noise (dropout) draws from. The training loop sets one per epoch, derived from the run
   * seed, so a resumed run draws what an uninterrupted one would; models without such noise ignore it.
   */
  noise?: RandomStream;
  dispose(): void;
}

export type ModelSpec =
  /** `dropout`: drop probability on the pooled features before the classifier (training only; absent = none). */
  | { kind: 'preact-resnet18'; width: number; numClasses: number; dropout?: number }
  | { kind: 'resnet18'; width: number; numClasses: number }
  | { kind: 'mlp'; inputs: number; hidden: number[]; numClasses: number }
  /** Speech nets on spectrograms: `input` is [frames, bins, channels]. */
  | { kind: 'lenet'; input: number[]; numClasses: number }
  | { kind: 'vgg'; input: number[]; width: number; numClasses: number };
