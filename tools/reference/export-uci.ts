/**
 * Notebook 4's rows for the PyTorch UCI reference (uci.py): every split notebook 4 trains on at a profile, loaded by
 * the very loader our runs use (lib/data/sets: the seeded test split, the validation rows carved from the training
 * rows, the fill and the scaling), written as raw float32 / int32 files, and the list of runs the notebook asks for, so
 * that both sides train on the same numbers and run the same list.
 *   node dist/tools/reference/export-uci.js OUT_DIR [--profile quick] [--seeds 1,2,3]
 * Writes OUT_DIR/runs.json ({ profile, protocol, splits, runs }) and, per split, <split>.{train,test}.{x.f32,y.i32}.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { dataSet } from '../../lib/data/sets';
import type { TabularData } from '../../lib/data/dataset';
import { PROFILES, Profile } from '../../lib/experiments/profiles';
import { UCI_PROFILES, uciConfig, uciRuns } from '../../lib/experiments/uci';

const USAGE = `node dist/tools/reference/export-uci.js OUT_DIR [--profile ${PROFILES.join('|')}] [--seeds 1,2,3]`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { profile: { type: 'string', default: 'quick' }, seeds: { type: 'string' } },
  });
  const [out] = positionals;
  if (!out || positionals.length !== 1) throw new Error(`usage: ${USAGE}`);
  if (!(PROFILES as readonly string[]).includes(values.profile))
    throw new Error(`unknown profile '${values.profile}': ${USAGE}`);
  const base = UCI_PROFILES[values.profile as Profile];
  const seeds = values.seeds?.split(',').map(Number);
  if (seeds?.some((s) => !Number.isInteger(s) || s < 0))
    throw new Error(`--seeds ${values.seeds}: give whole numbers ≥ 0, e.g. --seeds 1,2,3`);
  const P = { ...base, ...(seeds ? { seeds } : {}) };
  fs.mkdirSync(out, { recursive: true });
  const splits: Record<string, { inputs: number; classes: number; train: number; test: number }> = {};
  const runs = [];
  for (const w of uciRuns(P)) {
    const spec = w.job;
    const c = uciConfig(w);
    // A split's file stem: the set, its scaling, the rows it is scored on and its seed (the split's seed).
    const split = `${c.set}-${c.scaling}-${c.scored}-s${c.seed}`;
    if (!splits[split]) {
      const { train, test } = await dataSet(spec.data).load(spec.data, spec.train.seed);
      for (const [part, d] of [
        ['train', train as TabularData],
        ['test', test as TabularData],
      ] as const) {
        const x = d.features;
        fs.writeFileSync(path.join(out, `${split}.${part}.x.f32`), Buffer.from(x.buffer, x.byteOffset, x.byteLength));
        fs.writeFileSync(path.join(out, `${split}.${part}.y.i32`), Buffer.from(Int32Array.from(d.labels).buffer));
      }
      splits[split] = {
        inputs: (train as TabularData).exampleShape[0],
        classes: train.numClasses,
        train: train.n,
        test: test.n,
      };
    }
    runs.push({ name: `${split}-a${c.alpha}`, split, ...c });
  }
  const protocol = {
    epochs: P.epochs,
    batch: P.batchSize,
    lr: 0.001,
    hidden: [128, 128],
    testFraction: P.testFraction,
    validationFraction: P.validationFraction,
  };
  fs.writeFileSync(
    path.join(out, 'runs.json'),
    JSON.stringify({ profile: values.profile, protocol, splits, runs }, null, 1),
  );
  console.log(`export-uci: ${Object.keys(splits).length} splits and ${runs.length} runs in ${out}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
