/**
 * The PyTorch reference of notebook 6 (tools/reference/speech.py: the same LeNet and VGG-11 layout on the project's
 * own spectrograms), read from results/reference/speech-*.jsonl: one record per trained epoch, a final record per
 * finished run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readJsonLines, REFERENCE_DIR } from './runs';

/** A speech configuration without its seed, as both sides name it. `split` as lib/experiments/speech names it. */
export interface SpeechConfig {
  split: string;
  model: 'lenet' | 'vgg';
  /** VGG's width; 0 for LeNet. */
  width: number;
  epochs: number;
  alpha: number;
}

/** One reference run: its test error % after each epoch, so far as it got. */
export interface SpeechReferenceRun {
  name: string;
  split: string;
  model: 'lenet' | 'vgg';
  width: number;
  /** Epochs the run was started for; `curve` is shorter when it was cut off. */
  epochs: number;
  alpha: number;
  seed: number;
  /** Test error % after epoch i + 1. */
  curve: number[];
  /** Seconds since the run started, after epoch i + 1, at one thread. */
  elapsed: number[];
  source: string;
}

// speech.py names a split by its exported files ("speaker-nicolas"); the lib by "speaker:nicolas".
const libSplit = (s: string) => s.replace(/^speaker-/, 'speaker:');

/** Every reference speech run of the speech-*.jsonl files in `dir`. A run written twice (rerun after a cut) is one. */
export function speechReferenceRuns(dir = REFERENCE_DIR): SpeechReferenceRun[] {
  const files = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => /^speech-.*\.jsonl$/.test(f))
        .sort()
    : [];
  const runs = new Map<string, SpeechReferenceRun>();
  for (const f of files) {
    for (const l of readJsonLines(path.join(dir, f), 'tools/reference/speech.py')) {
      if (l.final === true || typeof l.epoch !== 'number') continue;
      const model = l.model === 'lenet' || l.model === 'vgg' ? l.model : null;
      if (!model)
        throw new Error(`${f}: run ${String(l.name)} has model ${String(l.model)}: speech.py trains lenet or vgg`);
      const key = `${f}/${String(l.name)}`;
      const run = runs.get(key) ?? {
        name: String(l.name),
        split: libSplit(String(l.split)),
        model,
        width: model === 'vgg' ? Number(l.width) : 0,
        epochs: Number(l.epochs),
        alpha: Number(l.alpha),
        seed: Number(l.seed),
        curve: [],
        elapsed: [],
        source: `reference/${f}`,
      };
      run.curve[l.epoch] = Number(l.test_err);
      run.elapsed[l.epoch] = Number(l.s);
      runs.set(key, run);
    }
  }
  // A rerun of a cut run writes its epochs again: the same numbers, the same seed on the same machine. Holes (an
  // epoch missing in the middle) would mean a broken file.
  for (const r of runs.values())
    if (Array.from(r.curve, (v) => v === undefined).includes(true))
      throw new Error(`${r.source}: run ${r.name} misses epochs: rerun it with tools/reference/speech-search.sh`);
  return [...runs.values()];
}

/**
 * The reference's test error % per seed after `c.epochs` epochs: from any run of that configuration at least that
 * long, since Adam's rate is constant and nothing else depends on the run's length, so the first E epochs of a longer
 * run are the E-epoch run.
 */
export function speechReferenceErrors(runs: SpeechReferenceRun[], c: SpeechConfig): Map<number, number> {
  return new Map([...speechReferenceRunsAt(runs, c)].map(([seed, r]) => [seed, r.curve[c.epochs - 1]]));
}

/** The reference run per seed that covers a configuration (the first `c.epochs` of it are that configuration's run). */
export function speechReferenceRunsAt(runs: SpeechReferenceRun[], c: SpeechConfig): Map<number, SpeechReferenceRun> {
  const out = new Map<number, SpeechReferenceRun>();
  for (const r of runs)
    if (
      r.split === c.split &&
      r.model === c.model &&
      (c.model === 'lenet' || r.width === c.width) &&
      r.alpha === c.alpha &&
      r.curve.length >= c.epochs
    )
      out.set(r.seed, r);
  return out;
}
