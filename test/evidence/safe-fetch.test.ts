import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvidencePorts } from '../../src/evidence/ports.js';
import { createSafeFetcher, isPublicAddress, MAX_BODY_BYTES } from '../../src/evidence/safe-fetch.js';
import type { Logger } from '../../src/log.js';
import { closeAtOnce } from '../helpers/loopback.js';

describe('which addresses are public', () => {
  it.each([
    '127.0.0.1',
    '127.8.8.8',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.10',
    '169.254.169.254', // cloud metadata
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    'fd00:ec2::254', // AWS metadata over IPv6
    '::ffff:127.0.0.1',
    '::ffff:169.254.169.254',
    '::ffff:10.0.0.1',
    'not-an-address',
  ])('%s is not', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(['8.8.8.8', '140.82.112.3', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('%s is', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });
});

describe('the safe fetcher refuses what could reach inside', () => {
  const fetcher = createSafeFetcher({
    resolve: async (host) => {
      const table: Record<string, string[]> = {
        'metadata.test': ['169.254.169.254'],
        'mixed.test': ['93.184.216.34', '10.0.0.7'],
        'v6-loop.test': ['::1'],
      };
      const found = table[host];
      if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
      return found;
    },
  });

  it.each([
    ['http://example.com/', 'only https:// links can be checked'],
    ['https://127.0.0.1/', '127.0.0.1 is not a public internet address'],
    ['https://[::1]:8443/', '::1 is not a public internet address'],
    ['https://[::ffff:127.0.0.1]/', '::ffff:7f00:1 is not a public internet address'],
    ['https://169.254.169.254/latest/meta-data/', '169.254.169.254 is not a public internet address'],
    ['https://metadata.test/', 'metadata.test points to 169.254.169.254'],
    // Every address must be public, not just the first.
    ['https://mixed.test/', 'mixed.test points to 10.0.0.7'],
    ['https://v6-loop.test/', 'v6-loop.test points to ::1'],
    ['https://nowhere.test/', 'the host nowhere.test does not exist'],
  ])('%s', async (url, message) => {
    await expect(fetcher.get(url, { timeoutMs: 1000 })).rejects.toThrow(message);
  });

  it('localhost, through the system resolver, is refused', async () => {
    await expect(createSafeFetcher().get('https://localhost/', { timeoutMs: 1000 })).rejects.toThrow('which is not a public internet address');
  });
});

describe('against a real https server on loopback', () => {
  let dir: string;
  let server: https.Server;
  let base: string;
  let cert: Buffer;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'mentorbot-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=app.test', '-addext', 'subjectAltName=DNS:app.test',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
    cert = readFileSync(path.join(dir, 'cert.pem'));
    server = https.createServer({ key: readFileSync(path.join(dir, 'key.pem')), cert }, (req, res) => {
      const url = new URL(req.url ?? '/', 'https://app.test');
      const hop = /^\/hop\/(\d+)$/.exec(url.pathname);
      if (hop) {
        const n = Number(hop[1]);
        res.writeHead(302, { location: n > 1 ? `/hop/${n - 1}` : '/health' }).end();
      } else if (url.pathname === '/health') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', model: { version: 3 } }));
      } else if (url.pathname === '/to-private') {
        res.writeHead(301, { location: 'https://10.0.0.1/admin' }).end();
      } else if (url.pathname === '/to-mapped') {
        res.writeHead(301, { location: `https://[::ffff:7f00:1]:${(server.address() as { port: number }).port}/health` }).end();
      } else if (url.pathname === '/to-http') {
        res.writeHead(302, { location: 'http://app.test/health' }).end();
      } else if (url.pathname === '/big') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(MAX_BODY_BYTES * 3));
      } else if (url.pathname === '/slow') {
        setTimeout(() => res.writeHead(200).end('late'), 3000).unref();
      } else res.writeHead(404).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `https://app.test:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await closeAtOnce(server as unknown as import('node:http').Server);
    rmSync(dir, { recursive: true, force: true });
  });

  // Only this test server's own address is let through; everything else follows the public rule.
  const fetcher = () =>
    createSafeFetcher({ ca: cert, resolve: async () => ['127.0.0.1'], allow: (a) => a === '127.0.0.1' || isPublicAddress(a) });

  it('fetches an allowed https URL and reads its body', async () => {
    const res = await fetcher().get(`${base}/health`, { timeoutMs: 2000 });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ status: 'ok', model: { version: 3 } });
  });

  it('follows up to 3 redirects and refuses a 4th', async () => {
    expect((await fetcher().get(`${base}/hop/3`, { timeoutMs: 2000 })).status).toBe(200);
    await expect(fetcher().get(`${base}/hop/4`, { timeoutMs: 2000 })).rejects.toThrow('redirects more than 3 times');
  });

  it('checks every redirect again: to a private address, an IPv6 form of loopback, or plain http', async () => {
    await expect(fetcher().get(`${base}/to-private`, { timeoutMs: 2000 })).rejects.toThrow('10.0.0.1 is not a public internet address');
    await expect(fetcher().get(`${base}/to-mapped`, { timeoutMs: 2000 })).rejects.toThrow('::ffff:7f00:1 is not a public internet address');
    await expect(fetcher().get(`${base}/to-http`, { timeoutMs: 2000 })).rejects.toThrow('it redirects to one that is not');
  });

  it('reads at most 64 KB of a body', async () => {
    const res = await fetcher().get(`${base}/big`, { timeoutMs: 2000 });
    expect(res.body.length).toBe(MAX_BODY_BYTES);
  });

  it('gives up after the time limit, and never waits more than 5 s', async () => {
    const started = Date.now();
    await expect(fetcher().get(`${base}/slow`, { timeoutMs: 300 })).rejects.toThrow('did not answer within 0.3 s');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('EVIDENCE_ALLOW_PRIVATE=1 lifts the address rule, with a logged warning', async () => {
    const warnings: string[] = [];
    const log = { warn: (msg: string) => warnings.push(msg) } as unknown as Logger;
    createEvidencePorts({ githubApiUrl: null, githubToken: null, allowPrivate: true }, undefined as never, () => new Date(), log);
    expect(warnings.join('\n')).toContain('EVIDENCE_ALLOW_PRIVATE=1');
    const open = createSafeFetcher({ ca: cert, allowPrivate: true, resolve: async () => ['127.0.0.1'] });
    expect((await open.get(`${base}/health`, { timeoutMs: 2000 })).status).toBe(200);
    await expect(createSafeFetcher({ ca: cert, resolve: async () => ['127.0.0.1'] }).get(`${base}/health`, { timeoutMs: 2000 })).rejects.toThrow('not a public internet address');
  });
});
