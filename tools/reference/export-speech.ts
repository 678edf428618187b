/**
 * Notebook 6's spectrograms for the PyTorch speech reference (speech.py): the project's own log spectrograms of every
 * FSDD recording, split and standardised exactly as `lib/experiments/speech` feeds them to our nets, written as raw
 * float32 / int32 files with a JSON header, so that both sides train on the same numbers.
 *   node dist/tools/reference/export-speech.js OUT_DIR [official] [speaker:NAME ...]
 * Writes OUT_DIR/<split>.json ({ frames, bins, train: n, test: n }) and <split>.{train,test}.{x.f32,y.i32}.
 */
import fs from 'node:fs';
import path from 'node:path';
import { useBackend } from '../../lib/backend';
import type { TabularData } from '../../lib/data/dataset';
import type { FsddSplit } from '../../lib/data/fsdd';
import { loadSpeech, speechData, splitName } from '../../lib/experiments/speech';

function parseSplit(s: string): FsddSplit {
  if (s === 'official') return { kind: 'official' };
  const m = s.match(/^speaker:(\w+)$/);
  if (!m) throw new Error(`unknown split '${s}': use official or speaker:NAME`);
  return { kind: 'speaker', heldOut: m[1] };
}

async function main(): Promise<void> {
  const [out, ...names] = process.argv.slice(2);
  if (!out) throw new Error('usage: node dist/tools/reference/export-speech.js OUT_DIR [official] [speaker:NAME ...]');
  useBackend();
  const speech = await loadSpeech();
  fs.mkdirSync(out, { recursive: true });
  for (const split of (names.length ? names : ['official']).map(parseSplit)) {
    const data = speechData(speech, split, 0);
    const name = splitName(split).replace(':', '-');
    for (const [part, d] of [
      ['train', data.train],
      ['test', data.test],
    ] as const) {
      const x = (d as TabularData).features;
      fs.writeFileSync(path.join(out, `${name}.${part}.x.f32`), Buffer.from(x.buffer, x.byteOffset, x.byteLength));
      fs.writeFileSync(path.join(out, `${name}.${part}.y.i32`), Buffer.from(Int32Array.from(d.labels).buffer));
    }
    const header = {
      split: splitName(split),
      frames: speech.spectrograms.frames,
      bins: speech.spectrograms.bins,
      train: data.train.n,
      test: data.test.n,
    };
    fs.writeFileSync(path.join(out, `${name}.json`), JSON.stringify(header));
    console.log(
      `export-speech: ${name}: ${data.train.n} training and ${data.test.n} test spectrograms of ${header.frames}×${header.bins}`,
    );
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
