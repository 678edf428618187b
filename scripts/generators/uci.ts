/**
 * Notebook 4 beside its PyTorch reference (tools/reference/uci.py on the rows export-uci.ts wrote from our loader): our
 * runs published under results/<profile>/ against the reference's lines in results/reference/uci-*.jsonl, through the
 * comparison the notebook calls (lib/findings/uci), and what the runs cost.
 */
import { notebookParams, Profile } from '../../lib/experiments/profiles';
import { uciRun, uciRuns } from '../../lib/experiments/uci';
import { uci } from '../../lib/lab';
import { publishedResult } from '../../lib/runs/published';
import { uciSecondsOfReference } from '../../lib/reference/uci';
import { fmt, table } from './common';

/** Notebook 4's comparison at `profile`, from the published runs of its wanted list. */
export function uciAt(profile: Profile) {
  const P = notebookParams(uci.profiles, { MIXUP_PROFILE: profile });
  const wanted = uciRuns(P);
  const found = wanted.flatMap((w) => {
    const r = publishedResult(w.job);
    return r ? [{ w, r }] : [];
  });
  const ours = found.map(({ w, r }) => uciRun(w, r.history));
  const reference = uci.reference(P);
  return {
    P,
    wanted: wanted.length,
    found: found.length,
    seconds: found.reduce((s, { r }) => s + r.seconds, 0),
    referenceSeconds: uciSecondsOfReference(P),
    ...uci.compare(ours, reference, P),
  };
}

/** One of the notebook's own tables at `profile`: its table of means, or every row over seeds. */
export function uciTable(which: 'means' | 'rows', profile: Profile = 'quick'): string {
  const rows: Record<string, unknown>[] = uciAt(profile)[which];
  if (!rows.length) return `No published notebook 4 runs at the ${profile} profile.`;
  const head = Object.keys(rows[0]);
  return table(
    head,
    rows.map((r) => head.map((k) => (r[k] === null ? '—' : String(r[k])))),
  );
}

/** The finding sentence and what the runs cost, in core-seconds (each run on one thread). */
export function uciSummary(profile: Profile = 'quick'): string {
  const a = uciAt(profile);
  return [
    a.finding.sentence,
    '',
    `Runs: ${a.found} of notebook 4's ${a.wanted} at the ${profile} profile are published (results/${profile}/), ` +
      `${fmt(a.seconds)} core-seconds in all; the reference's ${a.referenceSeconds.runs} runs at this protocol took ` +
      `${fmt(a.referenceSeconds.seconds)} core-seconds.`,
  ].join('\n');
}
