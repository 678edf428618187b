/** The one schema of a job that crosses a process or machine boundary: every kind a report asks for, and refusals naming the field. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkJob } from '../lib/experiments/job-schema';
import { jobKey } from '../lib/experiments/jobs';
import { reportRuns } from '../lib/lab';

test('every job of the smoke and quick reports passes the payload schema unchanged, whatever its data set or kind', () => {
  const kinds = new Set<string>();
  for (const profile of ['smoke', 'quick']) {
    for (const w of reportRuns({ MIXUP_PROFILE: profile })) {
      const checked = checkJob(w.job, w.label);
      assert.equal(jobKey(checked), jobKey(w.job), `${w.label}: the checked job keeps its key`);
      kinds.add('kind' in w.job ? w.job.kind : String(w.job.data.set).replace(/^uci-.*/, 'uci'));
    }
  }
  assert.deepEqual([...kinds].sort(), ['attacks', 'cifar10', 'fsdd-v1.0.10', 'gan-2d', 'two-moons', 'uci']);
});

test('a bad job of each kind is refused, naming the field', () => {
  const all = reportRuns({ MIXUP_PROFILE: 'smoke' }).map((w) => w.job);
  const of = (pred: (j: (typeof all)[number]) => boolean) =>
    structuredClone(all.find(pred)!) as never as Record<string, any>;
  const speech = of((j) => 'data' in j && j.data.set === 'fsdd-v1.0.10');
  speech.data.split = 'speaker:nobody';
  assert.throws(() => checkJob(speech), /job is not a valid job: data\.split: /);
  const uci = of((j) => 'data' in j && j.data.set === 'uci-iris');
  uci.data.testFraction = 1;
  assert.throws(() => checkJob(uci), /data\.testFraction: Too big/);
  const moons = of((j) => 'data' in j && j.data.set === 'two-moons');
  moons.model.hidden = [1e6];
  assert.throws(() => checkJob(moons), /model\.hidden\.0: Too big/);
  const gan = of((j) => 'kind' in j && j.kind === 'gan-2d');
  gan.spec.iterations = -1;
  assert.throws(() => checkJob(gan), /spec\.iterations: Too small/);
  const sweep = of((j) => 'kind' in j && j.kind === 'attacks');
  sweep.spec.models.mixup.train.epochs = 1e9;
  assert.throws(() => checkJob(sweep), /spec\.models\.mixup\.train\.epochs: Too big/);
  assert.throws(() => checkJob({ kind: 'rm -rf', spec: {} }), /kind: /);
});
