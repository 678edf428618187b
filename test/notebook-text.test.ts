/**
 * The notebooks' markdown states questions, protocols and how to read a chart: a measured figure belongs in a cell's
 * output, computed, where it cannot go stale. Every decimal or percentage in the markdown must be one of the paper's
 * own numbers (lib/reference/paper's PAPER); section numbers ("section 3.4") are names, not figures.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { PAPER } from '../lib/reference/paper';
import { ROOT } from './helpers';

function paperNumbers(v: unknown, out = new Set<number>()): Set<number> {
  if (typeof v === 'number') out.add(v);
  else if (Array.isArray(v)) v.forEach((x) => paperNumbers(x, out));
  else if (v && typeof v === 'object') Object.values(v).forEach((x) => paperNumbers(x, out));
  return out;
}
const ALLOWED = paperNumbers(PAPER);

/** The figures in a markdown text that are not the paper's: decimals and percentages, section numbers aside. */
export function typedFigures(markdown: string): string[] {
  const text = markdown.replace(/(section|§)\s*\d+(\.\d+)+/gi, '');
  const found = [...text.matchAll(/\d[\d,]*\.\d+\s*%?|\d[\d,]*\s*%/g)].map((m) => m[0].trim());
  return found.filter((f) => !ALLOWED.has(Number(f.replace(/[,%\s]/g, ''))));
}

const notebooks = fs.readdirSync(path.join(ROOT, 'notebooks')).filter((f) => /^\d.*\.ipynb$/.test(f));

test('no notebook types a measured figure into its markdown', () => {
  assert.equal(notebooks.length, 8);
  for (const f of notebooks) {
    const nb = JSON.parse(fs.readFileSync(path.join(ROOT, 'notebooks', f), 'utf8')) as {
      cells: { cell_type: string; source: string[] }[];
    };
    const md = nb.cells.filter((c) => c.cell_type === 'markdown').map((c) => c.source.join(''));
    assert.deepEqual(typedFigures(md.join('\n')), [], `${f}: move these figures into a computed cell output`);
  }
});

test('the check finds a typed figure and lets the paper’s numbers and section numbers through', () => {
  assert.deepEqual(typedFigures('over three seeds ERM 35.03 ± 1.50 %, mixup lower by 6 %'), ['35.03', '1.50 %', '6 %']);
  assert.deepEqual(typedFigures('the paper: 5.6 → 4.2 % (section 3.2); 50,000 images'), []);
});

test('every notebook opens with a parameters cell of literals that shows where its values came from', () => {
  for (const f of notebooks) {
    const nb = JSON.parse(fs.readFileSync(path.join(ROOT, 'notebooks', f), 'utf8')) as {
      cells: { cell_type: string; source: string[] }[];
    };
    const first = nb.cells.find((c) => c.cell_type === 'code')!.source.join('');
    // The profile and seeds first; a notebook may add literals of its own (notebook 2's methods).
    assert.match(first, /const P = lab\.params\(lab\.[a-z]+, \{ profile: '\w+', seeds: \[[\d, ]+\](, [^}]*)? \}\);/, f);
    assert.match(first, /lab\.showParams\(tslab, P\)/, f);
  }
});

test('every notebook runs its experiment through the one contract: lab.run(its experiment, P)', () => {
  for (const f of notebooks) {
    const nb = JSON.parse(fs.readFileSync(path.join(ROOT, 'notebooks', f), 'utf8')) as {
      cells: { cell_type: string; source: string[] }[];
    };
    const code = nb.cells.filter((c) => c.cell_type === 'code').map((c) => c.source.join(''));
    const experiment = /lab\.params\(lab\.([a-z]+),/.exec(code[0])?.[1];
    assert.ok(experiment, f);
    assert.ok(
      code.some((c) => c.includes(`await lab.run(lab.${experiment}, P`)),
      `${f}: train through lab.run(lab.${experiment}, P)`,
    );
    // Nothing trains beside it: the pool's own calls are lib/lab's.
    assert.ok(!code.some((c) => /trainWanted|computeWanted/.test(c)), f);
  }
});
