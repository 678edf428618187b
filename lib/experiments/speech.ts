/**
 * The spoken-digit runs of notebook 6 (the paper's section 3.3 on FSDD): spectrograms computed once per session,
 * a split (the official one, or one speaker held out), and run specs for the run cache.
 */
import { FSDD_RATE, FSDD_SPEAKERS, FsddSplit } from '../data/fsdd';
import { SPEECH_FRAMES, spectrogramShape } from '../data/spectrogram';
import { loadSpeech, SpeechSet, speechData, splitName } from '../data/speech';
import type { ModelSpec } from '../models';
import type { CachedRun, RunResult, RunSpec } from '../runs/cache';
import { runKey } from '../runs/cache';
import { configKey, publishedRuns } from '../runs/published';
import { lastTestError } from '../train/history';
import type { WantedRun } from './jobs';
import { BaseParams, Defaults, profileTable } from './profiles';
import { paperLabel } from '../methods';

export { loadSpeech, speechData, splitName };
export type { SpeechSet };

export interface SpeechParams {
  epochs: number;
  batchSize: number;
  lr: number;
  vggWidth: number;
  /** Train on n of the split's training recordings, evenly spaced (0 = all): for smoke runs. */
  trainLimit: number;
}

/** The paper's pair of speech nets on these spectrograms (1-s clips at FSDD's rate: their shape needs no recording). */
export function speechModel(kind: 'lenet' | 'vgg', p: SpeechParams): ModelSpec {
  const { frames, bins } = spectrogramShape(FSDD_RATE, SPEECH_FRAMES);
  const input = [frames, bins, 1];
  return kind === 'lenet' ? { kind, input, numClasses: 10 } : { kind, input, width: p.vggWidth, numClasses: 10 };
}

/** Adam at the paper's lr 0.001, batch 100 (recalled); no augmentation beyond mixup. */
export function speechSpec(p: SpeechParams, model: ModelSpec, split: FsddSplit, alpha: number, seed: number): RunSpec {
  return {
    data: {
      set: 'fsdd-v1.0.10',
      split: splitName(split),
      seconds: 1,
      frames: SPEECH_FRAMES,
      features: 'log|stft|, standardised per bin on train',
      ...(p.trainLimit > 0 ? { trainLimit: p.trainLimit } : {}),
    },
    model,
    train: {
      epochs: p.epochs,
      batchSize: p.batchSize,
      optimizer: { kind: 'adam', lr: p.lr },
      mixup: { alpha },
      seed,
      augment: false,
    },
  };
}

/** A finished speech run as notebook 6's comparison reads it: configuration, seed and last-epoch test error %. */
export function speechRunRow(run: RunResult): {
  split: string;
  model: 'lenet' | 'vgg';
  width: number;
  epochs: number;
  alpha: number;
  trainLimit: number;
  seed: number;
  error: number;
} {
  const m = run.spec.model as { kind: 'lenet' | 'vgg'; width?: number };
  return {
    split: String(run.spec.data.split),
    model: m.kind,
    width: m.kind === 'vgg' ? (m.width ?? 0) : 0,
    epochs: run.spec.train.epochs,
    alpha: run.spec.train.mixup.alpha,
    trainLimit: Number(run.spec.data.trainLimit ?? 0),
    seed: run.spec.train.seed,
    error: 100 * lastTestError(run.history),
  };
}

/**
 * The runs a notebook just trained and, for each of their configurations, the published runs of the other seeds
 * (results/): the comparison over seeds that a one-seed profile could not train in minutes.
 */
export function withPublishedSeeds(runs: RunResult[]): RunResult[] {
  const configs = new Set(runs.map((r) => configKey(r.spec)));
  const seen = new Set(runs.map((r) => runKey(r.spec)));
  const out = [...runs];
  // results/ read once for every configuration, not once per run.
  for (const { run } of publishedRuns()) {
    const key = runKey(run.spec);
    if (configs.has(configKey(run.spec)) && !seen.has(key)) {
      seen.add(key);
      out.push(run);
    }
  }
  return out;
}

/** Notebook 6's parameters: the official split briefly, the held-out speaker(s) at the reference search's regime. */
export interface SpeechNotebookParams extends BaseParams, SpeechParams {
  heldOutEpochs: number;
  models: ('lenet' | 'vgg')[];
  alphas: number[];
  heldOut: string[];
  heldOutAlphas: number[];
}

/** quick: the official split at 10 epochs (nearly solved by then) and the held-out speaker at the search's longest. */
const QUICK: SpeechNotebookParams = {
  seeds: [1],
  epochs: 10,
  heldOutEpochs: 60,
  batchSize: 100,
  lr: 0.001,
  vggWidth: 8,
  models: ['lenet', 'vgg'],
  alphas: [0, 0.2],
  heldOut: ['nicolas'],
  heldOutAlphas: [0, 0.2],
  trainLimit: 0,
};

export const SPEECH_DEFAULTS: Defaults<SpeechNotebookParams> = {
  base: QUICK,
  choices: { heldOut: FSDD_SPEAKERS, models: ['lenet', 'vgg'] },
  profiles: {
    smoke: { epochs: 1, heldOutEpochs: 1, vggWidth: 2, heldOut: ['theo'], trainLimit: 200 },
    paper: {
      seeds: [1, 2, 3],
      epochs: 30,
      heldOutEpochs: 30,
      vggWidth: 64,
      alphas: [0, 0.1, 0.2],
      heldOutAlphas: [0, 0.1, 0.2],
      heldOut: [...FSDD_SPEAKERS],
    },
  },
};
export const SPEECH_PROFILES = profileTable(SPEECH_DEFAULTS);

/** The splits a parameter set trains: the official one, then each held-out speaker. */
export function speechSplits(P: SpeechNotebookParams): FsddSplit[] {
  return [{ kind: 'official' }, ...P.heldOut.map((heldOut) => ({ kind: 'speaker' as const, heldOut }))];
}

/** Notebook 6: each split × net × α × seed; a run's method is its α (lib/methods' paperLabel), its group its split and net. */
export function speechRuns(P: SpeechNotebookParams): WantedRun[] {
  return speechSplits(P).flatMap((split) => {
    const official = split.kind === 'official';
    const p = { ...P, epochs: official ? P.epochs : P.heldOutEpochs };
    return P.models.flatMap((model) =>
      (official ? P.alphas : P.heldOutAlphas).flatMap((alpha) =>
        P.seeds.map((seed) => ({
          method: paperLabel(alpha),
          group: `${splitName(split)}, ${model}`,
          seed,
          label: `${splitName(split)}, ${model}, α = ${alpha}, seed ${seed}`,
          job: speechSpec(p, speechModel(model, p), split, alpha, seed),
        })),
      ),
    );
  });
}

/** The trained runs' results, as notebook 6's comparison reads them (the models are disposed of). */
export function speechResults(trained: (WantedRun & { run: CachedRun })[]): RunResult[] {
  return trained.map(({ run: { model, dir: _, cached: __, ...result } }) => {
    model.dispose();
    return result;
  });
}
