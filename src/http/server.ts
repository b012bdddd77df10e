import http from 'node:http';
import type { Logger } from '../log.js';

export type RouteHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

/** What answers the requests no mounted route takes (the web dashboard), and names the route each matched. */
export interface Fallback {
  handle: (req: http.IncomingMessage, res: http.ServerResponse) => void;
  routeOf: (req: http.IncomingMessage) => string;
}

/**
 * One server on PORT for /healthz, /metrics, /slack/events and the test clock; routes are mounted
 * by path. Anything else goes to the fallback (the dashboard), or is a 404.
 */
export class HttpServer {
  private readonly routes = new Map<string, RouteHandler>();
  private server: http.Server | null = null;
  private fallback: Fallback | null = null;

  constructor(
    private readonly log: Logger,
    private readonly onAnswered?: (route: string, seconds: number) => void,
  ) {}

  mount(method: string, path: string, handler: RouteHandler): void {
    this.routes.set(`${method} ${path}`, handler);
  }

  mountFallback(fallback: Fallback): void {
    this.fallback = fallback;
  }

  async listen(port: number, host = '0.0.0.0'): Promise<number> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    server.closeIdleConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    const handler = this.routes.get(`${req.method} ${path}`);
    const started = process.hrtime.bigint();
    const fallback = handler ? null : this.fallback;
    // Unknown paths share one label so random URLs cannot grow the metric without bound.
    const route = () => (handler ? path : fallback ? fallback.routeOf(req) : 'unmatched');
    res.once('finish', () => this.onAnswered?.(route(), Number(process.hrtime.bigint() - started) / 1e9));
    if (fallback) {
      fallback.handle(req, res);
      return;
    }
    if (!handler) {
      sendJson(res, 404, { error: `no route for ${req.method} ${path}` });
      return;
    }
    try {
      await handler(req, res);
    } catch (err) {
      this.log.error({ err, path }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.end();
    }
  }
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export async function readBody(req: http.IncomingMessage, limit = 1_000_000): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
