/**
 * One training loop for ERM and mixup (ERM is mixup with α = 0), after the reference train.py:
 * per epoch a fresh shuffle, augmentation and λ stream (derived from the seed and the epoch, so a resumed
 * run draws exactly what an uninterrupted one would), cross-entropy against the (mixed) one-hot targets,
 * weight decay added to the gradients, a checkpoint after every epoch and evaluation on a schedule (`evalEvery`).
 */
import { tf } from '../backend';
import type { LabeledData } from '../data/dataset';
import { PartnerTable, partnerTable } from '../data/partners';
import type { Calibration } from '../eval/calibration';
import { argmaxRows, evaluate } from '../eval/metrics';
import { Mixup, MixupOptions, oneHot, validateMixupOptions } from '../mixup';
import { checkMix, HiddenMix, Model } from '../models';
import { RandomStream, stream } from '../random';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';
import {
  learningRate,
  makeOptimizer,
  OptimizerSpec,
  setLearningRate,
  validateOptimizer,
  weightDecay,
} from './optimizer';

export interface TrainConfig {
  epochs: number;
  batchSize: number;
  optimizer: OptimizerSpec;
  mixup: MixupOptions;
  seed: number;
  /** Use the training set's augmentation (CIFAR: crop + flip). Default true. */
  augment?: boolean;
  evalBatchSize?: number;
  /**
   * Score the test set (and `callbacks.evaluate`) after the first epoch, every `evalEvery`-th epoch and the last;
   * default 1 (every epoch). On a small training set scoring 10,000 test images costs more than an epoch's training.
   */
  evalEvery?: number;
}

export interface EpochRecord {
  epoch: number;
  lr: number;
  /** Mean training loss against the targets trained on (mixed ones under mixup). */
  trainLoss: number;
  /** Training error as the reference counts it under mixup: 1 − (λ·correct(y_a) + (1−λ)·correct(y_b)). */
  trainError: number;
  /** Test measures: null on the epochs the evaluation schedule (`evalEvery`) skips. */
  testLoss: number | null;
  testError: number | null;
  testEce: number | null;
  seconds: number;
  imgPerSec: number;
  /** Whatever `evaluate` in the callbacks returned for this epoch ({} on epochs the schedule skips). */
  extra: Record<string, number>;
  /**
   * The last epoch's reliability diagram and the rest of lib/eval/calibration, from the same scoring pass as testError
   * (absent on other epochs, and in runs recorded before calibration was measured).
   */
  calibration?: Calibration;
}

export interface StepInfo {
  epoch: number;
  epochs: number;
  step: number;
  steps: number;
  loss: number;
  imgPerSec: number;
  elapsedSeconds: number;
  etaSeconds: number;
}

export interface TrainCallbacks {
  onStep?(info: StepInfo): void;
  onEpoch?(record: EpochRecord, history: EpochRecord[]): void;
  /** Called instead of training when the run cache already holds the finished run (lib/runs/cache). */
  onCached?(info: { finishedAt: string; seconds: number; history: EpochRecord[] }): void;
  /**
   * Called by the run cache once this process holds the run's lock and is about to train (not for a cached run, nor
   * while it waits for another process's run): waits for whatever gate the caller keeps — the pool's training slots
   * (lib/runs/slots) — and returns its release, called when the training ends.
   */
  beforeTraining?(): Promise<() => void>;
  /** Extra per-epoch measures (for example error on the corrupted subset), stored in `record.extra`. */
  evaluate?(model: Model, epoch: number): Record<string, number>;
}

export interface TrainOptions {
  /** Folder for the per-epoch checkpoint; an existing checkpoint of the same run is resumed. */
  checkpointDir?: string;
  callbacks?: TrainCallbacks;
  /** Call onStep every this many steps (default 10) and on the last step of an epoch. */
  stepEvery?: number;
  /** Called before each checkpoint replaces the last; throws to stop without writing (a run lock lost: lib/runs/lock). */
  beforeCommit?: () => void;
}

export interface TrainResult {
  history: EpochRecord[];
  resumedFromEpoch: number | null;
  seconds: number;
}

export class NonFiniteLossError extends Error {
  constructor(
    readonly epoch: number,
    readonly step: number,
    loss: number,
  ) {
    super(
      `training stopped: the loss became ${loss} at epoch ${epoch + 1}, step ${step + 1}. ` +
        'Lower the learning rate or check the inputs for NaN; the checkpoint of the last finished epoch is kept.',
    );
  }
}

export function validateTrainConfig(c: TrainConfig): TrainConfig {
  if (!Number.isInteger(c.epochs) || c.epochs < 1)
    throw new Error(`epochs must be a positive integer, got ${c.epochs}`);
  if (!Number.isInteger(c.batchSize) || c.batchSize < 2)
    throw new Error(`batchSize must be an integer ≥ 2, got ${c.batchSize}`);
  if (!Number.isInteger(c.seed) || c.seed < 0) throw new Error(`seed must be a non-negative integer, got ${c.seed}`);
  if (c.evalEvery !== undefined && (!Number.isInteger(c.evalEvery) || c.evalEvery < 1)) {
    throw new Error(`evalEvery must be a positive integer (score every k-th epoch), got ${c.evalEvery}`);
  }
  validateMixupOptions(c.mixup);
  validateOptimizer(c.optimizer);
  return c;
}

/**
 * One optimisation step on a prepared batch: cross-entropy against the (soft) targets, weight decay added to
 * the gradients as PyTorch's SGD does. Returns the loss and the predicted classes.
 */
export function trainStep(
  model: Model,
  optimizer: tf.Optimizer,
  x: tf.Tensor,
  y: tf.Tensor2D,
  weightDecay: number,
  mix?: HiddenMix,
): [number, Int32Array] {
  return tf.tidy(() => {
    let pred: tf.Tensor | null = null;
    const vars = model.params.list();
    const { value, grads } = tf.variableGrads(() => {
      const logits = model.apply(x, { training: true, ...(mix ? { mix } : {}) });
      pred = tf.keep(tf.argMax(logits, 1));
      return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
    }, vars);
    if (weightDecay > 0) for (const v of vars) grads[v.name] = tf.add(grads[v.name], tf.mul(v, weightDecay));
    optimizer.applyGradients(grads);
    const out: [number, Int32Array] = [value.dataSync()[0], pred!.dataSync() as Int32Array];
    pred!.dispose();
    return out;
  });
}

/** Whether the evaluation schedule scores this 0-based epoch: the first, every `evalEvery`-th, and the last. */
export function isScoredEpoch(config: Pick<TrainConfig, 'epochs' | 'evalEvery'>, epoch: number): boolean {
  const k = config.evalEvery ?? 1;
  return epoch === 0 || epoch === config.epochs - 1 || (epoch + 1) % k === 0;
}

/** Steps per epoch: a last batch of one example would give batch norm a zero variance, so such a remainder is dropped. */
export function stepsPerEpoch(n: number, batchSize: number): number {
  return Math.floor(n / batchSize) + (n % batchSize >= 2 ? 1 : 0);
}

/**
 * The seeded streams one epoch draws from, derived from the run seed and the epoch alone, so a resumed run draws
 * exactly what an uninterrupted one would (and tools/reference/lockstep.ts can replay them).
 */
export function epochStreams(
  seed: number,
  epoch: number,
): {
  shuffle: RandomStream;
  augment: RandomStream;
  mixup: RandomStream;
  partners: RandomStream;
  dropout: RandomStream;
} {
  const s = (name: string) => stream(seed, `${name}/${epoch}`);
  return {
    shuffle: s('shuffle'),
    augment: s('augment'),
    mixup: s('mixup'),
    partners: s('partners'),
    dropout: s('dropout'),
  };
}

interface CheckpointMeta {
  history: EpochRecord[];
  config: TrainConfig;
}

export async function train(
  model: Model,
  data: { train: LabeledData; test: LabeledData },
  config: TrainConfig,
  options: TrainOptions = {},
): Promise<TrainResult> {
  validateTrainConfig(config);
  if (data.train.exampleShape.join() !== model.inputShape.join()) {
    throw new Error(
      `the model takes examples of shape [${model.inputShape}], the data has [${data.train.exampleShape}]`,
    );
  }
  // Where the sampler may mix, checked against the model before anything trains.
  for (const after of config.mixup.layers ?? []) if (after > 0) checkMix(model, { after, mix: (h) => h });
  const t0 = Date.now();
  const optimizer = makeOptimizer(config.optimizer);
  const { history, start, resumedFromEpoch } = options.checkpointDir
    ? await resume(options.checkpointDir, model, optimizer, config)
    : { history: [] as EpochRecord[], start: 0, resumedFromEpoch: null };
  const run: RunContext = {
    model,
    optimizer,
    config,
    data,
    callbacks: options.callbacks ?? {},
    stepEvery: options.stepEvery ?? 10,
    // Partners from the training set for the ablation's pairings (built once per run: kNN is costly on thousands of images).
    partners: config.mixup.alpha > 0 ? partnerTable(config.mixup.pairing ?? 'random', data.train) : null,
    runStart: Date.now(),
    stepsDone: 0,
  };
  for (let epoch = start; epoch < config.epochs; epoch++) {
    const record = await trainEpoch(run, epoch);
    history.push(record);
    if (options.checkpointDir) await writeCheckpoint(options.checkpointDir, epoch, history, run, options.beforeCommit);
    await new Promise((resolve) => setImmediate(resolve));
    run.callbacks.onEpoch?.(record, history);
  }
  optimizer.dispose();
  return { history, resumedFromEpoch, seconds: (Date.now() - t0) / 1000 };
}

/** What one run's epochs share. */
interface RunContext {
  model: Model;
  optimizer: tf.Optimizer;
  config: TrainConfig;
  data: { train: LabeledData; test: LabeledData };
  callbacks: TrainCallbacks;
  stepEvery: number;
  partners: PartnerTable | null;
  /** When the epochs of this process began, and how many steps they took: the progress line's ETA. */
  runStart: number;
  stepsDone: number;
}

/** The state of an interrupted run from its folder's checkpoint (weights, optimizer, history), or a fresh start. */
async function resume(
  dir: string,
  model: Model,
  optimizer: tf.Optimizer,
  config: TrainConfig,
): Promise<{ history: EpochRecord[]; start: number; resumedFromEpoch: number | null }> {
  const ckpt = loadCheckpoint<CheckpointMeta>(dir);
  if (!ckpt) return { history: [], start: 0, resumedFromEpoch: null };
  if (JSON.stringify(ckpt.meta.config) !== JSON.stringify(config)) {
    throw new Error(`checkpoint in ${dir} belongs to another configuration: use another folder or delete it`);
  }
  model.params.load(ckpt.model);
  await optimizer.setWeights(ckpt.optimizer.map((a) => ({ name: a.name, tensor: tf.tensor(a.data, a.shape) })));
  return { history: ckpt.meta.history, start: ckpt.epoch + 1, resumedFromEpoch: ckpt.epoch };
}

/** One epoch: its learning rate, its own random streams (so a resumed run draws what an uninterrupted one would), the steps, the scoring. */
async function trainEpoch(run: RunContext, epoch: number): Promise<EpochRecord> {
  const { model, optimizer, config, callbacks: cb, partners } = run;
  const { train: trainSet, test: testSet } = run.data;
  const wd = weightDecay(config.optimizer);
  const bs = config.batchSize;
  const steps = stepsPerEpoch(trainSet.n, bs);
  const lr = learningRate(config.optimizer, epoch);
  setLearningRate(optimizer, lr);
  const streams = epochStreams(config.seed, epoch);
  const order = streams.shuffle.permutation(trainSet.n);
  const augment = config.augment === false ? undefined : streams.augment;
  const mixup = new Mixup(config.mixup, streams.mixup);
  const partnerStream = partners ? streams.partners : null;
  model.noise = streams.dropout;
  const epochStart = Date.now();
  let lossSum = 0,
    errSum = 0,
    seen = 0;
  for (let step = 0; step < steps; step++) {
    const idx = order.subarray(step * bs, Math.min((step + 1) * bs, trainSet.n));
    const labels = Int32Array.from(idx, (i) => trainSet.labels[i]);
    // Partners from the training set under 'within-class' / 'nearest' pairing; otherwise the sampler permutes the batch.
    const partnerIdx = partners && partnerStream ? partners.draw(idx, partnerStream) : null;
    let partnerLabels = partnerIdx ? Int32Array.from(partnerIdx, (i) => trainSet.labels[i]) : labels;
    let lam: Float32Array = new Float32Array(0);
    const [lossValue, predicted] = tf.tidy(() => {
      const partner = partnerIdx
        ? { x: trainSet.batch(partnerIdx, augment), y: oneHot(partnerLabels, trainSet.numClasses) }
        : undefined;
      const mixed = mixup.apply(trainSet.batch(idx, augment), oneHot(labels, trainSet.numClasses), partner);
      lam = mixed.targetLam;
      if (mixed.perm) partnerLabels = Int32Array.from(mixed.perm, (p) => labels[p]);
      return trainStep(model, optimizer, mixed.x, mixed.y, wd, mixed.hidden);
    });
    if (!Number.isFinite(lossValue)) throw new NonFiniteLossError(epoch, step, lossValue);
    const n = idx.length;
    lossSum += lossValue * n;
    for (let i = 0; i < n; i++) {
      const correct =
        lam[i] * (predicted[i] === labels[i] ? 1 : 0) + (1 - lam[i]) * (predicted[i] === partnerLabels[i] ? 1 : 0);
      errSum += 1 - correct;
    }
    seen += n;
    run.stepsDone++;
    if (step % run.stepEvery === run.stepEvery - 1 || step === steps - 1) {
      // Yield to the event loop before any callback: a notebook's kernel then sends its display messages (and takes
      // an interrupt) between steps rather than after the run.
      await new Promise((resolve) => setImmediate(resolve));
      if (cb.onStep) {
        const elapsed = (Date.now() - run.runStart) / 1000;
        const perStep = elapsed / run.stepsDone;
        cb.onStep({
          epoch,
          epochs: config.epochs,
          step,
          steps,
          loss: lossSum / seen,
          imgPerSec: seen / ((Date.now() - epochStart) / 1000),
          elapsedSeconds: elapsed,
          etaSeconds: perStep * ((config.epochs - epoch) * steps - step - 1),
        });
      }
    }
  }
  const trainSeconds = (Date.now() - epochStart) / 1000;
  const test = isScoredEpoch(config, epoch) ? evaluate(model, testSet, config.evalBatchSize ?? 500) : null;
  return {
    epoch,
    lr,
    trainLoss: lossSum / seen,
    trainError: errSum / seen,
    testLoss: test?.loss ?? null,
    testError: test?.error ?? null,
    testEce: test?.ece ?? null,
    seconds: trainSeconds,
    imgPerSec: seen / trainSeconds,
    extra: test && cb.evaluate ? cb.evaluate(model, epoch) : {},
    ...(test && epoch === config.epochs - 1 ? { calibration: test.calibration } : {}),
  };
}

/** The run's state after `epoch` into its folder: what `resume` reads back. */
async function writeCheckpoint(
  dir: string,
  epoch: number,
  history: EpochRecord[],
  run: RunContext,
  beforeCommit?: () => void,
): Promise<void> {
  const weights = await run.optimizer.getWeights();
  try {
    saveCheckpoint<CheckpointMeta>(
      dir,
      {
        epoch,
        meta: { history, config: run.config },
        model: run.model.params.toArrays(),
        optimizer: weights.map((w) => ({
          name: w.name,
          shape: w.tensor.shape,
          data: Float32Array.from(w.tensor.dataSync()),
        })),
      },
      beforeCommit,
    );
  } finally {
    // getWeights makes a fresh tensor for the iteration count on every call; the rest are the optimizer's own variables.
    for (const w of weights) if (!(w.tensor instanceof tf.Variable)) w.tensor.dispose();
  }
}
