import { createHash } from 'node:crypto';
import { DiscordAPIError, RateLimitError, Routes, type APIChannel, type APIMessage, type REST } from 'discord.js';
import type { OutFile } from '../../core/attachments.js';
import { PermanentDeliveryError, RateLimitedError, type ChatPort, type OutMessage, type SentRef } from '../../core/chat.js';
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

/** Maps what escapes discord.js's REST queue to the errors the delivery worker understands. */
export function toDeliveryError(err: unknown): unknown {
  if (err instanceof RateLimitError) return new RateLimitedError(Math.max(err.retryAfter, err.timeToReset, 0));
  if (err instanceof DiscordAPIError) {
    if (err.status === 429) return new RateLimitedError(1000);
    if (typeof err.code === 'number' && PERMANENT_CODES.has(err.code)) {
      return new PermanentDeliveryError(`Discord ${err.status} ${err.code}: ${err.message}`);
    }
  }
  return err;
}

function threadName(message: OutMessage): string {
  const firstLine = message.text.split('\n').find((l) => l.trim()) ?? 'Details';
  const plain = firstLine.replace(/[*_`#>~|]/g, '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').trim();
  return (plain || 'Details').slice(0, 100);
}

export function createDiscordPort(rest: REST, log: Logger): ChatPort {
  const dmChannels = new Map<string, string>();

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
        throw toDeliveryError(err);
      }
    },
    async sendDirect(userId, message, key, files): Promise<SentRef> {
      try {
        const channelId = await dmChannel(userId);
        const sent = await deliver(channelId, message, key, false, files);
        return { messageId: sent.id, channelId };
      } catch (err) {
        throw toDeliveryError(err);
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
        throw toDeliveryError(err);
      }
    },
  };
}
