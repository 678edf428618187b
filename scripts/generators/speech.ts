/**
 * Notebook 6 beside its PyTorch reference (tools/reference/speech.py on the project's own spectrograms): our runs
 * published under results/speech/ against the reference's runs in results/reference/speech-*.jsonl, and the
 * reference's regime search (tools/reference/speech-search.sh): mixup's effect per split, net, epochs and α.
 */
import {
  SpeechConfig,
  speechReferenceErrors,
  speechReferenceRuns,
  speechReferenceRunsAt,
} from '../../lib/reference/speech';
import { againstSpread, effectOf, meanStd, median, spreadOf, welchTest } from '../../lib/stats';
import { netName } from '../../lib/findings/speech';
import { speechRunRow } from '../../lib/experiments/speech';
import { allPublished, fmt, spreadCell, table } from './common';

const splitLabel = (s: string) => (s === 'official' ? 'official split' : `held out: ${s.replace(/^speaker:/, '')}`);

/** Our published speech runs as (config, seed, last test error %, seconds). */
function ours(): { c: SpeechConfig; seed: number; error: number; seconds: number }[] {
  return allPublished()
    .filter((p) => p.run.spec.data.set === 'fsdd-v1.0.10' && !p.run.spec.data.trainLimit)
    .map(({ run }) => {
      const { seed, error, trainLimit: _subset, ...c } = speechRunRow(run);
      return { c, seed, error, seconds: run.seconds };
    });
}

const minutes = (s: number[]) => (s.length ? fmt(median(s) / 60, 1) : '—');

const key = (c: SpeechConfig) => `${c.split}/${c.model}/${c.width}/${c.epochs}/${c.alpha}`;

/** Every configuration we published that the reference ran too: ours over seeds beside the reference's. */
export function speechAgreementTable(): string {
  const ref = speechReferenceRuns();
  const mine = ours();
  const configs = new Map(mine.map((x) => [key(x.c), x.c]));
  const rows = [...configs.values()]
    .sort((a, b) => key(a).localeCompare(key(b)))
    .flatMap((c) => {
      const r = speechReferenceErrors(ref, c);
      if (!r.size) return [];
      const o = new Map(mine.filter((x) => key(x.c) === key(c)).map((x) => [x.seed, x.error]));
      const t = welchTest([...o.values()], [...r.values()]);
      // The test of agreement: our mean (at the reference's two decimals) inside the range of its seeds.
      const m = Math.round(100 * meanStd([...o.values()]).mean) / 100;
      const where = againstSpread(m, spreadOf([...r].map(([seed, v]) => ({ seed, v }))));
      const inside = where === null ? '—' : where === 'inside' ? 'yes' : 'no';
      const secs = mine.filter((x) => key(x.c) === key(c)).map((x) => x.seconds);
      const refSecs = [...speechReferenceRunsAt(ref, c).values()].map((x) => x.elapsed[c.epochs - 1]);
      return [
        [
          `${netName(c.model, c.width)}, ${splitLabel(c.split)}, ${c.epochs} epochs, α = ${c.alpha}`,
          spreadCell(o),
          spreadCell(r),
          t ? `p = ${fmt(t.p, 2)}` : '—',
          inside,
          `${minutes(secs)} / ${minutes(refSecs)}`,
        ],
      ];
    });
  return table(
    [
      'notebook 6 configuration (last-epoch test error %)',
      'mixup-lab over seeds',
      'PyTorch reference over seeds',
      "Welch's t-test",
      "our mean inside the reference's range",
      'minutes a run, ours / reference (median)',
    ],
    rows,
  );
}

const SEARCH_EPOCHS = [10, 30, 60];

/**
 * The reference's regime search: per split, net and epochs (10 / 30 / 60, read from the curves of longer runs), ERM
 * beside each α over seeds, mixup's gain (ERM minus mixup, points; positive = mixup helps) and Welch's t-test.
 */
export function speechSearchTable(): string {
  const ref = speechReferenceRuns();
  const nets = [...new Map(ref.map((r) => [`${r.split}/${r.model}/${r.width}`, r])).values()].sort(
    (a, b) => a.split.localeCompare(b.split) || a.model.localeCompare(b.model) || a.width - b.width,
  );
  const rows: string[][] = [];
  for (const n of nets)
    for (const epochs of SEARCH_EPOCHS) {
      const at = (alpha: number) =>
        speechReferenceErrors(ref, { split: n.split, model: n.model, width: n.width, epochs, alpha });
      const erm = at(0);
      const alphas = [
        ...new Set(
          ref
            .filter((r) => r.split === n.split && r.model === n.model && r.width === n.width && r.alpha > 0)
            .map((r) => r.alpha),
        ),
      ].sort();
      for (const alpha of alphas) {
        const mix = at(alpha);
        if (erm.size < 2 || mix.size < 2) continue;
        const e = effectOf([...erm.values()], [...mix.values()]);
        rows.push([
          splitLabel(n.split),
          netName(n.model, n.width),
          String(epochs),
          String(alpha),
          spreadCell(erm),
          spreadCell(mix),
          `${e.gain > 0 ? '+' : ''}${fmt(e.gain, 2)}`,
          e.p === null ? '—' : `p = ${fmt(e.p, 2)}`,
          e.verdict,
        ]);
      }
    }
  return table(
    [
      'split',
      'net',
      'epochs',
      'α',
      'ERM test error %',
      'mixup test error %',
      'mixup gain (points)',
      "Welch's t-test",
      'mixup, at p < 0.05',
    ],
    rows,
  );
}
