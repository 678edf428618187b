/**
 * What the CPU changes under TensorFlow. oneDNN, inside TensorFlow, picks its kernels by the CPU's instruction set
 * (AVX-512, AVX2, …), and some of its bugs live in one set's kernels only (lib/backend/fused: the strided 1×1
 * convolution). So a test run names the CPU and the instruction set oneDNN chose, and a native crash says how to
 * rerun on the other kernels.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

/** The line a native crash (a process killed by SIGSEGV, SIGABRT, …) adds to its error. */
export const NATIVE_CRASH_HINT = 'a native crash in TensorFlow: rerun with ONEDNN_MAX_CPU_ISA=AVX2 and report it';

/**
 * Whether a line of a process's stderr is one of TensorFlow's start-up lines (absl's warning, its I/W log lines,
 * the CPU-feature and oneDNN notices), which say nothing about why the process failed. Not every line naming oneDNN
 * or AVX: a native crash's own message names both.
 */
export function isTensorflowStartupLine(line: string): boolean {
  return /WARNING: All log messages before absl|^[IW]\d{4} |cpu_feature_guard|To enable the following instructions|oneDNN custom operations are on/.test(
    line,
  );
}

const CRASH_SIGNALS = new Set(['SIGSEGV', 'SIGABRT', 'SIGBUS', 'SIGILL', 'SIGFPE']);

/** Whether a child that exited so died of a native crash (a signal, or a shell's 128 + signal number). */
export function isNativeCrash(code: number | null, signal: NodeJS.Signals | null): boolean {
  if (signal) return CRASH_SIGNALS.has(signal);
  const n = code === null ? 0 : code - 128;
  return [...CRASH_SIGNALS].some((s) => os.constants.signals[s as keyof typeof os.constants.signals] === n);
}

/** The CPU's feature flags from /proc/cpuinfo (empty where there is none, e.g. macOS). */
export function cpuFlags(): Set<string> {
  try {
    const line = fs
      .readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => /^flags\s*:/.test(l));
    return new Set(line ? line.split(':')[1].trim().split(/\s+/) : []);
  } catch {
    return new Set();
  }
}

/** Whether oneDNN may take AVX-512 kernels on this CPU (unless ONEDNN_MAX_CPU_ISA caps it). */
export function hasAvx512(): boolean {
  return cpuFlags().has('avx512f');
}

/**
 * The instruction set oneDNN runs on here, in its own words ("Intel AVX-512 with …", "Intel AVX2"), from
 * ONEDNN_VERBOSE in a child process that runs one convolution (oneDNN reads its settings once per process);
 * null where native TensorFlow does not load or oneDNN is off.
 */
export function onednnIsa(env: NodeJS.ProcessEnv = process.env): string | null {
  let binding: string;
  try {
    binding = require.resolve('@tensorflow/tfjs-node');
  } catch {
    return null;
  }
  const code = `const tf = require(${JSON.stringify(binding)});
    tf.conv2d(tf.ones([1, 4, 4, 2]), tf.ones([3, 3, 2, 2]), 1, 'same').dataSync();`;
  const r = spawnSync(process.execPath, ['-e', code], {
    env: { ...env, ONEDNN_VERBOSE: '1', TF_CPP_MIN_LOG_LEVEL: '2' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const m = `${r.stdout ?? ''}${r.stderr ?? ''}`.match(/onednn_verbose,[^\n]*,info,cpu,isa:([^\n]+)/);
  return m ? m[1].trim() : null;
}

/** One line for the top of a test run: the CPU, its AVX-512 flag, oneDNN's instruction set and any cap on it. */
export function cpuSummary(env: NodeJS.ProcessEnv = process.env): string {
  const cpus = os.cpus();
  const isa = onednnIsa(env);
  return (
    `${cpus[0]?.model ?? 'unknown CPU'} (${cpus.length} cores), AVX-512 ${hasAvx512() ? 'yes' : 'no'}; ` +
    `oneDNN runs ${isa ?? 'nothing (native TensorFlow not loaded, or oneDNN off)'}` +
    `; ONEDNN_MAX_CPU_ISA=${env.ONEDNN_MAX_CPU_ISA ?? 'unset'}`
  );
}
