import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf } from '../lib/backend';
import { buildModel } from '../lib/models';
import { dropout } from '../lib/models/resnet';
import { stream } from '../lib/random';
import { backendForTests, maxAbsDiff } from './helpers';

backendForTests();

test("PreAct ResNet-18 at width 64 has the reference's 11,171,274 trainable parameters", () => {
  const m = buildModel({ kind: 'preact-resnet18', width: 64, numClasses: 10 }, 0);
  assert.equal(m.params.count(), 11_171_274);
  // Each stage doubles the width; 1×1 shortcuts only where the shape changes (3 of 8 blocks).
  assert.equal([...m.params.trainable.keys()].filter((k) => k.endsWith('shortcut')).length, 3);
  m.dispose();
});

test('post-activation ResNet-18 adds BN on its shortcuts: 11,173,962 parameters', () => {
  const m = buildModel({ kind: 'resnet18', width: 64, numClasses: 10 }, 0);
  assert.equal(m.params.count(), 11_173_962);
  m.dispose();
});

test("MLP: the paper's tabular net (two hidden layers of 128)", () => {
  const m = buildModel({ kind: 'mlp', inputs: 57, hidden: [128, 128], numClasses: 2 }, 0);
  assert.equal(m.params.count(), 57 * 128 + 128 + 128 * 128 + 128 + 128 * 2 + 2);
  const out = m.apply(tf.ones([3, 57]), { training: false });
  assert.deepEqual(out.shape, [3, 2]);
  assert.throws(() => m.apply(tf.ones([3, 56]), { training: false }), /mlp takes \[n, 57\] inputs/);
  m.dispose();
});

test('ResNets map [n, 32, 32, 3] to logits, reject other shapes, and init is seeded', () => {
  const a = buildModel({ kind: 'preact-resnet18', width: 4, numClasses: 10 }, 3);
  const b = buildModel({ kind: 'preact-resnet18', width: 4, numClasses: 10 }, 3);
  const c = buildModel({ kind: 'preact-resnet18', width: 4, numClasses: 10 }, 4);
  const x = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 1);
  const ya = a.apply(x, { training: false }).dataSync(),
    yb = b.apply(x, { training: false }).dataSync(),
    yc = c.apply(x, { training: false }).dataSync();
  assert.equal(ya.length, 20);
  assert.equal(maxAbsDiff(ya, yb), 0);
  assert.ok(maxAbsDiff(ya, yc) > 1e-4);
  assert.throws(() => a.apply(tf.ones([2, 28, 28, 3]), { training: false }), /takes images \[n, 32, 32, 3\]/);
  assert.throws(
    () => buildModel({ kind: 'preact-resnet18', width: 0, numClasses: 10 }, 0),
    /width must be a positive integer/,
  );
  assert.throws(() => buildModel({ kind: 'densenet' } as never, 0), /unknown model kind 'densenet'/);
  for (const m of [a, b, c]) m.dispose();
});

test('training mode uses batch statistics and moves the running ones; inference uses the running ones', () => {
  const m = buildModel({ kind: 'preact-resnet18', width: 4, numClasses: 10 }, 1);
  const x = tf.randomUniform([8, 32, 32, 3], 0, 1, 'float32', 2);
  const before = m.apply(x, { training: false }).dataSync();
  const mean0 = m.params.state.get('stem/bn/mean')!.dataSync().slice();
  m.apply(x, { training: true });
  const mean1 = m.params.state.get('stem/bn/mean')!.dataSync();
  assert.ok(maxAbsDiff(mean0, mean1) > 1e-4, 'running mean moved');
  assert.ok(
    maxAbsDiff(before, m.apply(x, { training: false }).dataSync()) > 1e-5,
    'inference output follows the running statistics',
  );
  m.dispose();
});

test('dropout on the pooled features: seeded masks in training, inverted scaling, inference untouched', () => {
  const plain = buildModel({ kind: 'preact-resnet18', width: 4, numClasses: 10 }, 3);
  const drop = buildModel({ kind: 'preact-resnet18', width: 4, numClasses: 10, dropout: 0.8 }, 3);
  const x = tf.randomUniform([16, 32, 32, 3], 0, 1, 'float32', 4);
  assert.equal(
    maxAbsDiff(plain.apply(x, { training: false }).dataSync(), drop.apply(x, { training: false }).dataSync()),
    0,
    'inference is the plain network',
  );
  assert.throws(() => drop.apply(x, { training: true }), /dropout 0.8 but no noise stream/);
  const train = (m: ReturnType<typeof buildModel>, seed: number) => {
    m.noise = stream(seed, 'dropout/0');
    return m.apply(x, { training: true }).dataSync();
  };
  const a = train(drop, 1),
    b = train(drop, 1),
    c = train(drop, 2);
  assert.equal(maxAbsDiff(a, b), 0, 'same stream, same mask');
  assert.ok(maxAbsDiff(a, c) > 1e-4, 'another stream, another mask');
  assert.ok(maxAbsDiff(a, train(plain, 1)) > 1e-4, 'training output differs from the network without dropout');
  // The mask itself: about p of the features are zeroed, the rest scaled by 1/(1−p), so the mean is kept.
  const out = dropout(tf.ones([100, 200]) as tf.Tensor2D, 0.8, stream(9, 'm'), 'test').dataSync();
  const kept = Array.from(out).filter((v) => v !== 0);
  assert.ok(Math.abs(kept.length / out.length - 0.2) < 0.01, `kept ${kept.length / out.length}`);
  assert.ok(
    kept.every((v) => Math.abs(v - 5) < 1e-6),
    'kept features scaled by 1/(1−p)',
  );
  assert.throws(
    () => buildModel({ kind: 'preact-resnet18', width: 4, numClasses: 10, dropout: 1 }, 3),
    /dropout is a drop probability in \[0, 1\)/,
  );
  for (const m of [plain, drop]) m.dispose();
});

test('a mixing plan changes the hidden state after the point named, and nothing else; models say where they can mix', () => {
  const x = tf.tensor4d(stream(8, 'x').uniformArray(4 * 32 * 32 * 3, 0, 1), [4, 32, 32, 3]);
  const resnet = buildModel({ kind: 'preact-resnet18', width: 4, numClasses: 10 }, 1);
  const mlp = buildModel({ kind: 'mlp', inputs: 6, hidden: [8, 8], numClasses: 3 }, 1);
  const xm = tf.tensor2d(stream(9, 'x').uniformArray(4 * 6, -1, 1), [4, 6]);
  for (const [m, input] of [
    [resnet, x],
    [mlp, xm],
  ] as const) {
    const plain = m.apply(input, { training: false }).dataSync();
    for (let after = 1; after <= m.mixPoints; after++) {
      const same = m.apply(input, { training: false, mix: { after, mix: (h) => h } }).dataSync();
      assert.equal(maxAbsDiff(plain, same), 0, `${m.name}: an identity mix after ${after} changes nothing`);
      const zeroed = m.apply(input, { training: false, mix: { after, mix: (h) => tf.zerosLike(h) } }).dataSync();
      assert.ok(maxAbsDiff(plain, zeroed) > 1e-4, `${m.name}: a mix after ${after} reaches the logits`);
    }
  }
  // The MLP's last mixing point is its last hidden layer: zeroed there, the logits are the output layer's bias.
  const bias = mlp.params.list().at(-1)!.dataSync();
  const atBias = mlp.apply(xm, { training: false, mix: { after: 2, mix: (h) => tf.zerosLike(h) } }).arraySync();
  for (const row of atBias as number[][]) assert.ok(maxAbsDiff(row, bias) < 1e-6);
  assert.equal(resnet.mixPoints, 4);
  assert.throws(
    () => resnet.apply(x, { training: false, mix: { after: 5, mix: (h) => h } }),
    /mixes hidden states after points 1…4 \(0: the inputs\), not 5/,
  );
  const lenet = buildModel({ kind: 'lenet', input: [99, 81, 1], numClasses: 10 }, 1);
  assert.throws(
    () => lenet.apply(tf.zeros([2, 99, 81, 1]), { training: false, mix: { after: 1, mix: (h) => h } }),
    /cannot mix a hidden state: mix its inputs only/,
  );
});
