/**
 * A private Redis for the queue's tests and benchmark: Debian's redis-server on a free 127.0.0.1 port, persistence off,
 * started as a tracked process (./processes), so it stops with its owner on every way out.
 */
import type { ChildProcess } from 'node:child_process';
import { assertReachable, readExecutor } from '../lib/cluster/executor';
import { freePort } from './net';
import { spawnTracked } from './processes';

export interface RedisOptions {
  /** More redis-server arguments (`--requirepass`, `--aclfile`, TLS files…). */
  args?: string[];
  /** TLS only: the port is the TLS port and the plain one is off. */
  tls?: boolean;
  /** The URL that proves it answers (credentials, rediss), given the port; default redis://127.0.0.1:port. */
  probe?: (port: number) => string;
  /** The environment the probe's URL is read with (MIXUP_EXECUTOR_CA…). */
  env?: NodeJS.ProcessEnv;
  /** This port rather than a free one (a server started again where an earlier one was). */
  port?: number;
}

/** Starts redis-server and resolves with its port once it answers (within `ms`). */
export async function startRedis(ms = 10_000, o: RedisOptions = {}): Promise<number> {
  return (await startRedisProcess(ms, o)).port;
}

/** startRedis, with the server's process (to stop it, as a queue host that goes away). */
export async function startRedisProcess(
  ms = 10_000,
  o: RedisOptions = {},
): Promise<{ port: number; child: ChildProcess }> {
  const port = o.port ?? (await freePort());
  const ports = o.tls ? ['--port', '0', '--tls-port', String(port)] : ['--port', String(port)];
  const child = spawnTracked(
    'redis-server',
    [...ports, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...(o.args ?? [])],
    { stdio: 'ignore' },
  );
  const executor = readExecutor(o.probe ? o.probe(port) : `redis://127.0.0.1:${port}`, o.env ?? process.env)!;
  const end = Date.now() + ms;
  for (;;) {
    try {
      await assertReachable(executor, 500);
      return { port, child };
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
