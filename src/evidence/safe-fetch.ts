import { lookup as dnsLookup } from 'node:dns';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { FetchRefused, RetryLater, type FetchResult, type WebPort } from '../core/evidence/ports.js';

export const MAX_REDIRECTS = 3;
export const MAX_BODY_BYTES = 64 * 1024;
export const MAX_TIMEOUT_MS = 5000;

/**
 * A public internet address: not loopback, private, link-local (cloud metadata lives at
 * 169.254.169.254), carrier-grade NAT, multicast, reserved, or an IPv6 form of one (IPv4-mapped
 * addresses are judged as the IPv4 address they carry).
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}

export type Resolver = (host: string) => Promise<string[]>;

const systemResolver: Resolver = (host) =>
  new Promise((resolve, reject) => {
    dnsLookup(host, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses.map((a) => a.address))));
  });

export interface SafeFetchOptions {
  /** EVIDENCE_ALLOW_PRIVATE=1, for tests only: any address may be reached. */
  allowPrivate?: boolean;
  resolve?: Resolver;
  /** Which resolved addresses may be reached; public ones unless `allowPrivate` (tests narrow it further). */
  allow?: (address: string) => boolean;
  /** Extra certificate authorities to trust (a test server's self-signed certificate). */
  ca?: string | Buffer;
}

/**
 * Fetches a learner's https URL without letting it reach inside our network: every address the host
 * resolves to must be public, the connection goes to an address that was checked (no second DNS
 * answer in between), each redirect is checked again (at most 3), 5 s overall, 64 KB of body.
 */
export function createSafeFetcher(opts: SafeFetchOptions = {}): WebPort {
  const resolve = opts.resolve ?? systemResolver;

  async function addressFor(host: string): Promise<string> {
    const bare = host.replace(/^\[(.*)\]$/, '$1');
    const addresses = ipaddr.isValid(bare) ? [bare] : await resolve(bare).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOTFOUND' || err.code === 'ENODATA') throw new FetchRefused(`the host ${bare} does not exist; check the link.`);
      throw new RetryLater('unreachable', null, `could not reach ${bare} (its address could not be looked up: ${err.message})`);
    });
    if (addresses.length === 0) throw new FetchRefused(`the host ${bare} has no address.`);
    if (!opts.allowPrivate) {
      const allowed = opts.allow ?? isPublicAddress;
      const bad = addresses.find((a) => !allowed(a));
      if (bad !== undefined) {
        const what = bad === bare ? bare : `${bare} points to ${bad}, which`;
        throw new FetchRefused(`${what} is not a public internet address; link something deployed publicly.`);
      }
    }
    return addresses[0]!;
  }

  function once(url: URL, address: string, deadline: number): Promise<{ status: number; location?: string; body: string; contentType: string | null }> {
    return new Promise((resolvePromise, reject) => {
      const family = ipaddr.parse(address).kind() === 'ipv6' ? 6 : 4;
      // The connection uses the address already checked, whatever DNS would say now.
      const pinned: LookupFunction = (_host, options, callback) => {
        if (options.all) (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address, family }]);
        else callback(null, address, family);
      };
      const req = https.get(
        url,
        { lookup: pinned, timeout: Math.max(1, deadline - Date.now()), headers: { 'user-agent': 'mentorbot-evidence-check', accept: '*/*' }, ...(opts.ca ? { ca: opts.ca } : {}) },
        (res) => {
          const status = res.statusCode ?? 0;
          if (status >= 300 && status < 400 && res.headers.location) {
            res.resume();
            resolvePromise({ status, location: res.headers.location, body: '', contentType: null });
            return;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            if (size >= MAX_BODY_BYTES) return;
            chunks.push(chunk.subarray(0, MAX_BODY_BYTES - size));
            size += chunk.length;
            if (size >= MAX_BODY_BYTES) {
              res.destroy();
              resolvePromise({ status, body: Buffer.concat(chunks).toString('utf8'), contentType: res.headers['content-type'] ?? null });
            }
          });
          res.on('end', () => resolvePromise({ status, body: Buffer.concat(chunks).toString('utf8'), contentType: res.headers['content-type'] ?? null }));
          res.on('error', reject);
        },
      );
      const timer = setTimeout(() => req.destroy(new Error('timed out')), Math.max(1, deadline - Date.now()));
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', reject);
      req.on('close', () => clearTimeout(timer));
    });
  }

  return {
    async get(start: string, { timeoutMs }): Promise<FetchResult> {
      const deadline = Date.now() + Math.min(timeoutMs, MAX_TIMEOUT_MS);
      let url = new URL(start);
      for (let hop = 0; ; hop++) {
        if (url.protocol !== 'https:') throw new FetchRefused(`only https:// links can be checked${hop > 0 ? ', and it redirects to one that is not' : ''}.`);
        const address = await addressFor(url.hostname);
        let res;
        try {
          res = await once(url, address, deadline);
        } catch (err) {
          const msg = err instanceof Error ? err.message : String(err);
          if (msg === 'timed out') throw new FetchRefused(`did not answer within ${(Math.min(timeoutMs, MAX_TIMEOUT_MS) / 1000).toFixed(1)} s.`);
          throw new FetchRefused(`could not be reached (${msg}); is it deployed and public?`);
        }
        if (res.location === undefined) return { status: res.status, body: res.body, contentType: res.contentType };
        if (hop >= MAX_REDIRECTS) throw new FetchRefused(`redirects more than ${MAX_REDIRECTS} times; link the final address.`);
        url = new URL(res.location, url);
      }
    },
  };
}
