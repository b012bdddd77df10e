import type { App } from '@slack/bolt';
import type { Reply } from '../../../core/chat.js';
import { CommandError, parseCommand, type Command } from '../../../core/commands.js';
import { renderMessage, usageMessage } from '../blocks.js';
import { unescapeSlack } from '../mrkdwn.js';
import { deliver, errorMessage, type Interaction } from '../reply.js';
import type { ListenerDeps } from './deps.js';

/** Every slash command routed to this app: parse, ack, call the core once, render. */
export function registerCommands(app: App, deps: ListenerDeps): void {
  app.command(/^\/.+/, async ({ command, ack, respond, client }) => {
    let parsed: Command;
    try {
      parsed = parseCommand(command.command, unescapeSlack(command.text ?? ''));
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
      // Bad input is known at once: the usage goes back in the acknowledgement itself.
      const { text, blocks } = renderMessage(usageMessage(err.message, err.usage));
      await ack({ response_type: 'ephemeral', text, blocks });
      return;
    }
    await ack();

    const actor = await deps.actors.resolve(command.user_id, command.team_id ?? null, command.user_name);
    const ix: Interaction = { client, actor, channelId: command.channel_id, respond, triggerId: command.trigger_id };
    let reply: Reply;
    try {
      reply = await deps.core.command(actor, { channelId: command.channel_id }, parsed);
    } catch (err) {
      reply = { kind: 'message', message: errorMessage(err, deps.log, { command: command.command }) };
    }
    await deliver(ix, reply, deps);
  });
}
