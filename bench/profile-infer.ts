/**
 * `node dist/bench/profile-infer.js [width] [batch]`: where one inference batch of PreAct ResNet-18 spends its time on
 * native TensorFlow — tf.profile's kernels grouped by name, ms and share of the total — after a few training steps (an
 * untrained network's batch norms see running statistics of 0 and 1, which runs slower than trained ones).
 * Says which op dominates scoring (docs/benchmarks.md shows before and after).
 */
import { tf, useBackend } from '../lib/backend';
import { buildModel } from '../lib/models';
import { trainStep } from '../lib/train/loop';
import { makeOptimizer, PAPER_CIFAR_SGD } from '../lib/train/optimizer';

async function main(): Promise<void> {
  useBackend('tensorflow');
  const width = Number(process.argv[2] ?? 16);
  const batch = Number(process.argv[3] ?? 128);
  const model = buildModel({ kind: 'preact-resnet18', width, numClasses: 10 }, 1);
  const opt = makeOptimizer(PAPER_CIFAR_SGD);
  const x = tf.randomUniform([batch, 32, 32, 3], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 2), 10).toFloat() as tf.Tensor2D;
  for (let i = 0; i < 3; i++) trainStep(model, opt, x, y, 1e-4);
  for (let i = 0; i < 3; i++) tf.tidy(() => model.apply(x, { training: false }).dataSync()); // warm-up
  const p = await tf.profile(() =>
    tf.tidy(() => {
      model.apply(x, { training: false }).dataSync();
    }),
  );
  const by = new Map<string, { calls: number; ms: number }>();
  for (const k of p.kernels) {
    const e = by.get(k.name) ?? { calls: 0, ms: 0 };
    e.calls++;
    e.ms += k.kernelTimeMs as number;
    by.set(k.name, e);
  }
  const total = [...by.values()].reduce((s, e) => s + e.ms, 0);
  console.log(
    `one inference batch of ${batch}, width ${width}: ${total.toFixed(1)} ms in kernels (ONEDNN_MAX_CPU_ISA=${process.env.ONEDNN_MAX_CPU_ISA ?? 'unset'})`,
  );
  for (const [name, e] of [...by].sort((a, b) => b[1].ms - a[1].ms)) {
    console.log(
      `${name.padEnd(34)} ×${String(e.calls).padStart(3)} ${e.ms.toFixed(1).padStart(7)} ms ${((100 * e.ms) / total).toFixed(0).padStart(3)} %`,
    );
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
