/** Every notebook runs headless in the smoke profile and exports to the report with its charts as SVG. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { executeNotebooks, parseArgs, selectNotebooks } from '../scripts/notebooks';
import { renderNotebook, writeReport } from '../scripts/report';
import { launchBrowser } from './browser';
import { chartProblems } from './chart-rules';
import { cifarSource, fsddSource } from './helpers';

test(
  'all eight notebooks run in the smoke profile, show vega-lite charts, and export to an offline report',
  { timeout: 600_000 },
  async (t) => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixup-nb-'));
    process.env.MIXUP_CIFAR10 ??= cifarSource();
    process.env.MIXUP_FSDD ??= fsddSource();
    process.env.MIXUP_RUNS_DIR = path.join(tmp, 'runs');
    const timings = await executeNotebooks({
      ...parseArgs(['--profile', 'smoke', '--out', path.join(tmp, 'executed')]),
      signal: t.signal,
    });
    assert.equal(timings.length, 8);
    for (const t of timings) {
      const nb = JSON.parse(fs.readFileSync(t.output, 'utf8')) as {
        cells: { outputs?: { output_type: string; data?: Record<string, unknown> }[] }[];
      };
      const outputs = nb.cells.flatMap((c) => c.outputs ?? []);
      // Every chart keeps the rules: strips that do not magnify noise, curves of one epoch that show their points.
      for (const o of outputs) {
        const spec = o.data?.['application/vnd.vegalite.v5+json'] as Record<string, unknown> | undefined;
        if (spec) assert.deepEqual(chartProblems(spec, t.notebook), []);
      }
      assert.equal(outputs.filter((o) => o.output_type === 'error').length, 0, `${t.notebook} has an error output`);
      assert.ok(
        outputs.some((o) => o.data?.['application/vnd.vegalite.v5+json']),
        `${t.notebook} shows a vega-lite chart`,
      );
      assert.ok(
        outputs.some((o) => String(o.data?.['text/html'] ?? '').includes('mixup-table')),
        `${t.notebook} ends with a table`,
      );
    }
    const index = await writeReport(timings, 'smoke', path.join(tmp, 'reports'));
    const page = fs.readFileSync(path.join(path.dirname(index), '02-cifar10.html'), 'utf8');
    assert.ok((page.match(/<svg/g) ?? []).length >= 2, 'charts are inline SVG');
    assert.doesNotMatch(page, /<script|https?:\/\/(?!www\.w3\.org)/, 'the page loads nothing from the network');
    assert.match(fs.readFileSync(index, 'utf8'), /mixup-table/);

    // The index as a reader sees it, in a browser: each notebook's finding and the table it chose as its headline.
    const browser = await launchBrowser();
    try {
      const front = await browser.newPage();
      await front.goto(`file://${index}`);
      const entries = await front.locator('section.mixup-entry').evaluateAll((els) =>
        els.map((e) => ({
          notebook: e.getAttribute('data-notebook') ?? '',
          finding: e.querySelector('p.mixup-finding')?.textContent ?? '',
          headline: e.querySelector('table.mixup-headline caption')?.textContent ?? '',
          rows: e.querySelectorAll('table.mixup-headline tbody tr').length,
        })),
      );
      assert.equal(entries.length, 8);
      for (const e of entries) {
        assert.match(e.finding, /^Finding\. \S/, `${e.notebook}: a finding sentence`);
        assert.ok(e.headline && e.rows > 0, `${e.notebook}: its headline table`);
        // Not the calibration notebooks' confidence table, not notebook 5's context table, not the GAN's sweep.
        assert.doesNotMatch(e.headline, /Confidence on inputs|context, not a target|Stability sweep/, e.notebook);
      }
      const header = (await front.locator('p.mixup-header').textContent()) ?? '';
      assert.match(header, /Profile smoke · \d{1,2} [A-Z][a-z]+ \d{4}, \d{2}:\d{2} UTC · .*cores?, AVX-512 (yes|no)/);
      assert.match((await front.locator('p.mixup-smoke').textContent()) ?? '', /^Smoke profile: toy sizes/);
    } finally {
      await browser.close();
    }

    fs.rmSync(tmp, { recursive: true });
  },
);

test('notebook selection and options are checked', () => {
  assert.deepEqual(selectNotebooks(['toy']), ['01-toy-2d.ipynb']);
  assert.throws(() => selectNotebooks(['nope']), /matches nothing/);
  assert.throws(() => parseArgs(['--profile', 'huge']), /unknown profile 'huge'/);
  assert.throws(() => parseArgs(['--fast']), /unknown option --fast/);
  assert.throws(() => parseArgs(['--timeout', '0']), /--timeout takes seconds > 0/);
  assert.throws(() => parseArgs(['--lanes', '0']), /--lanes takes a whole number ≥ 1/);
  assert.equal(parseArgs(['--lanes', '3']).lanes, 3);
});

test('a notebook whose kernel dies mid-cell, or whose worker crashed, fails naming a native crash and the rerun under AVX2', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixup-dead-kernel-'));
  try {
    // A real native-style death: the kernel's own process killed by SIGSEGV while a cell runs.
    const nb = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { display_name: 'TypeScript', language: 'typescript', name: 'tslab' } },
      cells: [
        {
          cell_type: 'code',
          id: 'crash',
          metadata: {},
          execution_count: null,
          outputs: [],
          source: ["process.kill(process.pid, 'SIGSEGV');"],
        },
      ],
    };
    fs.writeFileSync(path.join(dir, 'crash.ipynb'), JSON.stringify(nb));
    await assert.rejects(
      executeNotebooks({ names: ['crash'], profile: 'smoke', out: path.join(dir, 'out'), dir, lanes: 1 }),
      /crash\.ipynb failed after [\d.]+ s:[\s\S]*its kernel died: a native crash in TensorFlow: rerun with ONEDNN_MAX_CPU_ISA=AVX2 and report it/,
    );
    // A worker's crash reaches the notebook as a cell error naming oneDNN's AVX2 cap: the runner's filter of
    // TensorFlow's start-up noise keeps it.
    const said =
      'the worker training X stopped (SIGSEGV: a native crash in TensorFlow: rerun with ONEDNN_MAX_CPU_ISA=AVX2 and report it)';
    const cell = { ...nb.cells[0], id: 'worker', source: [`throw new Error(${JSON.stringify(said)});`] };
    fs.writeFileSync(path.join(dir, 'worker.ipynb'), JSON.stringify({ ...nb, cells: [cell] }));
    await assert.rejects(
      executeNotebooks({ names: ['worker'], profile: 'smoke', out: path.join(dir, 'out'), dir, lanes: 1 }),
      (e: Error) => e.message.includes(said) && !e.message.includes('its kernel died'),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a cell that displays thousands of times in one turn of the event loop succeeds with every output, an error after such a burst keeps its text, and a cell run too early names the cell to run', async () => {
  // What a notebook's live progress does when a pool's runs end together: zeromq 6 refused a send while one was pending
  // (EBUSY, after 512 in one turn), which failed the cell at random and lost its error text too (patches/tslab+*.patch).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixup-burst-'));
  try {
    const code = (id: string, source: string) => ({
      cell_type: 'code',
      id,
      metadata: {},
      execution_count: null,
      outputs: [],
      source: [source],
    });
    const notebook = (cells: object[]) =>
      JSON.stringify({
        nbformat: 4,
        nbformat_minor: 5,
        metadata: { kernelspec: { display_name: 'TypeScript', language: 'typescript', name: 'tslab' } },
        cells,
      });
    const burst = (n: number) =>
      `import * as tslab from 'tslab';\nfor (let i = 0; i < ${n}; i++) tslab.newDisplay().text(\`line \${i}\`);`;
    fs.writeFileSync(path.join(dir, 'burst.ipynb'), notebook([code('burst', burst(2000))]));
    const out = path.join(dir, 'out');
    const [t] = await executeNotebooks({ names: ['burst'], profile: 'smoke', out, dir, lanes: 1 });
    const cells = (JSON.parse(fs.readFileSync(t.output, 'utf8')) as { cells: { outputs: { data?: object }[] }[] })
      .cells;
    assert.equal(cells[0].outputs.filter((o) => o.data).length, 2000, 'every display reached the notebook');

    fs.writeFileSync(
      path.join(dir, 'burst-error.ipynb'),
      notebook([code('burst', `${burst(1500)}\nthrow new Error('raised after 1500 displays');`)]),
    );
    await assert.rejects(
      executeNotebooks({ names: ['burst-error'], profile: 'smoke', out, dir, lanes: 1 }),
      /burst-error\.ipynb failed after [\d.]+ s:[\s\S]*raised after 1500 displays/,
    );

    // A chart cell run before the Training cell: the name it needs is undefined, and the kernel says which cell to run.
    fs.writeFileSync(path.join(dir, 'early.ipynb'), notebook([code('chart', 'console.log(cmp.rows.length);')]));
    await assert.rejects(
      executeNotebooks({ names: ['early'], profile: 'smoke', out, dir, lanes: 1 }),
      /Cannot find name 'cmp'[\s\S]*'cmp' is defined by an earlier cell that has not run yet: run the cells above this one first[\s\S]*the Training cell/,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("the report folds a long run of a cell's plain-text outputs (a progress line per run) and keeps short ones", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixup-fold-'));
  const line = (i: number) => ({
    output_type: 'display_data',
    data: { 'text/plain': [`run ${i}: from the run cache`] },
  });
  const nb = {
    cells: [
      { cell_type: 'code', source: 'a', outputs: [0, 1, 2].map(line) },
      {
        cell_type: 'code',
        source: 'b',
        outputs: [
          ...Array.from({ length: 30 }, (_, i) => line(i)),
          { output_type: 'display_data', data: { 'text/html': '<p class="mixup-finding">Finding. x</p>' } },
          { output_type: 'stream', name: 'stdout', text: 'after <the> finding' },
        ],
      },
    ],
  };
  const file = path.join(dir, 'n.ipynb');
  fs.writeFileSync(file, JSON.stringify(nb));
  const { html } = await renderNotebook(file);
  assert.equal((html.match(/<details><summary>30 lines of output<\/summary>/g) ?? []).length, 1);
  assert.match(html, /run 0: from the run cache\nrun 1: from the run cache/);
  // Short runs stay as they were: three lines of the first cell, and the line after the finding, escaped.
  assert.equal((html.match(/<pre>run \d: from the run cache<\/pre>/g) ?? []).length, 3);
  assert.ok(html.indexOf('30 lines of output') < html.indexOf('Finding. x'), 'the fold comes before the finding');
  assert.match(html, /<pre>after &lt;the&gt; finding<\/pre>/);
  fs.rmSync(dir, { recursive: true, force: true });
});
