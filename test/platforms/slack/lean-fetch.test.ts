import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leanFetch } from '../../../src/platforms/slack/lean-fetch.js';

interface Seen {
  method: string;
  url: string;
  contentType: string | undefined;
  body: string;
}

describe('leanFetch, what the Slack clients post with', () => {
  const seen: Seen[] = [];
  let base = '';
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, contentType: req.headers['content-type'], body });
      if (req.url === '/limited') {
        res.writeHead(429, { 'retry-after': '7', 'x-oauth-scopes': 'chat:write, commands' });
        res.end('');
      } else if (req.url === '/moved') {
        res.writeHead(302, { location: '/api/after-move' });
        res.end();
      } else if (req.url === '/empty') {
        res.writeHead(204);
        res.end();
      } else {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'set-cookie': ['a=1', 'b=2'] });
        res.end(JSON.stringify({ ok: true, echo: body }));
      }
    });
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const fetchLean = leanFetch();

  it('posts a string body with its headers and reads status, headers and JSON', async () => {
    const res = await fetchLean(`${base}/api/chat.postMessage`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'channel=C1&text=hi', redirect: 'error' });
    expect(res.ok).toBe(true);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('set-cookie')).toBe('a=1, b=2');
    expect(res.headers.get('x-missing')).toBeNull();
    expect(await res.json()).toEqual({ ok: true, echo: 'channel=C1&text=hi' });
    expect(seen.at(-1)).toEqual({ method: 'POST', url: '/api/chat.postMessage', contentType: 'application/x-www-form-urlencoded', body: 'channel=C1&text=hi' });
  });

  it('gives a 429 with its Retry-After, and a 204 with no body', async () => {
    const limited = await fetchLean(`${base}/limited`, { method: 'POST', body: '' });
    expect([limited.status, limited.statusText, limited.ok, limited.headers.get('retry-after'), limited.headers.get('x-oauth-scopes')]).toEqual([429, 'Too Many Requests', false, '7', 'chat:write, commands']);
    expect(Object.fromEntries(limited.headers.entries())).toMatchObject({ 'retry-after': '7', 'x-oauth-scopes': 'chat:write, commands' });
    const empty = await fetchLean(`${base}/empty`, { method: 'POST', body: 'x' });
    expect([empty.status, await empty.text()]).toEqual([204, '']);
  });

  it('refuses a redirect when asked to, and follows one otherwise', async () => {
    await expect(fetchLean(`${base}/moved`, { method: 'POST', body: 'a=1', redirect: 'error' })).rejects.toThrow(/redirect \(302\)/);
    const followed = await fetchLean(`${base}/moved`, { method: 'GET' });
    expect(followed.status).toBe(200);
    expect(seen.at(-1)!.url).toBe('/api/after-move');
  });

  it('sends a form with files through fetch, as a multipart body', async () => {
    const form = new FormData();
    form.append('channel_id', 'C1');
    form.append('file', new Blob([new Uint8Array([1, 2, 3])]), 'chart.png');
    const res = await fetchLean(`${base}/api/files.upload`, { method: 'POST', body: form });
    expect(res.status).toBe(200);
    expect(seen.at(-1)!.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(seen.at(-1)!.body).toContain('filename="chart.png"');
  });

  it('leaves the process-wide dispatcher alone, which discord.js and fetch send through', async () => {
    const global = Symbol.for('undici.globalDispatcher.1');
    const before = (globalThis as Record<symbol, unknown>)[global];
    await (await leanFetch()(`${base}/api/chat.postMessage`, { method: 'POST', body: 'a=1' })).text();
    expect((globalThis as Record<symbol, unknown>)[global]).toBe(before);
  });

  it('stops at an abort, and fails on a closed port like fetch', async () => {
    await expect(fetchLean(`${base}/api/x`, { method: 'POST', body: 'a', signal: AbortSignal.abort() })).rejects.toThrow();
    await expect(fetchLean('http://127.0.0.1:1/api/x', { method: 'POST', body: 'a' })).rejects.toThrow();
  });
});
