import http from 'node:http';
import { parseArgs } from '../../test/helpers/fake-slack.js';
import { closeAtOnce, listenOnLoopback } from '../../test/helpers/loopback.js';
import { epochNow } from './report.js';

/**
 * A lean stand-in for the Slack Web API and response_url endpoints, for load: no call log, only
 * counters, the posted messages (so they can be clicked) and arrival times. Answer shapes follow
 * test/helpers/fake-slack.ts. With `perChannelPerSec` set, chat.postMessage allows that many
 * messages per second in each channel and answers 429 with Retry-After (whole seconds) beyond it.
 */

export interface FakeOptions {
  perChannelPerSec: number | null;
}

export interface PostedMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: any[];
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  thread_ts?: string;
  /** Epoch ms when it was accepted. */
  at: number;
}

export interface FakeStats {
  methods: Record<string, number>;
  posts: number;
  rateLimited: number;
  /** Round id → how many times a message carrying it was posted. */
  roundPosts: Array<[number, number]>;
  firstPostAt: number | null;
  lastPostAt: number | null;
  responses: number;
  /** The first words of each response_url reply, counted: what the clicks were told. */
  replies: Record<string, number>;
}

const ROUND_EVENT = 'mentorbot_round';

export class FakeSlackApi {
  options: FakeOptions = { perChannelPerSec: null };
  readonly byChannel = new Map<string, PostedMessage[]>();
  readonly roundPosts = new Map<number, number>();
  /** response_url id → epoch ms of arrival. */
  readonly responses = new Map<string, number>();
  readonly replies = new Map<string, number>();
  private readonly byKey = new Map<string, PostedMessage>();
  private readonly nextAllowed = new Map<string, number>();
  private methods = new Map<string, number>();
  private posts = 0;
  private rateLimited = 0;
  private firstPostAt: number | null = null;
  private lastPostAt: number | null = null;
  private seq = 0;
  private server: http.Server | null = null;
  private port = 0;
  private waiters = new Set<() => void>();

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get apiUrl(): string {
    return `${this.baseUrl}/api/`;
  }

  async listen(): Promise<void> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 30_000;
    this.port = await listenOnLoopback(this.server);
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    await closeAtOnce(server);
  }

  reset(options?: Partial<FakeOptions>): void {
    if (options) this.options = { ...this.options, ...options };
    this.byChannel.clear();
    this.byKey.clear();
    this.roundPosts.clear();
    this.responses.clear();
    this.replies.clear();
    this.nextAllowed.clear();
    this.methods = new Map();
    this.posts = 0;
    this.rateLimited = 0;
    this.firstPostAt = null;
    this.lastPostAt = null;
  }

  stats(): FakeStats {
    return {
      methods: Object.fromEntries(this.methods),
      posts: this.posts,
      rateLimited: this.rateLimited,
      roundPosts: [...this.roundPosts],
      firstPostAt: this.firstPostAt,
      lastPostAt: this.lastPostAt,
      responses: this.responses.size,
      replies: Object.fromEntries(this.replies),
    };
  }

  /** The latest round post of each channel (top level, carrying round metadata). */
  roundMessages(): PostedMessage[] {
    const out: PostedMessage[] = [];
    for (const list of this.byChannel.values()) {
      for (let i = list.length - 1; i >= 0; i--) {
        const m = list[i]!;
        if (!m.thread_ts && m.metadata?.event_type === ROUND_EVENT) {
          out.push(m);
          break;
        }
      }
    }
    return out;
  }

  /** Resolves once `check` holds (it is re-evaluated after every accepted call), or false at the timeout. */
  async until(check: () => boolean, timeoutMs: number): Promise<boolean> {
    if (check()) return true;
    return new Promise<boolean>((resolve) => {
      const waiter = () => {
        if (!check()) return;
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        resolve(false);
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  private nextTs(): string {
    this.seq++;
    return `${1_800_000_000 + this.seq}.${String(this.seq).padStart(6, '0')}`;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const path = (req.url ?? '').split('?')[0]!;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
      res.end(text);
    };

    const response = /^\/response\/([^/]+)$/.exec(path);
    if (response) {
      this.count('response_url');
      if (!this.responses.has(response[1]!)) this.responses.set(response[1]!, epochNow());
      const gist = replyGist(raw);
      this.replies.set(gist, (this.replies.get(gist) ?? 0) + 1);
      send(200, 'ok');
      this.notify();
      return;
    }
    const api = /^\/api\/([\w.]+)$/.exec(path);
    if (!api) {
      send(404, { ok: false, error: 'not_found' });
      return;
    }
    const method = api[1]!;
    let args: Record<string, any>;
    try {
      args = parseArgs(raw, req.headers['content-type']);
    } catch {
      send(200, { ok: false, error: 'invalid_arguments' });
      return;
    }

    if (method === 'chat.postMessage' && this.options.perChannelPerSec && args.channel) {
      const now = epochNow();
      const channel = String(args.channel);
      const allowedAt = this.nextAllowed.get(channel) ?? 0;
      if (now < allowedAt) {
        this.rateLimited++;
        this.count('429');
        send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(Math.max(1, Math.ceil((allowedAt - now) / 1000))) });
        return;
      }
      this.nextAllowed.set(channel, now + 1000 / this.options.perChannelPerSec);
    }
    this.count(method);
    send(200, this.answer(method, args));
    this.notify();
  }

  private count(method: string): void {
    this.methods.set(method, (this.methods.get(method) ?? 0) + 1);
  }

  private answer(method: string, args: Record<string, any>): Record<string, unknown> {
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://mentorbot-bench.slack.com/', team: 'Bench', user: 'mentorbot', team_id: 'T0TEAM', user_id: 'U0BOT', bot_id: 'B0BOT' };
      case 'chat.postMessage': {
        if (!args.channel) return { ok: false, error: 'channel_not_found' };
        const channel = /^[UW]/.test(args.channel) ? `D${args.channel}` : String(args.channel);
        const message: PostedMessage = {
          channel,
          ts: this.nextTs(),
          text: args.text ?? '',
          blocks: args.blocks ?? [],
          at: epochNow(),
          ...(args.thread_ts ? { thread_ts: String(args.thread_ts) } : {}),
          ...(args.metadata ? { metadata: args.metadata } : {}),
        };
        let list = this.byChannel.get(channel);
        if (!list) this.byChannel.set(channel, (list = []));
        list.push(message);
        this.byKey.set(`${channel}/${message.ts}`, message);
        this.posts++;
        this.firstPostAt ??= message.at;
        this.lastPostAt = message.at;
        const roundId = Number(message.metadata?.event_type === ROUND_EVENT ? message.metadata.event_payload.round_id : Number.NaN);
        if (!message.thread_ts && Number.isInteger(roundId)) this.roundPosts.set(roundId, (this.roundPosts.get(roundId) ?? 0) + 1);
        return { ok: true, channel, ts: message.ts, message: { type: 'message', text: message.text, user: 'U0BOT', bot_id: 'B0BOT', ts: message.ts } };
      }
      case 'chat.update': {
        const message = this.byKey.get(`${args.channel}/${args.ts}`);
        if (!message) return { ok: false, error: 'message_not_found' };
        message.text = args.text ?? message.text;
        message.blocks = args.blocks ?? message.blocks;
        if (args.metadata) message.metadata = args.metadata;
        return { ok: true, channel: message.channel, ts: message.ts, text: message.text };
      }
      case 'chat.postEphemeral':
        return { ok: true, message_ts: this.nextTs() };
      case 'conversations.open':
        return args.users ? { ok: true, channel: { id: `D${String(args.users).split(',')[0]}` } } : { ok: false, error: 'users_list_not_supplied' };
      case 'conversations.history': {
        const limit = Number(args.limit ?? 100);
        const messages = (this.byChannel.get(String(args.channel)) ?? [])
          .filter((m) => !m.thread_ts)
          .slice(-limit)
          .reverse()
          .map((m) => ({ type: 'message', user: 'U0BOT', bot_id: 'B0BOT', text: m.text, ts: m.ts, ...(m.metadata ? { metadata: m.metadata } : {}) }));
        return { ok: true, messages, has_more: false };
      }
      case 'users.info': {
        const id = String(args.user ?? '');
        if (!id) return { ok: false, error: 'user_not_found' };
        const name = id.toLowerCase();
        return {
          ok: true,
          user: { id, team_id: 'T0TEAM', name, real_name: `Learner ${id}`, is_admin: false, is_owner: false, is_bot: false, profile: { display_name: '', real_name: `Learner ${id}` } },
        };
      }
      case 'views.open':
      case 'views.push':
      case 'views.publish':
        return { ok: true, view: { id: `V${++this.seq}`, team_id: 'T0TEAM', ...(args.view ?? {}) } };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}

/** "Recorded:", "Updated:", or the first words of anything else a reply said. */
function replyGist(raw: string): string {
  let text = '';
  try {
    text = String((JSON.parse(raw) as { text?: unknown }).text ?? '');
  } catch {
    text = raw;
  }
  const words = text.replace(/[*_`]/g, '').split(/\s+/).filter(Boolean);
  return /^(Recorded|Updated):$/.test(words[0] ?? '') ? words[0]! : words.slice(0, 6).join(' ');
}
