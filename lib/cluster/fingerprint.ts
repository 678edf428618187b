/**
 * What a queued job was built with: a hash of the compiled lib/ and of the data's checksums. A worker whose own
 * fingerprint differs refuses the job, because its numbers would not be the submitter's (other code, other data).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CIFAR10_SHA256 } from '../data/cifar10';

export interface Fingerprint {
  /** SHA-256 of every compiled file of lib/ (paths and contents), first 16 hex digits. */
  lib: string;
  /** SHA-256 of the data files' expected checksums, which every worker checks its copy against before training. */
  data: string;
}

function files(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((d) =>
      d.isDirectory() ? files(path.join(dir, d.name)) : d.name.endsWith('.js') ? [path.join(dir, d.name)] : [],
    )
    .sort();
}

let cached: Fingerprint | null = null;

/** This process's fingerprint (its compiled lib/: dist/lib, the folder above this file). */
export function fingerprint(libDir = path.resolve(__dirname, '..')): Fingerprint {
  if (cached && libDir === path.resolve(__dirname, '..')) return cached;
  const lib = createHash('sha256');
  for (const f of files(libDir))
    lib.update(path.relative(libDir, f)).update('\0').update(fs.readFileSync(f)).update('\0');
  const data = createHash('sha256')
    .update(JSON.stringify(Object.entries(CIFAR10_SHA256).sort()))
    .digest('hex');
  const fp = { lib: lib.digest('hex').slice(0, 16), data: data.slice(0, 16) };
  if (libDir === path.resolve(__dirname, '..')) cached = fp;
  return fp;
}

/** Null when equal, else what differs, naming both sides. */
export function fingerprintMismatch(job: Fingerprint, mine: Fingerprint): string | null {
  const parts: string[] = [];
  if (job.lib !== mine.lib) parts.push(`compiled lib ${job.lib} (submitter) vs ${mine.lib} (this worker)`);
  if (job.data !== mine.data) parts.push(`data checksums ${job.data} (submitter) vs ${mine.data} (this worker)`);
  return parts.length ? `fingerprint mismatch: ${parts.join('; ')}: run the same commit (npm run build) on both` : null;
}
