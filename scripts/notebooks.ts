/**
 * Executes notebooks headless with the project's tslab kernel (jupyter nbconvert --execute in .venv): see USAGE.
 * Names match notebooks/ files by prefix or substring ("01", "toy"); none = all. Parameters reach the
 * notebooks' parameter cells as MIXUP_PROFILE / MIXUP_SEEDS. Exits non-zero with the failing cell's error.
 * `--lanes N` executes up to N notebooks at once, in order (default 2 on a machine with two or more cores): one
 * notebook leaves cores idle whenever it trains a single run or does something else than training, and notebooks
 * that need the same run wait for each other through the run cache's lock (lib/runs/lock) instead of
 * training it twice. Thread counts, and so every notebook's numbers, do not depend on the lanes.
 * nbconvert and its kernel are stopped on every way out (Ctrl-C, --timeout, an error): see processes.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isTensorflowStartupLine, NATIVE_CRASH_HINT } from '../lib/backend/cpu';
import { PROFILES } from '../lib/experiments/profiles';
import { staleSources } from '../lib/notebook/fresh';
import { numberOption, parseCli, positiveInt } from './cli';
import { spawnTracked, stopTree } from './processes';

export const ROOT = path.resolve(__dirname, '..', '..');
export const NOTEBOOKS_DIR = path.join(ROOT, 'notebooks');
const JUPYTER = path.join(ROOT, '.venv', 'bin', 'jupyter');
const KERNEL_SPEC = path.join(ROOT, '.venv', 'share', 'jupyter', 'kernels', 'tslab', 'kernel.json');

export interface RunOptions {
  names: string[];
  profile: string;
  seeds?: string;
  out: string;
  /** Seconds one notebook may run before it and its kernel are stopped (none by default). */
  timeout?: number;
  /** Aborting stops the notebook being executed (and its kernel). */
  signal?: AbortSignal;
  /** Notebooks executed at once (default: 2 with two or more cores, else 1). */
  lanes?: number;
  /** Where the notebooks are (default: the project's notebooks/). */
  dir?: string;
  /**
   * Each notebook's expected seconds (by name without .ipynb): the lanes take the longest first, so that no lane ends
   * long after the other. Notebooks with no figure go first; none given: file order.
   */
  cost?: Record<string, number>;
}
/** How long a kernel may take to answer at start (nbconvert's default is 60 s), and how its silence reads. */
const KERNEL_STARTUP_S = 120;
const KERNEL_NO_ANSWER = /Kernel didn't respond in \d+ seconds/;

export interface NotebookTiming {
  notebook: string;
  seconds: number;
  output: string;
}

const USAGE =
  'npm run notebooks -- [names…] [--profile smoke|quick|lowdata|paper] [--seed N | --seeds 1,2,3] [--out DIR] [--timeout S] [--lanes N]';

export function parseArgs(argv: string[]): RunOptions {
  const { values: v, positionals } = parseCli(
    {
      args: argv,
      allowPositionals: true,
      options: {
        profile: { type: 'string', default: process.env.MIXUP_PROFILE ?? 'quick' },
        seed: { type: 'string' },
        seeds: { type: 'string' },
        out: { type: 'string', default: '' },
        timeout: { type: 'string' },
        lanes: { type: 'string' },
      },
    },
    USAGE,
  );
  const o: RunOptions = { names: positionals, profile: v.profile, out: v.out, seeds: v.seeds ?? v.seed };
  if (v.timeout !== undefined) o.timeout = numberOption(v.timeout, 0, 'timeout', 'seconds > 0', (n) => n > 0);
  if (v.lanes !== undefined)
    o.lanes = numberOption(v.lanes, 0, 'lanes', 'a whole number ≥ 1 of notebooks to execute at once', positiveInt);
  if (!(PROFILES as readonly string[]).includes(o.profile))
    throw new Error(`unknown profile '${o.profile}': use one of ${PROFILES.join(', ')}`);
  o.out ||= path.join(ROOT, '.cache', 'executed', o.profile);
  return o;
}

export function selectNotebooks(names: string[], dir = NOTEBOOKS_DIR): string[] {
  const all = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ipynb'))
    .sort();
  if (!names.length) return all;
  return names.map((n) => {
    const hit = all.filter((f) => f.startsWith(n) || f.includes(n));
    if (hit.length !== 1)
      throw new Error(
        `notebook '${n}' matches ${hit.length ? hit.join(', ') : 'nothing'}: choose one of ${all.join(', ')}`,
      );
    return hit[0];
  });
}

/** How many notebooks execute at once: `--lanes`, else two on a machine with two or more cores; never more than there are. */
export function notebookLanes(lanes: number | undefined, notebooks: number): number {
  return Math.min(lanes ?? Math.min(2, os.availableParallelism()), notebooks);
}

/** What running notebooks needs, each missing piece named with its fix before anything starts. */
export function checkPrerequisites(): void {
  if (!fs.existsSync(JUPYTER)) throw new Error('JupyterLab is not installed in .venv: run `npm run setup`');
  if (!fs.existsSync(KERNEL_SPEC)) throw new Error('the tslab kernel is not registered in .venv: run `npm run setup`');
  if (!fs.existsSync(path.join(ROOT, 'dist', 'lib', 'notebook', 'index.js')))
    throw new Error('lib/ is not compiled: run `npm run build`');
  const stale = staleSources(path.join(ROOT, 'lib'), path.join(ROOT, 'dist', 'lib'));
  if (stale.length)
    throw new Error(
      `the compiled lib is older than ${stale.slice(0, 3).join(', ')}: run \`npm run build\` (npm run notebooks does)`,
    );
}

function runOne(
  nb: string,
  o: RunOptions,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stderr: string; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawnTracked(
      JUPYTER,
      [
        'nbconvert',
        '--to',
        'notebook',
        '--execute',
        '--ExecutePreprocessor.kernel_name=tslab',
        '--ExecutePreprocessor.timeout=-1',
        `--ExecutePreprocessor.startup_timeout=${KERNEL_STARTUP_S}`,
        '--output-dir',
        o.out,
        path.join(o.dir ?? NOTEBOOKS_DIR, nb),
      ],
      { env, stdio: ['ignore', 'ignore', 'pipe'], signal: o.signal },
    );
    let stderr = '';
    let timedOut = false;
    child.stderr!.on('data', (b: Buffer) => {
      stderr = (stderr + b.toString()).slice(-(1 << 20));
    });
    const timer = o.timeout
      ? setTimeout(() => {
          timedOut = true;
          void stopTree(child);
        }, o.timeout * 1000)
      : null;
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, stderr, timedOut });
    });
  });
}

export async function executeNotebooks(o: RunOptions): Promise<NotebookTiming[]> {
  checkPrerequisites();
  fs.mkdirSync(o.out, { recursive: true });
  const env = {
    ...process.env,
    MIXUP_PROFILE: o.profile,
    TF_CPP_MIN_LOG_LEVEL: '2',
    ...(o.seeds ? { MIXUP_SEEDS: o.seeds } : {}),
  };
  const cost = (nb: string) => o.cost?.[path.basename(nb, '.ipynb')] ?? Infinity;
  const byName = selectNotebooks(o.names, o.dir);
  const notebooks = o.cost ? [...byName].sort((a, b) => cost(b) - cost(a) || a.localeCompare(b)) : byName;
  const lanes = notebookLanes(o.lanes, notebooks.length);
  // A failing notebook stops the ones running beside it.
  const stop = new AbortController();
  const signal = o.signal ? AbortSignal.any([o.signal, stop.signal]) : stop.signal;
  const timings: (NotebookTiming | undefined)[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < notebooks.length && !signal.aborted) {
      const k = next++;
      const nb = notebooks[k];
      const t0 = Date.now();
      if (lanes === 1) process.stdout.write(`notebooks: ${nb} (${o.profile}) … `);
      else console.log(`notebooks: ${nb} (${o.profile}) started`);
      let r = await runOne(nb, { ...o, signal }, env);
      // A kernel that never answered ran no cell: start it once more (seen once on a busy 2-core machine).
      if (r.code !== 0 && !r.timedOut && KERNEL_NO_ANSWER.test(r.stderr) && !signal.aborted) {
        console.log(`notebooks: ${nb}: its kernel did not answer in ${KERNEL_STARTUP_S} s; starting it once more`);
        r = await runOne(nb, { ...o, signal }, env);
      }
      const seconds = (Date.now() - t0) / 1000;
      const name = lanes === 1 ? '' : `notebooks: ${nb} `;
      if (o.signal?.aborted) throw new Error(`${nb} was stopped after ${seconds.toFixed(1)} s (aborted)`);
      if (stop.signal.aborted) return; // another lane failed and says why
      if (r.timedOut) {
        console.log(`${name}TIMED OUT`);
        throw new Error(
          `${nb} ran past --timeout ${o.timeout} s and was stopped with its kernel; finished training runs stay in the run cache`,
        );
      }
      if (r.code !== 0) {
        console.log(`${name}FAILED`);
        const err = r.stderr.split('\n').filter((l) => !isTensorflowStartupLine(l));
        const start = err.findIndex((l) => /CellExecutionError|An error occurred while executing/.test(l));
        const tail = err
          .filter((l) => l.trim())
          .slice(-25)
          .join('\n');
        // A kernel that dies mid-cell (training in the notebook's own process) leaves nbconvert only "Kernel died".
        const died = /DeadKernelError|Kernel died/.test(r.stderr)
          ? `\nits kernel died: ${NATIVE_CRASH_HINT} (unless it ran out of memory)`
          : '';
        throw new Error(
          // Blank lines left out: a kernel's error can follow many of them, past a window of raw lines.
          `${nb} failed after ${seconds.toFixed(1)} s:\n${
            start >= 0
              ? err
                  .slice(start)
                  .filter((l) => l.trim())
                  .slice(0, 40)
                  .join('\n') + '\n…\n'
              : ''
          }${tail}${died}`,
        );
      }
      console.log(lanes === 1 ? `${seconds.toFixed(1)} s` : `${name}done in ${seconds.toFixed(1)} s`);
      timings[k] = { notebook: nb, seconds, output: path.join(o.out, nb) };
    }
  };
  const results = await Promise.allSettled(
    Array.from({ length: lanes }, () =>
      lane().catch((e: unknown) => {
        stop.abort();
        throw e;
      }),
    ),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return timings
    .filter((t): t is NotebookTiming => t !== undefined)
    .sort((a, b) => byName.indexOf(a.notebook) - byName.indexOf(b.notebook));
}

if (require.main === module) {
  const started = Date.now();
  Promise.resolve()
    .then(() => executeNotebooks(parseArgs(process.argv.slice(2))))
    .then((timings) => {
      console.log(`notebooks: ${timings.length} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    })
    .catch((e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    });
}
