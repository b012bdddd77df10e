import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { APIApplicationCommand, APIChannel, APIGuildMember, APIMessage, APIOverwrite, APIRole } from 'discord-api-types/v10';
import { WebSocketServer, type WebSocket } from 'ws';
import { listenOnLoopback } from './loopback.js';

/**
 * A local stand-in for Discord's REST API, enough for the bot: interaction callbacks and
 * webhook edits, channel messages (with nonce + enforce_nonce deduplication, as Discord does),
 * DM channels, threads, and application commands. Every request is recorded. Point discord.js
 * at it with `rest: { api: fake.url }` (DISCORD_API_URL); discord.js adds `/v10`.
 */

export interface RecordedCall {
  method: string;
  /** The route without the `/api/v10` prefix, e.g. `/channels/123/messages`. */
  path: string;
  query: URLSearchParams;
  body: any;
  headers: IncomingHttpHeaders;
  /** The HTTP status the fake answered. */
  status: number;
}

/** A file sent in a multipart request (`files[n]`), as the fake received it. */
export interface UploadedFile {
  field: string;
  name: string;
  contentType: string;
  bytes: Buffer;
}

/** A multipart body as Discord reads it: `payload_json` is the JSON body, every other part a file (kept under `files`). */
async function multipartBody(bytes: Buffer, contentType: string): Promise<any> {
  const form = await new Request('http://fake/', { method: 'POST', headers: { 'content-type': contentType }, body: bytes }).formData();
  const payload = form.get('payload_json');
  const body = typeof payload === 'string' ? JSON.parse(payload) : {};
  const files: UploadedFile[] = [];
  for (const [field, value] of form) {
    if (typeof value === 'string') continue;
    files.push({ field, name: value.name, contentType: value.type, bytes: Buffer.from(await value.arrayBuffer()) });
  }
  return { ...body, files };
}

export interface InteractionCallback {
  interactionId: string;
  token: string;
  /** InteractionResponseType: 4 message, 5 deferred message, 6 deferred update, 7 update, 8 autocomplete, 9 modal. */
  type: number;
  data: any;
}

export interface FakeResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface Failure {
  method?: string;
  path: RegExp;
  response: FakeResponse;
  times: number;
}

/** A server as the fake serves it: `GET /guilds/{id}` and its members page by page. */
export interface FakeGuild {
  id: string;
  owner_id: string;
  roles: APIRole[];
  members: APIGuildMember[];
}

/** A guild channel as `GET /channels/{id}` returns it. */
export interface FakeChannel {
  id: string;
  guild_id: string;
  type: number;
  name: string;
  permission_overwrites: APIOverwrite[];
}

export const BOT_USER = { id: '1100000000000000001', username: 'mentorbot', discriminator: '0', global_name: null, avatar: null, bot: true };

export class FakeDiscord {
  readonly calls: RecordedCall[] = [];
  readonly callbacks: InteractionCallback[] = [];
  /** Every message in every channel (channel posts, DMs, thread posts), in creation order. */
  readonly messages: Array<APIMessage & { nonce?: string | number }> = [];
  /** Messages of interaction webhooks: `@original` and follow-ups, by interaction token. */
  readonly webhookMessages = new Map<string, Array<APIMessage & { original: boolean; deleted?: boolean }>>();
  readonly threads = new Map<string, APIChannel>();
  readonly commands = new Map<string, APIApplicationCommand[]>();
  private readonly dmChannels = new Map<string, string>();
  private readonly failures: Failure[] = [];
  /** Servers and channels for the members check; set by a test. */
  readonly guilds = new Map<string, FakeGuild>();
  readonly channels = new Map<string, FakeChannel>();
  /** While set, every request is answered 401 (the token was reset or revoked). */
  revoked = false;
  private nextId = 1_300_000_000_000_000_000n;
  private server: Server | null = null;
  private gateway: WebSocketServer | null = null;
  private sequence = 0;
  /** IDENTIFY payloads the gateway received. */
  readonly identifies: any[] = [];
  url = '';

  id(): string {
    this.nextId += 1n;
    return this.nextId.toString();
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const bytes = Buffer.concat(chunks);
        const raw = bytes.toString('utf8');
        const u = new URL(req.url ?? '/', 'http://fake');
        const path = decodeURIComponent(u.pathname).replace(/^\/api(\/v\d+)?/, '');
        let body: any = null;
        const contentType = req.headers['content-type'] ?? '';
        if (raw && contentType.includes('application/json')) body = JSON.parse(raw);
        else if (contentType.includes('multipart/form-data')) body = await multipartBody(bytes, contentType);
        else if (raw) body = raw;
        const method = req.method ?? 'GET';
        const answer = this.handle(method, path, u.searchParams, body);
        this.calls.push({ method, path, query: u.searchParams, body, headers: req.headers, status: answer.status });
        res.statusCode = answer.status;
        for (const [k, v] of Object.entries(answer.headers ?? {})) res.setHeader(k, v);
        if (answer.body === undefined) return res.end();
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(answer.body));
      });
    });
    this.gateway = new WebSocketServer({ server: this.server, path: '/gateway' });
    this.gateway.on('connection', (socket) => this.onGatewayConnection(socket));
    this.url = `http://127.0.0.1:${await listenOnLoopback(this.server)}/api`;
    return this;
  }

  async close(): Promise<void> {
    for (const socket of this.gateway?.clients ?? []) socket.terminate();
    await new Promise<void>((resolve) => (this.gateway ? this.gateway.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  get gatewayUrl(): string {
    return this.url.replace(/^http/, 'ws').replace(/\/api$/, '/gateway');
  }

  /** Open gateway sessions. */
  get sessions(): number {
    return [...(this.gateway?.clients ?? [])].filter((s) => s.readyState === s.OPEN).length;
  }

  /**
   * The gateway handshake, JSON without compression: HELLO, then READY (with no guilds) once
   * the client identifies; heartbeats are acknowledged and a RESUME is answered with RESUMED.
   */
  private onGatewayConnection(socket: WebSocket): void {
    const send = (payload: object) => socket.send(JSON.stringify(payload));
    send({ op: 10, d: { heartbeat_interval: 41_250 } });
    socket.on('message', (raw) => {
      const packet = JSON.parse(String(raw)) as { op: number; d: any };
      if (packet.op === 1) send({ op: 11 });
      if (packet.op === 2) {
        this.identifies.push(packet.d);
        send({
          op: 0,
          t: 'READY',
          s: ++this.sequence,
          d: {
            v: 10,
            user: BOT_USER,
            guilds: [],
            session_id: `session-${this.identifies.length}`,
            resume_gateway_url: this.gatewayUrl,
            shard: [0, 1],
            application: { id: BOT_USER.id, flags: 0 },
          },
        });
      }
      if (packet.op === 6) send({ op: 0, t: 'RESUMED', s: ++this.sequence, d: {} });
    });
  }

  /** Sends a gateway event (DISPATCH) to every open session. */
  dispatch(event: string, data: object): void {
    for (const socket of this.gateway?.clients ?? []) socket.send(JSON.stringify({ op: 0, t: event, s: ++this.sequence, d: data }));
  }

  /** Closes every session the way Discord does when it wants a reconnect. */
  dropSessions(code = 4000): void {
    for (const socket of this.gateway?.clients ?? []) socket.close(code, 'fake gateway dropped the session');
  }

  reset(): void {
    this.calls.length = 0;
    this.callbacks.length = 0;
    this.messages.length = 0;
    this.webhookMessages.clear();
    this.threads.clear();
    this.commands.clear();
    this.failures.length = 0;
    this.identifies.length = 0;
    this.guilds.clear();
    this.channels.clear();
    this.revoked = false;
  }

  /** The next `times` requests matching method and path get this response instead. */
  failNext(match: { method?: string; path: RegExp }, response: FakeResponse, times = 1): void {
    this.failures.push({ ...match, response, times });
  }

  /** Answers the next matching requests with a 429 the way Discord does: JSON `retry_after` and rate-limit headers. */
  rateLimitNext(match: { method?: string; path: RegExp }, retryAfterSeconds: number, times = 1): void {
    this.failNext(
      match,
      {
        status: 429,
        body: { message: 'You are being rate limited.', retry_after: retryAfterSeconds, global: false },
        headers: {
          'retry-after': String(retryAfterSeconds),
          'x-ratelimit-limit': '5',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset-after': String(retryAfterSeconds),
          'x-ratelimit-bucket': 'fakebucket',
          'x-ratelimit-scope': 'user',
        },
      },
      times,
    );
  }

  /** Discord's JSON error body. */
  static error(status: number, code: number, message: string): FakeResponse {
    return { status, body: { code, message } };
  }

  callbacksFor(interactionId: string): InteractionCallback[] {
    return this.callbacks.filter((c) => c.interactionId === interactionId);
  }

  inChannel(channelId: string): APIMessage[] {
    return this.messages.filter((m) => m.channel_id === channelId);
  }

  dmChannelOf(userId: string): string | undefined {
    return this.dmChannels.get(userId);
  }

  /** The visible messages of an interaction (its `@original` once sent, then follow-ups), by token. */
  responses(token: string): Array<APIMessage & { original: boolean }> {
    return (this.webhookMessages.get(token) ?? []).filter((m) => !m.deleted);
  }

  private message(channelId: string, body: any, extra: Partial<APIMessage> = {}): APIMessage & { nonce?: string | number } {
    const msg = {
      id: this.id(),
      type: 0,
      channel_id: channelId,
      content: body?.content ?? '',
      author: BOT_USER,
      embeds: body?.embeds ?? [],
      components: body?.components ?? [],
      attachments: ((body?.files ?? []) as UploadedFile[]).map((f, i) => ({
        id: this.id(),
        filename: f.name,
        size: f.bytes.length,
        content_type: f.contentType,
        url: `https://cdn.example/attachments/${channelId}/${i}/${f.name}`,
        proxy_url: `https://media.example/attachments/${channelId}/${i}/${f.name}`,
      })),
      mentions: [],
      mention_roles: [],
      mention_everyone: false,
      pinned: false,
      tts: false,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      flags: body?.flags ?? 0,
      ...(body?.nonce !== undefined ? { nonce: body.nonce } : {}),
      ...(body?.message_reference ? { message_reference: { ...body.message_reference, channel_id: channelId } } : {}),
      ...extra,
    };
    return msg as APIMessage & { nonce?: string | number };
  }

  private handle(method: string, path: string, query: URLSearchParams, body: any): FakeResponse {
    if (this.revoked) return FakeDiscord.error(401, 0, '401: Unauthorized');
    const failure = this.failures.find((f) => (!f.method || f.method === method) && f.path.test(path));
    if (failure) {
      failure.times -= 1;
      if (failure.times <= 0) this.failures.splice(this.failures.indexOf(failure), 1);
      return failure.response;
    }
    let m: RegExpExecArray | null;

    if (method === 'POST' && (m = /^\/interactions\/(\d+)\/([^/]+)\/callback$/.exec(path))) {
      const [, interactionId, token] = m as unknown as [string, string, string];
      if (this.callbacks.some((c) => c.interactionId === interactionId)) {
        return FakeDiscord.error(400, 40060, 'Interaction has already been acknowledged.');
      }
      this.callbacks.push({ interactionId, token, type: body.type, data: body.data });
      if (body.type === 4 || body.type === 5) {
        this.webhookMessages.set(token, [{ ...this.message('interaction', body.data ?? {}), original: true }]);
      }
      return { status: 204 };
    }

    if ((m = /^\/webhooks\/(\d+)\/([^/]+)(?:\/messages\/([^/]+))?$/.exec(path))) {
      const token = m[2]!;
      const which = m[3];
      const list = this.webhookMessages.get(token) ?? [];
      this.webhookMessages.set(token, list);
      if (method === 'POST' && !which) {
        const created = { ...this.message('interaction', body), original: false };
        list.push(created);
        return { status: 200, body: created };
      }
      const target = which === '@original' ? list.find((x) => x.original) : list.find((x) => x.id === which);
      if (!target) {
        if (which === '@original' && method === 'PATCH') {
          // A deferred update edits the message the clicked component sits on.
          const created = { ...this.message('interaction', body), original: true };
          list.push(created);
          return { status: 200, body: created };
        }
        return FakeDiscord.error(404, 10008, 'Unknown Message');
      }
      if (method === 'PATCH') {
        Object.assign(target, {
          ...(body.content !== undefined ? { content: body.content } : {}),
          ...(body.components !== undefined ? { components: body.components } : {}),
          edited_timestamp: new Date().toISOString(),
        });
        return { status: 200, body: target };
      }
      if (method === 'DELETE') {
        target.deleted = true;
        return { status: 204 };
      }
      if (method === 'GET') return { status: 200, body: target };
    }

    if ((m = /^\/channels\/(\d+)\/messages$/.exec(path)) && method === 'POST') {
      const channelId = m[1]!;
      if (body?.enforce_nonce && body.nonce !== undefined) {
        const same = this.messages.find((x) => x.channel_id === channelId && x.nonce === body.nonce);
        if (same) return { status: 200, body: same };
      }
      const created = this.message(channelId, body);
      this.messages.push(created);
      return { status: 200, body: created };
    }

    if ((m = /^\/channels\/(\d+)\/messages\/(\d+)$/.exec(path)) && method === 'PATCH') {
      const target = this.messages.find((x) => x.channel_id === m![1] && x.id === m![2]);
      if (!target) return FakeDiscord.error(404, 10008, 'Unknown Message');
      // `attachments` lists what the message keeps (existing ids) or adds (new uploads by index); the rest go.
      let attachments = target.attachments;
      if (Array.isArray(body.attachments)) {
        const uploads = (body.files ?? []) as UploadedFile[];
        attachments = (body.attachments as Array<{ id: string | number; filename?: string }>).flatMap((a) => {
          const kept = target.attachments.find((x) => x.id === String(a.id));
          if (kept) return [kept];
          const f = uploads[Number(a.id)];
          if (!f) return [];
          return [{ id: this.id(), filename: a.filename ?? f.name, size: f.bytes.length, content_type: f.contentType, url: `https://cdn.example/attachments/${target.channel_id}/${a.id}/${f.name}`, proxy_url: `https://media.example/attachments/${target.channel_id}/${a.id}/${f.name}` }];
        });
      }
      Object.assign(target, {
        ...(body.content !== undefined ? { content: body.content } : {}),
        ...(body.components !== undefined ? { components: body.components } : {}),
        attachments,
        edited_timestamp: new Date().toISOString(),
      });
      return { status: 200, body: target };
    }

    if ((m = /^\/channels\/(\d+)\/messages\/(\d+)\/threads$/.exec(path)) && method === 'POST') {
      const [, parentId, messageId] = m as unknown as [string, string, string];
      if (this.threads.has(messageId)) return FakeDiscord.error(400, 160004, 'A thread has already been created for this message');
      // A thread started from a message takes the message's id.
      const thread = { id: messageId, type: 11, parent_id: parentId, guild_id: null, name: body.name, owner_id: BOT_USER.id } as unknown as APIChannel;
      this.threads.set(messageId, thread);
      return { status: 201, body: thread };
    }

    if (path === '/users/@me/channels' && method === 'POST') {
      const userId = String(body.recipient_id);
      let id = this.dmChannels.get(userId);
      if (!id) {
        id = this.id();
        this.dmChannels.set(userId, id);
      }
      return { status: 200, body: { id, type: 1, last_message_id: null, recipients: [{ id: userId, username: `user${userId.slice(-4)}`, discriminator: '0', global_name: null, avatar: null }] } };
    }

    if (path === '/users/@me' && method === 'GET') return { status: 200, body: BOT_USER };

    if ((m = /^\/channels\/(\d+)$/.exec(path)) && method === 'GET') {
      const channel = this.channels.get(m[1]!);
      return channel ? { status: 200, body: channel } : FakeDiscord.error(404, 10003, 'Unknown Channel');
    }

    if ((m = /^\/guilds\/(\d+)$/.exec(path)) && method === 'GET') {
      const guild = this.guilds.get(m[1]!);
      if (!guild) return FakeDiscord.error(404, 10004, 'Unknown Guild');
      return { status: 200, body: { id: guild.id, name: 'guild', owner_id: guild.owner_id, roles: guild.roles } };
    }

    // Members in the order of their ids, `limit` at a time (at most 1,000) after the id `after`, as Discord pages them.
    if ((m = /^\/guilds\/(\d+)\/members$/.exec(path)) && method === 'GET') {
      const guild = this.guilds.get(m[1]!);
      if (!guild) return FakeDiscord.error(404, 10004, 'Unknown Guild');
      const limit = Math.min(Number(query.get('limit') ?? 1), 1000);
      const after = BigInt(query.get('after') ?? '0');
      const page = [...guild.members]
        .sort((a, b) => (BigInt(a.user.id) < BigInt(b.user.id) ? -1 : 1))
        .filter((x) => BigInt(x.user.id) > after)
        .slice(0, limit);
      return { status: 200, body: page };
    }

    if (path === '/gateway/bot' && method === 'GET') {
      return {
        status: 200,
        body: { url: this.gatewayUrl, shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 } },
      };
    }

    if ((m = /^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/.exec(path))) {
      const key = m[2] ? `guild:${m[2]}` : 'global';
      if (method === 'GET') return { status: 200, body: this.commands.get(key) ?? [] };
      if (method === 'PUT') {
        const stored = (body as any[]).map((c) => this.asStoredCommand(c, m![1]!, m![2] ?? null));
        this.commands.set(key, stored);
        return { status: 200, body: stored };
      }
    }

    return FakeDiscord.error(404, 0, `fake Discord has no route for ${method} ${path}${query.size ? `?${query}` : ''}`);
  }

  /** What Discord returns for a registered command: ids and versions added, `required: false` left out. */
  private asStoredCommand(c: any, applicationId: string, guildId: string | null): APIApplicationCommand {
    const strip = (o: any): any => {
      const { required, options, ...rest } = o;
      return { ...rest, ...(required ? { required } : {}), ...(options ? { options: options.map(strip) } : {}) };
    };
    return {
      id: this.id(),
      application_id: applicationId,
      version: this.id(),
      ...(guildId ? { guild_id: guildId } : {}),
      type: 1,
      default_member_permissions: null,
      nsfw: false,
      name_localizations: null,
      description_localizations: null,
      ...strip(c),
    } as APIApplicationCommand;
  }
}

export async function startFakeDiscord(): Promise<FakeDiscord> {
  return new FakeDiscord().start();
}
