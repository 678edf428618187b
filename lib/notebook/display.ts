/**
 * What a notebook calls to show things through tslab. The notebook passes its `tslab` module in, so lib/
 * never depends on running inside a kernel. Charts go out as vega-lite JSON objects (JupyterLab renders
 * them interactively; the report renders them to SVG).
 */
import type { Spec } from '../charts/specs';
import { paramSources, ParamSource } from '../experiments/profiles';
import type { StepInfo, TrainCallbacks, EpochRecord } from '../train/loop';
import { staleNotice } from './stale';

export const VEGALITE_MIME = 'application/vnd.vegalite.v5+json';

export interface TslabDisplay {
  raw(mime: string, obj: unknown): void;
  html(s: string): void;
  markdown?(s: string): void;
  text(s: string): void;
}
export interface Tslab {
  display: TslabDisplay;
  newDisplay(): TslabDisplay;
}

export function showChart(tslab: Tslab, spec: Spec): void {
  tslab.display.raw(VEGALITE_MIME, spec);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/**
 * `headline`: the notebook's table beside the paper or the reference, which the report's index shows (one a notebook,
 * chosen by the notebook, not by position).
 */
export function tableHtml(rows: Record<string, unknown>[], caption?: string, headline = false): string {
  if (!rows.length) return '<p><em>(no rows)</em></p>';
  const cols = Object.keys(rows[0]);
  // One precision a column: two decimals where any value has a fraction (percentages and the like: "2.00" beside
  // "21.30", not "2"), three significant digits for a column of small measures (gradient norms), whole numbers as such.
  const numbers = (c: string) => rows.map((r) => r[c]).filter((v): v is number => typeof v === 'number');
  const style = Object.fromEntries(
    cols.map((c) => {
      const v = numbers(c);
      return [c, v.every(Number.isInteger) ? 'whole' : v.every((x) => Math.abs(x) < 1) ? 'small' : 'fixed'];
    }),
  );
  const num = (v: number, c: string) =>
    style[c] === 'whole' ? String(v) : style[c] === 'small' ? v.toPrecision(3) : v.toFixed(2);
  const text = (v: unknown, c = '') =>
    typeof v === 'number' ? num(v, c) : v === null || v === undefined ? '–' : String(v);
  // A short value or header (up to three words, "mixup α = 1") stays on one line; longer text wraps.
  const td = (tag: 'td' | 'th', v: unknown, c = '') => {
    const t = text(v, c);
    return `<${tag}${t.length <= 14 ? ' style="white-space:nowrap"' : ''}>${escapeHtml(t)}</${tag}>`;
  };
  return (
    `<table class="mixup-table${headline ? ' mixup-headline' : ''}">${caption ? `<caption style="text-align:left">${escapeHtml(caption)}</caption>` : ''}<thead><tr>${cols.map((c) => td('th', c)).join('')}</tr></thead>` +
    `<tbody>${rows.map((r) => `<tr>${cols.map((c) => td('td', r[c], c)).join('')}</tr>`).join('')}</tbody></table>`
  );
}

export function showTable(
  tslab: Tslab,
  rows: Record<string, unknown>[],
  caption?: string,
  o: { headline?: boolean } = {},
): void {
  tslab.display.html(staleHtml(rows) + tableHtml(rows, caption, o.headline));
}

/** The stale notice above a table or finding computed with other parameters than the cell's (./stale), or ''. */
function staleHtml(shown: unknown): string {
  const notice = staleNotice(shown);
  return notice ? `<p class="mixup-stale"><b>${escapeHtml(notice)}</b></p>` : '';
}

/** One line on a page or in a cell run at the smoke profile. */
export const SMOKE_NOTE =
  'Smoke profile: toy sizes. These numbers check that the code runs; they say nothing about what mixup does.';

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** Where a run the cache served came from: when it was trained and how long it took. */
function cachedLine(label: string, finishedAt: string, seconds: number): string {
  return `${label}: from the run cache — trained ${finishedAt.replace('T', ' ').slice(0, 16)} UTC in ${clock(seconds)}`;
}

export function progressLine(label: string, s: StepInfo): string {
  return (
    `${label}: epoch ${s.epoch + 1}/${s.epochs}, step ${s.step + 1}/${s.steps}, loss ${s.loss.toFixed(3)}, ` +
    `${s.imgPerSec.toFixed(0)} img/s, elapsed ${clock(s.elapsedSeconds)}, left ~${clock(s.etaSeconds)}`
  );
}

/**
 * Training callbacks that keep one output line up to date in place (epoch, step, loss, img/s, time left).
 * Updates are at most one per `minIntervalMs`: a long run would otherwise send the notebook thousands of messages,
 * for a line no one reads that fast. (A burst no longer fails the cell: patches/tslab+*.patch.)
 */
export function liveProgress(
  tslab: Tslab,
  run: string | { label: string; scoredOn?: string },
  minIntervalMs = 500,
): TrainCallbacks {
  const label = typeof run === 'string' ? run : run.label;
  // A run scored on other rows than the test rows (notebook 4's α candidates, on validation rows) says so.
  const measure = `${(typeof run === 'string' ? undefined : run.scoredOn) ?? 'test'} error`;
  const d = tslab.newDisplay();
  let last = '';
  let sentAt = 0;
  d.text(`${label}: starting…`);
  return {
    onStep: (s) => {
      last = progressLine(label, s);
      if (Date.now() - sentAt >= minIntervalMs) {
        d.text(last);
        sentAt = Date.now();
      }
    },
    onCached: ({ finishedAt, seconds, history }) => {
      const lastEpoch = history.at(-1);
      const err =
        lastEpoch?.testError === null || lastEpoch === undefined
          ? ''
          : `, ${measure} ${(100 * lastEpoch.testError).toFixed(2)} %`;
      // A run a worker process just trained (lib/cluster/pool) reaches the notebook through the cache too.
      const head = last
        ? `${label}: trained in a worker process in ${clock(seconds)}`
        : cachedLine(label, finishedAt, seconds);
      d.text(`${head} (${history.length} epoch${history.length === 1 ? '' : 's'}${err})`);
      sentAt = Date.now();
    },
    onEpoch: (r: EpochRecord) => {
      const scored = r.testError === null ? 'not scored this epoch' : `${measure} ${(100 * r.testError).toFixed(2)} %`;
      // No step line when another process trains the run and this one follows its checkpoint (lib/runs/lock).
      d.text(`${last ? `${last}\n` : ''}${label}: epoch ${r.epoch + 1} done, ${scored}`);
      sentAt = Date.now();
    },
  };
}

const SOURCE_WORDS: Record<ParamSource, (profile: string) => string> = {
  cell: () => 'this cell',
  profile: (p) => `profile ${p}`,
  MIXUP_PROFILE: () => 'MIXUP_PROFILE (a headless run: its profile replaces the cell)',
  MIXUP_SEEDS: () => 'MIXUP_SEEDS',
  MIXUP_SEED: () => 'MIXUP_SEED',
  MIXUP_PARAMS: () => 'MIXUP_PARAMS',
};

/** The parameters a cell resolved (lab.params), each with where its value came from. */
export function paramRows(P: { profile: string }): { parameter: string; value: string; from: string }[] {
  const from = paramSources(P);
  return Object.entries(P).map(([k, v]) => ({
    parameter: k,
    value: typeof v === 'string' ? v : JSON.stringify(v),
    from: SOURCE_WORDS[from[k] ?? 'profile'](P.profile),
  }));
}

export function showParams(tslab: Tslab, P: { profile: string }): void {
  if (P.profile === 'smoke') tslab.display.html(`<p class="mixup-smoke"><b>${escapeHtml(SMOKE_NOTE)}</b></p>`);
  showTable(tslab, paramRows(P), 'Parameters: edit the literals in this cell and rerun; a headless run sets MIXUP_*');
}

/**
 * A finding's sentence, computed by lib/findings, under its table; `headline`: a finding on the paper's claim, which the
 * report's index shows beside the headline table.
 */
export function showFinding(tslab: Tslab, sentence: string, o: { headline?: boolean } = {}): void {
  tslab.display.html(
    staleHtml(sentence) +
      `<p class="mixup-finding${o.headline ? ' mixup-headline' : ''}"><b>Finding.</b> ${escapeHtml(sentence)}</p>`,
  );
}
