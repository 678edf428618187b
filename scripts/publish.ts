/**
 * `npm run publish -- --profile lowdata`: copies the finished CIFAR runs of a profile from the run cache into
 * results/<profile>/ (their result.json only, a few hundred kB each), to be committed as the evidence of the figures
 * the docs and the notebooks quote. A run matches the profile on its data size, width and epochs, whatever its
 * seed, α or label noise. `npm run publish -- --speech` copies notebook 6's runs on a whole FSDD split into
 * results/speech/ instead.
 */
import path from 'node:path';
import { CIFAR_PROFILES } from '../lib/experiments/cifar';
import { PROFILES, Profile } from '../lib/experiments/profiles';
import { publishRuns } from '../lib/runs/published';
import { parseCli } from './cli';

const USAGE = `npm run publish -- --profile ${PROFILES.join('|')} | --speech`;
let profile: Profile;
let speech = false;
try {
  const { values } = parseCli(
    { options: { profile: { type: 'string', default: 'lowdata' }, speech: { type: 'boolean', default: false } } },
    USAGE,
  );
  speech = values.speech;
  if (!(PROFILES as readonly string[]).includes(values.profile))
    throw new Error(`unknown profile '${values.profile}': ${USAGE}`);
  profile = values.profile as Profile;
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
const p = CIFAR_PROFILES[profile];
const label = speech ? 'speech' : profile;
const files = speech
  ? // Smoke runs train on a subset of the recordings: not the protocol the reference ran.
    publishRuns(label, (spec) => spec.data.set === 'fsdd-v1.0.10' && !spec.data.trainLimit)
  : publishRuns(
      profile,
      (spec) =>
        spec.data.set === 'cifar10' &&
        spec.data.trainLimit === p.trainLimit &&
        spec.data.testLimit === p.testLimit &&
        spec.train.epochs === p.epochs &&
        (spec.model as { width?: number }).width === p.width,
    );
for (const f of files) console.log(`publish: ${path.relative(process.cwd(), f)}`);
console.log(`publish: ${files.length} run(s) in results/${label}/`);
