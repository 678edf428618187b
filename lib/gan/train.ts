/**
 * The GAN of the paper's section 3.7 on 2-D mixtures, after the authors' demo (hongyi-zhang/mixup,
 * gan/example_gan.py): generator and discriminator MLPs, Adam, `dSteps` discriminator steps per generator step.
 * mixup-GAN trains the discriminator on mixes of two batches of (real ∪ generated) points with the mixed targets,
 *   x̃ = λ·x₁ + (1−λ)·x₂,  ỹ = λ·y₁ + (1−λ)·y₂  (y = 1 real, 0 generated),  λ ~ Uniform(0, mixup) per example,
 * as the demo draws it (not Beta(α, α): the demo's knob is the upper end of a uniform). mixup = 0 is the plain GAN.
 * The generator step is the demo's: it maximises the discriminator's cross-entropy on generated points (the
 * original, saturating minimax loss), with no mixing.
 */
import { tf } from '../backend';
import { modeCentres, ModeSet, sampleModes } from '../data/modes2d';
import { modeCoverage } from '../eval/modes';
import { buildModel, Model } from '../models';
import { RandomStream, stream } from '../random';

export interface GanConfig {
  data: ModeSet;
  /** Standard deviation of each mode (the demo: 0.01). */
  std: number;
  latent: number;
  hidden: number;
  layers: number;
  batchSize: number;
  /** Discriminator steps per generator step (the demo: 5). */
  dSteps: number;
  iterations: number;
  lrD: number;
  lrG: number;
  /** 0: the plain GAN; > 0: mixup-GAN with λ ~ Uniform(0, mixup) per example. */
  mixup: number;
  seed: number;
  /** Iterations (1-based counts of generator steps done) after which coverage is measured; the last is always added. */
  measureAt: number[];
  /** Iterations at which the generated points themselves are kept (for scatter plots). */
  keepPointsAt: number[];
  /** Generated points per measurement, the radius that makes one high quality, a covered mode's share. */
  measure: { samples: number; radius: number; minShare: number };
}

export interface GanCheckpoint {
  iteration: number;
  covered: number;
  modes: number;
  highQuality: number;
  /** Mean distance of a generated point to its nearest mode. */
  meanDistance: number;
  /** Mean discriminator and generator losses over the iterations since the previous checkpoint. */
  dLoss: number;
  gLoss: number;
  /** Generated points [x0, y0, x1, y1, …] where `keepPointsAt` asks for them. */
  points?: number[];
}

export interface GanProgress {
  iteration: number;
  iterations: number;
  dLoss: number;
  gLoss: number;
  elapsedSeconds: number;
  etaSeconds: number;
}

export interface GanResult {
  history: GanCheckpoint[];
  seconds: number;
}

export function validateGanConfig(c: GanConfig): GanConfig {
  for (const k of ['latent', 'hidden', 'layers', 'batchSize', 'dSteps', 'iterations'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 1) throw new Error(`GAN ${k} must be a positive integer, got ${c[k]}`);
  }
  if (!(c.lrD > 0) || !(c.lrG > 0)) throw new Error(`GAN learning rates must be > 0, got lrD ${c.lrD}, lrG ${c.lrG}`);
  if (!(c.mixup >= 0 && c.mixup <= 1))
    throw new Error(`GAN mixup must lie in [0, 1] (the upper end of λ's uniform), got ${c.mixup}`);
  modeCentres(c.data);
  return c;
}

function normals(rng: RandomStream, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal();
  return out;
}

interface Streams {
  real: RandomStream;
  noise: RandomStream;
  perm: RandomStream;
  lam: RandomStream;
}

/** One batch of real and generated points with targets 1 / 0, shuffled (the demo's one_batch). */
function labelledBatch(g: Model, c: GanConfig, s: Streams): { x: tf.Tensor2D; y: tf.Tensor2D } {
  return tf.tidy(() => {
    const bs = c.batchSize;
    const real = tf.tensor2d(sampleModes(c.data, bs, c.std, s.real), [bs, 2]);
    const fake = g.apply(tf.tensor2d(normals(s.noise, bs * c.latent), [bs, c.latent]), { training: true });
    const perm = tf.tensor1d(s.perm.permutation(2 * bs), 'int32');
    const x = tf.gather(tf.concat([real, fake]), perm) as tf.Tensor2D;
    const y = tf.gather(tf.concat([tf.ones([bs, 1]), tf.zeros([bs, 1])]), perm) as tf.Tensor2D;
    return { x, y };
  });
}

/** The discriminator's batch: plain, or a per-example mix of two batches under mixup. */
export function discriminatorBatch(
  g: Model,
  c: GanConfig,
  s: Streams,
): { x: tf.Tensor2D; y: tf.Tensor2D; lam: Float32Array | null } {
  const a = labelledBatch(g, c, s);
  if (c.mixup === 0) return { ...a, lam: null };
  const b = labelledBatch(g, c, s);
  const lam = s.lam.uniformArray(2 * c.batchSize, 0, c.mixup);
  const out = tf.tidy(() => {
    const l = tf.tensor2d(lam, [lam.length, 1]);
    const mix = (p: tf.Tensor2D, q: tf.Tensor2D) => tf.add(tf.mul(l, p), tf.mul(tf.sub(1, l), q)) as tf.Tensor2D;
    return { x: mix(a.x, b.x), y: mix(a.y, b.y) };
  });
  tf.dispose([a.x, a.y, b.x, b.y]);
  return { ...out, lam };
}

/** Trains one GAN; `onProgress` every `progressEvery` iterations (after a yield to the event loop, as the training loop does). */
export async function trainGan(
  config: GanConfig,
  onProgress?: (p: GanProgress) => void,
  progressEvery = 100,
): Promise<GanResult> {
  const c = validateGanConfig(config);
  const t0 = Date.now();
  const hidden = Array.from({ length: c.layers }, () => c.hidden);
  // The generator's "classes" are its two output coordinates; the discriminator's one output is a logit.
  const g = buildModel({ kind: 'mlp', inputs: c.latent, hidden, numClasses: 2 }, c.seed);
  const d = buildModel({ kind: 'mlp', inputs: 2, hidden, numClasses: 1 }, c.seed + 1_000_003);
  const optD: tf.Optimizer = tf.train.adam(c.lrD),
    optG: tf.Optimizer = tf.train.adam(c.lrG);
  const s: Streams = {
    real: stream(c.seed, 'gan/real'),
    noise: stream(c.seed, 'gan/noise'),
    perm: stream(c.seed, 'gan/perm'),
    lam: stream(c.seed, 'gan/lambda'),
  };
  const evalNoise = tf.tensor2d(normals(stream(c.seed, 'gan/eval-noise'), c.measure.samples * c.latent), [
    c.measure.samples,
    c.latent,
  ]);
  const centres = modeCentres(c.data);
  const measureAt = new Set([...c.measureAt.filter((i) => i >= 1 && i <= c.iterations), c.iterations]);
  const keep = new Set(c.keepPointsAt);
  const dVars = d.params.list(),
    gVars = g.params.list();
  const history: GanCheckpoint[] = [];
  let dSum = 0,
    gSum = 0,
    dCount = 0,
    gCount = 0;
  try {
    for (let it = 1; it <= c.iterations; it++) {
      for (let k = 0; k < c.dSteps; k++) {
        const batch = discriminatorBatch(g, c, s);
        const loss = tf.tidy(() => {
          const { value, grads } = tf.variableGrads(
            () => tf.losses.sigmoidCrossEntropy(batch.y, d.apply(batch.x, { training: true })) as tf.Scalar,
            dVars,
          );
          optD.applyGradients(grads);
          return value.dataSync()[0];
        });
        tf.dispose([batch.x, batch.y]);
        dSum += loss;
        dCount++;
      }
      const gLoss = tf.tidy(() => {
        const z = tf.tensor2d(normals(s.noise, c.batchSize * c.latent), [c.batchSize, c.latent]);
        const { value, grads } = tf.variableGrads(() => {
          // The demo's −BCE over a batch of real and generated points: only the generated half depends on G.
          const logits = d.apply(g.apply(z, { training: true }), { training: true });
          return tf.mul(tf.losses.sigmoidCrossEntropy(tf.zeros([c.batchSize, 1]), logits), -0.5) as tf.Scalar;
        }, gVars);
        optG.applyGradients(grads);
        return value.dataSync()[0];
      });
      if (!Number.isFinite(gLoss) || !Number.isFinite(dSum))
        throw new Error(`GAN training diverged at iteration ${it} (loss ${gLoss}): lower the learning rates`);
      gSum += gLoss;
      gCount++;
      if (measureAt.has(it)) {
        const generated = g.apply(evalNoise, { training: false });
        const pts = generated.dataSync() as Float32Array;
        generated.dispose();
        const cov = modeCoverage(pts, centres, c.measure);
        history.push({
          iteration: it,
          covered: cov.covered,
          modes: cov.modes,
          highQuality: cov.highQuality,
          meanDistance: cov.meanDistance,
          dLoss: dSum / dCount,
          gLoss: gSum / gCount,
          ...(keep.has(it) ? { points: Array.from(pts, (v) => Math.round(v * 1e4) / 1e4) } : {}),
        });
        dSum = gSum = dCount = gCount = 0;
      }
      if (onProgress && (it % progressEvery === 0 || it === c.iterations)) {
        await new Promise((r) => setImmediate(r));
        const elapsed = (Date.now() - t0) / 1000;
        onProgress({
          iteration: it,
          iterations: c.iterations,
          dLoss: history.at(-1)?.dLoss ?? NaN,
          gLoss: history.at(-1)?.gLoss ?? NaN,
          elapsedSeconds: elapsed,
          etaSeconds: (elapsed / it) * (c.iterations - it),
        });
      }
    }
  } finally {
    tf.dispose([evalNoise]);
    optD.dispose();
    optG.dispose();
    g.dispose();
    d.dispose();
  }
  return { history, seconds: (Date.now() - t0) / 1000 };
}
