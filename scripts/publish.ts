/**
 * `npm run publish -- --profile lowdata`: copies the finished CIFAR runs of a profile from the run cache into
 * results/<profile>/ (their result.json only, a few hundred kB each), to be committed as the evidence of the figures
 * the README and the notebooks quote. A run matches the profile on its data size, width and epochs, whatever its
 * seed, α or label noise.
 */
import path from 'node:path';
import { CIFAR_PROFILES } from '../lib/experiments/cifar';
import { PROFILES, Profile } from '../lib/experiments/profiles';
import { publishRuns } from '../lib/runs/published';

const argv = process.argv.slice(2);
const i = argv.indexOf('--profile');
const profile = (i >= 0 ? argv[i + 1] : 'lowdata') as Profile;
if (!PROFILES.includes(profile) || argv.some((a, k) => a.startsWith('--') && a !== '--profile' && k !== i + 1)) {
  console.error(`usage: npm run publish -- --profile ${PROFILES.join('|')}`);
  process.exit(1);
}
const p = CIFAR_PROFILES[profile];
const files = publishRuns(profile, (spec) => spec.data.set === 'cifar10' && spec.data.trainLimit === p.trainLimit &&
  spec.data.testLimit === p.testLimit && spec.train.epochs === p.epochs && (spec.model as { width?: number }).width === p.width);
for (const f of files) console.log(`publish: ${path.relative(process.cwd(), f)}`);
console.log(`publish: ${files.length} run(s) of the ${profile} profile in results/${profile}/`);
