import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toSvg } from '../lib/charts/render';
import { learningCurves, lineChart, seedStrip, STRIP_MIN_SPAN, stripDomain } from '../lib/charts/specs';
import { chartProblems } from './chart-rules';

test('a dashed line chart draws a legend whose entries can be told apart', async () => {
  const rows = ['test', 'train, redrawn labels', 'train, untouched labels'].flatMap((set, k) =>
    [10, 20, 30].map((epoch) => ({ method: 'ERM', set, epoch, error: 0.1 * (k + 1) + epoch / 100 })),
  );
  const svg = await toSvg(lineChart(rows, { x: 'epoch', y: 'error', color: 'method', strokeDash: 'set' }));
  // Each legend entry of the dash field is a stroke with its own dash pattern (not three identical dots).
  const symbols = [...svg.matchAll(/role-legend-symbol"[^>]*>(<path[^>]*>)/g)]
    .map((m) => m[1])
    .filter((p) => p.includes('stroke-dasharray'));
  assert.equal(symbols.length, 3, svg.slice(0, 200));
  // A stroked line shows its dash pattern; a filled dot (what points on the lines give) hides it.
  for (const p of symbols)
    assert.ok(/ stroke="#/.test(p) && !/ fill="/.test(p), `legend symbol is a stroke, not a dot: ${p}`);
  assert.equal(
    new Set(symbols.map((p) => /stroke-dasharray="([^"]*)"/.exec(p)![1])).size,
    3,
    'three different patterns',
  );
  for (const label of ['test', 'train, redrawn labels', 'train, untouched labels'])
    assert.ok(svg.includes(`>${label}<`), `legend shows "${label}" in full`);
});

test('learning curves draw test error only at the scored epochs', async () => {
  const rows = [1, 2, 3, 4, 5].map((epoch) => ({
    run: 'ERM s1',
    epoch,
    trainLoss: 2 / epoch,
    testError: epoch % 2 ? 0.5 / epoch : null,
  }));
  const spec = learningCurves(rows) as { hconcat: { transform: { filter: string }[] }[] };
  assert.match(spec.hconcat[1].transform[0].filter, /isValid\(datum\['testError'\]\)/);
  const svg = await toSvg(learningCurves(rows));
  assert.ok(svg.length > 1000 && !svg.includes('NaN'), 'no NaN coordinates from the unscored epochs');
});

test('learning curves dashed by source: ours and the reference told apart in the legend', async () => {
  const rows = ['mixup-lab', 'PyTorch reference'].flatMap((source) =>
    [20, 40, 60].map((epoch) => ({
      run: `ERM s1${source === 'mixup-lab' ? '' : ' (PyTorch)'}`,
      source,
      epoch,
      testError: 0.5 - epoch / 400,
    })),
  );
  const svg = await toSvg(learningCurves(rows, 'curves', { dashBy: 'source' }));
  const dashed = [...svg.matchAll(/role-legend-symbol"[^>]*>(<path[^>]*>)/g)]
    .map((m) => m[1])
    .filter((p) => p.includes('stroke-dasharray'));
  assert.equal(
    new Set(dashed.map((p) => /stroke-dasharray="([^"]*)"/.exec(p)![1])).size,
    2,
    'two dash patterns in the legend',
  );
  for (const label of ['mixup-lab', 'PyTorch reference'])
    assert.ok(svg.includes(`>${label}<`), `legend names "${label}"`);
});

test('the chart rules catch a strip that magnifies noise and a curve of one point drawn as a line', () => {
  const rows = [
    { group: 'ERM', side: 'ours', value: 4.5828 },
    { group: 'mixup', side: 'ours', value: 4.5846 },
  ];
  const strip = seedStrip(rows, { group: 'group', series: 'side', value: 'value' });
  assert.deepEqual(chartProblems(strip, 'strip'), []);
  const [lo, hi] = stripDomain([4.5828, 4.5846]);
  assert.ok(hi - lo >= STRIP_MIN_SPAN && lo < 4.5828 && hi > 4.5846);
  assert.ok(stripDomain([0, 0])[0] < 0, 'a point at 0 % is padded too, not drawn on the edge');
  // The same strip with vega-lite's own zoomed scale, as before: every rule it breaks is named.
  const zoomed = structuredClone(strip) as { layer: { encoding: { y: Record<string, unknown> } }[] };
  for (const l of zoomed.layer) l.encoding.y = { ...l.encoding.y, scale: { zero: false }, axis: {} };
  assert.equal(chartProblems(zoomed, 'old strip').length, 2);
  // One epoch: a point per run. The curve draws its points; a hand-made spec without them is caught.
  const one = [
    { run: 'ERM s1', epoch: 0, trainLoss: 2.3, testError: 90, source: 'mixup-lab' },
    { run: 'mixup s1', epoch: 0, trainLoss: 2.2, testError: 89, source: 'mixup-lab' },
  ];
  assert.deepEqual(chartProblems(learningCurves(one, 'one epoch', { dashBy: 'source' }), 'curves'), []);
  const line = lineChart(one, { x: 'epoch', y: 'testError', color: 'run', strokeDash: 'source' });
  assert.deepEqual(chartProblems(line, 'line'), []);
  const bare = { ...line, mark: { type: 'line', point: false } };
  assert.match(chartProblems(bare, 'bare').join(), /single points drawn without its points/);
});
