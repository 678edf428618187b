/**
 * Lock-step comparison of mixup-lab's training step with the PyTorch reference (tools/reference/lockstep.py).
 *
 * `node dist/tools/reference/lockstep.js OUT_DIR [--alpha 0] [--epochs 2] [--seed 1] [--width 16] [--n 2500] [--steps K] [--layers 0,1,2] [--draws-only]`
 * trains PreAct ResNet-18 on the low-data protocol exactly as lib/train/loop does (same streams for shuffle,
 * augmentation and λ), and writes into OUT_DIR what the reference needs to take the very same steps: the initial
 * weights, every step's mixed batch (inputs and soft targets) and learning rate, and our weights, running statistics
 * and loss after each step. lockstep.py then loads the same initial weights into the reference network, feeds
 * it the same batches with the reference's SGD, and reports per step how far the two have moved apart.
 * Why: on the low-data protocol our ERM came out 1.5–3.6 points more robust to FGSM than the reference's while
 * clean errors agreed; a lock-step run separates a difference in the step (gradients, batch norm, optimizer) from
 * one in what is fed to it.
 * `--layers` mixes where Manifold Mixup does (lib/mixup's `layers`): a step mixing a hidden state records its layer, and
 * the reference mixes the same hidden state by the same λ and partners.
 * The script also checks itself: after its steps, a fresh model trained by lib/train/loop's `train` for the same
 * epochs must hold bitwise the same weights, or the batches written here are not the ones our training sees.
 */
import fs from 'node:fs';
import path from 'node:path';
import { tf, useBackend } from '../../lib/backend';
import { loadCifar10 } from '../../lib/data/cifar10';
import { CIFAR_PROFILES, cifarSpec } from '../../lib/experiments/cifar';
import { Mixup, oneHot } from '../../lib/mixup';
import { buildModel, Model, ModelSpec } from '../../lib/models';
import type { RandomStream } from '../../lib/random';
import { epochStreams, stepsPerEpoch, train, TrainConfig, trainStep } from '../../lib/train/loop';
import { learningRate, makeOptimizer, setLearningRate, weightDecay } from '../../lib/train/optimizer';
import { numberOption, parseCli } from '../../scripts/cli';

interface Args {
  out: string;
  alpha: number;
  epochs: number;
  seed: number;
  width: number;
  n: number;
  steps: number;
  layers: number[];
  drawsOnly: boolean;
}

const USAGE =
  'node dist/tools/reference/lockstep.js OUT_DIR [--alpha A] [--epochs E] [--seed S] [--width W] [--n N] [--steps K] [--layers 0,1,2] [--draws-only]';

function parse(argv: string[]): Args {
  const numbers = { alpha: 0, epochs: 2, seed: 1, width: 16, n: 2500, steps: Infinity };
  const { values: v, positionals } = parseCli(
    {
      args: argv,
      allowPositionals: true,
      options: {
        ...Object.fromEntries(Object.keys(numbers).map((k) => [k, { type: 'string' as const }])),
        'draws-only': { type: 'boolean' as const },
        layers: { type: 'string' as const },
      },
    },
    USAGE,
  );
  if (positionals.length !== 1) throw new Error(`give one output folder: ${USAGE}`);
  const o = Object.fromEntries(
    Object.entries(numbers).map(([k, d]) => [
      k,
      numberOption((v as Record<string, string | undefined>)[k], d, k, 'a number', Number.isFinite),
    ]),
  ) as typeof numbers;
  const layers = (v.layers ?? '0').split(',').map(Number);
  return { out: positionals[0], ...o, layers, drawsOnly: v['draws-only'] === true };
}

/** Appends a float32 tensor's data to a file and returns its manifest entry. */
function dump(
  fd: number,
  name: string,
  t: tf.Tensor | Float32Array,
  shape?: number[],
): { name: string; shape: number[] } {
  const data = t instanceof Float32Array ? t : Float32Array.from(t.dataSync()); // one-hot targets may be int32
  fs.writeSync(fd, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  return { name, shape: shape ?? (t as tf.Tensor).shape };
}

function dumpParams(fd: number, model: Model, prefix: string): { name: string; shape: number[] }[] {
  return model.params.toArrays().map((a) => dump(fd, `${prefix}${a.name}`, a.data, a.shape));
}

/**
 * A view of `rng` that logs what ImageData.batch draws from it, per example: the crop's row and column offsets into
 * the padded image (0..2·pad) and the flip (1 = flipped), the order in which the reference's augment() takes them.
 */
function recording(rng: RandomStream, log: number[]): RandomStream {
  return {
    int: (n: number) => {
      const v = rng.int(n);
      log.push(v);
      return v;
    },
    uniform: () => {
      const u = rng.uniform();
      log.push(u < 0.5 ? 1 : 0);
      return u;
    },
  } as unknown as RandomStream;
}

interface StepRecord {
  epoch: number;
  lr: number;
  loss: number | null;
  idx: number[];
  aug: number[];
  lam: number;
  perm: number[] | null;
  /** Where the batch was mixed: 0 the inputs, k the hidden state after stage k. */
  layer: number;
}

async function main(): Promise<void> {
  const a = parse(process.argv.slice(2));
  useBackend((process.env.MIXUP_BACKEND as 'tensorflow' | 'cpu' | undefined) ?? 'tensorflow');
  fs.mkdirSync(a.out, { recursive: true });
  const p = { ...CIFAR_PROFILES.lowdata, trainLimit: a.n, width: a.width, testLimit: 100 };
  const data = await loadCifar10({ trainLimit: p.trainLimit, testLimit: p.testLimit });
  const spec = cifarSpec(p, a.alpha, a.seed);
  // The protocol's schedule (lr ÷10 at 50 % and 75 % of 240 epochs), of which the first `epochs` are taken.
  const base = spec.train as unknown as TrainConfig;
  const config: TrainConfig = {
    ...base,
    epochs: a.epochs,
    ...(a.layers.join() === '0' ? {} : { mixup: { ...base.mixup, layers: a.layers } }),
  };
  const model = buildModel(spec.model as ModelSpec, a.seed);
  const fd = fs.openSync(path.join(a.out, 'data.bin'), 'w');
  const manifest: {
    tensors: { name: string; shape: number[] }[];
    steps: StepRecord[];
    weightDecay: number;
    momentum: number;
    width: number;
    n: number;
    alpha: number;
    seed: number;
    epochs: number;
    trained: boolean;
  } = {
    tensors: dumpParams(fd, model, 'init/'),
    steps: [],
    weightDecay: weightDecay(config.optimizer),
    momentum: (config.optimizer as { momentum: number }).momentum,
    width: a.width,
    n: a.n,
    alpha: a.alpha,
    seed: a.seed,
    epochs: a.epochs,
    trained: !a.drawsOnly,
  };
  const optimizer = makeOptimizer(config.optimizer);
  const trainSet = data.train;
  const bs = config.batchSize;
  const steps = stepsPerEpoch(trainSet.n, bs);
  for (let epoch = 0; epoch < a.epochs; epoch++) {
    const lr = learningRate(config.optimizer, epoch);
    setLearningRate(optimizer, lr);
    // The streams lib/train/loop draws from, in the same order.
    const streams = epochStreams(config.seed, epoch);
    const order = streams.shuffle.permutation(trainSet.n);
    const augment = streams.augment;
    const mixup = new Mixup(config.mixup, streams.mixup);
    model.noise = streams.dropout;
    for (let step = 0; step < steps && manifest.steps.length < a.steps; step++) {
      const idx = order.subarray(step * bs, Math.min((step + 1) * bs, trainSet.n));
      const labels = Int32Array.from(idx, (i) => trainSet.labels[i]);
      const k = manifest.steps.length;
      const aug: number[] = [];
      const rec: StepRecord = { epoch, lr, loss: null, idx: Array.from(idx), aug, lam: 1, perm: null, layer: 0 };
      tf.tidy(() => {
        const mixed = mixup.apply(trainSet.batch(idx, recording(augment, aug)), oneHot(labels, trainSet.numClasses));
        rec.lam = mixed.lam[0];
        rec.perm = mixup.enabled && mixed.perm ? Array.from(mixed.perm) : null;
        rec.layer = mixed.hidden?.after ?? 0;
        if (a.drawsOnly) return;
        manifest.tensors.push(dump(fd, `step${k}/x`, mixed.x), dump(fd, `step${k}/y`, mixed.y));
        rec.loss = trainStep(model, optimizer, mixed.x, mixed.y, manifest.weightDecay, mixed.hidden)[0];
      });
      manifest.steps.push(rec);
      if (!a.drawsOnly) manifest.tensors.push(...dumpParams(fd, model, `after${k}/`));
    }
    if (epoch % 20 === 19 || epoch === a.epochs - 1)
      process.stderr.write(`epoch ${epoch + 1}/${a.epochs}: ${manifest.steps.length} steps in all\n`);
  }
  fs.closeSync(fd);
  fs.writeFileSync(path.join(a.out, 'manifest.json'), JSON.stringify(manifest));

  // Stopped early (--steps) or not trained: no whole epochs of training to check against.
  if (a.drawsOnly || manifest.steps.length < a.epochs * steps) return;
  // Self-check against the real training loop.
  const again = buildModel(spec.model as ModelSpec, a.seed);
  await train(again, data, config);
  const ours = model.params.toArrays();
  const loop = again.params.toArrays();
  const differing = ours.filter((t, i) => t.data.some((v, j) => v !== loop[i].data[j])).map((t) => t.name);
  if (differing.length)
    throw new Error(`the replayed steps differ from lib/train/loop's train in ${differing.join(', ')}`);
  process.stderr.write(`self-check: after ${manifest.steps.length} steps the weights equal train()'s bitwise\n`);
  model.dispose();
  again.dispose();
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : e}\n`);
  process.exit(1);
});
