import http from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { closeAtOnce, listenOnLoopback } from './loopback.js';

/**
 * A local stand-in for the Slack Web API (SLACK_API_URL) and for response_url endpoints. It records
 * every call, keeps the messages it was asked to post so they can be read back, updated and
 * clicked, and can be told to answer 429 or a Slack error.
 */

export interface RecordedCall {
  method: string;
  args: Record<string, any>;
  token: string | null;
  /** For response_url calls: the id in the URL. */
  target?: string;
  /** The answer this call got. */
  status: number;
  error?: string;
}

export interface FakeMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: any[];
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  thread_ts?: string;
  user: string;
  ephemeralTo?: string;
  /** Files shared with this message (files.completeUploadExternal). */
  files?: FakeFile[];
}

/** A file uploaded through files.getUploadURLExternal and its upload URL. */
export interface FakeFile {
  id: string;
  name: string;
  title: string;
  length: number;
  bytes: Buffer | null;
  /** files.delete: Slack then lists it as a tombstone. */
  deleted?: boolean;
}

/** The scope each of these methods needs; checked only when `grantedScopes` is set. */
const METHOD_SCOPES: Record<string, string> = {
  'files.getUploadURLExternal': 'files:write',
  'files.completeUploadExternal': 'files:write',
  'files.delete': 'files:write',
  'chat.postMessage': 'chat:write',
  'conversations.open': 'im:write',
};

export interface FakeUser {
  id: string;
  name: string;
  real_name?: string;
  display_name?: string;
  is_admin?: boolean;
  is_owner?: boolean;
  /** The profile's zone, as Slack gives it (`tz`). */
  tz?: string;
}

export const BOT_USER_ID = 'U0BOT';
export const BOT_ID = 'B0BOT';
export const TEAM_ID = 'T0TEAM';

const JSON_ARGS = new Set(['blocks', 'view', 'metadata', 'attachments']);

/** A Web API request body as Slack reads it: JSON, or a form whose block-like fields hold JSON. */
export function parseArgs(raw: string, contentType: string | undefined): Record<string, any> {
  if (!raw) return {};
  if (contentType?.includes('application/json')) return JSON.parse(raw) as Record<string, any>;
  const out: Record<string, any> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    out[key] = JSON_ARGS.has(key) ? JSON.parse(value) : value;
  }
  return out;
}

export class FakeSlack {
  readonly calls: RecordedCall[] = [];
  readonly messages: FakeMessage[] = [];
  readonly users = new Map<string, FakeUser>();
  readonly files = new Map<string, FakeFile>();
  /** When set, a method whose scope (METHOD_SCOPES) is missing answers `missing_scope`, as Slack does. */
  grantedScopes: ReadonlySet<string> | null = null;
  private server: http.Server | null = null;
  private port = 0;
  private seq = 0;
  private rateLimits = new Map<string, { retryAfterSec: number; times: number; after: number }>();
  private failures: Array<{ method: string; error: string; channel?: string; times: number }> = [];
  private waiters: Array<() => void> = [];
  private sockets: WebSocketServer | null = null;
  /** Socket Mode connections the app has opened, oldest first; closed ones stay listed. */
  readonly connections: WebSocket[] = [];
  private envelopeSeq = 0;

  static async start(): Promise<FakeSlack> {
    const fake = new FakeSlack();
    await fake.listen();
    return fake;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** What SLACK_API_URL is set to. */
  get apiUrl(): string {
    return `${this.baseUrl}/api/`;
  }

  /** A response_url for one interaction; what is posted to it is recorded as method `response_url`. */
  responseUrl(id = `r${++this.seq}`): string {
    return `${this.baseUrl}/response/${id}`;
  }

  addUser(user: FakeUser): void {
    this.users.set(user.id, user);
  }

  /** After `after` more calls go through, the next `times` calls of `method` answer 429 with Retry-After. */
  rateLimit(method: string, retryAfterSec: number, opts: { times?: number; after?: number } = {}): void {
    this.rateLimits.set(method, { retryAfterSec, times: opts.times ?? 1, after: opts.after ?? 0 });
  }

  /** The next `times` calls of `method` (to `channel`, if given) answer `{ ok: false, error }`. */
  fail(method: string, error: string, opts: { channel?: string; times?: number } = {}): void {
    this.failures.push({ method, error, channel: opts.channel, times: opts.times ?? 1 });
  }

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method && c.status === 200 && !c.error);
  }

  messagesIn(channel: string): FakeMessage[] {
    return this.messages.filter((m) => m.channel === channel);
  }

  /** Waits until a successful call of `method` matches; Slack follow-ups happen after the HTTP ack. */
  async waitFor(method: string, match: (c: RecordedCall) => boolean = () => true, timeoutMs = 5000): Promise<RecordedCall> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.callsOf(method).find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        const seen = this.calls.map((c) => `${c.method}${c.error ? `(${c.error})` : ''}`).join(', ');
        throw new Error(`no matching ${method} call within ${timeoutMs} ms; calls seen: ${seen || 'none'}`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 50));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Forgets calls and messages (users and the port stay). */
  reset(): void {
    this.calls.length = 0;
    this.messages.length = 0;
    this.files.clear();
    this.rateLimits.clear();
    this.failures = [];
  }

  /** The WebSocket URL apps.connections.open hands out, at /link on this server. */
  get socketUrl(): string {
    return `ws://127.0.0.1:${this.port}/link`;
  }

  openConnections(): WebSocket[] {
    return this.connections.filter((c) => c.readyState === c.OPEN);
  }

  /** Waits until `count` Socket Mode connections are open. */
  async waitForConnections(count: number, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.openConnections().length < count) {
      if (Date.now() > deadline) throw new Error(`${this.openConnections().length} Socket Mode connections open, expected ${count}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /**
   * Sends a Socket Mode envelope on the newest open connection and resolves with the app's
   * acknowledgement (`{ envelope_id, payload? }`); Slack retries an envelope nobody acknowledges.
   */
  sendEnvelope(type: 'slash_commands' | 'interactive' | 'events_api', payload: Record<string, unknown>, timeoutMs = 5000): Promise<{ envelope_id: string; payload?: any }> {
    const socket = this.openConnections().at(-1);
    if (!socket) return Promise.reject(new Error('no open Socket Mode connection'));
    const envelopeId = `env-${++this.envelopeSeq}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.off('message', onMessage);
        reject(new Error(`envelope ${envelopeId} (${type}) was not acknowledged within ${timeoutMs} ms`));
      }, timeoutMs);
      const onMessage = (data: Buffer) => {
        const ack = JSON.parse(data.toString('utf8'));
        if (ack.envelope_id !== envelopeId) return;
        clearTimeout(timer);
        socket.off('message', onMessage);
        resolve(ack);
      };
      socket.on('message', onMessage);
      socket.send(JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: type !== 'events_api', retry_attempt: 0, retry_reason: '' }));
    });
  }

  /** Slack asks the app to reconnect, as it does before moving a connection to another host. */
  askToReconnect(): void {
    for (const c of this.openConnections()) c.send(JSON.stringify({ type: 'disconnect', reason: 'refresh_requested', debug_info: { host: 'applink-fake' } }));
  }

  /** The network drops every connection without a goodbye. */
  dropConnections(): void {
    for (const c of this.openConnections()) c.terminate();
  }

  private acceptSockets(): void {
    this.sockets = new WebSocketServer({ server: this.server!, path: '/link' });
    this.sockets.on('connection', (socket) => {
      this.connections.push(socket);
      socket.send(JSON.stringify({ type: 'hello', num_connections: this.openConnections().length, debug_info: { host: 'applink-fake', approximate_connection_time: 3600 }, connection_info: { app_id: 'A0MENTORBOT' } }));
    });
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.terminate();
    this.sockets?.close();
    this.sockets = null;
    const server = this.server;
    this.server = null;
    await closeAtOnce(server);
  }

  private nextTs(): string {
    this.seq++;
    return `${1_800_000_000 + this.seq}.${String(this.seq).padStart(6, '0')}`;
  }

  private async listen(): Promise<void> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.acceptSockets();
    this.port = await listenOnLoopback(this.server);
  }

  private record(call: RecordedCall): void {
    this.calls.push(call);
    const waiters = this.waiters.splice(0);
    for (const w of waiters) w();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    const raw = bytes.toString('utf8');
    const path = (req.url ?? '').split('?')[0]!;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json', ...headers });
      res.end(text);
    };

    const response = /^\/response\/([^/]+)$/.exec(path);
    if (response) {
      this.record({ method: 'response_url', target: response[1], args: JSON.parse(raw || '{}'), token: null, status: 200 });
      send(200, 'ok');
      return;
    }
    const upload = /^\/upload\/([^/]+)$/.exec(path);
    if (upload) {
      const file = this.files.get(upload[1]!);
      this.record({ method: 'upload', target: upload[1], args: { length: bytes.length }, token: null, status: file ? 200 : 404 });
      if (!file) return send(404, 'no such upload');
      // The upload URL takes the raw bytes or a multipart form with one file in it.
      const type = req.headers['content-type'] ?? '';
      if (type.includes('multipart/form-data')) {
        const form = await new Request('http://fake/', { method: 'POST', headers: { 'content-type': type }, body: bytes }).formData();
        const part = [...form.values()].find((v) => typeof v !== 'string');
        file.bytes = part && typeof part !== 'string' ? Buffer.from(await part.arrayBuffer()) : Buffer.alloc(0);
      } else file.bytes = bytes;
      send(200, 'OK - 1');
      return;
    }
    const api = /^\/api\/([\w.]+)$/.exec(path);
    if (!api) {
      send(404, { ok: false, error: 'not_found' });
      return;
    }
    const method = api[1]!;
    const args = parseArgs(raw, req.headers['content-type']);
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : (args.token ?? null);

    const limit = this.rateLimits.get(method);
    if (limit && limit.times > 0 && limit.after-- <= 0) {
      limit.times--;
      this.record({ method, args, token, status: 429, error: 'ratelimited' });
      send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(limit.retryAfterSec) });
      return;
    }
    const failure = this.failures.find((f) => f.method === method && f.times > 0 && (!f.channel || f.channel === args.channel));
    if (failure) {
      failure.times--;
      this.record({ method, args, token, status: 200, error: failure.error });
      send(200, { ok: false, error: failure.error });
      return;
    }

    const needed = METHOD_SCOPES[method];
    const scopeMissing = this.grantedScopes !== null && needed !== undefined && !this.grantedScopes.has(needed);
    const result = scopeMissing
      ? { ok: false, error: 'missing_scope', needed, provided: [...this.grantedScopes!].join(',') }
      : method === 'apps.connections.open' && !token?.startsWith('xapp-')
        ? { ok: false, error: 'not_allowed_token_type' }
        : this.answer(method, args);
    this.record({ method, args, token, status: 200, error: result.ok ? undefined : String(result.error) });
    send(200, result);
  }

  private answer(method: string, args: Record<string, any>): Record<string, unknown> {
    switch (method) {
      case 'apps.connections.open':
        return { ok: true, url: this.socketUrl };
      case 'auth.test':
        return { ok: true, url: 'https://mentorbot-test.slack.com/', team: 'Mentorbot Test', user: 'mentorbot', team_id: TEAM_ID, user_id: BOT_USER_ID, bot_id: BOT_ID };
      case 'chat.postMessage': {
        if (!args.channel) return { ok: false, error: 'channel_not_found' };
        if (!args.text && !args.blocks) return { ok: false, error: 'no_text' };
        // Posting to a user id goes to the app's DM with that user.
        const channel = /^[UW]/.test(args.channel) ? `D${args.channel}` : String(args.channel);
        const message: FakeMessage = {
          channel,
          ts: this.nextTs(),
          text: args.text ?? '',
          blocks: args.blocks ?? [],
          user: BOT_USER_ID,
          ...(args.thread_ts ? { thread_ts: String(args.thread_ts) } : {}),
          ...(args.metadata ? { metadata: args.metadata } : {}),
        };
        this.messages.push(message);
        return { ok: true, channel, ts: message.ts, message: { type: 'message', text: message.text, blocks: message.blocks, user: BOT_USER_ID, bot_id: BOT_ID, ts: message.ts } };
      }
      case 'chat.postEphemeral': {
        if (!args.channel || !args.user) return { ok: false, error: 'invalid_arguments' };
        const ts = this.nextTs();
        this.messages.push({ channel: args.channel, ts, text: args.text ?? '', blocks: args.blocks ?? [], user: BOT_USER_ID, ephemeralTo: args.user, ...(args.thread_ts ? { thread_ts: args.thread_ts } : {}) });
        return { ok: true, message_ts: ts };
      }
      case 'chat.update': {
        const message = this.messages.find((m) => m.channel === args.channel && m.ts === args.ts);
        if (!message) return { ok: false, error: 'message_not_found' };
        message.text = args.text ?? message.text;
        message.blocks = args.blocks ?? message.blocks;
        if (args.metadata) message.metadata = args.metadata;
        return { ok: true, channel: message.channel, ts: message.ts, text: message.text };
      }
      case 'conversations.open': {
        const users = String(args.users ?? '');
        if (!users) return { ok: false, error: 'users_list_not_supplied' };
        return { ok: true, channel: { id: `D${users.split(',')[0]}` } };
      }
      case 'conversations.history': {
        const limit = Number(args.limit ?? 100);
        const withMetadata = args.include_all_metadata === true || args.include_all_metadata === 'true';
        const messages = this.messages
          .filter((m) => m.channel === args.channel && !m.thread_ts && !m.ephemeralTo)
          .slice()
          .reverse()
          .slice(0, limit)
          .map((m) => ({ type: 'message', user: m.user, bot_id: BOT_ID, text: m.text, ts: m.ts, blocks: m.blocks, ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}) }));
        return { ok: true, messages, has_more: false };
      }
      case 'files.getUploadURLExternal': {
        if (!args.filename || !args.length) return { ok: false, error: 'invalid_arguments' };
        const id = `F${++this.seq}`;
        this.files.set(id, { id, name: String(args.filename), title: String(args.filename), length: Number(args.length), bytes: null });
        return { ok: true, upload_url: `${this.baseUrl}/upload/${id}`, file_id: id };
      }
      case 'files.completeUploadExternal': {
        const listed = (typeof args.files === 'string' ? JSON.parse(args.files) : args.files) as Array<{ id: string; title?: string }>;
        const files = listed.map((f) => this.files.get(f.id));
        if (files.some((f) => !f || !f.bytes)) return { ok: false, error: 'file_not_found' };
        for (const [i, f] of files.entries()) if (listed[i]!.title) f!.title = listed[i]!.title!;
        if (args.channel_id) {
          const thread = args.thread_ts ? String(args.thread_ts) : undefined;
          this.messages.push({ channel: String(args.channel_id), ts: this.nextTs(), text: args.initial_comment ?? '', blocks: [], user: BOT_USER_ID, files: files as FakeFile[], ...(thread ? { thread_ts: thread } : {}) });
        }
        return { ok: true, files: files.map((f) => ({ id: f!.id, name: f!.name, title: f!.title })) };
      }
      case 'conversations.replies': {
        const parent = this.messages.find((m) => m.channel === args.channel && m.ts === args.ts);
        if (!parent) return { ok: false, error: 'thread_not_found' };
        const replies = this.messages.filter((m) => m.channel === args.channel && m.thread_ts === args.ts);
        return {
          ok: true,
          has_more: false,
          messages: [parent, ...replies].map((m) => ({ type: 'message', user: m.user, text: m.text, ts: m.ts, ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}), ...(m.files ? { files: m.files.map((f) => (f.deleted ? { id: f.id, mode: 'tombstone' } : { id: f.id, name: f.name, title: f.title })) } : {}) })),
        };
      }
      case 'files.delete': {
        const file = this.files.get(String(args.file));
        if (!file) return { ok: false, error: 'file_not_found' };
        if (file.deleted) return { ok: false, error: 'file_deleted' };
        file.deleted = true;
        return { ok: true };
      }
      case 'views.open':
      case 'views.push': {
        if (!args.trigger_id) return { ok: false, error: 'invalid_arguments' };
        return { ok: true, view: { id: `V${++this.seq}`, team_id: TEAM_ID, state: { values: {} }, hash: `h${this.seq}`, ...args.view } };
      }
      case 'views.publish':
        if (!args.user_id) return { ok: false, error: 'invalid_arguments' };
        return { ok: true, view: { id: `V${++this.seq}`, team_id: TEAM_ID, ...args.view } };
      case 'users.info': {
        const u = this.users.get(String(args.user));
        if (!u) return { ok: false, error: 'user_not_found' };
        return {
          ok: true,
          user: {
            id: u.id,
            team_id: TEAM_ID,
            name: u.name,
            real_name: u.real_name ?? u.name,
            is_admin: Boolean(u.is_admin),
            is_owner: Boolean(u.is_owner),
            is_bot: false,
            ...(u.tz ? { tz: u.tz } : {}),
            profile: { display_name: u.display_name ?? '', real_name: u.real_name ?? u.name },
          },
        };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}

const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The text of a Block Kit message as a person reads it: sections, context, button labels; Slack's escaping undone. */
export function visibleText(message: { text?: string; blocks?: any[] }): string {
  if (!message.blocks || message.blocks.length === 0) return unescape(message.text ?? '');
  const parts: string[] = [];
  for (const b of message.blocks) {
    if (b.type === 'section' && b.text) parts.push(b.text.text);
    if (b.type === 'header' && b.text) parts.push(b.text.text);
    if (b.type === 'context') for (const e of b.elements ?? []) parts.push(e.text ?? '');
    if (b.type === 'actions') parts.push((b.elements ?? []).map((e: any) => `[${e.text?.text}]`).join(' '));
  }
  return unescape(parts.join('\n'));
}

/** The buttons of a Block Kit message, in order. */
export function buttonsOf(message: { blocks?: any[] }): Array<{ label: string; action_id: string; value: string; block_id: string }> {
  const out: Array<{ label: string; action_id: string; value: string; block_id: string }> = [];
  for (const b of message.blocks ?? []) {
    if (b.type !== 'actions') continue;
    for (const e of b.elements ?? []) if (e.type === 'button') out.push({ label: e.text.text, action_id: e.action_id, value: e.value, block_id: b.block_id });
  }
  return out;
}
