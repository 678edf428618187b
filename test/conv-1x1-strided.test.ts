/**
 * The shapes that crash oneDNN's strided 1×1 backward-weights primitive (uxlfoundation/oneDNN issue 6035): 1×1,
 * stride 2, NHWC, fewer input channels than oneDNN's channel block (16 on AVX-512, 8 on AVX2), batch 8 and 128.
 * lib/backend/fused runs such convolutions in a unit-stride form that never reaches that primitive; here each shape runs
 * in a child process (conv-1x1-strided-child) and every path the models take is compared with float64: the forward
 * pass and both gradients, through the model's conv on tfjs's tape and through the block backward's raw kernels.
 * On a CPU with AVX-512 each shape runs again with oneDNN capped at AVX2, where the upstream bug gives wrong gradients
 * without a crash.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { hasAvx512, isNativeCrash, isTensorflowStartupLine, NATIVE_CRASH_HINT } from '../lib/backend/cpu';
import { backendForTests, ROOT } from './helpers';

const report = backendForTests();
const skip = report.name === 'tensorflow' ? false : `native TensorFlow not loaded (${report.reasons.join('; ')})`;
const CHILD = path.join(ROOT, 'dist', 'test', 'conv-1x1-strided-child.js');
/**
 * Largest difference from float64 allowed, relative to the largest float64 entry. Float32 sums of at most 8,192
 * products land within ~6e-7 of it here; the upstream bug's wrong gradients are off by tens of percent.
 */
const TOLERANCE = 1e-5;

const isas: { name: string; env: Record<string, string> }[] = [{ name: 'default ISA', env: {} }];
if (hasAvx512()) isas.push({ name: 'ONEDNN_MAX_CPU_ISA=AVX2', env: { ONEDNN_MAX_CPU_ISA: 'AVX2' } });

for (const isa of isas) {
  for (const ic of [3, 4, 8, 12]) {
    for (const batch of [8, 128]) {
      const shape = `1×1 stride-2 conv, NHWC [${batch}, 16, 16, ${ic}] → 16 channels (${isa.name})`;
      test(`${shape}: forward and both gradients match float64 on every path`, { skip }, () => {
        const r = spawnSync(process.execPath, [CHILD, String(batch), String(ic)], {
          env: { ...process.env, ...isa.env, TF_CPP_MIN_LOG_LEVEL: '2' },
          encoding: 'utf8',
          timeout: 120_000,
        });
        // TensorFlow's start-up lines say nothing about the failure; the C library's last words do ("double free …").
        const said =
          `${r.stderr ?? ''}`
            .split('\n')
            .filter((l) => l.trim() && !isTensorflowStartupLine(l))
            .slice(-3)
            .join(' | ') || "(nothing but TensorFlow's start-up lines)";
        if (isNativeCrash(r.status, r.signal)) {
          assert.fail(
            `${shape}: the process died by ${r.signal ?? `exit code ${r.status}`}, ${NATIVE_CRASH_HINT}. ` +
              `This is the shape of uxlfoundation/oneDNN issue 6035 (strided 1×1 backward weights, input channels below oneDNN's block): ` +
              `a strided 1×1 convolution reached that primitive (lib/backend/fused). Its last output: ${said}`,
          );
        }
        assert.equal(
          r.status,
          0,
          `${shape}: the child failed (exit ${r.status}${r.signal ? `, ${r.signal}` : ''}): ${said}`,
        );
        const errors = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, number>;
        assert.equal(Object.keys(errors).length, 6);
        for (const [what, err] of Object.entries(errors)) {
          assert.ok(
            err < TOLERANCE,
            `${shape}: ${what} is off float64 by ${err.toExponential(2)} of its largest entry ` +
              `(tolerance ${TOLERANCE}): wrong, as uxlfoundation/oneDNN issue 6035 makes strided 1×1 filter gradients on AVX2`,
          );
        }
      });
    }
  }
}
