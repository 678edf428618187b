/** Profile times: what a whole report costs (results/<profile>/timings.json, written by `npm run report`). */
import fs from 'node:fs';
import path from 'node:path';
import { CIFAR_PROFILES } from '../../lib/experiments/cifar';
import { PROFILES } from '../../lib/experiments/profiles';
import type { ReportTimings } from '../record';
import { fmt, readJson, RESULTS, table } from './common';

interface OneEpoch {
  notebook: string;
  epochs: number;
  epochsOfProfile: number;
  runs: { run: string; seconds: number }[];
  date: string;
  commit: string | null;
}

/** "75 s", "6.5 min", "1 h 10 min". */
export function duration(seconds: number): string {
  if (seconds < 120) return `${fmt(seconds)} s`;
  if (seconds < 3600) return `${fmt(seconds / 60, 1)} min`;
  if (seconds < 72 * 3600) {
    const m = Math.round(seconds / 60);
    return `${Math.floor(m / 60)} h ${m % 60} min`;
  }
  return `${fmt(seconds / 86400, 1)} days`;
}

const timingsOf = (profile: string): ReportTimings | null =>
  fs.existsSync(path.join(RESULTS, profile, 'timings.json'))
    ? readJson<ReportTimings>(`${profile}/timings.json`)
    : null;

const where = (t: { date: string; commit: string | null; cores: number; avx512: boolean }) =>
  `${t.date.slice(0, 10)}, ${t.cores} cores${t.avx512 ? ', AVX-512' : ''}${t.commit ? `, ${t.commit}` : ''}`;

const protocol = (p: (typeof CIFAR_PROFILES)['quick']) =>
  `CIFAR: ${fmt(p.trainLimit)} images, width ${p.width}, ${p.epochs} epoch${p.epochs === 1 ? '' : 's'}`;

const ABOUT: Record<string, string> = {
  smoke: 'seconds per notebook: a first look, and what the tests run',
  quick: 'the default: sized to a 2-core CPU',
  lowdata: "the paper's three CIFAR effects, beside the PyTorch reference",
  paper: "the paper's protocol: a GPU's job",
};

/** The README's profiles table: what each trains and how long a whole report took (or, for paper, its projection). */
export function profilesTable(): string {
  return table(
    ['profile', 'what it is', 'CIFAR protocol', 'all eight notebooks', 'measured'],
    PROFILES.map((profile) => {
      const t = timingsOf(profile);
      let time = 'not measured',
        at = '';
      if (t) {
        time = duration(t.wallSeconds);
        at = where(t);
      } else if (profile === 'paper' && fs.existsSync(path.join(RESULTS, 'paper', 'one-epoch.json'))) {
        const e = readJson<OneEpoch>('paper/one-epoch.json');
        const perEpoch = Math.max(...e.runs.map((r) => r.seconds)) / e.epochs;
        time = `notebook ${e.notebook.slice(0, 2)} alone ~${duration(perEpoch * e.epochsOfProfile)} (one epoch measured)`;
        at = where({ ...e, cores: 2, avx512: false });
      }
      return [`\`${profile}\``, ABOUT[profile], protocol(CIFAR_PROFILES[profile]), time, at];
    }),
  );
}

/** Seconds per notebook in each measured profile (notebooks run two at a time, so their times overlap). */
export function notebookTimesTable(): string {
  const measured = PROFILES.map((p) => ({ p, t: timingsOf(p) })).filter(
    (x): x is { p: (typeof PROFILES)[number]; t: ReportTimings } => x.t !== null,
  );
  const names = [...new Set(measured.flatMap((m) => m.t.notebooks.map((n) => n.notebook)))].sort();
  const cell = (t: ReportTimings, nb: string) => {
    const hit = t.notebooks.find((n) => n.notebook === nb);
    return hit ? duration(hit.seconds) : '—';
  };
  return table(
    ['notebook', ...measured.map((m) => `${m.p} (${where(m.t)})`)],
    [
      // Since the pool (2026-12-03) runs train before any notebook starts (CIFAR's only, until 2026-12-07); earlier
      // records trained them inside.
      [
        'runs, one pool before the notebooks',
        ...measured.map((m) =>
          m.t.pool
            ? `${duration(m.t.pool.seconds)} (${m.t.pool.runs} runs, ${m.t.pool.workers} at once)`
            : 'in the notebooks',
        ),
      ],
      ...(measured.some((m) => m.t.pool?.perKind)
        ? [
            [
              "the pool's work per kind (worker time)",
              ...measured.map((m) =>
                m.t.pool?.perKind
                  ? Object.entries(m.t.pool.perKind)
                      .sort(([, a], [, b]) => b - a)
                      .map(([k, s]) => `${k} ${duration(s)}`)
                      .join(', ')
                  : m.t.pool
                    ? 'CIFAR runs only'
                    : '—',
              ),
            ],
            [
              'cores busy: in the pool, over the whole report',
              ...measured.map((m) =>
                m.t.pool?.busy !== undefined && m.t.busy !== undefined
                  ? `${fmt(100 * m.t.pool.busy)} %, ${fmt(100 * m.t.busy)} %`
                  : '—',
              ),
            ],
          ]
        : []),
      ...names.map((nb) => [nb, ...measured.map((m) => cell(m.t, nb))]),
      [
        '**whole report** (wall time; lanes side by side)',
        ...measured.map((m) => `**${duration(m.t.wallSeconds)}** (${m.t.lanes} lanes)`),
      ],
    ],
  );
}
