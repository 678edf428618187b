/**
 * One file per run folder, `checkpoint.bin`: a 4-byte header length, a JSON header, then float32 data of the
 * model's tensors and the optimizer's state. Written to a temporary file and renamed, so a crash mid-write
 * leaves the previous checkpoint intact.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { NamedArray } from '../models/params';

export interface CheckpointHeader<M> {
  /** The last finished epoch (0-based). */
  epoch: number;
  meta: M;
  model: { name: string; shape: number[] }[];
  optimizer: { name: string; shape: number[] }[];
}

export interface Checkpoint<M> {
  epoch: number;
  meta: M;
  model: NamedArray[];
  optimizer: NamedArray[];
}

export const CHECKPOINT_FILE = 'checkpoint.bin';

export function saveCheckpoint<M>(dir: string, ckpt: Checkpoint<M>, beforeRename?: () => void): string {
  fs.mkdirSync(dir, { recursive: true });
  const strip = (a: NamedArray[]) => a.map(({ name, shape }) => ({ name, shape }));
  const header: CheckpointHeader<M> = {
    epoch: ckpt.epoch,
    meta: ckpt.meta,
    model: strip(ckpt.model),
    optimizer: strip(ckpt.optimizer),
  };
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(4);
  len.writeUInt32LE(json.length);
  const chunks = [
    len,
    json,
    ...[...ckpt.model, ...ckpt.optimizer].map((a) => Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength)),
  ];
  const file = path.join(dir, CHECKPOINT_FILE);
  writeFileAtomic(file, Buffer.concat(chunks), beforeRename);
  return file;
}

/**
 * Writes `file` whole or not at all: beside it, then renamed over it, so a killed writer never leaves half a file.
 * `beforeRename` may throw to leave the old file in place (a run lock lost: lib/runs/lock); the part written goes.
 */
export function writeFileAtomic(file: string, data: string | Buffer, beforeRename?: () => void): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, data);
  try {
    beforeRename?.();
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.renameSync(tmp, file);
}

/** The header alone (epoch and meta, no tensors), or null when there is no checkpoint or it is being replaced. */
export function readCheckpointHeader<M>(dir: string): CheckpointHeader<M> | null {
  let fd: number;
  try {
    fd = fs.openSync(path.join(dir, CHECKPOINT_FILE), 'r');
  } catch {
    return null;
  }
  try {
    const len = Buffer.alloc(4);
    if (fs.readSync(fd, len, 0, 4, 0) !== 4) return null;
    const json = Buffer.alloc(len.readUInt32LE(0));
    if (fs.readSync(fd, json, 0, json.length, 4) !== json.length) return null;
    return JSON.parse(json.toString()) as CheckpointHeader<M>;
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

export function loadCheckpoint<M>(dir: string): Checkpoint<M> | null {
  const file = path.join(dir, CHECKPOINT_FILE);
  if (!fs.existsSync(file)) return null;
  const buf = fs.readFileSync(file);
  try {
    const len = buf.readUInt32LE(0);
    const header = JSON.parse(buf.subarray(4, 4 + len).toString()) as CheckpointHeader<M>;
    let offset = 4 + len;
    const read = (entries: { name: string; shape: number[] }[]): NamedArray[] =>
      entries.map(({ name, shape }) => {
        const n = shape.reduce((a, b) => a * b, 1);
        if (offset + 4 * n > buf.length) throw new Error('truncated');
        const data = new Float32Array(buf.buffer.slice(buf.byteOffset + offset, buf.byteOffset + offset + 4 * n));
        offset += 4 * n;
        return { name, shape, data };
      });
    const model = read(header.model);
    const optimizer = read(header.optimizer);
    if (offset !== buf.length) throw new Error('trailing bytes');
    return { epoch: header.epoch, meta: header.meta, model, optimizer };
  } catch (e) {
    throw new Error(
      `checkpoint ${file} is corrupt (${(e as Error).message}): delete it to train that run from the start`,
    );
  }
}
