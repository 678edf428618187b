/**
 * Downloads of the data sets the project fetches itself (CIFAR-10, FSDD): progress on stderr, an MD5 check where
 * the archive's checksum is known, a `.part` file until the download is whole, and a stall limit so that an
 * unreachable host fails in seconds with the fix (a local copy through the data set's environment variable).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';

export type Progress = (done: number, total: number, what: string) => void;

/** Progress on stderr, one line updated in place where it is a terminal, every 10 % otherwise. */
export const stderrProgress: Progress = (() => {
  let last = -1;
  return (done, total, what) => {
    const pct = total > 0 ? Math.floor((100 * done) / total) : 0;
    if (process.stderr.isTTY)
      process.stderr.write(`\r${what}: ${pct}% (${(done / 1e6).toFixed(1)} MB)${done >= total ? '\n' : ''}`);
    else if (pct >= last + 10 || done >= total) {
      last = done >= total ? -1 : pct;
      process.stderr.write(`${what}: ${pct}%\n`);
    }
  };
})();

export interface FetchChecks {
  /** What the user should fetch by hand, for messages (e.g. cifar-10-binary.tar.gz). */
  what: string;
  /** The environment variable that names a local copy instead. */
  envVar: string;
  /** Known MD5 per URL: a download that differs is deleted and refused. */
  md5?: Record<string, string>;
}

/** How long a download may wait for its first byte or between two chunks (MIXUP_FETCH_STALL_S, default 30 s). */
const stallMs = () => 1000 * Number(process.env.MIXUP_FETCH_STALL_S ?? 30);

export async function download(
  url: string,
  cacheDir: string,
  progress: Progress,
  checks: FetchChecks,
): Promise<string> {
  fs.mkdirSync(cacheDir, { recursive: true });
  const file = path.join(cacheDir, path.basename(new URL(url).pathname));
  if (fs.existsSync(file)) return file;
  const byHand = `download ${checks.what} by hand and set ${checks.envVar} to it or its unpacked folder`;
  const controller = new AbortController();
  const STALL_MS = stallMs();
  let timer = setTimeout(() => controller.abort(), STALL_MS);
  const stalled = () =>
    new Error(
      `download of ${url} stalled (no data for ${STALL_MS / 1000} s): the host is unreachable from here. ${byHand[0].toUpperCase()}${byHand.slice(1)}`,
    );
  let res: Response;
  try {
    res = await fetch(url, { signal: controller.signal });
  } catch (e) {
    clearTimeout(timer);
    if (controller.signal.aborted) throw stalled();
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(
      `could not download ${url} (${(e as Error).message}${cause ? `: ${cause.code ?? cause.message}` : ''}): ${byHand}`,
    );
  }
  if (!res.ok || !res.body) {
    clearTimeout(timer);
    throw new Error(`download of ${url} failed: HTTP ${res.status}. Set ${checks.envVar} to a local copy instead`);
  }
  const total = Number(res.headers.get('content-length') ?? 0);
  let done = 0;
  const hash = createHash('md5');
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(), STALL_MS);
      done += chunk.length;
      hash.update(chunk);
      progress(done, total, `downloading ${path.basename(file)}`);
      cb(null, chunk);
    },
  });
  // A part file of this process's own: two workers fetching together (a fresh clone's report) each write theirs whole.
  const part = `${file}.${process.pid}.part`;
  try {
    await pipeline(
      Readable.fromWeb(res.body as import('node:stream/web').ReadableStream),
      counter,
      fs.createWriteStream(part),
    );
  } catch (e) {
    fs.rmSync(part, { force: true });
    throw controller.signal.aborted
      ? stalled()
      : new Error(
          `download of ${url} broke off (${(e as Error).message}): run again, or set ${checks.envVar} to a local copy`,
        );
  } finally {
    clearTimeout(timer);
  }
  const md5 = hash.digest('hex');
  const expected = checks.md5?.[url];
  if (expected && md5 !== expected) {
    fs.rmSync(part);
    throw new Error(`downloaded ${url} has MD5 ${md5}, expected ${expected}: the download is corrupt; run again`);
  }
  fs.renameSync(part, file);
  return file;
}

/**
 * Unpacks `archive` (the entries `filter` keeps) into a folder of this process's own under `cacheDir`, then moves the
 * folder `pick` finds there to `target` whole, by one rename: two processes unpacking the same data at once (a report's
 * two workers on a fresh clone) never read each other's half-written files. Where another process got there first, its
 * copy stays and this one is dropped. `fail` words the errors: `unreadable` for an archive tar cannot read, `empty`
 * for one that holds no data.
 */
export async function unpackInto(
  archive: string,
  cacheDir: string,
  target: string,
  filter: (entry: string) => boolean,
  pick: (unpacked: string) => string | undefined,
  fail: { unreadable: (message: string) => string; empty: string },
): Promise<string> {
  fs.mkdirSync(cacheDir, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(cacheDir, '.unpack-'));
  try {
    try {
      await tar.x({ file: archive, cwd: tmp, filter: (p) => filter(p) });
    } catch (e) {
      throw new Error(fail.unreadable((e as Error).message));
    }
    const found = pick(tmp);
    if (!found) throw new Error(fail.empty);
    try {
      fs.renameSync(found, target);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
    }
    return target;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
