/**
 * Notebook 6 beside its PyTorch reference (tools/reference/speech.py on the project's own spectrograms): our runs
 * published under results/speech/ and the reference's JSON lines in results/reference/speech-*.jsonl, per configuration
 * over seeds, with Welch's t-test between them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { meanStd, welchTest } from '../../lib/stats';
import { allPublished, fmt, jsonLines, lastPct, RESULTS, spreadCell, table } from './common';

interface SpeechLine { name: string; split: string; model: string; width: number; epochs: number; alpha: number; seed: number; final?: boolean; test_err: number }

/** A configuration as both sides name it. */
interface Config { model: string; width: number; split: string; epochs: number; alpha: number }
const configKey = (c: Config) => `${c.model}/${c.model === 'vgg' ? c.width : 0}/${c.split}/${c.epochs}/${c.alpha}`;

function referenceLines(): SpeechLine[] {
  const dir = path.join(RESULTS, 'reference');
  return fs.readdirSync(dir).filter((f) => /^speech-.*\.jsonl$/.test(f)).sort()
    .flatMap((f) => jsonLines<SpeechLine>(`reference/${f}`)).filter((l) => l.final === true);
}

/** Our published speech runs as (config, seed, last test error %). */
function ours(): { c: Config; seed: number; error: number }[] {
  return allPublished()
    .filter((p) => p.run.spec.data.set === 'fsdd-v1.0.10')
    .map(({ run }) => {
      const m = run.spec.model as { kind: string; width?: number };
      const split = String(run.spec.data.split).replace(':', '-');
      return {
        c: { model: m.kind, width: m.width ?? 0, split, epochs: run.spec.train.epochs, alpha: run.spec.train.mixup.alpha },
        seed: run.spec.train.seed,
        error: lastPct(run),
      };
    });
}

/** One row per configuration run on both sides. */
export function speechAgreementTable(): string {
  const ref = referenceLines();
  const mine = ours();
  const configs = new Map<string, Config>();
  for (const l of ref) configs.set(configKey(l), { model: l.model, width: l.width, split: l.split, epochs: l.epochs, alpha: l.alpha });
  const rows = [...configs.values()].map((c) => {
    const r = new Map(ref.filter((l) => configKey(l) === configKey(c)).map((l) => [l.seed, l.test_err]));
    const o = new Map(mine.filter((x) => configKey(x.c) === configKey(c)).map((x) => [x.seed, x.error]));
    const t = welchTest([...o.values()], [...r.values()]);
    // The issue's test of agreement: our mean inside the range of the reference's seeds.
    const refValues = [...r.values()];
    const inside =
      o.size && refValues.length > 1
        ? (() => {
            // At the reference's precision: its lines hold two decimals.
            const m = Math.round(100 * meanStd([...o.values()]).mean) / 100;
            return m >= Math.min(...refValues) && m <= Math.max(...refValues) ? 'yes' : 'no';
          })()
        : '—';
    return [`${c.model === 'vgg' ? `VGG-11 layout, width ${c.width}` : 'LeNet'}, ${c.split} split, ${c.epochs} epochs, α = ${c.alpha}`,
      spreadCell(o), spreadCell(r), t ? `p = ${fmt(t.p, 2)}` : '—', inside];
  });
  return table(['notebook 6 configuration (last-epoch test error %)', 'mixup-lab over seeds', 'PyTorch reference over seeds', "Welch's t-test", "our mean inside the reference's range"], rows);
}
