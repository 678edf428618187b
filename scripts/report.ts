/**
 * `npm run report [-- names… --profile P --seed N]`: trains every notebook's runs and result jobs as one pool, longest first
 * (lib/cluster/schedule), then executes the notebooks (quick profile by default), longest first by their recorded
 * seconds, and writes reports/: one self-contained HTML page per notebook (vega-lite charts rendered to inline SVG in Node,
 * so every chart shows offline) and index.html with each notebook's closing table (our numbers beside the paper's).
 * A whole report trained from an empty run cache also writes results/<profile>/timings.json (wall time per notebook
 * and in all, lanes, cores, CPU, commit, date): the profile table of the README is generated from it (`npm run results`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { marked } from 'marked';
import { toSvg } from '../lib/charts/render';
import { SMOKE_NOTE, VEGALITE_MIME } from '../lib/notebook/display';
import { plural } from '../lib/findings/common';
import { runsRoot } from '../lib/runs/cache';
import { useBackend } from '../lib/backend';
import { trainPool, PoolOutcome } from '../lib/cluster/schedule';
import { reportRuns } from '../lib/lab';
import { publishedRuns } from '../lib/runs/published';
import {
  checkPrerequisites,
  executeNotebooks,
  notebookLanes,
  NotebookTiming,
  parseArgs,
  ROOT,
  RunOptions,
  selectNotebooks,
} from './notebooks';
import { machine, ReportTimings } from './record';
import { writeGenerated } from './results';

/** Timings say what training costs only when every notebook ran and nothing came from the run cache. */
export function runCacheEmpty(root = runsRoot()): boolean {
  return !fs.existsSync(root) || fs.readdirSync(root).every((n) => n.startsWith('.'));
}

export function recordTimings(
  o: RunOptions,
  timings: NotebookTiming[],
  wallSeconds: number,
  resultsDir = path.join(ROOT, 'results'),
  pool?: PoolOutcome,
): string {
  const record: ReportTimings = {
    profile: o.profile,
    seeds: o.seeds ?? null,
    lanes: o.lanes ?? Math.min(2, os.availableParallelism(), timings.length),
    wallSeconds: +wallSeconds.toFixed(1),
    ...(pool
      ? {
          pool: {
            runs: pool.trained,
            workers: pool.workers,
            seconds: +pool.seconds.toFixed(1),
            perKind: Object.fromEntries(Object.entries(pool.perKind).map(([k, s]) => [k, +s.toFixed(1)])),
            busy: +pool.busy.toFixed(3),
          },
          busy: +(
            Object.values(pool.perKind).reduce((a, s) => a + s, 0) /
            (os.availableParallelism() * wallSeconds)
          ).toFixed(3),
        }
      : {}),
    notebooks: timings.map((t) => ({ notebook: path.basename(t.notebook, '.ipynb'), seconds: +t.seconds.toFixed(1) })),
    ...machine(ROOT),
  };
  const file = path.join(resultsDir, o.profile, 'timings.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(record, null, 1)}\n`);
  return file;
}

interface Output {
  output_type: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
}
interface Cell {
  cell_type: 'markdown' | 'code';
  source: string | string[];
  outputs?: Output[];
}

const join = (s: string | string[] | undefined) => (Array.isArray(s) ? s.join('') : (s ?? ''));
const esc = (s: string) => s.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);

const STYLE = `body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
pre{background:#f6f8fa;padding:.6em;overflow-x:auto;font-size:12px}pre.code{border-left:3px solid #9ab}
table.mixup-table{border-collapse:collapse;margin:1em 0;font-size:13px}table.mixup-table td,table.mixup-table th{border:1px solid #ccc;padding:3px 8px}
caption{caption-side:top;text-align:left;font-style:italic;padding:4px 0}.chart{margin:1em 0}.error{color:#b00}`;

/** More plain-text outputs in a row than this, and the report folds them (see renderNotebook). */
const FOLD_LINES = 20;

export async function renderNotebook(
  file: string,
): Promise<{ html: string; headline: string | null; findings: string[]; charts: number }> {
  const nb = JSON.parse(fs.readFileSync(file, 'utf8')) as { cells: Cell[] };
  const parts: string[] = [];
  // The notebook's own choice of what its index entry shows (lib/notebook/display's `headline`).
  let headline: string | null = null;
  const findings: string[] = [];
  let charts = 0;
  for (const cell of nb.cells) {
    if (cell.cell_type === 'markdown') {
      parts.push(await marked.parse(join(cell.source)));
      continue;
    }
    parts.push(`<details><summary>code</summary><pre class="code">${esc(join(cell.source))}</pre></details>`);
    // A long run of plain-text outputs (a cell's progress lines, one per run: hundreds in notebook 4) folds into one
    // block the reader opens if they want it, so the charts and tables after it are not pages down.
    let plain: string[] = [];
    const flush = () => {
      if (plain.length > FOLD_LINES)
        parts.push(
          `<details><summary>${plain.length} lines of output</summary><pre>${plain.join('\n')}</pre></details>`,
        );
      else parts.push(...plain.map((t) => `<pre>${t}</pre>`));
      plain = [];
    };
    for (const o of cell.outputs ?? []) {
      const text =
        o.output_type === 'stream'
          ? o.text
          : o.output_type !== 'error' && Object.keys(o.data ?? {}).join() === 'text/plain'
            ? o.data?.['text/plain']
            : undefined;
      if (text !== undefined) {
        plain.push(esc(join(text as string)));
        continue;
      }
      flush();
      if (o.output_type === 'error') {
        parts.push(`<pre class="error">${esc(`${o.ename}: ${o.evalue}`)}</pre>`);
        continue;
      }
      const d = o.data ?? {};
      if (d[VEGALITE_MIME]) {
        parts.push(`<div class="chart">${await toSvg(d[VEGALITE_MIME] as Record<string, unknown>)}</div>`);
        charts++;
      } else if (d['image/svg+xml']) parts.push(`<div class="chart">${join(d['image/svg+xml'] as string)}</div>`);
      else if (d['text/html']) {
        const h = join(d['text/html'] as string);
        parts.push(h);
        if (!headline && /class="mixup-table mixup-headline"/.test(h)) headline = h;
        if (/class="mixup-finding mixup-headline"/.test(h)) findings.push(h);
      } else if (d['text/plain']) parts.push(`<pre>${esc(join(d['text/plain'] as string))}</pre>`);
    }
    flush();
  }
  const title = path.basename(file, '.ipynb');
  return {
    html:
      `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head><body>` +
      `<p><a href="index.html">← mixup-lab report</a></p>${parts.join('\n')}</body></html>`,
    headline,
    findings,
    charts,
  };
}

/** "7 December 2026, 14:57 UTC". */
export function humanDate(d: Date): string {
  const day = d.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
  return `${day}, ${d.toISOString().slice(11, 16)} UTC`;
}

/** What ran the report, truthfully: the profile, the machine and how many notebooks ran at once. */
export function reportHeader(o: {
  profile: string;
  notebooks: number;
  lanes: number;
  wallSeconds?: number;
  at?: Date;
}) {
  const m = machine(ROOT);
  const host = `${m.cpu.trim()}, ${plural(m.cores, 'core')}, AVX-512 ${m.avx512 ? 'yes' : 'no'}, commit ${m.commit ?? 'unknown'}`;
  const ran =
    o.wallSeconds === undefined
      ? ''
      : ` ${plural(o.notebooks, 'notebook')} executed in ${(o.wallSeconds / 60).toFixed(1)} minutes, ` +
        (o.lanes > 1
          ? `${o.lanes} at a time (their own times below overlap).`
          : 'one after another (their own times below add up to it).');
  return (
    `<p class="mixup-header">Profile <b>${esc(o.profile)}</b> · ${esc(humanDate(o.at ?? new Date()))} · ${esc(host)}.` +
    `${ran} Every number below was measured by the notebook run linked beside it.</p>` +
    (o.profile === 'smoke' ? `<p class="mixup-smoke"><b>${esc(SMOKE_NOTE)}</b></p>` : '')
  );
}

export async function writeReport(
  timings: NotebookTiming[],
  profile: string,
  outDir: string,
  wallSeconds?: number,
  lanes = 1,
): Promise<string> {
  fs.mkdirSync(outDir, { recursive: true });
  const entries: string[] = [];
  for (const t of timings) {
    const name = path.basename(t.notebook, '.ipynb');
    const r = await renderNotebook(t.output);
    fs.writeFileSync(path.join(outDir, `${name}.html`), r.html);
    entries.push(
      `<section class="mixup-entry" data-notebook="${esc(name)}"><h2><a href="${name}.html">${esc(name)}</a></h2>` +
        `<p>${plural(r.charts, 'chart')} · executed in ${t.seconds.toFixed(1)} s</p>` +
        `${r.findings.join('\n') || '<p><em>(this notebook showed no finding)</em></p>'}` +
        `${r.headline ?? '<p><em>(this notebook marks no headline table)</em></p>'}</section>`,
    );
  }
  const index = path.join(outDir, 'index.html');
  fs.writeFileSync(
    index,
    `<!doctype html><html><head><meta charset="utf-8"><title>mixup-lab report</title><style>${STYLE}</style></head><body>` +
      `<h1>mixup-lab report</h1>${reportHeader({ profile, notebooks: timings.length, lanes, wallSeconds })}` +
      `${entries.join('\n')}</body></html>`,
  );
  return index;
}

/** Each notebook's seconds in the last recorded report of `profile`, to order the lanes by (none: file order). */
export function recordedNotebookCost(profile: string, resultsDir = path.join(ROOT, 'results')) {
  const file = path.join(resultsDir, profile, 'timings.json');
  if (!fs.existsSync(file)) return undefined;
  const t = JSON.parse(fs.readFileSync(file, 'utf8')) as ReportTimings;
  return Object.fromEntries(t.notebooks.map((n) => [n.notebook, n.seconds]));
}

/**
 * Trains the runs and result jobs of the notebooks `o` names (all by default) as one pool before any notebook starts:
 * each notebook then loads its work from the run cache. MIXUP_EXECUTOR sends them to the queue instead.
 */
export async function trainReportRuns(o: RunOptions): Promise<PoolOutcome> {
  const notebooks = selectNotebooks(o.names, o.dir).map((f) => path.basename(f, '.ipynb'));
  const env = { ...process.env, MIXUP_PROFILE: o.profile, ...(o.seeds ? { MIXUP_SEEDS: o.seeds } : {}) };
  const runs = reportRuns(env, { notebooks });
  // TensorFlow's start-up lines in this process say nothing the notebooks' runs do not (as in scripts/notebooks.ts).
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  useBackend();
  const pool = await trainPool(runs, publishedRuns());
  if (runs.length)
    console.log(
      `report: ${pool.trained} job(s) trained in ${pool.seconds.toFixed(0)} s (workers ${(100 * pool.busy).toFixed(0)} % busy), ${pool.cached} from the run cache`,
    );
  return pool;
}

if (require.main === module) {
  (async () => {
    const o = parseArgs(process.argv.slice(2));
    const fromEmpty = runCacheEmpty() && !o.names.length;
    const started = Date.now();
    checkPrerequisites();
    const pool = await trainReportRuns(o);
    const timings = await executeNotebooks({ ...o, cost: o.cost ?? recordedNotebookCost(o.profile) });
    const wall = (Date.now() - started) / 1000;
    const index = await writeReport(
      timings,
      o.profile,
      path.join(ROOT, 'reports'),
      wall,
      notebookLanes(o.lanes, timings.length),
    );
    console.log(
      `report: ${path.relative(ROOT, index)} (${timings.length} notebooks in ${wall.toFixed(0)} s; ` +
        `${timings.reduce((a, t) => a + t.seconds, 0).toFixed(0)} s summed over notebooks, which run side by side)`,
    );
    if (fromEmpty) {
      // The docs' tables are generated from results/: refresh them with the new timings, so the tree stays consistent.
      const file = path.relative(ROOT, recordTimings(o, timings, wall, undefined, pool));
      const docs = await writeGenerated();
      console.log(`timings: ${file}${docs.length ? `; regenerated ${docs.join(', ')}` : ''} (commit them to publish)`);
    } else console.log('timings: not recorded (runs came from the run cache, or not every notebook ran)');
  })().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
