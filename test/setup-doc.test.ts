/** docs/setup.md's table names every MIXUP_* environment variable the code reads, and none that nobody reads. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

const ROOT = path.resolve(__dirname, '..', '..');
const SOURCE_DIRS = ['lib', 'scripts', 'bench', 'tools', 'test', 'notebooks', '.ci'];

function sourceFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(p);
    return /\.(ts|py|sh|ipynb)$/.test(d.name) || path.basename(dir) === '.ci' ? [p] : [];
  });
}

/** Every MIXUP_* name in the project's sources, with the first file that reads it. */
export function variablesInCode(root = ROOT): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of SOURCE_DIRS.flatMap((d) => sourceFiles(path.join(root, d)))) {
    for (const m of fs.readFileSync(file, 'utf8').matchAll(/\bMIXUP_[A-Z0-9_]*[A-Z0-9]\b/g)) {
      if (!found.has(m[0])) found.set(m[0], path.relative(root, file));
    }
  }
  return found;
}

/** The variables named in the first column of docs/setup.md's table. */
export function variablesInDoc(text: string): Set<string> {
  return new Set([...text.matchAll(/^\| `(MIXUP_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]));
}

test('every MIXUP_* variable the code reads is in docs/setup.md, and every one there is read', () => {
  const code = variablesInCode();
  const doc = variablesInDoc(fs.readFileSync(path.join(ROOT, 'docs', 'setup.md'), 'utf8'));
  assert.ok(code.size >= 10, `found only ${code.size} variables: the scan is broken`);
  const missing = [...code.keys()].filter((v) => !doc.has(v));
  assert.deepEqual(
    missing,
    [],
    `add to docs/setup.md's table: ${missing.map((v) => `${v} (read in ${code.get(v)})`).join(', ')}`,
  );
  const stale = [...doc].filter((v) => !code.has(v));
  assert.deepEqual(stale, [], `docs/setup.md names variables nothing reads: ${stale.join(', ')}`);
});

test('the scan sees a variable the moment code reads it', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixup-envscan-'));
  try {
    fs.mkdirSync(path.join(tmp, 'lib'));
    const knob = ['MIXUP', 'NEW', 'KNOB'].join('_'); // spelt out, this file would read it too
    fs.writeFileSync(path.join(tmp, 'lib', 'x.ts'), `const v = process.env.${knob} ?? "1";\n`);
    assert.deepEqual([...variablesInCode(tmp).keys()], [knob]);
    assert.ok(!variablesInDoc(fs.readFileSync(path.join(ROOT, 'docs', 'setup.md'), 'utf8')).has(knob));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
