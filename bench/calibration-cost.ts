/**
 * `node dist/bench/calibration-cost.js [--record yes|no]`: what notebook 2's calibration section costs a CIFAR run of a
 * profile (quick by default: --profile P). The ECE, reliability bins and the rest come from the last epoch's own
 * scoring pass (no second pass): their cost is the binning alone. The out-of-distribution measures score 2 × 1,000 more
 * images once per run. Both are timed on the profile's network (one TensorFlow thread, as a pool worker trains) and
 * set against the run's recorded seconds and the report's wall time (results/<profile>/timings.json). Writes
 * results/calibration/cost.json unless --record no.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tf, useBackend } from '../lib/backend';
import { loadCifar10 } from '../lib/data/cifar10';
import { ImageData } from '../lib/data/dataset';
import { oodSets } from '../lib/data/ood';
import { calibration } from '../lib/eval/calibration';
import { predict } from '../lib/eval/metrics';
import { oodMeasures } from '../lib/eval/ood';
import { CIFAR_PROFILES } from '../lib/experiments/cifar';
import { OOD_IMAGES } from '../lib/experiments/jobs';
import { PROFILES } from '../lib/experiments/profiles';
import { buildModel } from '../lib/models';
import { machine } from '../scripts/record';
import { parseCli } from '../scripts/cli';

process.env.TF_NUM_INTRAOP_THREADS ??= '1';
const USAGE = 'node dist/bench/calibration-cost.js [--profile quick] [--record yes|no]';
const { values } = parseCli(
  { options: { profile: { type: 'string', default: 'quick' }, record: { type: 'string', default: 'yes' } } },
  USAGE,
);
if (!(PROFILES as readonly string[]).includes(values.profile))
  throw new Error(`unknown profile '${values.profile}': ${USAGE}`);
if (values.record !== 'yes' && values.record !== 'no') throw new Error(`--record yes or no: ${USAGE}`);
const ROOT = path.resolve(__dirname, '..', '..');

const seconds = (f: () => void, reps = 3): number => {
  f();
  const t = process.hrtime.bigint();
  for (let i = 0; i < reps; i++) f();
  return Number(process.hrtime.bigint() - t) / 1e9 / reps;
};

async function main(): Promise<void> {
  useBackend('tensorflow');
  const P = CIFAR_PROFILES[values.profile as keyof typeof CIFAR_PROFILES];
  const data = await loadCifar10({ trainLimit: P.trainLimit, testLimit: P.testLimit });
  const model = buildModel({ kind: 'preact-resnet18', width: P.width, numClasses: 10 }, 1);
  const pred = predict(model, data.test);
  const bins = seconds(() => calibration(pred, data.test.labels), 20);
  const scoring = seconds(() => predict(model, data.test), 1);
  const sets = oodSets(data.test as ImageData, Math.min(OOD_IMAGES, data.test.n));
  const ood = seconds(() => oodMeasures(model, sets), 2);
  model.dispose();
  const timingsFile = path.join(ROOT, 'results', values.profile, 'timings.json');
  const timings = fs.existsSync(timingsFile)
    ? (JSON.parse(fs.readFileSync(timingsFile, 'utf8')) as {
        wallSeconds: number;
        pool?: { runs: number; workers: number; seconds: number };
      })
    : null;
  const runs = timings?.pool?.runs ?? null;
  const perRun = bins + ood;
  // Each worker adds its runs' cost in turn; the pool's workers run side by side.
  const addedWall = runs && timings?.pool ? (perRun * runs) / timings.pool.workers : null;
  const record = {
    profile: values.profile,
    testImages: data.test.n,
    oodImages: 2 * sets.noise.n,
    binningSeconds: +bins.toFixed(4),
    scoringSecondsForComparison: +scoring.toFixed(2),
    oodSeconds: +ood.toFixed(2),
    perRunSeconds: +perRun.toFixed(2),
    reportRuns: runs,
    reportWallSeconds: timings?.wallSeconds ?? null,
    addedWallSeconds: addedWall === null ? null : +addedWall.toFixed(1),
    shareOfReport: addedWall === null || !timings ? null : +(addedWall / timings.wallSeconds).toFixed(5),
    threads: Number(process.env.TF_NUM_INTRAOP_THREADS),
    ...machine(ROOT),
  };
  console.log(
    `${values.profile}: binning ${(1000 * bins).toFixed(1)} ms (the last epoch's scoring of ${data.test.n} images ` +
      `itself: ${scoring.toFixed(1)} s, paid anyway); out-of-distribution ${ood.toFixed(2)} s for ${2 * sets.noise.n} images; ` +
      (addedWall === null
        ? 'no recorded report to set it against'
        : `× ${runs} runs on ${timings!.pool!.workers} workers: ${addedWall.toFixed(0)} s of a ${timings!.wallSeconds.toFixed(0)} s report ` +
          `(${(100 * record.shareOfReport!).toFixed(2)} %)`),
  );
  if (values.record === 'yes') {
    const out = path.join(ROOT, 'results', 'calibration', 'cost.json');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, `${JSON.stringify(record, null, 1)}\n`);
    console.log(`recorded in ${path.relative(ROOT, out)} (${os.hostname()})`);
  }
  tf.disposeVariables();
}

main().catch((e) => {
  console.error((e as Error).message);
  process.exit(1);
});
