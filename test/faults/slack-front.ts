import http from 'node:http';
import type { FakeSlack } from '../helpers/fake-slack.js';
import { closeAtOnce, listenOnLoopback } from '../helpers/loopback.js';

/**
 * Stands in front of the fake Web API and makes it behave like Slack on a bad day: slow answers
 * (the message is already posted while its answer is still on the way, which is when a crash hurts),
 * and storms of 429 with Retry-After. What gets through is recorded by the fake behind it.
 */
export interface SlackFrontOptions {
  /** Methods whose answer is held back this long after the fake has recorded the call. */
  slow?: { methods: string[]; ms: number };
  /** Called after the fake recorded a call of `method` and before its answer is sent back. */
  onRecorded?: (method: string) => void;
}

export interface Storm {
  methods: string[];
  /** Share of the calls answered 429. */
  rate: number;
  retryAfterSec: number;
  /** The storm is over after this many 429 answers. */
  max: number;
  seed: number;
}

export class SlackFront {
  private server: http.Server | null = null;
  private port = 0;
  private storm: (Storm & { random: () => number }) | null = null;
  /** 429 answers given, by method. */
  readonly rateLimited = new Map<string, number>();

  private constructor(
    private readonly fake: FakeSlack,
    private readonly opts: SlackFrontOptions,
  ) {}

  static async start(fake: FakeSlack, opts: SlackFrontOptions = {}): Promise<SlackFront> {
    const front = new SlackFront(fake, opts);
    front.server = http.createServer((req, res) => void front.handle(req, res));
    front.port = await listenOnLoopback(front.server);
    return front;
  }

  /** What SLACK_API_URL is set to. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  startStorm(storm: Storm): void {
    this.storm = { ...storm, random: mulberry32(storm.seed) };
  }

  get storming(): boolean {
    return this.storm !== null;
  }

  totalRateLimited(): number {
    return [...this.rateLimited.values()].reduce((a, b) => a + b, 0);
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    await closeAtOnce(server);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const path = req.url ?? '/';
    const method = /^\/api\/([\w.]+)/.exec(path)?.[1] ?? path;

    const storm = this.storm;
    if (storm && storm.methods.includes(method) && storm.random() < storm.rate) {
      this.rateLimited.set(method, (this.rateLimited.get(method) ?? 0) + 1);
      if (this.totalRateLimited() >= storm.max) this.storm = null;
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(storm.retryAfterSec) });
      res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      return;
    }

    const headers: Record<string, string> = {};
    for (const name of ['content-type', 'authorization']) {
      const v = req.headers[name];
      if (typeof v === 'string') headers[name] = v;
    }
    let status = 502;
    let answer = '';
    let contentType = 'application/json';
    try {
      const upstream = await fetch(`${this.fake.baseUrl}${path}`, { method: req.method, headers, body: req.method === 'GET' ? undefined : body });
      status = upstream.status;
      contentType = upstream.headers.get('content-type') ?? contentType;
      answer = await upstream.text();
    } catch (err) {
      answer = JSON.stringify({ ok: false, error: `fake unreachable: ${(err as Error).message}` });
    }
    this.opts.onRecorded?.(method);
    const slow = this.opts.slow;
    if (slow && slow.methods.includes(method)) await new Promise((r) => setTimeout(r, slow.ms));
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': contentType });
    res.end(answer);
  }
}

/** A small seeded generator, so a storm hits the same calls on every run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
