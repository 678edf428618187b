import type { tf } from '../backend';
import type { RandomStream } from '../random';
import type { ParamStore } from './params';

/**
 * A mixing plan for a hidden state (Manifold Mixup, lib/mixup): after the model's `after`-th mixing point (a ResNet's
 * stage, an MLP's hidden layer), the forward pass replaces the hidden state h by `mix(h)`.
 */
export interface HiddenMix {
  after: number;
  mix(h: tf.Tensor): tf.Tensor;
}

export interface ApplyOptions {
  /** Batch statistics (updating the running ones) and dropout draws. */
  training: boolean;
  /** Mix a hidden state (training only; a model with no `mixPoints` refuses it). */
  mix?: HiddenMix;
}

/** A classifier: parameters plus a forward pass from inputs to logits. */
export interface Model {
  readonly name: string;
  /** The configuration that rebuilds this architecture (part of the run cache key). */
  readonly spec: ModelSpec;
  readonly params: ParamStore;
  /** Input shape without the batch dimension. */
  readonly inputShape: number[];
  readonly numClasses: number;
  /** How many points a hidden state can be mixed after (1…mixPoints; 0: none, inputs only). */
  readonly mixPoints: number;
  /** Logits [n, classes]. */
  apply(x: tf.Tensor, o: ApplyOptions): tf.Tensor2D;
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

/** Refuses a mixing plan the model cannot carry out, naming where it can mix. */
export function checkMix(model: Pick<Model, 'name' | 'mixPoints'>, mix: HiddenMix | undefined): void {
  if (!mix) return;
  if (!model.mixPoints)
    throw new Error(`${model.name} cannot mix a hidden state: mix its inputs only (mixup layers [0])`);
  if (!(Number.isInteger(mix.after) && mix.after >= 1 && mix.after <= model.mixPoints))
    throw new Error(
      `${model.name} mixes hidden states after points 1…${model.mixPoints} (0: the inputs), not ${mix.after}`,
    );
}
