/**
 * CIFAR-10, official binary version (cifar-10-binary.tar.gz): fetch, check, read.
 * A record is 3,073 bytes: the label, then 1,024 red, 1,024 green and 1,024 blue bytes (row-major 32×32);
 * it is stored here as HWC bytes so batches need no transpose.
 *
 * Where the data comes from, first match wins:
 *   1. the `source` option, else the MIXUP_CIFAR10 environment variable: a folder holding the six .bin
 *      files (or a `cifar-10-batches-bin/` inside it), a local `.tar.gz` archive, or an http(s) URL;
 *   2. data/cifar-10/cifar-10-batches-bin/ from an earlier fetch;
 *   3. the official archive, downloaded with progress, its MD5 checked, then unpacked into data/cifar-10/.
 * Every .bin file's size and SHA-256 are checked against the official files before use.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ImageData } from './dataset';
import { download, FetchChecks, Progress, stderrProgress, unpackInto } from './fetch';
import { PROJECT_ROOT } from './paths';

export type { Progress } from './fetch';
export { stderrProgress } from './fetch';
export { PROJECT_ROOT } from './paths';

export const CIFAR10_URL = 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz';
export const CIFAR10_ARCHIVE_MD5 = 'c32a1d4ab5d03f1284b67883e8d87530';
export const CIFAR10_CLASSES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];
export const RECORD_BYTES = 3073;
export const RECORDS_PER_FILE = 10000;
export const TRAIN_FILES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
export const TEST_FILE = 'test_batch.bin';
/** SHA-256 of the files inside the official archive. */
export const CIFAR10_SHA256: Record<string, string> = {
  'data_batch_1.bin': 'cee916563c9f80d84e3cc88e17fdc0941787f1244f00a67874d45b261883ada5',
  'data_batch_2.bin': 'a591ca11fa1708a91ee40f54b3da4784ccd871ecf2137de63f51ada8b3fa57ed',
  'data_batch_3.bin': 'bbe8596564c0f86427f876058170b84dac6670ddf06d79402899d93ceea26f67',
  'data_batch_4.bin': '014e562d6e23c72197cc727519169a60359f5eccd8945ad5a09d710285ff4e48',
  'data_batch_5.bin': '755304fc0b379caeae8c14f0dac912fbc7d6cd469eb67a1029a08a39453a9add',
  'test_batch.bin': '8e2eb146ae340b09e24670f29cabc6326dba54da8789dab6768acf480273f65b',
};

export const DEFAULT_CIFAR10_DIR = path.join(PROJECT_ROOT, 'data', 'cifar-10');

const CIFAR_FETCH: FetchChecks = {
  what: 'cifar-10-binary.tar.gz',
  envVar: 'MIXUP_CIFAR10',
  md5: { [CIFAR10_URL]: CIFAR10_ARCHIVE_MD5 },
};

export interface CifarSourceOptions {
  source?: string;
  /** Folder that downloads and unpacked archives go to. */
  cacheDir?: string;
  onProgress?: Progress;
}

function hasBins(dir: string): boolean {
  return fs.existsSync(path.join(dir, TEST_FILE)) || fs.existsSync(path.join(dir, TRAIN_FILES[0]));
}

/** The folder holding the .bin files, fetching or unpacking as needed. */
export async function resolveCifar10(options: CifarSourceOptions = {}): Promise<string> {
  const cacheDir = options.cacheDir ?? DEFAULT_CIFAR10_DIR;
  const progress = options.onProgress ?? stderrProgress;
  const source = options.source ?? process.env.MIXUP_CIFAR10;
  if (source) {
    if (/^https?:\/\//.test(source)) return unpack(await download(source, cacheDir, progress, CIFAR_FETCH), cacheDir);
    if (!fs.existsSync(source)) {
      throw new Error(
        `CIFAR-10 source ${source} does not exist: give a folder with the .bin files, a cifar-10-binary.tar.gz, or unset MIXUP_CIFAR10 to download ${CIFAR10_URL}`,
      );
    }
    if (fs.statSync(source).isDirectory()) {
      for (const dir of [source, path.join(source, 'cifar-10-batches-bin')]) if (hasBins(dir)) return dir;
      throw new Error(
        `CIFAR-10 source ${source} holds no ${TEST_FILE} or data_batch_*.bin: point it at the folder cifar-10-batches-bin`,
      );
    }
    return unpack(source, cacheDir);
  }
  const cached = path.join(cacheDir, 'cifar-10-batches-bin');
  if (hasBins(cached)) return cached;
  return unpack(await download(CIFAR10_URL, cacheDir, progress, CIFAR_FETCH), cacheDir);
}

function unpack(archive: string, cacheDir: string): Promise<string> {
  return unpackInto(
    archive,
    cacheDir,
    path.join(cacheDir, 'cifar-10-batches-bin'),
    (p) => /cifar-10-batches-bin\//.test(p),
    (tmp) => [path.join(tmp, 'cifar-10-batches-bin')].find(hasBins),
    {
      unreadable: (m) =>
        `could not unpack ${archive} (${m}): it is not a readable cifar-10-binary.tar.gz; fetch it again`,
      empty: `${archive} holds no cifar-10-batches-bin/*.bin: it is not the binary version of CIFAR-10 (${CIFAR10_URL})`,
    },
  );
}

/** Reads one .bin file after checking its size and checksum; `limit` keeps its first records. */
export function readCifarFile(
  file: string,
  limit = RECORDS_PER_FILE,
  verify = true,
): { pixels: Uint8Array; labels: Int32Array } {
  const name = path.basename(file);
  if (!fs.existsSync(file))
    throw new Error(`CIFAR-10 file ${file} is missing: fetch CIFAR-10 again (delete the folder, or set MIXUP_CIFAR10)`);
  const buf = fs.readFileSync(file);
  if (buf.length !== RECORDS_PER_FILE * RECORD_BYTES) {
    throw new Error(
      `CIFAR-10 file ${file} has ${buf.length} bytes, expected ${RECORDS_PER_FILE * RECORD_BYTES} (truncated or not the binary version): fetch it again`,
    );
  }
  if (verify && CIFAR10_SHA256[name]) {
    const sha = createHash('sha256').update(buf).digest('hex');
    if (sha !== CIFAR10_SHA256[name])
      throw new Error(
        `CIFAR-10 file ${file} is corrupt (SHA-256 ${sha.slice(0, 12)}…, expected ${CIFAR10_SHA256[name].slice(0, 12)}…): fetch it again`,
      );
  }
  const n = Math.min(limit, RECORDS_PER_FILE);
  const pixels = new Uint8Array(n * 3072);
  const labels = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const base = r * RECORD_BYTES;
    labels[r] = buf[base];
    if (labels[r] > 9)
      throw new Error(`CIFAR-10 file ${file}: record ${r} has label ${labels[r]}; the file is corrupt`);
    const out = r * 3072;
    for (let p = 0; p < 1024; p++) {
      pixels[out + 3 * p] = buf[base + 1 + p];
      pixels[out + 3 * p + 1] = buf[base + 1 + 1024 + p];
      pixels[out + 3 * p + 2] = buf[base + 1 + 2048 + p];
    }
  }
  return { pixels, labels };
}

export interface Cifar10 {
  train: ImageData;
  test: ImageData;
  classes: string[];
  dir: string;
}

export interface LoadCifarOptions extends CifarSourceOptions {
  /** Keep the first n training records (in file order); all 50,000 by default. */
  trainLimit?: number;
  /** Keep the first n test records; all 10,000 by default. */
  testLimit?: number;
}

/** The training set (with the reference augmentation attached) and the test set. */
export async function loadCifar10(options: LoadCifarOptions = {}): Promise<Cifar10> {
  const dir = await resolveCifar10(options);
  const trainLimit = options.trainLimit ?? 5 * RECORDS_PER_FILE;
  const parts: { pixels: Uint8Array; labels: Int32Array }[] = [];
  let left = trainLimit;
  for (const f of TRAIN_FILES) {
    if (left <= 0) break;
    const part = readCifarFile(path.join(dir, f), left);
    parts.push(part);
    left -= part.labels.length;
  }
  const n = parts.reduce((a, p) => a + p.labels.length, 0);
  const pixels = new Uint8Array(n * 3072);
  const labels = new Int32Array(n);
  let o = 0;
  for (const p of parts) {
    pixels.set(p.pixels, o * 3072);
    labels.set(p.labels, o);
    o += p.labels.length;
  }
  const test = readCifarFile(path.join(dir, TEST_FILE), options.testLimit ?? RECORDS_PER_FILE);
  return {
    train: new ImageData(pixels, 32, 32, labels, 10, { pad: 4, flip: true }),
    test: new ImageData(test.pixels, 32, 32, test.labels, 10, null),
    classes: CIFAR10_CLASSES,
    dir,
  };
}
