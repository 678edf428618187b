/** `npm run bench`'s records (results/bench/train-speed.jsonl), one table per recorded run, newest first. */
import { fmt, jsonLines, table } from './common';

interface Base {
  kind: 'step' | 'epoch';
  backend: string;
  peak_rss_mb: number;
  date: string;
  commit: string | null;
  cpu: string;
  cores: number;
  avx512: boolean;
  source?: string;
}
interface StepRecord extends Base {
  kind: 'step';
  width: number;
  batch: number;
  train_img_s: number;
  infer_img_s: number;
  threads?: number;
}
interface EpochRecord extends Base {
  kind: 'epoch';
  seconds: number;
  test_error: number | null;
}
type BenchRecord = StepRecord | EpochRecord;

const FILE = 'bench/train-speed.jsonl';

const ratio = (x: number, ref: number | undefined, higherIsBetter = true) =>
  ref ? `${fmt(higherIsBetter ? x / ref : ref / x, 2)}x` : '';

/** Every recorded `npm run bench`, grouped by run (its date and commit), newest first. */
export function benchTables(): string {
  const records = jsonLines<BenchRecord>(FILE);
  const runs = new Map<string, BenchRecord[]>();
  for (const r of records) {
    const k = `${r.date}\u0000${r.commit}`;
    runs.set(k, [...(runs.get(k) ?? []), r]);
  }
  const out: string[] = [];
  for (const rs of [...runs.values()].sort((a, b) => b[0].date.localeCompare(a[0].date))) {
    const m = rs[0];
    out.push(
      `#### ${m.date.slice(0, 10)}: ${m.cpu}, ${m.cores} cores${m.avx512 ? ', AVX-512' : ''}${m.commit ? `, commit ${m.commit}` : ''}`,
    );
    if (m.source) out.push(`\n${m.source}.`);
    const steps = rs.filter((r): r is StepRecord => r.kind === 'step');
    const torch = (w: number) => steps.find((r) => r.backend === 'pytorch' && r.width === w);
    if (steps.length) {
      out.push(
        '',
        table(
          [
            'backend',
            'width',
            'train img/s',
            'infer img/s',
            'peak RSS MB',
            'train vs PyTorch',
            'infer vs PyTorch',
            'memory vs PyTorch',
          ],
          steps.map((r) => {
            const t = r.backend === 'pytorch' ? undefined : torch(r.width);
            return [
              r.backend === 'pytorch' ? `pytorch (${r.threads ?? '?'} threads)` : r.backend,
              String(r.width),
              fmt(r.train_img_s, 1),
              fmt(r.infer_img_s),
              fmt(r.peak_rss_mb),
              ratio(r.train_img_s, t?.train_img_s),
              ratio(r.infer_img_s, t?.infer_img_s),
              t ? `${fmt(r.peak_rss_mb / t.peak_rss_mb, 2)}x` : '',
            ];
          }),
        ),
      );
    }
    const epochs = rs.filter((r): r is EpochRecord => r.kind === 'epoch');
    const ref = epochs.find((e) => e.backend === 'pytorch');
    if (epochs.length) {
      out.push(
        '',
        table(
          [
            'one low-data epoch + scoring 10,000 test images',
            'seconds',
            'test error % after it',
            'peak RSS MB',
            'speed vs PyTorch',
          ],
          epochs.map((e) => [
            e.backend === 'pytorch' ? 'PyTorch reference (tools/reference/train.py)' : 'mixup-lab (native TensorFlow)',
            fmt(e.seconds, 1),
            e.test_error === null ? '—' : fmt(e.test_error, 2),
            fmt(e.peak_rss_mb),
            e === ref ? '' : ratio(e.seconds, ref?.seconds, false),
          ]),
        ),
      );
    }
    out.push('');
  }
  return out.join('\n').trimEnd();
}
