/**
 * The spoken-digit runs of notebook 6 (the paper's section 3.3 on FSDD): spectrograms computed once per session,
 * a split (the official one, or one speaker held out), and run specs for the run cache.
 */
import { FSDD_SPEAKERS, loadFsdd, FsddSourceOptions, FsddSplit, Recordings, splitFsdd } from '../data/fsdd';
import type { LabeledData } from '../data/dataset';
import { SPEECH_FRAMES, spectrogramData, spectrograms, Spectrograms } from '../data/spectrogram';
import type { ModelSpec } from '../models';
import type { TrainCallbacks } from '../train/loop';
import { cachedRun, CachedRun, RunResult, runKey, RunSpec } from '../runs/cache';
import { configKey, publishedRuns } from '../runs/published';
import { lastTestError } from '../train/history';
import type { BaseParams, Profile } from './profiles';

export interface SpeechSet {
  recordings: Recordings;
  spectrograms: Spectrograms;
}

/** Every recording as a 1-s clip and its log spectrogram (99 frames × 81 bins at 8 kHz). */
export async function loadSpeech(o: FsddSourceOptions = {}): Promise<SpeechSet> {
  const recordings = await loadFsdd({ ...o, seconds: 1 });
  return { recordings, spectrograms: spectrograms(recordings.clips, recordings.length, SPEECH_FRAMES) };
}

export function splitName(split: FsddSplit): string {
  return split.kind === 'official' ? 'official' : `speaker:${split.heldOut}`;
}

/**
 * Training and test data of a split, standardised per frequency bin on the training part. `trainLimit` > 0 keeps that
 * many training recordings, evenly spaced through the name-sorted list so every digit stays in (0 = all).
 */
export function speechData(s: SpeechSet, split: FsddSplit, trainLimit = 0): { train: LabeledData; test: LabeledData } {
  const parts = splitFsdd(s.recordings, split);
  const n = parts.train.length;
  const train =
    trainLimit > 0 && trainLimit < n
      ? Int32Array.from({ length: trainLimit }, (_, i) => parts.train[Math.floor((i * n) / trainLimit)])
      : parts.train;
  const test = parts.test;
  const labels = s.recordings.digits;
  return {
    train: spectrogramData(s.spectrograms, labels, 10, train, train),
    test: spectrogramData(s.spectrograms, labels, 10, test, train),
  };
}

export interface SpeechParams {
  epochs: number;
  batchSize: number;
  lr: number;
  vggWidth: number;
  /** Train on n of the split's training recordings, evenly spaced (0 = all): for smoke runs. */
  trainLimit: number;
}

/** The paper's pair of speech nets on these spectrograms. */
export function speechModel(kind: 'lenet' | 'vgg', s: SpeechSet, p: SpeechParams): ModelSpec {
  const input = [s.spectrograms.frames, s.spectrograms.bins, 1];
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

export function speechRun(
  s: SpeechSet,
  p: SpeechParams,
  kind: 'lenet' | 'vgg',
  split: FsddSplit,
  alpha: number,
  seed: number,
  callbacks?: TrainCallbacks,
  data = speechData(s, split, p.trainLimit),
): Promise<CachedRun> {
  return cachedRun(speechSpec(p, speechModel(kind, s, p), split, alpha, seed), data, callbacks);
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

export const SPEECH_PROFILES: Record<Profile, SpeechNotebookParams> = {
  smoke: { ...QUICK, epochs: 1, heldOutEpochs: 1, vggWidth: 2, heldOut: ['theo'], trainLimit: 200 },
  quick: QUICK,
  lowdata: QUICK,
  paper: {
    ...QUICK,
    seeds: [1, 2, 3],
    epochs: 30,
    heldOutEpochs: 30,
    vggWidth: 64,
    alphas: [0, 0.1, 0.2],
    heldOutAlphas: [0, 0.1, 0.2],
    heldOut: [...FSDD_SPEAKERS],
  },
};

/** The splits a parameter set trains: the official one, then each held-out speaker. */
export function speechSplits(P: SpeechNotebookParams): FsddSplit[] {
  return [{ kind: 'official' }, ...P.heldOut.map((heldOut) => ({ kind: 'speaker' as const, heldOut }))];
}

/** Every run of notebook 6 through the run cache: each split × net × α × seed; the models are disposed of. */
export async function speechRuns(
  s: SpeechSet,
  P: SpeechNotebookParams,
  progress?: (label: string) => TrainCallbacks,
): Promise<RunResult[]> {
  const out: RunResult[] = [];
  for (const split of speechSplits(P)) {
    const data = speechData(s, split, P.trainLimit);
    const official = split.kind === 'official';
    const p = { ...P, epochs: official ? P.epochs : P.heldOutEpochs };
    for (const model of P.models)
      for (const alpha of official ? P.alphas : P.heldOutAlphas)
        for (const seed of P.seeds) {
          const run = await speechRun(
            s,
            p,
            model,
            split,
            alpha,
            seed,
            progress?.(`${splitName(split)}, ${model}, α = ${alpha}, seed ${seed}`),
            data,
          );
          run.model.dispose();
          const { model: _, ...result } = run;
          out.push(result);
        }
  }
  return out;
}
