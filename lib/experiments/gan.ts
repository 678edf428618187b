/**
 * Notebook 7's runs (the paper's section 3.7, after the authors' hongyi-zhang/mixup GAN demo): the plain GAN and the
 * mixup-GAN on each mixture of Gaussians and seed, and a stability sweep of the discriminator's learning rate and
 * steps on the ring. The demo trains 512-unit MLPs for 20,001 iterations; the quick profile is sized to minutes.
 */
import type { GanCheckpoint, GanConfig, GanResult } from '../gan/train';
import type { CachedResult } from '../runs/cache';
import type { Wanted } from './jobs';
import type { ResultJob } from './result-jobs';
import { MODE_SETS, sampleModes } from '../data/modes2d';
import { stream } from '../random';
import { BaseParams, Defaults, profileTable } from './profiles';

export interface GanParams extends BaseParams {
  sets: GanConfig['data'][];
  hidden: number;
  layers: number;
  iterations: number;
  /** The mixup-GAN's bound: λ ~ U(0, mixup). */
  mixup: number;
  lr: number;
  dSteps: number;
  /** The stability sweep on the ring, first seed: discriminator learning rates × discriminator steps. */
  sweepLrD: number[];
  sweepDSteps: number[];
  /** Measurements along the way, and the radius within which a point counts as near a mode. */
  checkpoints: number;
  radius: number;
}

const QUICK: GanParams = {
  seeds: [1, 2],
  sets: ['ring', 'grid'],
  hidden: 64,
  layers: 3,
  iterations: 600,
  mixup: 0.2,
  lr: 1e-3,
  dSteps: 5,
  sweepLrD: [1e-4, 1e-3],
  sweepDSteps: [5],
  checkpoints: 10,
  radius: 0.1,
};

export const GAN_DEFAULTS: Defaults<GanParams> = {
  base: QUICK,
  choices: { sets: MODE_SETS },
  profiles: {
    smoke: {
      seeds: [1],
      sets: ['ring'],
      hidden: 16,
      layers: 2,
      iterations: 20,
      sweepLrD: [1e-3],
      checkpoints: 2,
    },
    paper: {
      seeds: [1, 2, 3],
      hidden: 512,
      iterations: 20001,
      sweepLrD: [1e-4, 3e-4, 1e-3],
      sweepDSteps: [1, 5],
      checkpoints: 20,
    },
  },
};
export const GAN_PROFILES = profileTable(GAN_DEFAULTS);

/** The plain GAN, and the mixup-GAN (real and generated points mixed for the discriminator). */
export const GAN_METHODS = ['GAN', 'mixup-GAN'] as const;

/** One GAN run a notebook asks for, named by what it is: a result job of the pool (its group: the set and lr_D, D steps). */
export interface WantedGan extends Wanted<ResultJob> {
  set: GanConfig['data'];
  method: 'GAN' | 'mixup-GAN';
  seed: number;
  lrD: number;
  dSteps: number;
  /** The notebook's main comparison (its own lr and D steps), or a point of the stability sweep only. */
  main: boolean;
  label: string;
  config: GanConfig;
}

/** The demo's configuration of one run; the method is its mixup bound (0 = the plain GAN). */
export function ganConfig(
  P: GanParams,
  set: GanConfig['data'],
  mixup: number,
  seed: number,
  lrD = P.lr,
  dSteps = P.dSteps,
): GanConfig {
  const every = Math.max(1, Math.floor(P.iterations / P.checkpoints));
  return {
    data: set,
    std: 0.01,
    latent: 2,
    hidden: P.hidden,
    layers: P.layers,
    batchSize: 128,
    dSteps,
    iterations: P.iterations,
    lrD,
    lrG: P.lr,
    mixup,
    seed,
    measureAt: Array.from({ length: P.checkpoints }, (_, i) => (i + 1) * every),
    keepPointsAt: [every, Math.round(P.checkpoints / 2) * every, P.iterations],
    measure: { samples: 1000, radius: P.radius, minShare: 0.25 },
  };
}

/** Every run: each set × seed × method, then the sweep on the ring at the first seed (a point already listed once). */
export function ganRuns(P: GanParams): WantedGan[] {
  const out: WantedGan[] = [];
  const add = (set: GanConfig['data'], method: WantedGan['method'], seed: number, lrD: number, dSteps: number) => {
    if (
      out.some((w) => w.set === set && w.method === method && w.seed === seed && w.lrD === lrD && w.dSteps === dSteps)
    )
      return;
    const mixup = method === 'GAN' ? 0 : P.mixup;
    const config = ganConfig(P, set, mixup, seed, lrD, dSteps);
    out.push({
      set,
      method,
      seed,
      lrD,
      dSteps,
      main: lrD === P.lr && dSteps === P.dSteps,
      group: `${set}, lr_D ${lrD}, ${dSteps} D steps`,
      label: `${set}, ${method}, seed ${seed}, lr_D ${lrD}, ${dSteps} D steps`,
      config,
      job: { kind: 'gan-2d', spec: config as unknown as Record<string, unknown> },
    });
  };
  for (const set of P.sets) for (const seed of P.seeds) for (const m of GAN_METHODS) add(set, m, seed, P.lr, P.dSteps);
  for (const lrD of P.sweepLrD)
    for (const dSteps of P.sweepDSteps) for (const m of GAN_METHODS) add('ring', m, P.seeds[0], lrD, dSteps);
  return out;
}

/** Each computed run's history of measurements, beside what it is. */
export function ganHistories(
  computed: (WantedGan & { result: CachedResult<GanResult> })[],
): (WantedGan & { history: GanCheckpoint[] })[] {
  return computed.map(({ result, ...w }) => ({ ...w, history: result.result.history }));
}

/**
 * Real and generated points of one set and seed at the checkpoints that kept points, per method (the main runs): rows
 * for scatterPanels.
 */
export function ganSampleRows(
  runs: (WantedGan & { history: GanCheckpoint[] })[],
  set: GanConfig['data'],
  seed: number,
) {
  const real = sampleModes(set, 1000, 0.01, stream(seed, 'plot-real'));
  return runs
    .filter((r) => r.main && r.set === set && r.seed === seed)
    .flatMap((r) =>
      r.history
        .filter((h) => h.points)
        .flatMap((h) => [
          ...Array.from({ length: real.length / 2 }, (_, i) => ({
            method: r.method,
            iteration: h.iteration,
            who: 'real',
            x: real[2 * i],
            y: real[2 * i + 1],
          })),
          ...Array.from({ length: h.points!.length / 2 }, (_, i) => ({
            method: r.method,
            iteration: h.iteration,
            who: 'generated',
            x: h.points![2 * i],
            y: h.points![2 * i + 1],
          })),
        ]),
    );
}
