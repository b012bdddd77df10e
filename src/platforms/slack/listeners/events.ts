import type { App } from '@slack/bolt';
import type { Reply } from '../../../core/chat.js';
import { unescapeSlack } from '../mrkdwn.js';
import { deliver, errorMessage, publishHome, type Interaction } from '../reply.js';
import type { ListenerDeps } from './deps.js';

/** The question in "@mentorbot how long does it take?": the bot's own mention removed, entities decoded. */
export function mentionText(text: string, botUserId: string | undefined): string {
  const own = botUserId ? new RegExp(`<@${botUserId}(?:\\|[^>]*)?>`, 'g') : /^\s*<@[A-Z0-9]+(?:\|[^>]*)?>/;
  return unescapeSlack(text.replace(own, ' ')).replace(/\s+/g, ' ').trim();
}

export function registerEvents(app: App, deps: ListenerDeps): void {
  app.event('app_mention', async ({ event, context, client }) => {
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
  });

  app.event('app_home_opened', async ({ event, context, client }) => {
    if (event.tab !== 'home') return;
    const actor = await deps.actors.resolve(event.user, context.teamId ?? null);
    try {
      await publishHome(client, actor, deps);
    } catch (err) {
      deps.log.error({ err, user: event.user }, 'could not publish the App Home');
    }
  });
}
