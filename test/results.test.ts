/** The README's measured figures come from results/ through scripts/readme.ts, never typed by hand. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { GENERATORS, README, regenerate } from '../scripts/results';

test('every generated block of the README equals what its generator makes from results/ (npm run results)', () => {
  const text = fs.readFileSync(README, 'utf8');
  const names = [...text.matchAll(/<!-- results:([\w-]+) -->/g)].map((m) => m[1]);
  assert.deepEqual([...new Set(names)].sort(), Object.keys(GENERATORS).sort(), 'each generator has its block, once');
  assert.equal(regenerate(text), text, 'stale generated blocks: run `npm run results` (or restore results/ from git)');
  // A figure edited by hand inside a block is undone, not kept.
  const edited = text.replace(/(<!-- results:avx512-bench -->\n\|[^\n]*\n\|[^\n]*\n\| )16/, '$1 17');
  assert.notEqual(edited, text);
  assert.equal(regenerate(edited), text);
});

test('a block with no generator, or left open, is an error that names it', () => {
  assert.throws(() => regenerate('<!-- results:nope -->\nx\n<!-- /results:nope -->\n'), /results:nope has no generator: use one of .*avx512-bench/);
  assert.throws(() => regenerate('<!-- results:avx512-bench -->\nx\n'), /results:avx512-bench is not closed/);
});
