import http from 'node:http';
import { BOT_USER_ID, type FakeSlack } from '../../helpers/fake-slack.js';
import { closeAtOnce, listenOnLoopback } from '../../helpers/loopback.js';
import { eventCallback, type SignedRequest } from '../../helpers/slack-requests.js';

/**
 * Stands in front of the fake Web API with what changes under the bot: who is in each channel
 * (conversations.members, page by page with cursors), thread replies with their metadata (how a
 * retried mention is recognised), and errors for any method (`token_revoked` until access is given
 * back). Everything else goes through to the fake, which records it.
 */
export class SlackWorld {
  private server: http.Server | null = null;
  private port = 0;
  /** Who is in each channel, in the order Slack lists them; the bot is in every channel listed here. */
  readonly members = new Map<string, string[]>();
  /** At most this many members a page, however many were asked for (Slack may answer fewer). */
  pageSize = 200;
  /** Every conversations.members call, in order, as asked. */
  readonly membersCalls: Array<{ channel: string; limit: number; cursor: string | null }> = [];
  /** Methods answering `{ ok: false, error }` until `restore`: for one channel or user, or every call. */
  private readonly broken = new Map<string, { error: string; target?: string }>();
  /** The next `times` conversations.members calls answer 429 with this Retry-After. */
  private membersLimited = { times: 0, retryAfterSec: 1 };
  /** Every Web API method the app called, in order, whoever answered it. */
  readonly seen: string[] = [];

  private constructor(readonly fake: FakeSlack) {}

  static async start(fake: FakeSlack): Promise<SlackWorld> {
    const world = new SlackWorld(fake);
    world.server = http.createServer((req, res) => void world.handle(req, res));
    world.port = await listenOnLoopback(world.server);
    return world;
  }

  /** What SLACK_API_URL is set to. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  /** From now on every call of `method` (to `target`, a channel or the user of conversations.open, if given) answers `error`, until `restore(method)`. */
  breakMethod(method: string, error: string, target?: string): void {
    this.broken.set(method, { error, ...(target ? { target } : {}) });
  }

  restore(method?: string): void {
    if (method) this.broken.delete(method);
    else this.broken.clear();
  }

  /** conversations.members is Tier 4: Slack answers 429 with Retry-After when it is asked too fast. */
  rateLimitMembers(retryAfterSec: number, times = 1): void {
    this.membersLimited = { times, retryAfterSec };
  }

  /** The channel's members as Slack lists them: these people and the bot. */
  setMembers(channel: string, userIds: string[]): void {
    this.members.set(channel, [BOT_USER_ID, ...userIds]);
  }

  reset(): void {
    this.members.clear();
    this.membersCalls.length = 0;
    this.seen.length = 0;
    this.broken.clear();
    this.membersLimited = { times: 0, retryAfterSec: 1 };
    this.pageSize = 200;
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
    const method = /^\/api\/([\w.]+)/.exec(path)?.[1] ?? null;
    const json = (answer: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
    };
    if (method) {
      const args = parse(body.toString('utf8'), req.headers['content-type']);
      this.seen.push(method);
      const broken = this.broken.get(method);
      if (broken && (!broken.target || broken.target === args.channel || broken.target === args.users)) return json({ ok: false, error: broken.error });
      if (method === 'conversations.members' && this.membersLimited.times > 0) {
        this.membersLimited.times -= 1;
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(this.membersLimited.retryAfterSec) });
        res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
        return;
      }
      if (method === 'conversations.members') return json(this.membersPage(args));
      if (method === 'conversations.replies' && args.include_all_metadata) return json(this.replies(args));
    }
    // Everything else is the fake's.
    const headers: Record<string, string> = {};
    for (const h of ['content-type', 'authorization']) if (req.headers[h]) headers[h] = String(req.headers[h]);
    const answer = await fetch(`${this.fake.baseUrl}${path}`, { method: req.method ?? 'POST', headers, ...(body.length > 0 ? { body } : {}) });
    const out: Record<string, string> = {};
    answer.headers.forEach((v, k) => {
      if (k === 'content-type' || k === 'retry-after') out[k] = v;
    });
    res.writeHead(answer.status, out);
    res.end(Buffer.from(await answer.arrayBuffer()));
  }

  private membersPage(args: Record<string, any>): Record<string, unknown> {
    const channel = String(args.channel ?? '');
    const limit = Number(args.limit ?? 100);
    const cursor = args.cursor ? String(args.cursor) : null;
    this.membersCalls.push({ channel, limit, cursor });
    const all = this.members.get(channel);
    if (!all) return { ok: false, error: 'channel_not_found' };
    const from = cursor ? Number(Buffer.from(cursor, 'base64').toString('utf8').replace('user:', '')) : 0;
    const size = Math.min(limit, this.pageSize);
    const page = all.slice(from, from + size);
    const next = from + size < all.length ? Buffer.from(`user:${from + size}`).toString('base64') : '';
    return { ok: true, members: page, response_metadata: { next_cursor: next } };
  }

  private replies(args: Record<string, any>): Record<string, unknown> {
    const parent = this.fake.messages.find((m) => m.channel === args.channel && m.ts === args.ts);
    if (!parent) return { ok: false, error: 'thread_not_found' };
    const thread = [parent, ...this.fake.messages.filter((m) => m.channel === args.channel && m.thread_ts === args.ts)];
    return { ok: true, has_more: false, messages: thread.map((m) => ({ type: 'message', user: m.user, text: m.text, ts: m.ts, ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}), ...(m.metadata ? { metadata: m.metadata } : {}) })) };
  }
}

function parse(raw: string, contentType: string | undefined): Record<string, any> {
  if (!raw) return {};
  if (contentType?.includes('application/json')) return JSON.parse(raw) as Record<string, any>;
  return Object.fromEntries(new URLSearchParams(raw));
}

let seq = 0;
const eventId = (kind: string) => `Ev0${kind.toUpperCase()}${++seq}`;
const ts = () => `${1_700_000_000 + ++seq}.000400`;

/** The Events API deliveries of the platform changing, in the shapes Slack sends them. */
export const slackEvents = {
  memberJoined: (user: string, channel: string): SignedRequest =>
    eventCallback({ eventId: eventId('join'), event: { type: 'member_joined_channel', user, channel, channel_type: 'C', team: 'T0TEAM', event_ts: ts() } }),
  memberLeft: (user: string, channel: string): SignedRequest =>
    eventCallback({ eventId: eventId('left'), event: { type: 'member_left_channel', user, channel, channel_type: 'C', team: 'T0TEAM', event_ts: ts() } }),
  userChange: (user: string, deleted: boolean, extra: Record<string, unknown> = {}): SignedRequest =>
    eventCallback({
      eventId: eventId('user'),
      event: { type: 'user_change', user: { id: user, team_id: 'T0TEAM', name: user.toLowerCase(), deleted, is_bot: false, profile: { display_name: '' }, ...extra }, cache_ts: seq, event_ts: ts() },
    }),
  channel: (type: 'channel_archive' | 'channel_unarchive' | 'channel_deleted' | 'group_archive' | 'group_unarchive' | 'group_deleted', channel: string, user = 'U0OMAR'): SignedRequest =>
    eventCallback({ eventId: eventId(type), event: { type, channel, ...(type.endsWith('_deleted') ? {} : { user }), event_ts: ts() } }),
  botLeft: (type: 'channel_left' | 'group_left', channel: string, actor = 'U0OMAR'): SignedRequest =>
    eventCallback({ eventId: eventId(type), event: { type, channel, actor_id: actor, event_ts: ts() } }),
  tokensRevoked: (): SignedRequest => eventCallback({ eventId: eventId('revoked'), event: { type: 'tokens_revoked', tokens: { bot: ['U0BOT'] }, event_ts: ts() } }),
  appUninstalled: (): SignedRequest => eventCallback({ eventId: eventId('uninstalled'), event: { type: 'app_uninstalled', event_ts: ts() } }),
};
