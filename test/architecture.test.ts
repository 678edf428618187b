/** lib/'s layers import one way only: each folder from the folders docs/architecture.md lists beside it. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

const LIB = path.resolve(__dirname, '..', '..', 'lib');

/** What each top-level part of lib/ may import (docs/architecture.md's table); `*`: anything. */
const ALLOWED: Record<string, string[] | '*'> = {
  backend: [],
  random: [],
  stats: [],
  data: ['backend', 'random'],
  mixup: ['backend', 'data', 'models', 'random'],
  models: ['backend', 'random'],
  methods: ['data', 'mixup'],
  eval: ['backend', 'data', 'models', 'random'],
  attacks: ['backend', 'data', 'models'],
  train: ['backend', 'data', 'eval', 'mixup', 'models', 'random'],
  runs: ['backend', 'data', 'models', 'train'],
  reference: ['data', 'eval', 'runs', 'stats'],
  experiments: ['attacks', 'backend', 'data', 'eval', 'gan', 'methods', 'mixup', 'models', 'random', 'runs', 'train'],
  cluster: ['backend', 'data', 'experiments', 'runs', 'train'],
  findings: ['charts', 'eval', 'experiments', 'gan', 'methods', 'reference', 'runs', 'stats', 'train'],
  gan: ['backend', 'data', 'eval', 'models', 'random', 'runs'],
  charts: ['data', 'train'],
  lab: ['cluster', 'data', 'eval', 'experiments', 'findings', 'gan', 'reference', 'runs', 'train'],
  notebook: '*',
};

const part = (root: string, file: string) => path.relative(root, file).split(path.sep)[0].replace(/\.ts$/, '');

function tsFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((d) =>
      d.isDirectory() ? tsFiles(path.join(dir, d.name)) : d.name.endsWith('.ts') ? [path.join(dir, d.name)] : [],
    );
}

/** Imports from one part of lib/ into another that its layer does not allow, as "file imports part". */
export function violations(root = LIB, files = tsFiles(root)): string[] {
  const out: string[] = [];
  for (const file of files) {
    const from = part(root, file);
    const allowed = ALLOWED[from];
    if (allowed === undefined) {
      out.push(
        `${path.relative(root, file)}: lib/${from} is in no layer (add it to docs/architecture.md and this test)`,
      );
      continue;
    }
    for (const m of fs.readFileSync(file, 'utf8').matchAll(/(?:from|import|require)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
      const to = part(root, path.resolve(path.dirname(file), m[1]));
      if (to !== from && allowed !== '*' && !allowed.includes(to))
        out.push(`${path.relative(root, file)} imports lib/${to}`);
    }
  }
  return out;
}

test('every import inside lib/ follows the layers of docs/architecture.md', () => {
  const files = tsFiles(LIB);
  assert.ok(files.length > 30, `found ${files.length} files: the scan is broken`);
  assert.deepEqual(violations(LIB, files), []);
});

test('an import against the layers is reported with its file', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mixup-layers-'));
  try {
    fs.mkdirSync(path.join(root, 'data'));
    fs.writeFileSync(
      path.join(root, 'data', 'probe.ts'),
      "import { train } from '../train/loop';\nimport { stream } from '../random';\n",
    );
    assert.deepEqual(violations(root), ['data/probe.ts imports lib/train']);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('the run store and the execution layer name no data set: every set is reached through lib/data/sets', () => {
  const named = /cifar|fsdd|\buci\b|moons|spectrogram|speech/i;
  const hits = ['cluster', 'runs'].flatMap((folder) =>
    tsFiles(path.join(LIB, folder)).flatMap((f) =>
      fs
        .readFileSync(f, 'utf8')
        .split('\n')
        .map((line, i) => ({ line, where: `${path.relative(LIB, f)}:${i + 1}` }))
        .filter((l) => named.test(l.line))
        .map((l) => `${l.where}: ${l.line.trim()}`),
    ),
  );
  assert.deepEqual(hits, []);
});
