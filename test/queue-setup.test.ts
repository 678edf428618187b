/**
 * docs/cluster.md's safe set-up, as written: its shell blocks run under bash (paths, port and host name swapped for the
 * test's), its ACL and redis.conf blocks start a real redis-server, and a worker, a submitter and the smoke sweep run
 * over TLS as the documented user. Every command the docs say is denied is refused; the files holding secrets are
 * readable by their owner alone, the CA's key stays off the shared folder, and a password file others can read is
 * refused.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import IORedis from 'ioredis';
import { useBackend } from '../lib/backend';
import { assertReachable, connection, readExecutor } from '../lib/cluster/executor';
import { trainRuns } from '../lib/cluster/pool';
import { CIFAR_PROFILES } from '../lib/experiments/cifar';
import { cifarJob } from '../lib/experiments/jobs';
import { runKey } from '../lib/runs/cache';
import { freePort } from '../scripts/net';
import { spawnTracked, stopAll } from '../scripts/processes';
import { cifarSource, ROOT, until } from './helpers';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mixup-queue-setup-'));
after(async () => {
  await stopAll(2000);
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** The fenced blocks of docs/cluster.md's safe set-up, in order, without their indentation. */
function setupBlocks(): { lang: string; text: string }[] {
  const doc = fs.readFileSync(path.join(ROOT, 'docs', 'cluster.md'), 'utf8');
  const section = doc.slice(doc.indexOf('### A safe set-up'), doc.indexOf('**The run cache** is the other'));
  return [...section.matchAll(/^( *)```(\w+)\n([\s\S]*?)^\1```/gm)].map((m) => ({
    lang: m[2],
    text: m[3]
      .split('\n')
      .map((l) => l.slice(m[1].length))
      .join('\n'),
  }));
}

/** The docs' paths, as this test's. */
function swap(text: string, o: { home: string; etc: string; shared: string }): string {
  return text
    .replaceAll('~/mixup-ca', path.join(o.home, 'mixup-ca'))
    .replaceAll('~/.mixup-redis', path.join(o.home, '.mixup-redis'))
    .replaceAll('/etc/mixup', o.etc)
    .replaceAll('/shared', o.shared)
    .replace('subjectAltName=DNS:queue-host', 'subjectAltName=DNS:localhost,IP:127.0.0.1');
}

const mode = (file: string) => fs.statSync(file).mode & 0o777;

test(
  "docs/cluster.md's safe set-up starts as written, refuses every command it denies, and runs a worker, a submitter and the smoke sweep over TLS as its user",
  { timeout: 600_000 },
  async () => {
    useBackend('tensorflow');
    const dirs = { home: path.join(tmp, 'home'), etc: path.join(tmp, 'etc'), shared: path.join(tmp, 'shared') };
    fs.mkdirSync(dirs.home, { recursive: true });
    const blocks = setupBlocks();
    const sh = blocks.filter((b) => b.lang === 'sh');
    const [acl, conf] = blocks.filter((b) => b.lang === 'text');
    assert.equal(sh.length, 2, 'the CA block and the password block');
    for (const b of sh) execFileSync('bash', ['-euc', swap(b.text, dirs)], { stdio: 'pipe' });

    // What the blocks wrote: secrets for their owner alone, only the CA's certificate on the shared folder.
    const password = path.join(dirs.home, '.mixup-redis');
    for (const f of [password, path.join(dirs.home, 'mixup-ca', 'ca.key'), path.join(dirs.etc, 'tls', 'redis.key')])
      assert.equal(mode(f), 0o600, `${f} is readable by its owner alone`);
    assert.deepEqual(fs.readdirSync(path.join(dirs.shared, 'mixup-tls')), ['ca.crt'], 'no key on the shared folder');
    assert.equal(mode(path.join(dirs.shared, 'mixup-tls', 'ca.crt')), 0o644);

    // users.acl as the docs say to write it: the password's SHA-256, under umask 077.
    const secret = fs.readFileSync(password, 'utf8').replace(/\n$/, '');
    const hash = createHash('sha256').update(secret).digest('hex');
    const aclFile = path.join(dirs.etc, 'users.acl');
    fs.writeFileSync(aclFile, acl.text.replace('PASSWORD_SHA256', hash), { mode: 0o600 });
    assert.doesNotMatch(fs.readFileSync(aclFile, 'utf8'), new RegExp(secret), 'users.acl holds no password');
    const port = await freePort();
    const confFile = path.join(dirs.etc, 'redis.conf');
    fs.writeFileSync(
      confFile,
      swap(conf.text, dirs).replace('bind 10.0.0.1', 'bind 127.0.0.1').replace('tls-port 6380', `tls-port ${port}`),
    );
    let serverLog = '';
    const server = spawnTracked('redis-server', [confFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout!.on('data', (b: Buffer) => (serverLog += b.toString()));
    const env = {
      MIXUP_EXECUTOR_PASSWORD_FILE: password,
      MIXUP_EXECUTOR_CA: path.join(dirs.shared, 'mixup-tls', 'ca.crt'),
    };
    const url = `rediss://mixup@127.0.0.1:${port}/mixup-runs`;
    const executor = readExecutor(url, env)!;
    await until(
      `redis-server to start on the docs' redis.conf (its log: ${serverLog.slice(-500)})`,
      () =>
        assertReachable(executor, 500).then(
          () => true,
          () => (server.exitCode === null ? false : Promise.reject(new Error(`redis-server exited: ${serverLog}`))),
        ),
      20_000,
    );

    // Each command the docs name as denied is refused, and keys outside the queue's.
    const redis = new IORedis({ ...connection(executor), maxRetriesPerRequest: 0 });
    try {
      const denied: string[][] = [
        ['config', 'get', 'dir'],
        ['flushall'],
        ['keys', '*'],
        ['scan', '0'],
        ['randomkey'],
        ['dbsize'],
        ['select', '1'],
        ['function', 'flush'],
        ['script', 'flush'],
        ['script', 'kill'],
        ['pubsub', 'channels'],
        ['memory', 'usage', 'bull:mixup-runs:x'],
        ['object', 'encoding', 'bull:mixup-runs:x'],
        ['debug', 'sleep', '0'],
        ['module', 'list'],
        ['client', 'kill', 'id', '1'],
        ['acl', 'list'],
      ];
      for (const [cmd, ...args] of denied)
        // DEBUG is also off in Redis's own default configuration, which refuses it first.
        await assert.rejects(
          redis.call(cmd, ...args),
          /NOPERM|DEBUG command not allowed/,
          `${cmd} ${args.join(' ')} is refused`,
        );
      await assert.rejects(redis.set('another-app:key', '1'), /NOPERM/);
      // Scripts are BullMQ's own means, and the reason the queue gets a Redis of its own; a script still cannot
      // reach a command or key the user lacks.
      await assert.rejects(redis.eval("return redis.call('flushall')", 0), /NOPERM|can't run this command/);
      // No request argument over proto-max-bulk-len: a 2 MB payload never reaches Redis's memory (the last check:
      // Redis closes the connection on it).
      await assert.rejects(
        redis.set('bull:mixup-runs:big', 'x'.repeat(2 * 1024 * 1024)),
        /bulk length|Connection|max retries/i,
      );
    } finally {
      redis.disconnect();
    }

    // A worker, a submitter and the smoke sweep, all as the documented user over TLS.
    const runs = path.join(tmp, 'runs');
    fs.mkdirSync(runs);
    const childEnv = {
      ...process.env,
      ...env,
      MIXUP_RUNS_DIR: runs,
      MIXUP_CIFAR10: cifarSource(),
      TF_CPP_MIN_LOG_LEVEL: '2',
    };
    let workerLog = '';
    const worker = spawnTracked(
      process.execPath,
      [path.join(ROOT, 'dist', 'scripts', 'worker.js'), '--executor', url, '--lock-ms', '3000', '--stalled-ms', '1000'],
      { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    worker.stdout!.on('data', (b: Buffer) => (workerLog += b.toString()));
    worker.stderr!.on('data', (b: Buffer) => (workerLog += b.toString()));
    await until('the worker to take runs', () => workerLog.includes('taking runs from'), 60_000);
    const job = cifarJob({ ...CIFAR_PROFILES.smoke, epochs: 1 }, 0, 31);
    const before = { ...process.env };
    Object.assign(process.env, { ...env, MIXUP_RUNS_DIR: runs, MIXUP_CIFAR10: cifarSource() });
    try {
      const [run] = await trainRuns([job], { executor: url, log: () => {} });
      run.model.dispose();
    } finally {
      for (const k of Object.keys(env).concat('MIXUP_RUNS_DIR')) delete process.env[k];
      Object.assign(process.env, before);
    }
    assert.ok(fs.existsSync(path.join(runs, runKey(job), 'result.json')), "the submitter's run trained");
    const sweep = execFileSync(
      process.execPath,
      [path.join(ROOT, 'dist', 'scripts', 'sweep.js'), '--executor', url, '--profile', 'smoke', '--wait'],
      { env: childEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    assert.match(sweep, /runs: 0 queued, 0 training, \d+ done, 0 failed/);
    assert.doesNotMatch(workerLog + sweep, new RegExp(secret), 'no line holds the password');
    assert.doesNotMatch(workerLog, /NOPERM/, 'the worker was refused nothing it needs');

    // A password file others can read is refused, naming the fix.
    fs.chmodSync(password, 0o644);
    assert.throws(() => readExecutor(url, env), /can be read by others \(mode 0644\): `chmod 600 /);
    worker.kill('SIGTERM');
  },
);
