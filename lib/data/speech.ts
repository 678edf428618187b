/**
 * The spoken digits as the paper's speech nets see them (section 3.3 on FSDD): every recording as a 1-s clip and its
 * log spectrogram, and the training and test data of a split, standardised per frequency bin on the training part.
 */
import type { LabeledData } from './dataset';
import { loadFsdd, FsddSourceOptions, FsddSplit, Recordings, splitFsdd } from './fsdd';
import { SPEECH_FRAMES, spectrogramData, spectrograms, Spectrograms } from './spectrogram';

export interface SpeechSet {
  recordings: Recordings;
  spectrograms: Spectrograms;
}

/** Every recording as a 1-s clip and its log spectrogram (99 frames × 81 bins at 8 kHz). */
export async function loadSpeech(o: FsddSourceOptions = {}): Promise<SpeechSet> {
  const recordings = await loadFsdd({ ...o, seconds: 1 });
  return { recordings, spectrograms: spectrograms(recordings.clips, recordings.length, SPEECH_FRAMES) };
}

/** A split's name in a run spec: 'official', or 'speaker:<name>' for one speaker held out. */
export function splitName(split: FsddSplit): string {
  return split.kind === 'official' ? 'official' : `speaker:${split.heldOut}`;
}

/** The split a run spec names (`splitName`'s inverse). */
export function splitNamed(name: string): FsddSplit {
  if (name === 'official') return { kind: 'official' };
  const m = /^speaker:(.+)$/.exec(name);
  if (!m) throw new Error(`unknown FSDD split '${name}': use 'official' or 'speaker:<name>'`);
  return { kind: 'speaker', heldOut: m[1] };
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
