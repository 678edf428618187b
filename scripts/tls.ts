/**
 * A throw-away CA and a server certificate for 127.0.0.1 / localhost, made with openssl (as docs/cluster.md's safe
 * set-up makes one), for the queue's TLS tests and `npm run bench:executor -- --tls`.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface TestCa {
  ca: string;
  cert: string;
  key: string;
}

export function makeTestCa(dir: string): TestCa {
  fs.mkdirSync(dir, { recursive: true });
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  const subj = (cn: string) => ['-subj', `/CN=${cn}`];
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '1',
    ...subj('mixup-test-ca'),
  );
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'redis.key', '-out', 'redis.csr', ...subj('localhost'));
  fs.writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  ssl(
    'x509',
    '-req',
    '-in',
    'redis.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'redis.crt',
    '-days',
    '1',
    '-extfile',
    'san.ext',
  );
  return { ca: path.join(dir, 'ca.crt'), cert: path.join(dir, 'redis.crt'), key: path.join(dir, 'redis.key') };
}

/** redis-server's arguments for TLS with `ca` (clients need no certificate of their own). */
export function tlsArgs(ca: TestCa): string[] {
  return [
    '--tls-cert-file',
    ca.cert,
    '--tls-key-file',
    ca.key,
    '--tls-ca-cert-file',
    ca.ca,
    '--tls-auth-clients',
    'no',
  ];
}
