/**
 * `npm run lab`: JupyterLab on notebooks/ with the project's tslab kernel, bound to 127.0.0.1 with Jupyter's
 * token authentication on, and `tsc --watch` beside it so the compiled lib the notebooks import stays current
 * (lib/notebook also refuses to load stale code). Extra arguments go to `jupyter lab` (e.g. --port 8890).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { spawnTracked, stopTree } from './processes';

const ROOT = path.resolve(__dirname, '..', '..');
const jupyter = path.join(ROOT, '.venv', 'bin', 'jupyter');
if (
  !fs.existsSync(jupyter) ||
  spawnSync(jupyter, ['kernelspec', 'list'], { encoding: 'utf8' }).stdout?.includes('tslab') !== true
) {
  console.error('JupyterLab or the tslab kernel is missing from .venv: run `npm run setup` first');
  process.exit(1);
}
// Both children are tracked: Ctrl-C, a crash or JupyterLab's own exit stops the other, and every kernel, too.
const tsc = spawnTracked(
  process.execPath,
  [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', ROOT, '--watch', '--preserveWatchOutput'],
  { stdio: ['ignore', 'inherit', 'inherit'] },
);
const lab = spawnTracked(
  jupyter,
  [
    'lab',
    '--ip=127.0.0.1',
    '--no-browser',
    `--notebook-dir=${path.join(ROOT, 'notebooks')}`,
    // Jupyter refuses root without this flag; containers and CI often run as root.
    ...(process.getuid?.() === 0 ? ['--allow-root'] : []),
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);
let stopping = false;
// Ctrl-C reaches both: tsc's exit then is part of the stop, not a failure to report.
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.on(sig, () => {
    stopping = true;
  });
lab.on('exit', (code) => {
  stopping = true;
  void stopTree(tsc, 1000).then(() => process.exit(code ?? 0));
});
tsc.on('exit', (code) => {
  if (stopping) return;
  stopping = true;
  console.error(`tsc --watch stopped (exit ${code}): notebooks would import stale code, so JupyterLab stops too`);
  void stopTree(lab).then(() => process.exit(1));
});
