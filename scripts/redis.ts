/**
 * A private Redis for the queue's tests and benchmark: Debian's redis-server on a free 127.0.0.1 port, persistence off,
 * started as a tracked process (./processes), so it stops with its owner on every way out.
 */
import { assertReachable, readExecutor } from '../lib/cluster/executor';
import { freePort } from './net';
import { spawnTracked } from './processes';

/** Starts redis-server and resolves with its port once it answers (within `ms`). */
export async function startRedis(ms = 10_000): Promise<number> {
  const port = await freePort();
  spawnTracked('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const executor = readExecutor(`redis://127.0.0.1:${port}`)!;
  const end = Date.now() + ms;
  for (;;) {
    try {
      await assertReachable(executor, 500);
      return port;
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
