/**
 * No process of the project outlives what started it (scripts/processes.ts), and a missing Chromium fails the browser
 * checks in seconds with the fix named, leaving nothing running. Each case runs a real process tree: a shell, a
 * child, and a grandchild that moved to a session of its own and lost its parent (as Jupyter's kernels do).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { alive, descendants, spawnTracked, stopAll, stopTree, withEnv } from '../scripts/processes';
import { ROOT } from './helpers';

after(() => stopAll());

// A child, a grandchild, and a great-grandchild in its own session whose parent has exited (re-parented away).
const TREE = '(setsid sleep 300 &); sleep 300';

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('stopTree stops a child, its descendants, and one that left for a session of its own', async () => {
  const mark = crypto.randomBytes(8).toString('hex');
  const child = spawnTracked('sh', ['-c', TREE], { stdio: 'ignore', env: { ...process.env, MIXUP_TEST_MARK: mark } });
  await until(() => withEnv('MIXUP_TEST_MARK', mark).length === 3);
  const orphan = withEnv('MIXUP_TEST_MARK', mark).filter(
    (p) => p !== child.pid && !descendants(child.pid!).includes(p),
  );
  assert.equal(orphan.length, 1, 'one process is no longer below the child: only the inherited token finds it');
  await stopTree(child, 2000);
  await until(() => withEnv('MIXUP_TEST_MARK', mark).length === 0);
  assert.equal(alive(orphan[0]), false);
});

function runTestFile(
  source: string,
  env: NodeJS.ProcessEnv,
): { seconds: number; status: number | null; output: string } {
  const t0 = Date.now();
  // A nested runner that inherits NODE_TEST_CONTEXT reports to this one instead of running its file.
  const { NODE_TEST_CONTEXT: _, ...clean } = env;
  const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', source], {
    env: clean,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { seconds: (Date.now() - t0) / 1000, status: r.status, output: `${r.stdout}${r.stderr}` };
}

test('a test that times out, or throws before its finally, takes its processes with it', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixup-hang-'));
  const file = path.join(dir, 'hang.test.js');
  const lib = JSON.stringify(path.join(ROOT, 'dist', 'scripts', 'processes.js'));
  fs.writeFileSync(
    file,
    `const { after, test } = require('node:test');
const { spawnTracked, stopAll } = require(${lib});
after(() => stopAll());
test('times out', { timeout: 1000 }, async (t) => {
  spawnTracked('sh', ['-c', ${JSON.stringify(TREE)}], { stdio: 'ignore', signal: t.signal });
  await new Promise(() => {});
});
test('throws before its finally', async () => {
  spawnTracked('sh', ['-c', ${JSON.stringify(TREE)}], { stdio: ['ignore', 'pipe', 'pipe'] });
  throw new Error('boom');
});
`,
  );
  const mark = crypto.randomBytes(8).toString('hex');
  const r = runTestFile(file, { ...process.env, MIXUP_TEST_MARK: mark });
  fs.rmSync(dir, { recursive: true, force: true });
  assert.notEqual(r.status, 0, 'both tests fail');
  assert.match(r.output, /timed out after 1000ms/);
  assert.match(r.output, /boom/);
  assert.ok(r.seconds < 30, `the test file ended in ${r.seconds} s`);
  assert.deepEqual(withEnv('MIXUP_TEST_MARK', mark), [], 'no process the tests started is left');
});

test('without Chromium the browser checks fail in seconds with the fix, and leave nothing running', () => {
  const mark = crypto.randomBytes(8).toString('hex');
  const r = runTestFile(path.join(ROOT, 'dist', 'test', 'browser.test.js'), {
    ...process.env,
    MIXUP_TEST_MARK: mark,
    MIXUP_CHROMIUM: path.join(os.tmpdir(), 'no-such-chromium'),
  });
  assert.notEqual(r.status, 0);
  assert.equal(
    (r.output.match(/browser tests need Chromium at .*no-such-chromium: apt-get install chromium/g) ?? []).length >= 2,
    true,
    r.output.slice(-2000),
  );
  assert.ok(r.seconds < 30, `the browser checks ended in ${r.seconds} s`);
  assert.deepEqual(withEnv('MIXUP_TEST_MARK', mark), [], 'no process they started is left');
});
