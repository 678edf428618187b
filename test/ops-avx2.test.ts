/**
 * oneDNN takes other kernels on a CPU with AVX-512 than on one with AVX2 only, and its bugs can live in one set alone
 * (lib/backend/cpu). On an AVX-512 machine, the native op checks (ops.test) run once more with oneDNN capped at AVX2, so
 * one machine checks both code paths. A child process: oneDNN reads the cap once, when it starts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { hasAvx512, onednnIsa } from '../lib/backend/cpu';
import { backendForTests, ROOT } from './helpers';

const report = backendForTests();
const skip =
  report.name !== 'tensorflow'
    ? `native TensorFlow not loaded (${report.reasons.join('; ')})`
    : !hasAvx512()
      ? "this CPU has no AVX-512: ops.test has already run oneDNN's AVX2 (or lower) kernels"
      : false;

test('the native op checks pass again with oneDNN capped at AVX2', { skip, timeout: 600_000 }, () => {
  const env: NodeJS.ProcessEnv = { ...process.env, ONEDNN_MAX_CPU_ISA: 'AVX2', TF_CPP_MIN_LOG_LEVEL: '2' };
  // The cap holds (oneDNN says so itself), or this test would check the default kernels twice.
  assert.match(onednnIsa(env) ?? '', /AVX2/, 'oneDNN ignored ONEDNN_MAX_CPU_ISA=AVX2');
  delete env.NODE_TEST_CONTEXT; // a test runner of its own, not a child reporting to this one
  const r = spawnSync(
    process.execPath,
    ['--test', '--test-reporter=tap', path.join(ROOT, 'dist', 'test', 'ops.test.js')],
    { env, encoding: 'utf8', timeout: 540_000 },
  );
  const out = `${r.stdout ?? ''}`;
  const failed = out
    .split('\n')
    .filter((l) => /^\s*not ok /.test(l))
    .map((l) => l.trim());
  assert.equal(
    r.status,
    0,
    `ops.test under ONEDNN_MAX_CPU_ISA=AVX2 failed (exit ${r.status}${r.signal ? `, ${r.signal}` : ''}): ` +
      `${failed.join('; ') || `${r.stderr ?? ''}`.trim().split('\n').slice(-5).join(' | ')}`,
  );
  const passed = Number(out.match(/^# pass (\d+)/m)?.[1] ?? 0);
  assert.ok(passed >= 10, `ops.test ran ${passed} passing tests under AVX2; expected all of its checks`);
});
