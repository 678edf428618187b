/**
 * The Free Spoken Digit Dataset (FSDD, Jakobovski et al., CC BY-SA 4.0): 3,000 recordings of the digits 0–9 by six
 * speakers, mono 16-bit WAV at 8 kHz, named {digit}_{speaker}_{index}.wav; the official split puts index 0–4 in the
 * test set. The small stand-in here for the paper's Google Speech Commands (section 3.3).
 *
 * Where the data comes from, first match wins:
 *   1. the `source` option, else MIXUP_FSDD: a folder of the .wav files (or one holding `recordings/`), a local
 *      .tar.gz of the repository or of `recordings/`, or an http(s) URL of such an archive;
 *   2. data/fsdd/recordings/ from an earlier fetch;
 *   3. the upstream release archive (tag v1.0.10), downloaded with progress and unpacked into data/fsdd/.
 * The recordings are checked whole before use: the SHA-256 of a manifest of every file's name and SHA-256 must be
 * v1.0.10's. WAV is decoded with the `wavefile` package.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { WaveFile } from 'wavefile';
import { PROJECT_ROOT } from './paths';
import { download, FetchChecks, Progress, stderrProgress, unpackInto } from './fetch';

export const FSDD_URL = 'https://github.com/Jakobovski/free-spoken-digit-dataset/archive/refs/tags/v1.0.10.tar.gz';
/** SHA-256 of the lines "name sha256(file)\n" over the 3,000 recordings of v1.0.10, sorted by name. */
export const FSDD_MANIFEST_SHA256 = 'dbd573d7cafe79c4b49f65718115e1304e24e067fa39eff18a660dc6cb9c360f';
export const FSDD_FILES = 3000;
export const FSDD_RATE = 8000;
export const FSDD_SPEAKERS = ['george', 'jackson', 'lucas', 'nicolas', 'theo', 'yweweler'];
const DEFAULT_DIR = path.join(PROJECT_ROOT, 'data', 'fsdd');
const NAME = /^(\d)_([a-z]+)_(\d+)\.wav$/;
const FETCH: FetchChecks = { what: `the FSDD archive (${FSDD_URL})`, envVar: 'MIXUP_FSDD' };

export interface FsddSourceOptions {
  source?: string;
  cacheDir?: string;
  onProgress?: Progress;
  verify?: boolean;
}

function wavNames(dir: string): string[] {
  return fs.existsSync(dir) && fs.statSync(dir).isDirectory()
    ? fs
        .readdirSync(dir)
        .filter((f) => NAME.test(f))
        .sort()
    : [];
}

/** The SHA-256 of the manifest of the .wav files in `dir` (see FSDD_MANIFEST_SHA256). */
export function manifestSha256(dir: string): string {
  const lines = wavNames(dir)
    .map(
      (n) =>
        `${n} ${createHash('sha256')
          .update(fs.readFileSync(path.join(dir, n)))
          .digest('hex')}\n`,
    )
    .join('');
  return createHash('sha256').update(lines).digest('hex');
}

function check(dir: string, verify: boolean): string {
  const n = wavNames(dir).length;
  if (n !== FSDD_FILES) {
    throw new Error(
      `FSDD at ${dir} has ${n} recordings, expected ${FSDD_FILES}: fetch it again (delete the folder, or set MIXUP_FSDD to a whole copy)`,
    );
  }
  if (verify && manifestSha256(dir) !== FSDD_MANIFEST_SHA256) {
    throw new Error(
      `FSDD at ${dir} differs from release v1.0.10 (a recording is changed or corrupt): fetch it again (delete the folder, or set MIXUP_FSDD)`,
    );
  }
  return dir;
}

function unpack(archive: string, cacheDir: string): Promise<string> {
  // The upstream archive holds free-spoken-digit-dataset-<tag>/recordings/; a repack may hold recordings/ at the top.
  return unpackInto(
    archive,
    cacheDir,
    path.join(cacheDir, 'recordings'),
    (p) => /(^|\/)recordings\/[^/]+\.wav$/.test(p),
    (tmp) =>
      [path.join(tmp, 'recordings'), ...fs.readdirSync(tmp).map((d) => path.join(tmp, d, 'recordings'))].find(
        (d) => wavNames(d).length,
      ),
    {
      unreadable: (m) => `could not unpack ${archive} (${m}): it is not a readable .tar.gz; fetch it again`,
      empty: `${archive} holds no recordings/*.wav: it is not the FSDD archive (${FSDD_URL})`,
    },
  );
}

/** The folder holding the 3,000 checked recordings, fetching or unpacking as needed. */
export async function resolveFsdd(o: FsddSourceOptions = {}): Promise<string> {
  const cacheDir = o.cacheDir ?? DEFAULT_DIR;
  const verify = o.verify ?? true;
  const source = o.source ?? process.env.MIXUP_FSDD;
  if (source) {
    if (/^https?:\/\//.test(source))
      return check(
        await unpack(await download(source, cacheDir, o.onProgress ?? stderrProgress, FETCH), cacheDir),
        verify,
      );
    if (!fs.existsSync(source))
      throw new Error(
        `FSDD source ${source} does not exist: give a folder of the .wav files, a .tar.gz, or unset MIXUP_FSDD to download ${FSDD_URL}`,
      );
    if (fs.statSync(source).isDirectory()) {
      const dir = [source, path.join(source, 'recordings')].find((d) => wavNames(d).length);
      if (!dir)
        throw new Error(
          `FSDD source ${source} holds no {digit}_{speaker}_{index}.wav files: point it at the recordings folder`,
        );
      return check(dir, verify);
    }
    // The manifest pins every byte: recordings already unpacked and verified are the same whatever archive held them.
    if (
      verify &&
      wavNames(path.join(cacheDir, 'recordings')).length === FSDD_FILES &&
      manifestSha256(path.join(cacheDir, 'recordings')) === FSDD_MANIFEST_SHA256
    ) {
      return path.join(cacheDir, 'recordings');
    }
    return check(await unpack(source, cacheDir), verify);
  }
  const cached = path.join(cacheDir, 'recordings');
  if (wavNames(cached).length) return check(cached, verify);
  return check(
    await unpack(await download(FSDD_URL, cacheDir, o.onProgress ?? stderrProgress, FETCH), cacheDir),
    verify,
  );
}

/** One recording as float samples in [-1, 1); refuses another rate or channel count, naming the file. */
export function readWav(file: string, rate = FSDD_RATE): Float32Array {
  let wav: WaveFile;
  try {
    wav = new WaveFile(fs.readFileSync(file));
  } catch (e) {
    throw new Error(`${file} is not a readable WAV file (${(e as Error).message}): fetch the data again`);
  }
  const fmt = wav.fmt as { sampleRate: number; numChannels: number; audioFormat: number; bitsPerSample: number };
  if (fmt.sampleRate !== rate)
    throw new Error(
      `${file} is sampled at ${fmt.sampleRate} Hz, expected ${rate} Hz: resample it to ${rate} Hz mono, or use the FSDD release`,
    );
  if (fmt.numChannels !== 1)
    throw new Error(`${file} has ${fmt.numChannels} channels, expected 1 (mono): mix it down, or use the FSDD release`);
  // Integer PCM scaled to [-1, 1); float WAV as it is. (wavefile's own toBitDepth('32f') does the same, far slower.)
  const samples = wav.getSamples(false, Float32Array) as unknown as Float32Array;
  if (fmt.audioFormat === 3) return samples;
  if (fmt.audioFormat !== 1)
    throw new Error(`${file} is not PCM (WAV format code ${fmt.audioFormat}): convert it to 16-bit PCM`);
  const scale = fmt.bitsPerSample === 8 ? 1 / 128 : 2 ** -(fmt.bitsPerSample - 1);
  for (let i = 0; i < samples.length; i++)
    samples[i] = fmt.bitsPerSample === 8 ? (samples[i] - 128) * scale : samples[i] * scale;
  return samples;
}

export interface Recordings {
  /** n clips of `length` samples each, cut or zero-padded at the end, row-major. */
  clips: Float32Array;
  length: number;
  digits: Int32Array;
  speakers: string[];
  /** The take index of each recording (0–49; 0–4 are the official test set). */
  takes: Int32Array;
  names: string[];
}

/** Every recording, cut or zero-padded to `seconds` (the paper's clips are 1 s). */
export async function loadFsdd(o: FsddSourceOptions & { seconds?: number } = {}): Promise<Recordings> {
  const dir = await resolveFsdd(o);
  const names = wavNames(dir);
  const length = Math.round((o.seconds ?? 1) * FSDD_RATE);
  const clips = new Float32Array(names.length * length);
  const digits = new Int32Array(names.length),
    takes = new Int32Array(names.length);
  const speakers: string[] = [];
  names.forEach((n, i) => {
    const [, digit, speaker, take] = NAME.exec(n)!;
    const s = readWav(path.join(dir, n));
    clips.set(s.subarray(0, length), i * length);
    digits[i] = Number(digit);
    takes[i] = Number(take);
    speakers.push(speaker);
  });
  return { clips, length, digits, speakers, takes, names };
}

export type FsddSplit = { kind: 'official' } | { kind: 'speaker'; heldOut: string };

/** Indices of the training and test recordings: the official split (takes 0–4 test) or one speaker held out. */
export function splitFsdd(r: Recordings, split: FsddSplit): { train: Int32Array; test: Int32Array } {
  if (split.kind === 'speaker' && !FSDD_SPEAKERS.includes(split.heldOut)) {
    throw new Error(`unknown FSDD speaker '${split.heldOut}': use one of ${FSDD_SPEAKERS.join(', ')}`);
  }
  const isTest = (i: number) => (split.kind === 'official' ? r.takes[i] < 5 : r.speakers[i] === split.heldOut);
  const all = Int32Array.from({ length: r.digits.length }, (_, i) => i);
  return { train: all.filter((i) => !isTest(i)), test: all.filter(isTest) };
}
