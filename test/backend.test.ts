import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT } from './helpers';

function report(env: Record<string, string>): { status: number | null; out: string } {
  const code = `const b = require(${JSON.stringify(path.join(ROOT, 'dist', 'lib', 'backend'))});
    const r = b.useBackend(); console.log(JSON.stringify(r));
    const t = b.tf.add(b.tf.scalar(2), b.tf.scalar(3)).dataSync()[0]; if (t !== 5) process.exit(3);`;
  const r = spawnSync(process.execPath, ['-e', code], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

test('MIXUP_BACKEND picks the backend and the report says which and why', () => {
  const cpu = report({ MIXUP_BACKEND: 'cpu' });
  assert.equal(cpu.status, 0, cpu.out);
  assert.match(cpu.out, /"name":"cpu".*"reasons":\["the cpu backend was requested explicitly"\]/);
  const bad = report({ MIXUP_BACKEND: 'webgpu' });
  assert.notEqual(bad.status, 0);
  assert.match(bad.out, /MIXUP_BACKEND=webgpu is not a backend: use one of auto, tensorflow, cpu/);
});

test('auto picks native TensorFlow here (npm run setup has built it); CI must run on it', () => {
  const auto = report({ MIXUP_BACKEND: 'auto' });
  assert.equal(auto.status, 0, auto.out);
  assert.match(
    auto.out,
    /"name":"tensorflow","package":"@tensorflow\/tfjs-node"/,
    'native backend expected: run npm run setup',
  );
  assert.doesNotMatch(auto.out, /WARNING: running on the pure-JavaScript cpu backend/);
});

test('one TensorFlow in the process: danfojs-node resolves the same tfjs-node and tfjs-core as lib/', () => {
  const danfoDir = path.dirname(require.resolve('danfojs-node'));
  for (const pkg of ['@tensorflow/tfjs-node', '@tensorflow/tfjs-core']) {
    assert.equal(require.resolve(pkg, { paths: [danfoDir] }), require.resolve(pkg), `${pkg} is deduplicated`);
  }
  const code = `const b = require(${JSON.stringify(path.join(ROOT, 'dist', 'lib', 'backend'))}); b.useBackend('tensorflow');
    const dfd = require('danfojs-node'); const t = new dfd.Series([1, 2, 3]).tensor;
    console.log(JSON.stringify({ same: dfd.tensorflow.engine() === b.tf.engine(), backend: b.tf.getBackend(), sum: t.sum().dataSync()[0] }));`;
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').pop()!), { same: true, backend: 'tensorflow', sum: 6 });
});
