import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { test } from 'node:test';
import * as tar from 'tar';
import { loadCifar10, readCifarFile, resolveCifar10, RECORD_BYTES } from '../lib/data/cifar10';
import { corruptLabels } from '../lib/data/corrupt';
import { ImageData, TabularData } from '../lib/data/dataset';
import { twoMoons } from '../lib/data/toy2d';
import { dataChecksum, dataSet } from '../lib/data/sets';
import { loadUci, readUciFrame, UCI_DATASETS, UCI_SHAPES } from '../lib/data/uci';
import { stream } from '../lib/random';
import { backendForTests, cifarSource, mean } from './helpers';

backendForTests();
const source = cifarSource();

test('CIFAR-10 test batch: 10,000 records, 1,000 per class, pixels laid out HWC from the CHW planes', () => {
  const file = path.join(source, 'test_batch.bin');
  const { pixels, labels } = readCifarFile(file);
  assert.equal(labels.length, 10000);
  const counts = new Array(10).fill(0);
  labels.forEach((l) => counts[l]++);
  assert.deepEqual(counts, new Array(10).fill(1000));
  const raw = fs.readFileSync(file);
  const r = 1234,
    p = 517; // record, pixel
  for (let c = 0; c < 3; c++) assert.equal(pixels[r * 3072 + 3 * p + c], raw[r * RECORD_BYTES + 1 + c * 1024 + p]);
});

test('loadCifar10 takes a folder, limits, and attaches the reference augmentation to the training set only', async () => {
  const c = await loadCifar10({ source, trainLimit: 12000, testLimit: 500 });
  assert.equal(c.train.n, 12000);
  assert.equal(c.test.n, 500);
  assert.deepEqual(c.train.augmentation, { pad: 4, flip: true });
  assert.equal(c.test.augmentation, null);
  const x = c.test.batch([0, 1]);
  const v = x.dataSync();
  assert.deepEqual(x.shape, [2, 32, 32, 3]);
  assert.ok(Math.min(...v) >= 0 && Math.max(...v) <= 1);
});

test('augmentation: crops of the zero-padded image and horizontal flips, seeded', () => {
  const px = Uint8Array.from({ length: 4 * 4 * 3 }, (_, i) => i + 1);
  const flipOnly = new ImageData(px, 4, 4, Int32Array.from([0]), 1, { pad: 0, flip: true });
  const seen = new Set<string>();
  for (let s = 0; s < 20; s++) seen.add(Array.from(flipOnly.batch([0], stream(s, 'aug')).dataSync()).join());
  assert.equal(seen.size, 2, 'identity or mirror');
  const mirrored = [...seen].map((k) => k.split(',').map(Number)).find((a) => Math.abs(a[0] - 1 / 255) > 1e-9)!;
  assert.ok(Math.abs(mirrored[0] - px[9] / 255) < 1e-6, 'first pixel of a flip is the last of the row');
  const crop = new ImageData(px, 4, 4, Int32Array.from([0]), 1, { pad: 1, flip: false });
  const a = crop.batch([0], stream(3, 'aug')).dataSync(),
    b = crop.batch([0], stream(3, 'aug')).dataSync();
  assert.deepEqual(a, b);
  for (let s = 0; s < 30; s++) {
    const v = Array.from(crop.batch([0], stream(s, 'aug')).dataSync());
    const zeros = v.filter((x) => x === 0).length;
    assert.ok([0, 12, 21].includes(zeros), `a shift by ≤1 pixel zeroes 0, one row/column or both (got ${zeros})`);
  }
});

test('missing, truncated and corrupt CIFAR files get errors that name the file and the fix', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cifar-'));
  await assert.rejects(resolveCifar10({ source: path.join(dir, 'nope') }), /does not exist: give a folder/);
  await assert.rejects(resolveCifar10({ source: dir }), /holds no test_batch.bin/);
  const good = fs.readFileSync(path.join(source, 'test_batch.bin'));
  fs.writeFileSync(path.join(dir, 'test_batch.bin'), good.subarray(0, 1000));
  assert.throws(
    () => readCifarFile(path.join(dir, 'test_batch.bin')),
    /test_batch.bin has 1000 bytes, expected 30730000.*fetch it again/,
  );
  const bad = Buffer.from(good);
  bad[5000] ^= 0xff;
  fs.writeFileSync(path.join(dir, 'test_batch.bin'), bad);
  assert.throws(() => readCifarFile(path.join(dir, 'test_batch.bin')), /test_batch.bin is corrupt \(SHA-256/);
  assert.throws(() => readCifarFile(path.join(dir, 'data_batch_1.bin')), /data_batch_1.bin is missing/);
  fs.rmSync(dir, { recursive: true });
});

test('a local archive is unpacked into the cache folder and read', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cifar-arc-'));
  fs.mkdirSync(path.join(dir, 'src', 'cifar-10-batches-bin'), { recursive: true });
  fs.copyFileSync(path.join(source, 'test_batch.bin'), path.join(dir, 'src', 'cifar-10-batches-bin', 'test_batch.bin'));
  await tar.c({ gzip: true, file: path.join(dir, 'c.tar.gz'), cwd: path.join(dir, 'src') }, ['cifar-10-batches-bin']);
  const found = await resolveCifar10({ source: path.join(dir, 'c.tar.gz'), cacheDir: path.join(dir, 'cache') });
  assert.equal(found, path.join(dir, 'cache', 'cifar-10-batches-bin'));
  assert.equal(readCifarFile(path.join(found, 'test_batch.bin'), 10).labels.length, 10);
  fs.writeFileSync(path.join(dir, 'junk.tar.gz'), 'not an archive');
  await assert.rejects(
    resolveCifar10({ source: path.join(dir, 'junk.tar.gz'), cacheDir: path.join(dir, 'cache2') }),
    /junk.tar.gz/,
  );
  fs.rmSync(dir, { recursive: true });
});

test('label corruption: exactly round(p·n) redrawn, seeded, recorded; about (1 − 1/K) of them change', () => {
  const labels = Int32Array.from({ length: 10000 }, (_, i) => i % 10);
  const a = corruptLabels(labels, 10, 0.5, stream(1, 'corrupt'));
  const b = corruptLabels(labels, 10, 0.5, stream(1, 'corrupt'));
  assert.deepEqual(a.labels, b.labels);
  assert.equal(a.corrupted.length, 5000);
  for (let i = 0; i < labels.length; i++) if (!a.isCorrupted[i]) assert.equal(a.labels[i], labels[i]);
  assert.ok(Math.abs(a.changed / 5000 - 0.9) < 0.03, `changed ${a.changed}`);
  assert.throws(() => corruptLabels(labels, 10, 1.5, stream(1, 'c')), /fraction must be in \[0, 1\]/);
});

test('the six UCI sets load: one-hot categories, missing values filled, standardised on the training split', async () => {
  const dims: Record<string, number> = {};
  for (const name of UCI_DATASETS) {
    const s = await loadUci(name, stream(2, 'split'));
    dims[name] = s.train.dim;
    assert.ok(s.train.features.every(Number.isFinite), `${name}: no NaN left`);
    assert.equal(s.train.n + s.test.n, s.frame.shape[0]);
    if (name === 'arrhythmia') assert.ok(s.missingFilled > 0);
    if (name === 'spambase') {
      const col0 = Array.from({ length: s.train.n }, (_, i) => s.train.features[i * s.train.dim]);
      assert.ok(Math.abs(mean(col0)) < 1e-5, 'training columns centred');
      assert.ok(Math.abs(mean(col0.map((v) => v * v)) - 1) < 1e-3, 'training columns unit variance');
      const t0 = Array.from({ length: s.test.n }, (_, i) => s.test.features[i * s.test.dim]);
      assert.ok(Math.abs(mean(t0)) > 1e-4, 'test statistics are not refitted');
    }
  }
  assert.equal(dims.abalone, 7 + 3, 'sex M/F/I becomes three columns');
  assert.equal(dims.iris, 4);
  assert.equal(dims.arcene, 10000);
  const a = await loadUci('iris', stream(9, 'split')),
    b = await loadUci('iris', stream(9, 'split'));
  assert.deepEqual(a.test.labels, b.test.labels);
  await assert.rejects(loadUci('htru2', stream(1, 'split')), /unknown UCI data set 'htru2'/);
});

test('UCI options: raw features as the file has them, a seeded validation split carved from the training rows only', async () => {
  const rows = (d: { features: Float32Array; dim: number; n: number }) =>
    Array.from({ length: d.n }, (_, i) => Array.from(d.features.subarray(i * d.dim, (i + 1) * d.dim)).join(','));
  const std = await loadUci('iris', stream(3, 'split'));
  const raw = await loadUci('iris', stream(3, 'split'), { scaling: 'raw' });
  // Raw: the CSV's own values (iris has no missing ones), the same rows in the same order as standardised.
  const frame = (await readUciFrame('iris')).drop({ columns: ['label'] });
  const csv = new Set((frame.values as number[][]).map((r) => Float32Array.from(r).join(',')));
  assert.ok(
    rows(raw.train).every((r) => csv.has(r)) && rows(raw.test).every((r) => csv.has(r)),
    'raw rows are CSV rows',
  );
  assert.deepEqual(raw.test.labels, std.test.labels);
  const col = (d: { features: Float32Array; dim: number; n: number }, j: number) =>
    Array.from({ length: d.n }, (_, i) => d.features[i * d.dim + j]);
  assert.ok(mean(col(raw.train, 2)) > 3, 'petal length in cm, not centred');
  await assert.rejects(
    loadUci('iris', stream(3, 'split'), { scaling: 'minmax' as never }),
    /unknown UCI scaling 'minmax'/,
  );

  // Validation: its rows and the rows trained on are exactly the full split's training rows; the test rows are untouched.
  const v = { fraction: 0.25, rng: stream(3, 'validation') };
  const val = await loadUci('iris', stream(3, 'split'), { scaling: 'raw', validation: v });
  assert.equal(val.test.n, Math.round(0.25 * raw.train.n));
  assert.equal(val.train.n + val.test.n, raw.train.n);
  assert.deepEqual([...rows(val.train), ...rows(val.test)].sort(), rows(raw.train).sort());
  const again = await loadUci('iris', stream(3, 'split'), {
    scaling: 'raw',
    validation: { ...v, rng: stream(3, 'validation') },
  });
  assert.deepEqual(rows(again.test), rows(val.test), 'seeded');
  // Standardised with validation: statistics of the rows trained on, so those are centred and the held-out ones not.
  const sv = await loadUci('spambase', stream(3, 'split'), {
    validation: { fraction: 0.2, rng: stream(3, 'validation') },
  });
  assert.ok(Math.abs(mean(col(sv.train, 0))) < 1e-5);
  assert.ok(Math.abs(mean(col(sv.test, 0))) > 1e-4);
  await assert.rejects(
    loadUci('iris', stream(3, 'split'), { validation: { fraction: 1, rng: stream(3, 'v') } }),
    /validation fraction must be in \(0, 1\)/,
  );

  // Through the data set's entry, as a run loads it: the spec's options, and its example counts before any load.
  const spec = { set: 'uci-iris', testFraction: 0.2, splitSeed: 3, scaling: 'raw', validation: 0.25 };
  const entry = dataSet(spec);
  entry.schema.parse(spec);
  const loaded = await entry.load(spec, 3);
  assert.deepEqual(rows(loaded.test as TabularData), rows(val.test));
  assert.deepEqual(entry.examples(spec), { train: val.train.n, test: val.test.n });
  assert.throws(() => entry.schema.parse({ ...spec, scaling: 'standard' }), /scaling/);
});

test('two moons: balanced classes with a curved boundary, seeded', () => {
  const d = twoMoons(400, 0.1, stream(1, 'toy'));
  assert.equal(d.n, 400);
  assert.equal(d.labels.filter((l) => l === 1).length, 200);
  assert.deepEqual(d.features, twoMoons(400, 0.1, stream(1, 'toy')).features);
});

test('an unreachable or silent CIFAR-10 source fails in seconds, naming MIXUP_CIFAR10 as the fix', async () => {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mixup-fetch-'));
  // Nothing listens: refused at once.
  const closed = await new Promise<number>((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  await assert.rejects(
    resolveCifar10({ source: `http://127.0.0.1:${closed}/cifar-10-binary.tar.gz`, cacheDir, onProgress: () => {} }),
    /could not download .*ECONNREFUSED.*set MIXUP_CIFAR10/,
  );
  // A server that accepts and never answers: the stall limit ends it.
  const sockets: net.Socket[] = [];
  const silent = net.createServer((sock) => sockets.push(sock));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  process.env.MIXUP_FETCH_STALL_S = '1';
  const t0 = Date.now();
  try {
    await assert.rejects(
      resolveCifar10({
        source: `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}/cifar-10-binary.tar.gz`,
        cacheDir,
        onProgress: () => {},
      }),
      /stalled \(no data for 1 s\).*set MIXUP_CIFAR10/,
    );
    assert.ok(Date.now() - t0 < 10_000);
    assert.equal(
      fs.existsSync(path.join(cacheDir, 'cifar-10-binary.tar.gz.part')),
      false,
      'no partial download is left',
    );
  } finally {
    delete process.env.MIXUP_FETCH_STALL_S;
    for (const s of sockets) s.destroy();
    silent.close();
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
});

test("the data-set registry: every UCI set's shape as loading finds it; a spec's set loads as the notebooks loaded it", async () => {
  for (const name of UCI_DATASETS) {
    const s = await loadUci(name, stream(1, 'split'));
    assert.deepEqual(
      { rows: s.train.n + s.test.n, inputs: s.train.dim, classes: s.classes.length },
      UCI_SHAPES[name],
      `UCI_SHAPES.${name}`,
    );
  }
  // Two moons draws from the run's seed: the loader gives what twoMoons gives on the run's streams.
  const moons = await dataSet({ set: 'two-moons' }).load(
    { set: 'two-moons', points: 50, noise: 0.1, testPoints: 20 },
    4,
  );
  assert.deepEqual(moons.train.labels, twoMoons(50, 0.1, stream(4, 'toy')).labels);
  assert.deepEqual(moons.test.labels, twoMoons(20, 0.1, stream(4, 'toy-test')).labels);
  // A memorisation run's labels are redrawn from its own seed, as corruptLabels draws them.
  process.env.MIXUP_CIFAR10 ??= cifarSource();
  const data = { set: 'cifar10', trainLimit: 100, testLimit: 10, corruption: 0.5, corruptionSeed: 3 };
  const noisy = await dataSet(data).load(data, 0);
  const clean = await loadCifar10({ trainLimit: 100, testLimit: 10 });
  assert.deepEqual(noisy.train.labels, corruptLabels(clean.train.labels, 10, 0.5, stream(3, 'corrupt')).labels);
  assert.equal(noisy.corruption?.corrupted.length, 50);
  // The checksums a worker compares differ between sets, and an unknown set is named with the known ones.
  assert.notEqual(dataChecksum({ set: 'uci-iris' }), dataChecksum({ set: 'uci-abalone' }));
  assert.throws(
    () => dataSet({ set: 'mnist' }),
    /unknown data set "mnist": a run's data\.set is one of cifar10, fsdd-v1\.0\.10, uci-abalone/,
  );
});
