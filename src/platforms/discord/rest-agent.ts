import { createRequire } from 'node:module';
import type { RESTOptions } from 'discord.js';

type Agent = NonNullable<RESTOptions['agent']>;

/**
 * An HTTP agent from the very undici copy discord.js's REST sends with. Without one, REST sends
 * through the process-wide dispatcher, which is whichever undici the process loaded first. When that
 * was the Slack adapter's newer undici, its body handling did not recognise the older copy's FormData
 * and every Discord upload (a digest's picture) failed with "action is not a function".
 */
export function discordRestAgent(): Agent {
  const fromDiscord = createRequire(createRequire(import.meta.url).resolve('discord.js'));
  const fromRest = createRequire(fromDiscord.resolve('@discordjs/rest'));
  const { Agent: RestAgent } = fromRest('undici') as { Agent: new () => Agent };
  return new RestAgent();
}
