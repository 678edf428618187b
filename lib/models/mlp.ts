/** Fully connected ReLU network: the paper's tabular net is hidden = [128, 128]; the 2-D toy uses it too. */
import { tf } from '../backend';
import type { RandomStream } from '../random';
import { ApplyOptions, checkMix, Model, ModelSpec } from './model';
import { dense, ParamStore } from './params';

export class Mlp implements Model {
  readonly name = 'mlp';
  readonly params: ParamStore;
  readonly inputShape: number[];
  readonly numClasses: number;
  private readonly layers: { w: tf.Variable; b: tf.Variable }[] = [];

  constructor(
    readonly spec: Extract<ModelSpec, { kind: 'mlp' }>,
    rng: RandomStream,
  ) {
    if (spec.inputs < 1 || spec.hidden.some((h) => !Number.isInteger(h) || h < 1)) {
      throw new Error(`MLP needs positive integer sizes, got inputs ${spec.inputs}, hidden [${spec.hidden}]`);
    }
    this.inputShape = [spec.inputs];
    this.numClasses = spec.numClasses;
    this.params = new ParamStore(rng);
    const sizes = [spec.inputs, ...spec.hidden, spec.numClasses];
    for (let i = 0; i + 1 < sizes.length; i++)
      this.layers.push(this.params.dense(`dense${i + 1}`, sizes[i], sizes[i + 1]));
  }

  /** After each hidden layer. */
  get mixPoints(): number {
    return this.spec.hidden.length;
  }

  apply(x: tf.Tensor, { mix }: ApplyOptions): tf.Tensor2D {
    if (x.rank !== 2 || x.shape[1] !== this.spec.inputs) {
      throw new Error(`mlp takes [n, ${this.spec.inputs}] inputs, got [${x.shape}]`);
    }
    checkMix(this, mix);
    return tf.tidy(() => {
      let h = x as tf.Tensor2D;
      this.layers.forEach((l, i) => {
        h = dense(h, l);
        if (i + 1 < this.layers.length) h = tf.relu(h);
        if (mix && mix.after === i + 1) h = mix.mix(h) as tf.Tensor2D;
      });
      return h;
    });
  }

  dispose(): void {
    this.params.dispose();
  }
}
