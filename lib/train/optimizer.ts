import { tf } from '../backend';

/** SGD with momentum and (PyTorch-style, coupled) weight decay, learning rate ×gamma at each milestone epoch. */
export interface SgdSpec {
  kind: 'sgd';
  lr: number;
  momentum: number;
  weightDecay: number;
  milestones: number[];
  gamma: number;
}
/** Adam with tfjs's (= Keras's) defaults apart from the learning rate. */
export interface AdamSpec {
  kind: 'adam';
  lr: number;
  weightDecay?: number;
}
export type OptimizerSpec = SgdSpec | AdamSpec;

/** The reference CIFAR recipe (train.py of mixup-cifar10): lr 0.1, ÷10 at epochs 100 and 150 of 200. */
export const PAPER_CIFAR_SGD: SgdSpec = {
  kind: 'sgd',
  lr: 0.1,
  momentum: 0.9,
  weightDecay: 1e-4,
  milestones: [100, 150],
  gamma: 0.1,
};

/** An SGD schedule stated for a run of any length: its milestones as shares of the epochs (`decayAt`). */
export type SgdRecipe = Omit<SgdSpec, 'milestones'> & { decayAt: number[] };

const { milestones: paperMilestones, ...paperSgd } = PAPER_CIFAR_SGD;
/** The reference recipe at any length: ÷10 after the same shares of the epochs as the paper's 100 and 150 of 200. */
export const CIFAR_SGD_RECIPE: SgdRecipe = { ...paperSgd, decayAt: paperMilestones.map((m) => m / 200) };

/** The recipe's optimizer for a run of `epochs` (its milestones whole epochs). */
export function sgdForEpochs(r: SgdRecipe, epochs: number): SgdSpec {
  return {
    kind: 'sgd',
    lr: r.lr,
    momentum: r.momentum,
    weightDecay: r.weightDecay,
    milestones: r.decayAt.map((f) => Math.floor(f * epochs)),
    gamma: r.gamma,
  };
}

export function validateOptimizer(spec: OptimizerSpec): OptimizerSpec {
  if (!spec || (spec.kind !== 'sgd' && spec.kind !== 'adam'))
    throw new Error(`unknown optimizer '${(spec as { kind?: string })?.kind}': use 'sgd' or 'adam'`);
  if (!(spec.lr > 0)) throw new Error(`learning rate must be > 0, got ${spec.lr}`);
  return spec;
}

/** Learning rate for a 0-based epoch (changed once per epoch, as the reference does). */
export function learningRate(spec: OptimizerSpec, epoch: number): number {
  if (spec.kind === 'adam') return spec.lr;
  return spec.lr * spec.gamma ** spec.milestones.filter((m) => epoch >= m).length;
}

export function makeOptimizer(spec: OptimizerSpec): tf.Optimizer {
  validateOptimizer(spec);
  return spec.kind === 'sgd' ? tf.train.momentum(spec.lr, spec.momentum) : tf.train.adam(spec.lr);
}

export function setLearningRate(opt: tf.Optimizer, lr: number): void {
  // SGD/momentum optimizers have a setter; Adam reads its public field at each step.
  const o = opt as unknown as { setLearningRate?: (lr: number) => void; learningRate: number };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else o.learningRate = lr;
}

export function weightDecay(spec: OptimizerSpec): number {
  return spec.weightDecay ?? 0;
}
