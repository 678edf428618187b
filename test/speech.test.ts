/** Spoken digits on real data: FSDD fetched from an archive and checked, WAV decoding and its refusals, spectrograms, the nets. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import * as tar from 'tar';
import { WaveFile } from 'wavefile';
import { tf } from '../lib/backend';
import { FSDD_FILES, loadFsdd, readWav, resolveFsdd, splitFsdd } from '../lib/data/fsdd';
import { spectrogramData, spectrograms, SPEECH_FRAMES } from '../lib/data/spectrogram';
import { speechData, speechSpec } from '../lib/experiments/speech';
import { runKey } from '../lib/runs/cache';
import { buildModel } from '../lib/models';
import { backendForTests, fsddSource } from './helpers';

backendForTests();
const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixup-fsdd-'));
let dir = '';

test('FSDD from its archive: 3,000 recordings, every byte checked against v1.0.10', async () => {
  dir = await resolveFsdd({ source: fsddSource(), cacheDir, onProgress: () => {} });
  assert.equal(fs.readdirSync(dir).filter((f) => f.endsWith('.wav')).length, FSDD_FILES);
  // One changed byte in one recording is caught.
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'mixup-fsdd-bad-'));
  for (const f of fs.readdirSync(dir)) fs.copyFileSync(path.join(dir, f), path.join(copy, f));
  const victim = path.join(copy, '3_theo_7.wav');
  const bytes = fs.readFileSync(victim);
  bytes[bytes.length - 1] ^= 1;
  fs.writeFileSync(victim, bytes);
  await assert.rejects(resolveFsdd({ source: copy, cacheDir }), /differs from release v1\.0\.10.*fetch it again/);
  fs.rmSync(victim);
  await assert.rejects(resolveFsdd({ source: copy, cacheDir }), /has 2999 recordings, expected 3000/);
  fs.rmSync(copy, { recursive: true });
  await assert.rejects(
    resolveFsdd({ source: path.join(cacheDir, 'nope.tar.gz') }),
    /FSDD source .* does not exist.*MIXUP_FSDD/,
  );
  const junk = path.join(os.tmpdir(), `mixup-junk-${process.pid}.tar.gz`);
  fs.writeFileSync(junk, 'this is not an archive');
  const emptyCache = fs.mkdtempSync(path.join(os.tmpdir(), 'mixup-fsdd-empty-'));
  await assert.rejects(
    resolveFsdd({ source: junk, cacheDir: emptyCache }),
    /(not a readable \.tar\.gz|holds no recordings\/\*\.wav)/,
  );
  fs.rmSync(junk);
  fs.rmSync(emptyCache, { recursive: true });
});

test('the upstream release layout (free-spoken-digit-dataset-<tag>/recordings/) unpacks and checks too', async () => {
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'mixup-fsdd-up-'));
  const top = path.join(stage, 'free-spoken-digit-dataset-1.0.10');
  fs.mkdirSync(path.join(top, 'recordings'), { recursive: true });
  fs.writeFileSync(path.join(top, 'README.md'), 'upstream readme');
  for (const f of fs.readdirSync(dir)) fs.copyFileSync(path.join(dir, f), path.join(top, 'recordings', f));
  const archive = path.join(stage, 'v1.0.10.tar.gz');
  await tar.c({ gzip: true, file: archive, cwd: stage }, ['free-spoken-digit-dataset-1.0.10']);
  const into = path.join(stage, 'cache');
  const found = await resolveFsdd({ source: archive, cacheDir: into });
  assert.equal(found, path.join(into, 'recordings'));
  assert.equal(fs.readdirSync(found).length, FSDD_FILES);
  fs.rmSync(stage, { recursive: true });
});

test('workers unpacking FSDD into an empty cache at once all get the whole, checked recordings', async () => {
  // A fresh clone's report: its first two speech runs start together in two worker processes and both unpack.
  const into = fs.mkdtempSync(path.join(os.tmpdir(), 'mixup-fsdd-race-'));
  try {
    const worker = (n: number) =>
      new Promise<string>((resolve, reject) => {
        const code =
          `require(${JSON.stringify(path.resolve(__dirname, '..', 'lib', 'data', 'fsdd.js'))})` +
          `.resolveFsdd({ source: ${JSON.stringify(fsddSource())}, cacheDir: ${JSON.stringify(into)}, onProgress: () => {} })` +
          `.then((d) => console.log(d), (e) => { console.error(e.message); process.exit(1); });`;
        execFile(process.execPath, ['-e', code], (err, stdout, stderr) =>
          err ? reject(new Error(`worker ${n}: ${stderr}`)) : resolve(stdout.trim()),
        );
      });
    // Staggered, so that some unpack while others check what is on disk (the race the fix closes).
    const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const found = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => delay(250 * i).then(() => worker(i + 1))));
    assert.deepEqual(new Set(found), new Set([path.join(into, 'recordings')]));
    assert.equal(fs.readdirSync(found[0]).length, FSDD_FILES);
    assert.deepEqual(
      fs.readdirSync(into).filter((f) => f.startsWith('.unpack-')),
      [],
      'no unpacking folder is left behind',
    );
  } finally {
    fs.rmSync(into, { recursive: true, force: true });
  }
});

test('WAV decoding: a real recording is 8 kHz mono in [-1, 1); another rate, stereo or a broken file are refused by name', () => {
  const file = path.join(dir, '0_george_0.wav');
  const samples = readWav(file);
  const wav = new WaveFile(fs.readFileSync(file));
  assert.equal(samples.length, (wav.getSamples(false, Float64Array) as Float64Array).length);
  assert.ok(samples.every((v) => v >= -1 && v < 1));
  assert.ok(Math.max(...samples.map(Math.abs)) > 0.05, 'speech, not silence');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixup-wav-'));
  const write = (name: string, channels: number, rate: number) => {
    const w = new WaveFile();
    w.fromScratch(
      channels,
      rate,
      '16',
      channels === 1
        ? [0, 1000, -1000]
        : [
            [0, 1],
            [2, 3],
          ],
    );
    fs.writeFileSync(path.join(tmp, name), w.toBuffer());
    return path.join(tmp, name);
  };
  assert.deepEqual(Array.from(readWav(write('ok.wav', 1, 8000))), [0, 1000 / 32768, -1000 / 32768]);
  assert.throws(
    () => readWav(write('fast.wav', 1, 16000)),
    /fast\.wav is sampled at 16000 Hz, expected 8000 Hz: resample/,
  );
  assert.throws(() => readWav(write('stereo.wav', 2, 8000)), /stereo\.wav has 2 channels, expected 1/);
  fs.writeFileSync(path.join(tmp, 'junk.wav'), 'not a wave file');
  assert.throws(() => readWav(path.join(tmp, 'junk.wav')), /junk\.wav is not a readable WAV file/);
  fs.rmSync(tmp, { recursive: true });
});

test('spectrograms: 99 frames × 81 bins per 1-s clip, equal to tf.signal.stft, a tone peaks in its bin', async () => {
  const rate = 8000,
    n = 8000;
  const tone = Float32Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * 1000 * i) / rate)); // 1 kHz: bin 1000 / (8000/160) = 20
  const r = await loadFsdd({ source: dir, seconds: 1 });
  const clips = new Float32Array(2 * n);
  clips.set(tone, 0);
  clips.set(r.clips.subarray(0, n), n);
  const s = spectrograms(clips, n);
  assert.deepEqual([s.n, s.frames, s.bins], [2, 99, 81]);
  const frame = s.values.subarray(10 * 81, 11 * 81);
  assert.equal(frame.indexOf(Math.max(...frame)), 20);
  const ref = tf.tidy(() =>
    tf
      .log(
        tf.add(
          tf.abs(
            tf.signal.stft(
              tf.tensor1d(r.clips.subarray(0, n)),
              SPEECH_FRAMES.frameLength,
              SPEECH_FRAMES.frameStep,
              SPEECH_FRAMES.frameLength,
            ),
          ),
          1e-6,
        ),
      )
      .dataSync(),
  );
  const ours = s.values.subarray(99 * 81);
  let worst = 0;
  for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(ref[i] - ours[i]));
  assert.ok(worst < 1e-4, `max difference to tf.signal.stft ${worst}`);
  // Standardised on the training examples only: their per-bin mean is 0.
  const d = spectrogramData(s, Int32Array.from([0, 1]), 10, Int32Array.from([1]), Int32Array.from([0, 1]));
  assert.deepEqual(d.exampleShape, [99, 81, 1]);
});

test('splits: the official one (takes 0–4 test) and one speaker held out; smoke subsets keep every digit and their own cache key', async () => {
  const r = await loadFsdd({ source: dir });
  const off = splitFsdd(r, { kind: 'official' });
  assert.deepEqual([off.train.length, off.test.length], [2700, 300]);
  assert.ok(Array.from(off.test).every((i) => r.takes[i] < 5));
  const held = splitFsdd(r, { kind: 'speaker', heldOut: 'theo' });
  assert.deepEqual([held.train.length, held.test.length], [2500, 500]);
  assert.ok(Array.from(held.train).every((i) => r.speakers[i] !== 'theo'));
  assert.throws(() => splitFsdd(r, { kind: 'speaker', heldOut: 'alice' }), /unknown FSDD speaker 'alice'/);
  const s = { recordings: r, spectrograms: spectrograms(r.clips, r.length) };
  const small = speechData(s, { kind: 'official' }, 100);
  assert.equal(new Set(small.train.labels).size, 10, 'every digit in a 100-recording subset');
  const p = { epochs: 1, batchSize: 100, lr: 1e-3, vggWidth: 4, trainLimit: 0 };
  const model = { kind: 'lenet' as const, input: [99, 81, 1], numClasses: 10 };
  assert.notEqual(
    runKey(speechSpec(p, model, { kind: 'official' }, 0, 1)),
    runKey(speechSpec({ ...p, trainLimit: 100 }, model, { kind: 'official' }, 0, 1)),
  );
});

test('the speech nets take [n, 99, 81, 1] and give 10 logits; a wrong shape is named', () => {
  for (const spec of [
    { kind: 'lenet' as const, input: [99, 81, 1], numClasses: 10 },
    { kind: 'vgg' as const, input: [99, 81, 1], width: 2, numClasses: 10 },
  ]) {
    const m = buildModel(spec, 1);
    const y = tf.tidy(() => m.apply(tf.zeros([3, 99, 81, 1]), { training: true }).shape);
    assert.deepEqual(y, [3, 10]);
    assert.throws(
      () => m.apply(tf.zeros([3, 81, 99, 1]), { training: false }),
      new RegExp(`${spec.kind} takes \\[n, 99,81,1\\] inputs`),
    );
    m.dispose();
  }
  fs.rmSync(cacheDir, { recursive: true, force: true });
});
