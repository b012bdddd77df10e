import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { Reply } from '../../../core/chat.js';
import { ACTION_ID_PATTERN, decodeActionId } from '../blocks.js';
import { deliver, errorMessage, type Interaction } from '../reply.js';
import type { ListenerDeps } from './deps.js';

const blockActionsSchema = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id: z.string(), name: z.string().optional(), username: z.string().optional(), team_id: z.string().optional() }),
  team: z.object({ id: z.string() }).nullish(),
  channel: z.object({ id: z.string() }).nullish(),
  trigger_id: z.string().optional(),
  container: z
    .object({
      type: z.string(),
      channel_id: z.string().optional(),
      message_ts: z.string().optional(),
      is_ephemeral: z.boolean().optional(),
    })
    .optional(),
  view: z.object({ type: z.string() }).nullish(),
});

const buttonSchema = z.object({ type: z.literal('button'), action_id: z.string(), value: z.string().optional() });

/** Button clicks on any message, DM, or the App Home. */
export function registerActions(app: App, deps: ListenerDeps): void {
  app.action(ACTION_ID_PATTERN, async ({ ack, body, action, respond, client }) => {
    await ack();
    const parsed = blockActionsSchema.safeParse(body);
    const button = buttonSchema.safeParse(action);
    const actionId = button.success ? decodeActionId(button.data.action_id) : null;
    if (!parsed.success || !button.success || !actionId) {
      deps.log.warn({ type: action.type }, 'ignored an unknown Slack action');
      return;
    }
    const b = parsed.data;
    const container = b.container;
    const channelId = b.channel?.id ?? container?.channel_id ?? null;
    const messageTs = container?.type === 'message' ? container.message_ts : undefined;
    const workspaceId = b.team?.id ?? b.user.team_id ?? null;
    const fallbackName = b.user.name ?? b.user.username;
    // A one-click check-in needs only who clicked: the learner's name is already on their membership.
    const actor = actionId === 'checkin.status' ? deps.actors.known(b.user.id, workspaceId, fallbackName) : await deps.actors.resolve(b.user.id, workspaceId, fallbackName);
    const ix: Interaction = {
      client,
      actor,
      channelId,
      respond,
      triggerId: b.trigger_id,
      home: b.view?.type === 'home',
      clicked: channelId && messageTs && !container?.is_ephemeral ? { channelId, ts: messageTs } : undefined,
    };
    let reply: Reply;
    try {
      reply = await deps.core.action(actor, { channelId: channelId ?? '', messageId: messageTs }, actionId, button.data.value ?? '');
    } catch (err) {
      reply = { kind: 'message', message: errorMessage(err, deps.log, { action: actionId }) };
    }
    await deliver(ix, reply, deps);
  });
}
