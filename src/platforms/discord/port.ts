import { createHash } from 'node:crypto';
import {
  DiscordAPIError,
  OverwriteType,
  PermissionFlagsBits,
  RateLimitError,
  Routes,
  type APIChannel,
  type APIGuild,
  type APIGuildMember,
  type APIMessage,
  type APIOverwrite,
  type REST,
} from 'discord.js';
import type { OutFile } from '../../core/attachments.js';
import {
  AccessLostError,
  ChannelUnreachableError,
  PermanentDeliveryError,
  RateLimitedError,
  RecipientUnreachableError,
  type ChannelTrouble,
  type ChatPort,
  type OutMessage,
  type SentRef,
} from '../../core/chat.js';
import type { Logger } from '../../log.js';
import { renderEdit, renderMessage, renderThreadParts, type MessageBody } from './render.js';

/**
 * Error codes after which retrying the same delivery cannot succeed: the channel, message or
 * user is gone, the bot lost access, the user does not accept DMs, or the body is invalid.
 */
export const PERMANENT_CODES = new Set([
  10003, // Unknown Channel
  10008, // Unknown Message
  10013, // Unknown User
  50001, // Missing Access
  50007, // Cannot send messages to this user
  50013, // Missing Permissions
  50035, // Invalid Form Body
]);

const THREAD_ALREADY_CREATED = 160004;

/**
 * A message nonce from the outbox key. Discord allows 25 characters; 120 bits of SHA-256 in
 * base 36 fit in 24. With `enforce_nonce`, a second create with the same nonce returns the
 * first message instead of posting again, so a delivery retried after a crash posts once.
 */
export function nonceFor(key: string): string {
  return BigInt(`0x${createHash('sha256').update(key).digest('hex').slice(0, 30)}`).toString(36);
}

/** What a channel post's error says about the channel. */
const CHANNEL_TROUBLE = new Map<number, ChannelTrouble>([
  [10003, 'deleted'], // Unknown Channel
  [50001, 'bot-removed'], // Missing Access: not in the server any more, or the channel hidden from the bot
  [50013, 'no-permission'], // Missing Permissions
]);

/** A DM that cannot reach its person: DMs closed, the user unknown, the DM channel gone. */
const RECIPIENT_CODES = new Set([50007, 10013, 10003]);

/** Discord's answer when the bot token is wrong, reset or revoked. */
export const UNAUTHORIZED = 'unauthorized';

/**
 * Maps what escapes discord.js's REST queue to the errors the delivery worker understands.
 * `target` says whether the request went to a channel or to a person's DM.
 */
export function toDeliveryError(err: unknown, target: 'channel' | 'user' = 'channel'): unknown {
  if (err instanceof RateLimitError) return new RateLimitedError(Math.max(err.retryAfter, err.timeToReset, 0));
  if (err instanceof DiscordAPIError) {
    const detail = `Discord ${err.status} ${err.code}: ${err.message}`;
    if (err.status === 401) return new AccessLostError(UNAUTHORIZED);
    if (err.status === 429) return new RateLimitedError(1000);
    if (typeof err.code === 'number') {
      if (target === 'user' && RECIPIENT_CODES.has(err.code)) return new RecipientUnreachableError(detail);
      const trouble = target === 'channel' ? CHANNEL_TROUBLE.get(err.code) : undefined;
      if (trouble) return new ChannelUnreachableError(trouble, detail);
      if (PERMANENT_CODES.has(err.code)) return new PermanentDeliveryError(detail);
    }
  }
  return err;
}

/**
 * Whether a guild member can see a channel, the way Discord computes it: the owner and
 * administrators see everything; otherwise @everyone's and the member's roles' permissions,
 * then the channel's overwrites for @everyone, for the member's roles, and for the member.
 */
export function canViewChannel(
  member: GuildMemberRoles,
  guild: Pick<APIGuild, 'id' | 'owner_id' | 'roles'>,
  overwrites: readonly APIOverwrite[],
): boolean {
  if (member.user.id === guild.owner_id) return true;
  const rolePerms = new Map(guild.roles.map((r) => [r.id, BigInt(r.permissions)]));
  let perms = rolePerms.get(guild.id) ?? 0n;
  for (const r of member.roles) perms |= rolePerms.get(r) ?? 0n;
  if ((perms & PermissionFlagsBits.Administrator) !== 0n) return true;
  const byId = new Map(overwrites.map((o) => [o.id, o]));
  const apply = (allow: bigint, deny: bigint) => (perms = (perms & ~deny) | allow);
  const everyone = byId.get(guild.id);
  if (everyone) apply(BigInt(everyone.allow), BigInt(everyone.deny));
  let allow = 0n;
  let deny = 0n;
  for (const r of member.roles) {
    const o = byId.get(r);
    if (o?.type === OverwriteType.Role) {
      allow |= BigInt(o.allow);
      deny |= BigInt(o.deny);
    }
  }
  apply(allow, deny);
  const own = byId.get(member.user.id);
  if (own?.type === OverwriteType.Member) apply(BigInt(own.allow), BigInt(own.deny));
  return (perms & PermissionFlagsBits.ViewChannel) !== 0n;
}

/** Discord's largest page of guild members. */
export const MEMBERS_PAGE = 1000;

/** How long a server's member list read for one cohort serves the others of the same server. */
const MEMBER_LIST_MS = 10 * 60_000;

type GuildMemberRoles = Pick<APIGuildMember, 'roles'> & { user: { id: string } };

function threadName(message: OutMessage): string {
  const firstLine = message.text.split('\n').find((l) => l.trim()) ?? 'Details';
  const plain = firstLine.replace(/[*_`#>~|]/g, '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').trim();
  return (plain || 'Details').slice(0, 100);
}

export interface DiscordPortOptions {
  /**
   * The bot token. After a 401 discord.js forgets its token; the port sets it again so the
   * access probe (and the next delivery once access is back) can ask with it.
   */
  token?: string;
  /** Members read per page when listing a channel's members (Discord allows 1,000). */
  membersPage?: number;
}

export function createDiscordPort(rest: REST, log: Logger, options: DiscordPortOptions = {}): ChatPort {
  const dmChannels = new Map<string, string>();
  const pageSize = Math.min(Math.max(options.membersPage ?? MEMBERS_PAGE, 1), MEMBERS_PAGE);
  const memberLists = new Map<string, { at: number; members: GuildMemberRoles[] }>();

  /** Maps an error, and gives discord.js its token back after a 401 (it drops it). */
  const mapped = (err: unknown, target: 'channel' | 'user' = 'channel'): unknown => {
    const out = toDeliveryError(err, target);
    if (out instanceof AccessLostError && options.token) rest.setToken(options.token);
    return out;
  };

  /** Files are attachments of the create itself, so the nonce that dedupes the message dedupes them too. */
  const create = async (channelId: string, body: MessageBody, key: string, files: readonly OutFile[] = []): Promise<APIMessage> =>
    (await rest.post(Routes.channelMessages(channelId), {
      body: {
        ...body,
        nonce: nonceFor(key),
        enforce_nonce: true,
        ...(files.length > 0 ? { attachments: files.map((f, id) => ({ id, filename: f.name })) } : {}),
      },
      ...(files.length > 0 ? { files: files.map((f) => ({ name: f.name, data: Buffer.from(f.bytes), contentType: f.contentType })) } : {}),
    })) as APIMessage;

  /** Posts a message and its thread parts; every create carries its own nonce. */
  const deliver = async (channelId: string, message: OutMessage, key: string, threads: boolean, files: readonly OutFile[] = []): Promise<APIMessage> => {
    const bodies = renderMessage(message);
    const first = await create(channelId, bodies[0]!, key, files);
    for (let i = 1; i < bodies.length; i++) await create(channelId, bodies[i]!, `${key}#${i}`);
    const parts = renderThreadParts(message);
    if (parts.length === 0) return first;
    let target = channelId;
    if (threads) {
      try {
        const thread = (await rest.post(Routes.threads(channelId, first.id), {
          body: { name: threadName(message), auto_archive_duration: 10080 },
        })) as APIChannel;
        target = thread.id;
      } catch (err) {
        // A retried delivery finds its thread already there; a thread started from a message has the message's id.
        if (err instanceof DiscordAPIError && err.code === THREAD_ALREADY_CREATED) target = first.id;
        else log.warn({ err, channelId }, 'could not start a thread; posting the rest in the channel');
      }
    }
    for (let i = 0; i < parts.length; i++) await create(target, parts[i]!, `${key}#t${i}`);
    return first;
  };

  const dmChannel = async (userId: string): Promise<string> => {
    const known = dmChannels.get(userId);
    if (known) return known;
    const channel = (await rest.post(Routes.userChannels(), { body: { recipient_id: userId } })) as APIChannel;
    dmChannels.set(userId, channel.id);
    return channel.id;
  };

  return {
    platform: 'discord',
    async postToChannel(channelId, message, key, files): Promise<SentRef> {
      try {
        const sent = await deliver(channelId, message, key, true, files);
        return { messageId: sent.id };
      } catch (err) {
        throw mapped(err);
      }
    },
    async postReply(channelId, parentMessageId, message, key): Promise<SentRef> {
      try {
        // A reply to the round post, shown with it; if the post is gone the reply stands alone.
        const [body] = renderMessage(message);
        const sent = (await rest.post(Routes.channelMessages(channelId), {
          body: {
            ...body,
            message_reference: { message_id: parentMessageId, fail_if_not_exists: false },
            nonce: nonceFor(key),
            enforce_nonce: true,
          },
        })) as APIMessage;
        return { messageId: sent.id };
      } catch (err) {
        throw mapped(err);
      }
    },
    async probe(): Promise<void> {
      try {
        await rest.get(Routes.user('@me'));
      } catch (err) {
        throw mapped(err);
      }
    },
    async channelMembers(channelId) {
      let calls = 0;
      const get = async <T>(route: `/${string}`, query?: URLSearchParams): Promise<T> => {
        calls += 1;
        return (await rest.get(route, query ? { query } : {})) as T;
      };
      try {
        const channel = await get<APIChannel>(Routes.channel(channelId));
        if (!('guild_id' in channel) || !channel.guild_id) return null;
        const guild = await get<APIGuild>(Routes.guild(channel.guild_id));
        const overwrites = 'permission_overwrites' in channel ? (channel.permission_overwrites ?? []) : [];
        // Cohorts of one server share its member list: read once per members check, not once per cohort.
        let list = memberLists.get(guild.id);
        if (!list || Date.now() - list.at > MEMBER_LIST_MS) {
          const read: GuildMemberRoles[] = [];
          let after = '0';
          for (;;) {
            const page = await get<APIGuildMember[]>(Routes.guildMembers(guild.id), new URLSearchParams({ limit: String(pageSize), after }));
            for (const m of page) if (m.user && !m.user.bot) read.push({ user: { id: m.user.id }, roles: m.roles });
            if (page.length < pageSize) break;
            after = page.at(-1)!.user!.id;
          }
          list = { at: Date.now(), members: read };
          memberLists.set(guild.id, list);
        }
        const members = new Set(list.members.filter((m) => canViewChannel(m, guild, overwrites)).map((m) => m.user.id));
        return { members, calls };
      } catch (err) {
        const out = mapped(err);
        if (out instanceof RateLimitedError) log.warn({ channelId, calls }, 'the members check of a discord channel was rate limited');
        throw out;
      }
    },
    async sendDirect(userId, message, key, files): Promise<SentRef> {
      try {
        const channelId = await dmChannel(userId);
        const sent = await deliver(channelId, message, key, false, files);
        return { messageId: sent.id, channelId };
      } catch (err) {
        throw mapped(err, 'user');
      }
    },
    async updateMessage(channelId, messageId, message, files = []): Promise<void> {
      try {
        // The attachments listed are what the message keeps: none listed removes the old ones.
        const replace = message.replaceFiles
          ? {
              body: { ...renderEdit(message), attachments: files.map((f, id) => ({ id, filename: f.name })) },
              files: files.map((f) => ({ name: f.name, data: Buffer.from(f.bytes), contentType: f.contentType })),
            }
          : { body: renderEdit(message) };
        await rest.patch(Routes.channelMessage(channelId, messageId), replace);
      } catch (err) {
        throw mapped(err, [...dmChannels.values()].includes(channelId) ? 'user' : 'channel');
      }
    },
  };
}
