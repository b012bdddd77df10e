import { ChannelType, DiscordAPIError, Routes, type APIChannel, type Message } from 'discord.js';
import type { AdminId } from '../../config.js';
import type { OutMessage } from '../../core/chat.js';
import type { Core } from '../../core/core.js';
import type { Logger } from '../../log.js';
import { toActor } from './actor.js';
import { firstToHandle } from './dedupe.js';
import { TEXT } from './interactions.js';
import { nonceFor } from './port.js';
import { renderMessage, renderThreadParts, type MessageBody } from './render.js';

export interface MentionDeps {
  core: Core;
  adminIds: AdminId[];
  log: Logger;
}

const THREAD_ALREADY_CREATED = 160004;
const THREAD_CHANNELS = new Set<ChannelType>([ChannelType.GuildText, ChannelType.GuildAnnouncement]);

/** The question without the bot's mention: `<@123> how long does it take?` → `how long does it take?` */
export function mentionText(content: string, botId: string): string {
  return content.replace(new RegExp(`<@!?${botId}>`, 'g'), ' ').replace(/\s+/g, ' ').trim();
}

function threadName(text: string): string {
  const name = text.replace(/[*_`#>~|<>@]/g, '').trim();
  return (name || 'Question').slice(0, 100);
}

/**
 * A message that mentions the bot, answered like /faq in a thread started on it. Without the
 * privileged Message Content intent Discord still delivers the text of messages that mention
 * the bot, which is all this needs. A message is handled once across processes, and every
 * answer carries a nonce derived from the question's message id, so it is also posted once.
 */
export async function handleMention(message: Message, deps: MentionDeps): Promise<void> {
  const me = message.client.user;
  if (!me || message.author.bot || message.system || !message.mentions.users.has(me.id)) return;
  if (!(await firstToHandle(deps.core.deps.db, `message:${message.id}`, deps.core.deps.clock.now(), deps.log))) return;
  const text = mentionText(message.content, me.id);
  let permissions = null;
  try {
    permissions = message.member?.permissions ?? null;
  } catch {
    // Permissions need the guild's roles in cache; without them the member is simply not an admin here.
  }
  const actor = toActor(message.author, message.member, permissions, message.guildId, deps.adminIds);
  const place = { channelId: message.channelId, messageId: message.id };

  let out: OutMessage;
  try {
    const reply = await deps.core.mention(actor, place, text);
    if (reply.kind === 'form') {
      deps.log.warn({ messageId: message.id }, 'the core answered a mention with a form; nothing to show');
      return;
    }
    out = reply.message;
  } catch (err) {
    deps.log.error({ err, messageId: message.id }, 'could not answer a mention');
    out = { text: TEXT.failed };
  }

  const rest = message.client.rest;
  const bodies = [...renderMessage(out), ...renderThreadParts(out)];
  const post = (channelId: string, body: MessageBody & { message_reference?: unknown }, n: number) =>
    rest.post(Routes.channelMessages(channelId), { body: { ...body, nonce: nonceFor(`mention:${message.id}#${n}`), enforce_nonce: true } });

  let threadId: string | null = null;
  if (message.inGuild() && THREAD_CHANNELS.has(message.channel.type)) {
    try {
      const thread = (await rest.post(Routes.threads(message.channelId, message.id), {
        body: { name: threadName(text), auto_archive_duration: 1440 },
      })) as APIChannel;
      threadId = thread.id;
    } catch (err) {
      if (err instanceof DiscordAPIError && err.code === THREAD_ALREADY_CREATED) threadId = message.id;
      else deps.log.warn({ err, channelId: message.channelId }, 'could not start a thread; replying in the channel');
    }
  }
  try {
    for (const [n, body] of bodies.entries()) {
      if (threadId) await post(threadId, body, n);
      else await post(message.channelId, n === 0 ? { ...body, message_reference: { message_id: message.id, fail_if_not_exists: false } } : body, n);
    }
  } catch (err) {
    deps.log.error({ err, messageId: message.id }, 'could not post the answer to a mention');
  }
}
