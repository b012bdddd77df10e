import type { Client } from 'discord.js';
import type { Logger } from '../../log.js';

type Action = { handle: (data: unknown, ...rest: unknown[]) => unknown };

/**
 * Every gateway dispatch reaches discord.js's action handlers, which build their objects from the
 * payload without checking it; a malformed one would throw out of the websocket handler and end
 * the process. Each handler is wrapped so such a payload is logged and dropped, and the next one
 * is served.
 */
export function guardGatewayActions(client: Client, log: Logger): void {
  const actions = (client as unknown as { actions: Record<string, Action | undefined> }).actions;
  for (const [name, action] of Object.entries(actions)) {
    if (typeof action?.handle !== 'function') continue;
    const handle = action.handle.bind(action);
    // Some actions take the shard as well (member removal and updates check that it is ready).
    action.handle = (data: unknown, ...rest: unknown[]) => {
      try {
        return handle(data, ...rest);
      } catch (err) {
        log.error({ err, action: name, payload: describe(data) }, 'dropped a discord gateway event that could not be read');
        return {};
      }
    };
  }
}

/** Enough of a payload to find it again, without logging message text. */
function describe(data: unknown): Record<string, unknown> {
  if (!data || typeof data !== 'object') return { type: typeof data };
  const d = data as Record<string, unknown>;
  return { id: d.id, type: d.type, guild_id: d.guild_id, channel_id: d.channel_id };
}
