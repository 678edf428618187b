/**
 * `npm run setup`: everything the project needs beyond `npm ci`, idempotent.
 *
 *   1. a project-local Python venv (.venv) with the pinned TensorFlow wheel and JupyterLab;
 *   2. @tensorflow/tfjs-node's native binding built against that wheel's libtensorflow
 *      (the package's own install script downloads a 2022 libtensorflow from outside npm, which
 *      fails here and is old everywhere, so `.npmrc` skips install scripts and this does the work);
 *   3. a check that the binding loads and runs an op;
 *   4. the tslab kernel registered inside the venv (`--sys-prefix`), so nothing outside the
 *      project is touched, and the project's Lab settings (no news feed, no update check);
 *   5. a check that Chromium is there for the browser tests (it says how to install it where it is not).
 *
 * Flags: --gpu (tensorflow[and-cuda] + @tensorflow/tfjs-node-gpu; Linux + NVIDIA driver only,
 * not tested on the project's machines), --skip-jupyter.
 */
import { spawnSync, SpawnSyncOptions } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseCli } from './cli';

export const TENSORFLOW_VERSION = '2.21.0';
export const JUPYTERLAB_VERSION = '4.6.4';
const ROOT = path.resolve(__dirname, '..', '..');
const VENV = path.join(ROOT, '.venv');
const VENV_PY = path.join(VENV, 'bin', 'python');

class SetupError extends Error {
  constructor(stage: string, problem: string, fix: string) {
    super(`[setup:${stage}] ${problem}\n  fix: ${fix}`);
  }
}

function run(cmd: string, args: string[], opts: SpawnSyncOptions = {}): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  return { ok: r.status === 0 && !r.error, out: r.error ? String(r.error) : out };
}

async function stage<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
  const t0 = Date.now();
  const result = await fn();
  console.log(
    `setup: ${name.padEnd(22)} ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s  ${typeof result === 'string' ? result : ''}`,
  );
  return result;
}

function findPython(): string {
  for (const candidate of [process.env.MIXUP_PYTHON, 'python3', 'python'].filter(Boolean) as string[]) {
    const r = run(candidate, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])']);
    if (!r.ok) continue;
    const [maj, min] = r.out.trim().split('.').map(Number);
    // TensorFlow 2.21 publishes wheels for CPython 3.10–3.13.
    if (maj === 3 && min >= 10 && min <= 13) return candidate;
  }
  throw new SetupError(
    'python',
    'no python3 between 3.10 and 3.13 found (TensorFlow 2.21 wheels need one)',
    'install one (Debian: apt-get install python3 python3-venv) or point MIXUP_PYTHON at it',
  );
}

function ensureVenv(): string {
  if (fs.existsSync(VENV_PY)) return 'exists';
  const py = findPython();
  const r = run(py, ['-m', 'venv', VENV]);
  if (!r.ok) {
    throw new SetupError(
      'venv',
      `${py} -m venv failed:\n${r.out.trim()}`,
      'install the venv module (Debian: apt-get install python3-venv) and run npm run setup again',
    );
  }
  return `created with ${py}`;
}

function installedVersion(dist: string): string | null {
  const r = run(VENV_PY, ['-c', `import importlib.metadata as m; print(m.version(${JSON.stringify(dist)}))`]);
  return r.ok ? r.out.trim() : null;
}

function pipInstall(gpu: boolean, jupyter: boolean): string {
  const wanted: [string, string, string][] = [
    gpu
      ? ['tensorflow', TENSORFLOW_VERSION, `tensorflow[and-cuda]==${TENSORFLOW_VERSION}`]
      : ['tensorflow-cpu', TENSORFLOW_VERSION, `tensorflow-cpu==${TENSORFLOW_VERSION}`],
  ];
  if (jupyter) wanted.push(['jupyterlab', JUPYTERLAB_VERSION, `jupyterlab==${JUPYTERLAB_VERSION}`]);
  // The PyTorch reference's pins (tools/reference/requirements.txt): npm test checks our steps against it.
  for (const line of fs.readFileSync(path.join(ROOT, 'tools', 'reference', 'requirements.txt'), 'utf8').split('\n')) {
    const pin = /^([\w.-]+)==([\w.+-]+)\s*$/.exec(line.trim());
    if (pin) wanted.push([pin[1], pin[2], pin[0]]);
  }
  // A local version label (torch's `+cpu`) is the same release.
  const missing = wanted
    .filter(([dist, v]) => installedVersion(dist)?.replace(/\+.*$/, '') !== v)
    .map(([, , spec]) => spec);
  if (missing.length === 0) return 'already installed';
  const r = run(VENV_PY, ['-m', 'pip', 'install', '--disable-pip-version-check', '-q', ...missing], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (!r.ok) {
    const unreachable = /Could not find a version|No matching distribution|connection|Max retries/i.test(r.out);
    throw new SetupError(
      'pip',
      `pip could not install ${missing.join(' ')}:\n${r.out.trim().split('\n').slice(-8).join('\n')}`,
      unreachable
        ? 'pip cannot reach an index holding these wheels: set PIP_INDEX_URL (or pip config) to one that does, and check python is 3.10–3.13'
        : "read pip's message above; `rm -rf .venv && npm run setup` starts clean",
    );
  }
  return missing.join(' ');
}

function tensorflowDir(): string {
  const r = run(VENV_PY, [
    '-c',
    'import importlib.util as u; print(u.find_spec("tensorflow").submodule_search_locations[0])',
  ]);
  if (!r.ok) throw new SetupError('wheel', 'the venv has no tensorflow package', 'rm -rf .venv && npm run setup');
  const dir = r.out.trim();
  for (const f of ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2', 'include/tensorflow/c/c_api.h']) {
    if (!fs.existsSync(path.join(dir, f))) {
      throw new SetupError(
        'wheel',
        `the TensorFlow wheel at ${dir} lacks ${f} (the C API tfjs-node links against)`,
        `install tensorflow-cpu==${TENSORFLOW_VERSION} from PyPI (rm -rf .venv && npm run setup)`,
      );
    }
  }
  return dir;
}

function symlink(target: string, at: string): void {
  fs.rmSync(at, { recursive: true, force: true });
  fs.symlinkSync(target, at);
}

/** Lays the wheel's libraries out the way tfjs-node's binding.gyp and its RUNPATH expect them. */
function linkDeps(pkgDir: string, tfDir: string): string {
  const deps = path.join(pkgDir, 'deps');
  const lib = path.join(deps, 'lib');
  fs.mkdirSync(lib, { recursive: true });
  symlink(path.join(tfDir, 'include'), path.join(deps, 'include'));
  const cc = path.join(tfDir, 'libtensorflow_cc.so.2');
  const fw = path.join(tfDir, 'libtensorflow_framework.so.2');
  // libtensorflow_cc exports the TF_*/TFE_* C API the binding calls; the binding records its soname.
  for (const n of ['libtensorflow.so', 'libtensorflow.so.2', 'libtensorflow_cc.so.2']) symlink(cc, path.join(lib, n));
  for (const n of ['libtensorflow_framework.so', 'libtensorflow_framework.so.2']) symlink(fw, path.join(lib, n));
  return deps;
}

function nodeGyp(): string {
  const candidates = [
    process.env.npm_config_node_gyp,
    path.join(
      path.dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
  ].filter(Boolean) as string[];
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found)
    throw new SetupError('binding', 'node-gyp not found (it ships with npm)', 'run setup through `npm run setup`');
  return found;
}

function nodeDir(): string | null {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  const r = run('npm', ['config', 'get', 'nodedir']);
  const v = r.ok ? r.out.trim() : '';
  return v && v !== 'undefined' && v !== 'null' ? v : null;
}

function buildBinding(pkgDir: string, tfDir: string): string {
  const out = path.join(pkgDir, 'lib', 'napi-v8', 'tfjs_binding.node');
  const stamp = path.join(pkgDir, 'deps', 'mixup-lab-build.json');
  const key = JSON.stringify({ tfDir, tf: TENSORFLOW_VERSION, node: process.versions.modules });
  if (fs.existsSync(out) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === key) return 'up to date';
  if (!run('g++', ['--version']).ok || !run('make', ['--version']).ok) {
    throw new SetupError(
      'binding',
      'no C++ toolchain (g++ and make) to build the tfjs-node binding',
      'install one (Debian: apt-get install g++ make) and run npm run setup again',
    );
  }
  const args = [nodeGyp(), 'rebuild', '--module_name=tfjs_binding', '--module_path=./lib/napi-v8'];
  const nd = nodeDir();
  if (nd) args.push(`--nodedir=${nd}`);
  const r = run(process.execPath, args, { cwd: pkgDir });
  if (!r.ok) {
    throw new SetupError(
      'binding',
      `node-gyp failed:\n${r.out.trim().split('\n').slice(-15).join('\n')}`,
      /nodedir|headers|download/i.test(r.out)
        ? "node-gyp needs Node's headers: set `npm config set nodedir <dir with include/node>`"
        : 'read the compiler output above',
    );
  }
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.copyFileSync(path.join(pkgDir, 'build', 'Release', 'tfjs_binding.node'), out);
  fs.writeFileSync(stamp, key);
  return `built ${path.relative(ROOT, out)}`;
}

function checkBinding(pkg: string): string {
  const code = `const tf = require(${JSON.stringify(pkg)});
    const y = tf.matMul(tf.ones([2, 3]), tf.ones([3, 2])).dataSync();
    if (tf.getBackend() !== 'tensorflow' || y[0] !== 3) { console.error('bad result', tf.getBackend(), y); process.exit(1); }
    console.log('backend ' + tf.getBackend() + ', tfjs ' + tf.version.tfjs);`;
  const r = run(process.execPath, ['-e', code], { cwd: ROOT, env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' } });
  if (!r.ok) {
    throw new SetupError(
      'check',
      `${pkg} does not load or run:\n${r.out.trim().split('\n').slice(-10).join('\n')}`,
      'rm -rf .venv node_modules/@tensorflow/tfjs-node/{deps,build,lib/napi-v8} && npm run setup',
    );
  }
  return r.out.split('\n').find((l) => l.startsWith('backend')) ?? '';
}

function installKernel(): string {
  const tslab = path.join(ROOT, 'node_modules', '.bin', 'tslab');
  if (!fs.existsSync(tslab)) throw new SetupError('kernel', 'node_modules/.bin/tslab missing', 'npm ci');
  // patches/ fixes tslab's output channel (patches/tslab+*.patch: without it a busy cell fails at random). Applied
  // here, not in a postinstall script: .npmrc has npm run no install scripts.
  const jupyterJs = path.join(ROOT, 'node_modules', 'tslab', 'dist', 'jupyter.js');
  const patched = () => {
    const text = fs.readFileSync(jupyterJs, 'utf8');
    return text.includes('sendInOrder') && text.includes('sendHighWaterMark: 0');
  };
  if (!patched()) {
    const r = run(path.join(ROOT, 'node_modules', '.bin', 'patch-package'), [], { cwd: ROOT });
    if (!r.ok || !patched())
      throw new SetupError(
        'kernel',
        `${path.relative(ROOT, jupyterJs)} could not be patched (patches/):\n${r.out.trim()}`,
        'npm ci && npm run setup',
      );
  }
  const spec = path.join(VENV, 'share', 'jupyter', 'kernels', 'tslab', 'kernel.json');
  if (fs.existsSync(spec) && fs.readFileSync(spec, 'utf8').includes(tslab)) return 'registered';
  const r = run(tslab, ['install', `--python=${VENV_PY}`, '--sys-prefix', `--binary=${tslab}`]);
  if (!r.ok) throw new SetupError('kernel', `tslab install failed:\n${r.out.trim()}`, 'npm ci && npm run setup');
  return 'tslab kernel in .venv';
}

/**
 * The project's Lab settings, in the venv's overrides.json: JupyterLab makes no off-host request of its own (the
 * news feed and update check are off), so it does not greet the user with a prompt about them either.
 */
export const LAB_OVERRIDES = {
  '@jupyterlab/apputils-extension:notification': { fetchNews: 'false', checkForUpdates: false },
};

function writeLabSettings(): string {
  const dir = path.join(VENV, 'share', 'jupyter', 'lab', 'settings');
  const file = path.join(dir, 'overrides.json');
  const text = `${JSON.stringify(LAB_OVERRIDES, null, 2)}\n`;
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === text) return 'news and update checks off';
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file, text);
  return `news and update checks off (${path.relative(ROOT, file)})`;
}

async function main(): Promise<void> {
  let flags: { gpu?: boolean; 'skip-jupyter'?: boolean };
  try {
    flags = parseCli(
      { options: { gpu: { type: 'boolean' }, 'skip-jupyter': { type: 'boolean' } } },
      'npm run setup [-- --gpu] [--skip-jupyter]',
    ).values;
  } catch (e) {
    throw new SetupError('args', (e as Error).message, 'use --gpu and/or --skip-jupyter');
  }
  const gpu = flags.gpu === true;
  const jupyter = flags['skip-jupyter'] !== true;
  const pkg = gpu ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
  const t0 = Date.now();
  await stage('venv', ensureVenv);
  await stage('pip', () => pipInstall(gpu, jupyter));
  const tfDir = await stage('wheel', tensorflowDir);
  if (gpu && !fs.existsSync(path.join(ROOT, 'node_modules', pkg))) {
    await stage('npm gpu package', () => {
      const r = run('npm', ['install', '--no-save', '--ignore-scripts', `${pkg}@4.22.0`], { cwd: ROOT });
      if (!r.ok) throw new SetupError('npm', r.out, `npm install --no-save --ignore-scripts ${pkg}@4.22.0`);
      return 'installed';
    });
  }
  const pkgDir = path.join(ROOT, 'node_modules', pkg);
  await stage('deps links', () => path.relative(ROOT, linkDeps(pkgDir, tfDir)));
  await stage('binding', () => buildBinding(pkgDir, tfDir));
  await stage('check', () => checkBinding(pkg));
  if (jupyter) await stage('jupyter kernel', installKernel);
  if (jupyter) await stage('lab settings', writeLabSettings);
  await stage('test packages', testPackages);
  if (gpu)
    console.log(
      "setup: --gpu is documented but untested here: check `ldd` on the binding finds the nvidia-* wheels' CUDA libraries",
    );
  console.log(`setup: done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/**
 * What `npm test` needs beyond npm and pip: Chromium for the browser checks and redis-server for the queue tests.
 * Installed with apt where setup runs as root on Debian (as .ci/apt-packages does in CI); otherwise the one command to
 * run is printed, and the tests that need them fail naming it.
 */
function testPackages(): string {
  const chromium = process.env.MIXUP_CHROMIUM ?? '/usr/bin/chromium';
  const redis = () => run('sh', ['-c', 'command -v redis-server']).ok;
  const missing = [...(fs.existsSync(chromium) ? [] : ['chromium']), ...(redis() ? [] : ['redis-server'])];
  if (!missing.length) return `chromium (${chromium}) and redis-server found`;
  const apt = run('sh', ['-c', 'command -v apt-get']).ok;
  if (process.getuid?.() === 0 && apt && !process.env.MIXUP_CHROMIUM) {
    const r = run('bash', [path.join(ROOT, '.ci', 'apt-packages')], { cwd: ROOT });
    if (!r.ok) throw new SetupError('apt', r.out, `apt-get install -y ${missing.join(' ')}`);
    return `installed ${missing.join(' and ')} with apt`;
  }
  return (
    `${missing.join(' and ')} missing: npm test's ${missing.includes('chromium') ? 'browser checks' : 'queue tests'} ` +
    `need ${missing.length > 1 ? 'them' : 'it'}: run \`sudo apt-get install ${missing.join(' ')}\`` +
    `${missing.includes('chromium') ? ' (or set MIXUP_CHROMIUM to a Chromium)' : ''}, then npm test`
  );
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
