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

/** The same schedule shape for a shorter run: ÷10 after 50 % and 75 % of the epochs. */
export function scaledCifarSgd(epochs: number): SgdSpec {
  return { ...PAPER_CIFAR_SGD, milestones: [Math.floor(epochs / 2), Math.floor((3 * epochs) / 4)] };
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
