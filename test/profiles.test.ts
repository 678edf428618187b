import assert from 'node:assert/strict';
import { test } from 'node:test';
import { notebookParams, ParamError, params, paramSources, profileTable, PROFILES } from '../lib/experiments/profiles';
import { inspect } from 'node:util';
import * as lab from '../lib/lab';
import { params as notebookParamsCell } from '../lib/notebook/params';
import { stamp, staleNotice } from '../lib/notebook/stale';
import { paramRows } from '../lib/notebook/display';
import { CIFAR_PROFILES, cifarSpec } from '../lib/experiments/cifar';
import { CIFAR_SGD_RECIPE, PAPER_CIFAR_SGD, sgdForEpochs } from '../lib/train/optimizer';
import { runKey } from '../lib/runs/cache';
import { staleSources } from '../lib/notebook/fresh';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const defaults = {
  smoke: { seeds: [1], epochs: 1 },
  quick: { seeds: [1, 2, 3], epochs: 4 },
  lowdata: { seeds: [1], epochs: 240 },
  paper: { seeds: [1], epochs: 200 },
};

test('notebook parameters: profile, seeds and JSON overrides from the environment; bad values named', () => {
  assert.deepEqual(notebookParams(defaults, {}), { seeds: [1, 2, 3], epochs: 4, profile: 'quick' });
  assert.deepEqual(notebookParams(defaults, { MIXUP_PROFILE: 'smoke', MIXUP_SEED: '7' }), {
    seeds: [7],
    epochs: 1,
    profile: 'smoke',
  });
  assert.deepEqual(notebookParams(defaults, { MIXUP_SEEDS: '4,5', MIXUP_PARAMS: '{"epochs": 9}' }), {
    seeds: [4, 5],
    epochs: 9,
    profile: 'quick',
  });
  assert.deepEqual(notebookParams(defaults, { MIXUP_PROFILE: 'lowdata' }), {
    seeds: [1],
    epochs: 240,
    profile: 'lowdata',
  });
  assert.throws(
    () => notebookParams(defaults, { MIXUP_PROFILE: 'fast' }),
    /MIXUP_PROFILE=fast is not a profile: use one of smoke, quick, lowdata, paper/,
  );
  assert.throws(
    () => notebookParams(defaults, { MIXUP_PARAMS: '{"epoch": 9}' }),
    /unknown key\(s\) epoch: this notebook takes seeds, epochs/,
  );
  assert.throws(() => notebookParams(defaults, { MIXUP_PARAMS: '{epochs' }), /MIXUP_PARAMS is not valid JSON/);
  assert.throws(() => notebookParams(defaults, { MIXUP_SEEDS: '1,x' }), /seeds are non-negative integers/);
});

test('the parameters cell: its literals over the profile, a headless run over them, every source named, bad values refused', () => {
  // Interactive (no MIXUP_PROFILE): the cell's profile and literals.
  const P = params(defaults, { profile: 'smoke', seeds: [7] }, {});
  assert.deepEqual(P, { seeds: [7], epochs: 1, profile: 'smoke' });
  assert.deepEqual(paramSources(P), { seeds: 'cell', epochs: 'profile', profile: 'cell' });
  assert.deepEqual(
    paramRows(P).find((r) => r.parameter === 'seeds'),
    { parameter: 'seeds', value: '[7]', from: 'this cell' },
  );
  // Headless: MIXUP_PROFILE's profile replaces the literals whole, as papermill's injected cell would.
  const H = params(defaults, { profile: 'smoke', seeds: [7] }, { MIXUP_PROFILE: 'quick' });
  assert.deepEqual(H, { seeds: [1, 2, 3], epochs: 4, profile: 'quick' });
  assert.equal(paramSources(H).seeds, 'profile');
  assert.equal(paramSources(H).profile, 'MIXUP_PROFILE');
  // MIXUP_SEEDS and MIXUP_PARAMS override single values of either.
  const S = params(defaults, { seeds: [7] }, { MIXUP_SEEDS: '4,5', MIXUP_PARAMS: '{"epochs": 9}' });
  assert.deepEqual(S, { seeds: [4, 5], epochs: 9, profile: 'quick' });
  assert.deepEqual(paramSources(S), { seeds: 'MIXUP_SEEDS', epochs: 'MIXUP_PARAMS', profile: 'profile' });
  assert.throws(
    () => params(defaults, { epoch: 3 } as never, {}),
    /the parameters cell has unknown key\(s\) epoch: this notebook takes seeds, epochs/,
  );
  assert.throws(
    () => params(defaults, { seeds: 1 } as never, {}),
    /seeds = 1 is not a non-empty list of non-negative whole numbers/,
  );
  assert.throws(
    () => params(defaults, { epochs: '3' } as never, {}),
    /epochs = "3" is not a number like the profile's 4/,
  );
  assert.throws(() => params(defaults, { profile: 'fast' } as never, {}), /profile = "fast" is not a profile/);
  assert.throws(
    () => params(defaults, {}, { MIXUP_PARAMS: '{"epochs": [1]}' }),
    /MIXUP_PARAMS: epochs = \[1\] is not a number/,
  );
  assert.throws(() => paramSources({ seeds: [1] }), /not made by lab.params/);
});

test('stale compiled lib is detected', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fresh-'));
  fs.mkdirSync(path.join(dir, 'src'));
  fs.mkdirSync(path.join(dir, 'dist'));
  fs.writeFileSync(path.join(dir, 'dist', 'a.js'), '');
  fs.writeFileSync(path.join(dir, 'src', 'a.ts'), '');
  fs.writeFileSync(path.join(dir, 'src', 'b.ts'), '');
  const old = new Date(Date.now() - 60000);
  fs.utimesSync(path.join(dir, 'dist', 'a.js'), old, old);
  assert.deepEqual(staleSources(path.join(dir, 'src'), path.join(dir, 'dist')).sort(), ['a.ts', 'b.ts']);
  fs.utimesSync(path.join(dir, 'dist', 'a.js'), new Date(), new Date());
  fs.utimesSync(path.join(dir, 'src', 'a.ts'), old, old);
  assert.deepEqual(staleSources(path.join(dir, 'src'), path.join(dir, 'dist')), ['b.ts']);
  fs.rmSync(dir, { recursive: true });
});

test('the low-data CIFAR profile is the reference protocol, scored every 10 epochs; an every-epoch schedule keeps old cache keys', () => {
  const p = CIFAR_PROFILES.lowdata;
  assert.deepEqual(
    [p.trainLimit, p.testLimit, p.width, p.epochs, p.batchSize, p.alpha, p.evalEvery],
    [2500, 10000, 16, 240, 128, 1, 10],
  );
  const spec = cifarSpec(p, 1, 1);
  assert.deepEqual((spec.train.optimizer as { milestones: number[] }).milestones, [120, 180]);
  assert.equal(spec.train.evalEvery, 10);
  // An every-epoch schedule stays out of the spec: runs cached before the option existed keep their cache keys.
  assert.equal('evalEvery' in cifarSpec(CIFAR_PROFILES.smoke, 1, 1).train, false);
  assert.equal(cifarSpec(CIFAR_PROFILES.quick, 1, 1).train.evalEvery, 20);
});

test("a notebook's defaults: the base at every profile it does not name, partial overrides where it does", () => {
  const table = profileTable({ base: { seeds: [1], epochs: 10, width: 8 }, profiles: { smoke: { epochs: 1 } } });
  assert.deepEqual(table.smoke, { seeds: [1], epochs: 1, width: 8 });
  assert.deepEqual(table.quick, { seeds: [1], epochs: 10, width: 8 });
  assert.deepEqual(table.lowdata, table.quick);
  assert.deepEqual(table.paper, table.quick);
  // A parameters cell reads them through the experiment: its profile's values, its own literals over them.
  const P = params(table, { profile: 'smoke', width: 4 }, {});
  assert.equal(P.epochs, 1);
  assert.equal(P.width, 4);
});

test("the CIFAR recipe is stated, not implied by the epochs: the paper's milestones at 200, the same shares at 240", () => {
  assert.deepEqual(sgdForEpochs(CIFAR_SGD_RECIPE, 200), PAPER_CIFAR_SGD);
  assert.deepEqual(sgdForEpochs(CIFAR_SGD_RECIPE, 240).milestones, [120, 180]);
  for (const p of PROFILES) assert.deepEqual(CIFAR_PROFILES[p].optimizer, CIFAR_SGD_RECIPE, p);
  // Another schedule is a parameter: it reaches the run's spec, and so its key.
  const later = cifarSpec({ ...CIFAR_PROFILES.smoke, optimizer: { ...CIFAR_SGD_RECIPE, decayAt: [0.9] } }, 1, 1);
  assert.deepEqual((later.train.optimizer as { milestones: number[] }).milestones, [0]);
  assert.notEqual(runKey(later), runKey(cifarSpec(CIFAR_PROFILES.smoke, 1, 1)));
});

test('the parameters cell checks every value before anything trains: one line naming the key, the value and the fix', () => {
  const cell = (e: { profiles: Record<string, object>; defaults: object }, c: object) => () =>
    notebookParamsCell(e as never, c as never, {});
  const oneLine = (re: RegExp) => (e: unknown) => {
    assert.ok(e instanceof ParamError, String(e));
    assert.match(e.message, re);
    // tslab prints the stack it is given: the stack is the one line, with no trace into dist/.
    assert.equal(e.stack, `ParamError: ${e.message}`);
    assert.doesNotMatch(inspect(e), /\n|dist\//);
    return true;
  };
  assert.throws(cell(lab.toy, { alpha: -1 }), oneLine(/^the parameters cell: alpha = -1 is negative: .*α must be ≥ 0/));
  assert.throws(cell(lab.toy, { seeds: [] }), oneLine(/seeds = \[\] is not a non-empty list/));
  assert.throws(cell(lab.cifar, { epochs: 2.5 }), oneLine(/epochs = 2\.5 is not a whole number ≥ 1/));
  assert.throws(cell(lab.cifar, { width: 0 }), oneLine(/width = 0 is not a whole number ≥ 1/));
  assert.throws(cell(lab.uci, { sets: ['iris', 'htru2'] }), oneLine(/sets = .* names "htru2", which this notebook/));
  assert.throws(cell(lab.gan, { sets: [] }), oneLine(/sets = \[\] is empty: name at least one of "ring", "grid"/));
  assert.throws(cell(lab.cifar, { methods: ['MixUp'] }), oneLine(/names "MixUp"/));
  // A dropout row needs notebook 3's drop probability: notebook 2 does not offer it.
  assert.throws(cell(lab.cifar, { methods: ['ERM + dropout'] }), oneLine(/names "ERM \+ dropout"/));
  assert.throws(
    () => notebookParams(lab.toy.profiles, { MIXUP_PARAMS: '{"alpha": -2}' }),
    oneLine(/^MIXUP_PARAMS: alpha = -2/),
  );
  // What the rules let through.
  assert.equal(notebookParamsCell(lab.cifar, { methods: ['ERM', 'Manifold Mixup'], alpha: 0 }, {}).alpha, 0);
  assert.equal(notebookParamsCell(lab.speech, { trainLimit: 0 }, {}).trainLimit, 0);
});

test('a table or finding computed with other parameters than the cell now holds says so, naming both', () => {
  const first = notebookParamsCell(lab.toy, { seeds: [7] }, {});
  const result = { rows: [{ method: 'ERM' }], strip: [], curves: [], finding: { sentence: 'Over 1 seed, …' } };
  stamp(result, first);
  assert.equal(staleNotice(result.rows), null);
  notebookParamsCell(lab.toy, { seeds: [9] }, {});
  assert.match(
    staleNotice(result.rows) ?? '',
    /seeds 7 \(the cell now asks for 9\)\. Rerun the cell that calls lab\.run/,
  );
  assert.match(staleNotice(result.finding.sentence) ?? '', /seeds 7/);
  // The same values again: current, whichever call made them.
  notebookParamsCell(lab.toy, { seeds: [7] }, {});
  assert.equal(staleNotice(result.rows), null);
  assert.equal(staleNotice([{ method: 'ERM' }]), null, 'rows lab.run did not return carry no notice');
});
