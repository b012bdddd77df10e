import type { App, Context, Middleware, SlackEventMiddlewareArgs, types, webApi } from '@slack/bolt';
import type { Reply } from '../../../core/chat.js';
import type { PlatformEvent } from '../../../core/platform-events.js';
import { BOT_EVENTS, type PLATFORM_EVENT_TYPES } from '../manifest.js';
import { unescapeSlack } from '../mrkdwn.js';
import { deliver, errorMessage, publishHome, type Interaction } from '../reply.js';
import type { ListenerDeps } from './deps.js';

/** The question in "@mentorbot how long does it take?": the bot's own mention removed, entities decoded. */
export function mentionText(text: string, botUserId: string | undefined): string {
  const own = botUserId ? new RegExp(`<@${botUserId}(?:\\|[^>]*)?>`, 'g') : /^\s*<@[A-Z0-9]+(?:\|[^>]*)?>/;
  return unescapeSlack(text.replace(own, ' ')).replace(/\s+/g, ' ').trim();
}

/**
 * Every event the bot subscribes to goes through one listener, deduplicated first. Bolt runs each
 * registered listener's middleware for every request, clicks included; one listener per event type
 * cost a click more CPU than everything else Bolt did for it.
 */
export function registerEvents(app: App, deps: ListenerDeps, dedupe: Middleware<SlackEventMiddlewareArgs>): void {
  const subscribed = new RegExp(`^(?:${BOT_EVENTS.join('|')})$`);
  app.event(subscribed, dedupe, async ({ event, context, client }) => {
    if (event.type === 'app_mention') await onMention(event, context, client, deps);
    else if (event.type === 'app_home_opened') await onHomeOpened(event, context, client, deps);
    else await onPlatformEvent(event as SlackEventBody, context, deps);
  });
}

async function onMention(event: types.AppMentionEvent, context: Context, client: webApi.WebClient, deps: ListenerDeps): Promise<void> {
  if (!event.user) return;
  const actor = await deps.actors.resolve(event.user, event.team ?? context.teamId ?? null);
  const ix: Interaction = { client, actor, channelId: event.channel, threadTs: event.thread_ts ?? event.ts };
  let reply: Reply;
  try {
    reply = await deps.core.mention(actor, { channelId: event.channel, messageId: event.ts }, mentionText(event.text, context.botUserId));
  } catch (err) {
    reply = { kind: 'message', message: errorMessage(err, deps.log, { event: 'app_mention' }) };
  }
  await deliver(ix, reply, deps);
}

async function onHomeOpened(event: types.AppHomeOpenedEvent, context: Context, client: webApi.WebClient, deps: ListenerDeps): Promise<void> {
  if (event.tab !== 'home') return;
  const actor = await deps.actors.resolve(event.user, context.teamId ?? null);
  try {
    await publishHome(client, actor, deps);
  } catch (err) {
    deps.log.error({ err, user: event.user }, 'could not publish the App Home');
  }
}

/**
 * Leaves, deactivations, archives, removals and revocations go to the core as neutral events.
 * Bolt acknowledges an event on its own; the core answers "nothing" for people and channels it does
 * not know. A failure is thrown so the event's dedupe row is dropped and Slack's retry tries again.
 */
async function onPlatformEvent(event: SlackEventBody, context: Context, deps: ListenerDeps): Promise<void> {
  const e = platformEventOf(event, context.botUserId);
  if (!e) return;
  // A profile changed: the cached one (its name, its zone) is stale.
  if (event.type === 'user_change' && 'userId' in e) deps.actors.forget(e.userId);
  try {
    const result = await deps.core.platformEvent(e);
    if (result !== 'nothing') deps.log.info({ event: event.type, kind: e.kind, result }, 'the platform changed under the bot');
  } catch (err) {
    deps.log.error({ err, event: event.type }, 'could not apply a platform event');
    throw err;
  }
}

type SlackPlatformEventType = (typeof PLATFORM_EVENT_TYPES)[number];

interface SlackEventBody {
  type: string;
  user?: string | { id?: string; deleted?: boolean; is_bot?: boolean; tz?: string };
  channel?: string | { id?: string };
  tokens?: { oauth?: string[]; bot?: string[] };
}

/**
 * One Slack event in the core's words, or null when it says nothing the core acts on. The bot's own
 * membership is the channel's reachability: removed, it cannot post there; invited back, it can.
 */
export function platformEventOf(event: SlackEventBody, botUserId: string | undefined): PlatformEvent | null {
  const platform = 'slack' as const;
  const channelId = typeof event.channel === 'string' ? event.channel : event.channel?.id;
  const userId = typeof event.user === 'string' ? event.user : undefined;
  switch (event.type as SlackPlatformEventType) {
    case 'member_joined_channel':
      if (!userId || !channelId) return null;
      return userId === botUserId ? { kind: 'channel-reachable', platform, channelId } : { kind: 'member-joined', platform, userId, channelId };
    case 'member_left_channel':
      if (!userId || !channelId) return null;
      return userId === botUserId ? { kind: 'channel-unreachable', platform, channelId, trouble: 'bot-removed' } : { kind: 'member-left', platform, userId, channelId, reason: 'left-channel' };
    case 'user_change': {
      const user = typeof event.user === 'object' ? event.user : undefined;
      if (!user?.id || user.is_bot || user.id === botUserId) return null;
      // Every profile edit arrives as user_change: only `deleted` says whether the account is there.
      if (user.deleted === true) return { kind: 'member-left', platform, userId: user.id, reason: 'deactivated' };
      // It may carry a new zone (the person travelled, or set it): their own time follows.
      return { kind: 'member-joined', platform, userId: user.id, ...(typeof user.tz === 'string' && user.tz ? { zone: user.tz } : {}) };
    }
    case 'channel_archive':
    case 'group_archive':
      return channelId ? { kind: 'channel-unreachable', platform, channelId, trouble: 'archived' } : null;
    case 'channel_unarchive':
    case 'group_unarchive':
      return channelId ? { kind: 'channel-reachable', platform, channelId } : null;
    case 'channel_deleted':
    case 'group_deleted':
      return channelId ? { kind: 'channel-unreachable', platform, channelId, trouble: 'deleted' } : null;
    case 'channel_left':
    case 'group_left':
      return channelId ? { kind: 'channel-unreachable', platform, channelId, trouble: 'bot-removed' } : null;
    case 'tokens_revoked':
      // Only the bot token matters: the app holds no user tokens.
      return (event.tokens?.bot ?? []).length > 0 ? { kind: 'access-lost', platform, cause: 'tokens_revoked' } : null;
    case 'app_uninstalled':
      return { kind: 'access-lost', platform, cause: 'app_uninstalled' };
    default:
      return null;
  }
}
