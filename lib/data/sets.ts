/**
 * The data sets a run can name: `spec.data.set` → how to load it, which checksums a worker must share with the
 * machine that asked for the run, how many examples it has (what the cost model scales by), and the schema of its part
 * of a run spec (checked wherever a spec crosses a process or machine boundary). Everything above the data layer that
 * must know a set asks here, so the run store, the pool and the queue name none.
 *
 * A loader takes the spec's `data` and the run's seed (two moons draws its points from the run's seed; the other sets
 * carry any seed they use in `data`). Loads are kept per process: a worker that trains many runs of one set reads it once.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CIFAR10_SHA256, loadCifar10 } from './cifar10';
import { corruptLabels, CorruptedLabels } from './corrupt';
import type { LabeledData } from './dataset';
import { FSDD_MANIFEST_SHA256, FSDD_SPEAKERS } from './fsdd';
import { loadSpeech, SpeechSet, speechData, splitNamed } from './speech';
import { twoMoons } from './toy2d';
import { loadUci, UCI_DATASETS, UCI_SHA256, UCI_SHAPES, UciName } from './uci';
import { stream } from '../random';

/** What a run trains and is scored on; `corruption`: the labels redrawn, for a memorisation run's probes. */
export interface LoadedSet {
  train: LabeledData;
  test: LabeledData;
  corruption?: CorruptedLabels;
}

export interface DataSetEntry {
  /** In words, for progress lines and errors. */
  label: string;
  /** The schema of `spec.data` (its `set` included). */
  schema: z.ZodType;
  load(data: Record<string, unknown>, seed: number): Promise<LoadedSet>;
  /** The checksums a worker checks its copy against: equal on two machines means the same examples. */
  checksums(data: Record<string, unknown>): Record<string, string>;
  /** Training and test examples (about, where only loading would tell): the cost model's size. */
  examples(data: Record<string, unknown>): { train: number; test: number };
  /** Inputs are images (CIFAR-10): a run's last epoch also scores inputs of no class (lib/eval/ood). */
  images?: boolean;
}

const int = (min: number, max: number) => z.number().int().min(min).max(max);
const real = (min: number, max: number) => z.number().min(min).max(max);

/** Loads kept per process, by the part of the spec that decides the examples. */
function memo<T>(load: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const kept = new Map<string, Promise<T>>();
  return (key) => {
    if (!kept.has(key)) {
      const p = load(key);
      // A failed load is not kept: the next run tries again (a mounted share that was late, a fixed path).
      p.catch(() => kept.delete(key));
      kept.set(key, p);
    }
    return kept.get(key)!;
  };
}

const cifarSubset = memo((key: string) => {
  const [trainLimit, testLimit] = key.split('/').map(Number);
  return loadCifar10({ trainLimit, testLimit });
});

const CIFAR_DATA = z.strictObject({
  set: z.literal('cifar10'),
  trainLimit: int(1, 50_000),
  testLimit: int(1, 10_000),
  corruption: real(0, 1).optional(),
  corruptionSeed: int(0, 2 ** 31 - 1).optional(),
  probe: z.strictObject({ redrawn: int(0, 50_000), untouched: int(0, 50_000) }).optional(),
});

const cifar10: DataSetEntry = {
  label: 'CIFAR-10',
  schema: CIFAR_DATA,
  images: true,
  async load(data) {
    const d = data as z.infer<typeof CIFAR_DATA>;
    const { train, test } = await cifarSubset(`${d.trainLimit}/${d.testLimit}`);
    if (d.corruption === undefined) return { train, test };
    // The memorisation experiment: a fraction of the labels redrawn from the stream 'corrupt' of its own seed.
    const corruption = corruptLabels(
      train.labels,
      train.numClasses,
      d.corruption,
      stream(d.corruptionSeed ?? 0, 'corrupt'),
    );
    return { train: train.withLabels(corruption.labels), test, corruption };
  },
  checksums: () => CIFAR10_SHA256,
  examples: (data) => ({ train: Number(data.trainLimit), test: Number(data.testLimit) }),
};

const speech = memo(() => loadSpeech());

const FSDD_DATA = z.strictObject({
  set: z.literal('fsdd-v1.0.10'),
  split: z.union([z.literal('official'), z.enum(FSDD_SPEAKERS.map((s) => `speaker:${s}`) as [string, ...string[]])]),
  seconds: z.literal(1),
  frames: z.strictObject({ frameLength: int(2, 8000), frameStep: int(1, 8000) }),
  features: z.string().max(200),
  trainLimit: int(1, 3000).optional(),
});

const fsdd: DataSetEntry = {
  label: 'FSDD',
  schema: FSDD_DATA,
  async load(data) {
    const d = data as z.infer<typeof FSDD_DATA>;
    const s: SpeechSet = await speech('all');
    return speechData(s, splitNamed(d.split), d.trainLimit ?? 0);
  },
  checksums: () => ({ manifest: FSDD_MANIFEST_SHA256 }),
  // 3,000 recordings: 300 in the official test split (takes 0–4), 500 when a speaker is held out.
  examples: (data) => {
    const test = data.split === 'official' ? 300 : 500;
    return { train: Number(data.trainLimit ?? 3000 - test), test };
  },
};

/**
 * A UCI run's rows: the seeded test split (stream 'split' of `splitSeed`); with `validation`, that fraction of the
 * training rows (stream 'validation' of `splitSeed`) is held out and scored instead of the test rows (notebook 4's
 * choice of α). `scaling` absent: standardised, as every run before the option was (their keys unchanged).
 */
const uciData = (name: UciName) =>
  z.strictObject({
    set: z.literal(`uci-${name}`),
    testFraction: z.number().gt(0).lt(1),
    splitSeed: int(0, 2 ** 31 - 1),
    scaling: z.literal('raw').optional(),
    validation: z.number().gt(0).lt(1).optional(),
  });
type UciData = z.infer<ReturnType<typeof uciData>>;

const uciSplit = memo((key: string) => {
  const d = JSON.parse(key) as UciData & { name: UciName };
  const seed = d.splitSeed;
  return loadUci(d.name, stream(seed, 'split'), {
    testFraction: d.testFraction,
    scaling: d.scaling ?? 'standard',
    ...(d.validation ? { validation: { fraction: d.validation, rng: stream(seed, 'validation') } } : {}),
  });
});

function uci(name: UciName): DataSetEntry {
  const schema = uciData(name);
  return {
    label: `UCI ${name}`,
    schema,
    async load(data) {
      const d = data as UciData;
      const key = {
        name,
        testFraction: d.testFraction,
        splitSeed: d.splitSeed,
        scaling: d.scaling,
        validation: d.validation,
      };
      const { train, test } = await uciSplit(JSON.stringify(key));
      return { train, test };
    },
    checksums: () => ({ [name]: UCI_SHA256[name] }),
    examples: (data) => {
      const { rows } = UCI_SHAPES[name];
      const test = Math.max(1, Math.round(Number(data.testFraction) * rows));
      if (typeof data.validation !== 'number') return { train: rows - test, test };
      const held = Math.max(1, Math.round(data.validation * (rows - test)));
      return { train: rows - test - held, test: held };
    },
  };
}

const MOONS_DATA = z.strictObject({
  set: z.literal('two-moons'),
  points: int(2, 1_000_000),
  noise: real(0, 10),
  testPoints: int(1, 1_000_000),
});

const twoMoonsSet: DataSetEntry = {
  label: 'two moons',
  schema: MOONS_DATA,
  // Drawn from the run's seed: its streams 'toy' (training points) and 'toy-test'.
  async load(data, seed) {
    const d = data as z.infer<typeof MOONS_DATA>;
    return {
      train: twoMoons(d.points, d.noise, stream(seed, 'toy')),
      test: twoMoons(d.testPoints, d.noise, stream(seed, 'toy-test')),
    };
  },
  // Generated, not read: the code that draws them is the lib fingerprint's.
  checksums: () => ({}),
  examples: (data) => ({ train: Number(data.points), test: Number(data.testPoints) }),
};

export const DATA_SETS: Readonly<Record<string, DataSetEntry>> = {
  cifar10,
  'fsdd-v1.0.10': fsdd,
  ...Object.fromEntries(UCI_DATASETS.map((n) => [`uci-${n}`, uci(n)])),
  'two-moons': twoMoonsSet,
};

/** The entry of the set a run's data names, or an error listing the sets there are. */
export function dataSet(data: Record<string, unknown>): DataSetEntry {
  const set = data.set;
  const entry = typeof set === 'string' ? DATA_SETS[set] : undefined;
  if (!entry)
    throw new Error(
      `unknown data set ${JSON.stringify(set)}: a run's data.set is one of ${Object.keys(DATA_SETS).join(', ')}`,
    );
  return entry;
}

/** The first 16 hex digits of the SHA-256 of a set's checksums: what a worker's copy must match. */
export function dataChecksum(data: Record<string, unknown>): string {
  const sums = Object.entries(dataSet(data).checksums(data)).sort(([a], [b]) => a.localeCompare(b));
  return createHash('sha256')
    .update(`${String(data.set)}\0${JSON.stringify(sums)}`)
    .digest('hex')
    .slice(0, 16);
}
