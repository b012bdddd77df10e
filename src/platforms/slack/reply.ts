import type { RespondFn, webApi } from '@slack/bolt';
import type { Actor, OutMessage, Reply } from '../../core/chat.js';
import { CommandError } from '../../core/commands.js';
import type { Core } from '../../core/core.js';
import type { Logger } from '../../log.js';
import { renderForm, renderHome, renderMessage, usageMessage } from './blocks.js';

/** Where a gesture happened and the handles Slack gave us to answer it. */
export interface Interaction {
  client: webApi.WebClient;
  actor: Actor;
  channelId: string | null;
  /** Slash commands and clicks on messages: answers privately or replaces the clicked message. */
  respond?: RespondFn;
  triggerId?: string;
  /** The clicked message, when it is an ordinary message the bot can edit with chat.update. */
  clicked?: { channelId: string; ts: string };
  /** Mentions: the answer goes in this thread. */
  threadTs?: string;
  /** A click in the App Home tab: there is no message to answer, the tab itself is re-rendered. */
  home?: boolean;
}

export interface ReplyDeps {
  core: Core;
  log: Logger;
}

export const SOMETHING_WENT_WRONG: OutMessage = {
  text: 'Something went wrong on our side and your request may not have gone through. Please try again in a minute.',
  private: true,
};

/** The core answers refusals itself; what reaches here is bad input (with its usage) or a bug (logged, apologised for). */
export function errorMessage(err: unknown, log: Logger, context: Record<string, unknown>): OutMessage {
  if (err instanceof CommandError) return usageMessage(err.message, err.usage);
  log.error({ err, ...context }, 'Slack interaction failed');
  return SOMETHING_WENT_WRONG;
}

const isDirectChannel = (channelId: string | null) => Boolean(channelId && /^D/.test(channelId));

async function directMessage(ix: Interaction, message: OutMessage): Promise<void> {
  const { text, blocks } = renderMessage(message);
  // Posting to a user id lands in the app's Messages tab with that person.
  await ix.client.chat.postMessage({ channel: ix.actor.userId, text, blocks, unfurl_links: false });
}

export async function sendMessage(ix: Interaction, message: OutMessage, deps: ReplyDeps): Promise<void> {
  const parts: OutMessage[] = [message, ...(message.thread ?? []).map((text) => ({ text, private: message.private }))];
  for (const part of parts) {
    const { text, blocks } = renderMessage({ ...part, thread: undefined });
    try {
      if (ix.threadTs && ix.channelId) {
        if (part.private) await ix.client.chat.postEphemeral({ channel: ix.channelId, user: ix.actor.userId, thread_ts: ix.threadTs, text, blocks });
        else await ix.client.chat.postMessage({ channel: ix.channelId, thread_ts: ix.threadTs, text, blocks, unfurl_links: false });
      } else if (ix.respond) {
        await ix.respond({ response_type: part.private ? 'ephemeral' : 'in_channel', replace_original: false, text, blocks });
      } else if (part.private && ix.channelId && !isDirectChannel(ix.channelId)) {
        try {
          await ix.client.chat.postEphemeral({ channel: ix.channelId, user: ix.actor.userId, text, blocks });
        } catch (err) {
          // The bot may not be in that channel; the person still gets the answer, in a DM.
          deps.log.info({ err: (err as Error).message, channel: ix.channelId }, 'ephemeral failed; answering by DM');
          await directMessage(ix, part);
        }
      } else if (!part.private && ix.channelId) {
        await ix.client.chat.postMessage({ channel: ix.channelId, text, blocks, unfurl_links: false });
      } else {
        await directMessage(ix, part);
      }
    } catch (err) {
      deps.log.error({ err, channel: ix.channelId, user: ix.actor.userId }, 'could not deliver a Slack reply');
      return;
    }
  }
}

export async function publishHome(client: webApi.WebClient, actor: Actor, deps: ReplyDeps): Promise<void> {
  const view = renderHome(await deps.core.home(actor));
  await client.views.publish({ user_id: actor.userId, view });
}

/** Renders one core Reply in the place the gesture came from. */
export async function deliver(ix: Interaction, reply: Reply, deps: ReplyDeps): Promise<void> {
  switch (reply.kind) {
    case 'message':
      await sendMessage(ix, reply.message, deps);
      return;
    case 'form-errors':
      // Only a modal can show errors per field; anywhere else they are a private message.
      await sendMessage(ix, { ...reply.message, private: true }, deps);
      return;
    case 'form': {
      if (!ix.triggerId) {
        await sendMessage(ix, { text: 'The form can only open from a command or a button. Type `/checkin` to open it.', private: true }, deps);
        return;
      }
      try {
        await ix.client.views.open({ trigger_id: ix.triggerId, view: renderForm(reply.form, { state: reply.form.state, channelId: ix.channelId }) });
      } catch (err) {
        deps.log.warn({ err: (err as Error).message }, 'views.open failed');
        await sendMessage(ix, { text: 'The check-in form could not open in time. Please try `/checkin` again.', private: true }, deps);
      }
      return;
    }
    case 'update': {
      const { text, blocks } = renderMessage(reply.message);
      try {
        if (ix.home) await publishHome(ix.client, ix.actor, deps);
        else if (ix.clicked) await ix.client.chat.update({ channel: ix.clicked.channelId, ts: ix.clicked.ts, text, blocks });
        else if (ix.respond) await ix.respond({ replace_original: true, text, blocks });
        else await sendMessage(ix, reply.message, deps);
      } catch (err) {
        deps.log.error({ err }, 'could not update the clicked Slack message');
      }
      if (reply.notice) await sendMessage(ix, { ...reply.notice, private: true }, deps);
      return;
    }
  }
}
