/**
 * `npm run bench:notebook -- 06 04 [--profile quick]`: each named notebook executed headless and alone from an empty
 * run cache (a temporary MIXUP_RUNS_DIR), as a person running one notebook in JupyterLab would: its runs go through the
 * notebook's own pool on every core. Appends one record per notebook, with the machine, to
 * results/bench/notebook-alone.jsonl (what #44's targets for notebooks 4 and 6 are measured against).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appendRecords, machine } from '../scripts/record';
import { checkPrerequisites, executeNotebooks, ROOT } from '../scripts/notebooks';
import { parseCli } from '../scripts/cli';

async function main(): Promise<void> {
  const { values, positionals } = parseCli(
    { allowPositionals: true, options: { profile: { type: 'string', default: 'quick' } } },
    'npm run bench:notebook -- NAME… [--profile P]',
  );
  if (!positionals.length) throw new Error('name the notebooks to time, e.g. npm run bench:notebook -- 06 04');
  checkPrerequisites();
  for (const name of positionals) {
    const runs = fs.mkdtempSync(path.join(os.tmpdir(), 'mixup-bench-notebook-'));
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'mixup-bench-notebook-out-'));
    process.env.MIXUP_RUNS_DIR = runs;
    let ok = false;
    try {
      const [t] = await executeNotebooks({ names: [name], profile: values.profile, out, lanes: 1 });
      const record = {
        notebook: path.basename(t.notebook, '.ipynb'),
        profile: values.profile,
        seconds: +t.seconds.toFixed(1),
        emptyRunCache: true,
        ...machine(ROOT),
      };
      appendRecords(path.join(ROOT, 'results', 'bench', 'notebook-alone.jsonl'), [record]);
      console.log(`bench: ${record.notebook} alone at ${values.profile}: ${record.seconds} s`);
      ok = true;
    } finally {
      delete process.env.MIXUP_RUNS_DIR;
      // A failed notebook keeps its executed copy and its runs, to read the error and resume from.
      if (ok) {
        fs.rmSync(runs, { recursive: true, force: true });
        fs.rmSync(out, { recursive: true, force: true });
      } else console.error(`bench: ${name} failed: its executed notebook is in ${out}, its runs in ${runs}`);
    }
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
