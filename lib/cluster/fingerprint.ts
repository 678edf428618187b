/**
 * What a queued run was built with: a hash of the compiled lib/ and of the checksums of the data set it names
 * (lib/data/sets). A worker whose own fingerprint of the same run differs refuses it, because its numbers would not be
 * the submitter's (other code, other data).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { dataChecksum } from '../data/sets';
import { jobData, RunJob } from '../experiments/jobs';

export interface Fingerprint {
  /** SHA-256 of every compiled file of lib/ (paths and contents), first 16 hex digits. */
  lib: string;
  /** SHA-256 of the run's data set's expected checksums, which every worker checks its copy against before training. */
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

let cached: string | null = null;

/** SHA-256 of a compiled lib/ (this process's own by default: dist/lib, the folder above this file). */
export function libFingerprint(libDir = path.resolve(__dirname, '..')): string {
  const own = libDir === path.resolve(__dirname, '..');
  if (cached && own) return cached;
  const lib = createHash('sha256');
  for (const f of files(libDir))
    lib.update(path.relative(libDir, f)).update('\0').update(fs.readFileSync(f)).update('\0');
  const fp = lib.digest('hex').slice(0, 16);
  if (own) cached = fp;
  return fp;
}

/** A job that generates its own data (a GAN's mixtures) has no checksums to share: its data is the code's. */
const GENERATED = '0000000000000000';

/** This process's fingerprint of `job`: its compiled lib/ and the checksums of the data set the job reads. */
export function fingerprint(job: RunJob): Fingerprint {
  const data = jobData(job);
  return { lib: libFingerprint(), data: data ? dataChecksum(data) : GENERATED };
}

/** Null when equal, else what differs, naming both sides. */
export function fingerprintMismatch(job: Fingerprint, mine: Fingerprint): string | null {
  const parts: string[] = [];
  if (job.lib !== mine.lib) parts.push(`compiled lib ${job.lib} (submitter) vs ${mine.lib} (this worker)`);
  if (job.data !== mine.data) parts.push(`data checksums ${job.data} (submitter) vs ${mine.data} (this worker)`);
  return parts.length ? `fingerprint mismatch: ${parts.join('; ')}: run the same commit (npm run build) on both` : null;
}
