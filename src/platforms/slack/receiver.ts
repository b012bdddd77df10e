import type http from 'node:http';
import { verifySlackRequest, type App, type Receiver, type ReceiverEvent } from '@slack/bolt';
import { readBody, sendJson, type HttpServer } from '../../http/server.js';
import type { Logger } from '../../log.js';

export interface HttpReceiverOptions {
  http: HttpServer;
  path: string;
  signingSecret: string;
  log: Logger;
  /** Slack gives 3 s; past this we answer an empty 200 ourselves so Slack shows no error. */
  ackTimeoutMs?: number;
  now?: () => number;
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Parses a Slack request body: JSON (Events API) or a form (slash commands; interactivity in `payload=`). */
export function parseSlackBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if ((contentType ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    // Interactivity is one field, `payload=<JSON>`: decoded directly, without building a form.
    if (raw.startsWith('payload=') && !raw.includes('&')) return JSON.parse(decodeURIComponent(raw.slice(8).replaceAll('+', ' '))) as Record<string, unknown>;
    const form = new URLSearchParams(raw);
    const payload = form.get('payload');
    if (payload !== null) return JSON.parse(payload) as Record<string, unknown>;
    return Object.fromEntries(form.entries());
  }
  const parsed = JSON.parse(raw) as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('body is not an object');
  return parsed as Record<string, unknown>;
}

function writeAck(res: http.ServerResponse, body: unknown): void {
  if (res.headersSent) return;
  if (body === undefined || body === null || body === '') {
    res.writeHead(200, { 'content-length': 0 });
    res.end();
  } else if (typeof body === 'string') {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  } else {
    sendJson(res, 200, body);
  }
}

/**
 * A Bolt receiver on our own HTTP server, so `/slack/events` shares the port with `/healthz` and
 * `/metrics`. Verifies the signature, answers Slack as soon as a listener acks, and lets the
 * listener's follow-up work (core call, response_url, Web API) run after the response is sent.
 */
export class SlackHttpReceiver implements Receiver {
  private app: App | null = null;
  private accepting = false;
  private readonly inflight = new Set<Promise<void>>();

  constructor(private readonly opts: HttpReceiverOptions) {}

  init(app: App): void {
    this.app = app;
    this.opts.http.mount('POST', this.opts.path, (req, res) => this.handle(req, res));
  }

  async start(): Promise<void> {
    this.accepting = true;
  }

  /** Stops taking requests and waits for the ones being processed to finish. */
  async stop(): Promise<void> {
    this.accepting = false;
    await Promise.allSettled([...this.inflight]);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const log = this.opts.log;
    if (!this.accepting || !this.app) {
      sendJson(res, 503, { error: 'not accepting Slack requests' });
      return;
    }
    let raw: string;
    try {
      raw = await readBody(req, 4 * 1024 * 1024);
    } catch {
      sendJson(res, 413, { error: 'request body too large' });
      return;
    }
    const contentType = header(req, 'content-type');
    // Slack's certificate check carries no signature and must do nothing.
    if (/^ssl_check=1(&|$)/.test(raw) && contentType?.startsWith('application/x-www-form-urlencoded')) {
      writeAck(res, undefined);
      return;
    }
    try {
      verifySlackRequest({
        signingSecret: this.opts.signingSecret,
        body: raw,
        headers: {
          'x-slack-signature': header(req, 'x-slack-signature') ?? '',
          'x-slack-request-timestamp': Number(header(req, 'x-slack-request-timestamp')),
        },
        nowMilliseconds: this.opts.now?.(),
      });
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'rejected a Slack request with a bad signature');
      sendJson(res, 401, { error: 'invalid signature' });
      return;
    }
    let body: Record<string, unknown>;
    try {
      body = parseSlackBody(raw, contentType);
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'malformed Slack request body');
      sendJson(res, 400, { error: 'malformed body' });
      return;
    }
    if (body.type === 'url_verification') {
      sendJson(res, 200, { challenge: body.challenge });
      return;
    }

    let acked = false;
    const timer = setTimeout(() => {
      if (acked) return;
      acked = true;
      log.warn({ type: body.type }, 'no listener acknowledged a Slack request in time; answered empty');
      writeAck(res, undefined);
    }, this.opts.ackTimeoutMs ?? 2800);
    const retryNum = header(req, 'x-slack-retry-num');
    const event: ReceiverEvent = {
      body,
      retryNum: retryNum === undefined ? undefined : Number.parseInt(retryNum, 10),
      retryReason: header(req, 'x-slack-retry-reason'),
      ack: async (response?: unknown) => {
        if (acked) return;
        acked = true;
        clearTimeout(timer);
        writeAck(res, response);
      },
    };

    const work = (async () => {
      try {
        await this.app!.processEvent(event);
      } catch (err) {
        log.error({ err, type: body.type }, 'Slack request failed');
        if (!acked) {
          acked = true;
          clearTimeout(timer);
          sendJson(res, 500, { error: 'internal error' });
        }
      } finally {
        clearTimeout(timer);
        if (!acked) {
          acked = true;
          writeAck(res, undefined);
        }
      }
    })();
    this.inflight.add(work);
    void work.finally(() => this.inflight.delete(work));
    await work;
  }
}
