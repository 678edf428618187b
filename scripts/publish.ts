/**
 * `npm run publish -- --profile lowdata`: copies the finished runs of a profile from the run cache into
 * results/<profile>/ (their result.json only, a few hundred kB at most), to be committed as the evidence of the figures
 * the docs and the notebooks quote. A run is the profile's when a notebook of its report asks for the same
 * configuration at any seed (lib/runs/published's configKey, the one "same configuration, any seed" test): runs of
 * every data set, whatever their seed; and any CIFAR run on the profile's protocol (its data size, width and epochs),
 * whatever its α, noise or variant. `npm run publish -- --speech` copies notebook 6's runs on a whole FSDD split
 * into results/speech/ instead (where the reference comparison's runs were first published).
 */
import path from 'node:path';
import { CIFAR_PROFILES } from '../lib/experiments/cifar';
import { PROFILES, Profile } from '../lib/experiments/profiles';
import { reportRuns } from '../lib/lab';
import { isResultJob } from '../lib/experiments/result-jobs';
import { configKey, publishRuns } from '../lib/runs/published';
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
// Seeds are left out of the match, so the profile's default seeds stand for every seed.
const configs = new Set(
  reportRuns({ MIXUP_PROFILE: profile })
    .map((w) => w.job)
    .flatMap((j) => (isResultJob(j) ? [] : [configKey(j)])),
);
const label = speech ? 'speech' : profile;
const files = speech
  ? // Smoke runs train on a subset of the recordings: not the protocol the reference ran.
    publishRuns(label, (spec) => spec.data.set === 'fsdd-v1.0.10' && !spec.data.trainLimit)
  : publishRuns(
      profile,
      (spec) =>
        configs.has(configKey(spec)) ||
        // CIFAR runs asked for by parameters beyond the defaults (another noise level, dropout rows) on the protocol.
        (spec.data.set === 'cifar10' &&
          spec.data.trainLimit === p.trainLimit &&
          spec.data.testLimit === p.testLimit &&
          spec.train.epochs === p.epochs &&
          (spec.model as { width?: number }).width === p.width),
    );
for (const f of files) console.log(`publish: ${path.relative(process.cwd(), f)}`);
console.log(`publish: ${files.length} run(s) in results/${label}/`);
