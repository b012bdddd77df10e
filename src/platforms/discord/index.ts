import { Client, DiscordAPIError, Events, GatewayIntentBits, Partials, type RateLimitData } from 'discord.js';
import type { AdminId, Config } from '../../config.js';
import type { Content } from '../../content/types.js';
import type { ChatPort, FormSpec } from '../../core/chat.js';
import type { Core } from '../../core/core.js';
import type { PlatformEvent } from '../../core/platform-events.js';
import type { Logger } from '../../log.js';
import { guardGatewayActions } from './guard.js';
import { handleInteraction, type InteractionDeps } from './interactions.js';
import { handleMention } from './mentions.js';
import { watchPlatformChanges } from './platform-changes.js';
import { createDiscordPort, UNAUTHORIZED } from './port.js';
import { syncCommands } from './register.js';
import { Stash } from './stash.js';
import { discordRestAgent } from './rest-agent.js';

export type DiscordState = 'connected' | 'connecting' | 'disconnected' | 'standby';

export interface DiscordPlatformOptions {
  config: NonNullable<Config['discord']>;
  adminIds: AdminId[];
  core: Core;
  content: Content;
  log: Logger;
  /** How long to wait for the core before deferring an interaction (default 1,500 ms of Discord's 3 s). */
  ackAfterMs?: number;
  /**
   * The longest rate-limit wait a channel post or DM sits out inside discord.js's REST queue;
   * a longer one is thrown as `RateLimitedError` so the outbox row is retried later instead of
   * holding its claim (default 5 s). Interaction responses always wait.
   */
  maxQueueWaitMs?: number;
}

export interface DiscordPlatform {
  port: ChatPort;
  start(): Promise<void>;
  stop(): Promise<void>;
  state(): DiscordState;
  /** The discord.js client; tests feed it gateway payloads through `client.actions`. */
  readonly client: Client;
  /** Resolves when every interaction and mention received so far has been answered. */
  settled(): Promise<void>;
}

export async function createDiscordPlatform(opts: DiscordPlatformOptions): Promise<DiscordPlatform> {
  const { config, log } = opts;
  const maxQueueWaitMs = opts.maxQueueWaitMs ?? 5000;
  const client = new Client({
    // Guilds: channels, threads, the bot added or removed; GuildMessages: messages that mention the bot;
    // GuildMembers (privileged, "Server Members Intent"): people leaving, joining or changing roles.
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.GuildMembers],
    // A member who leaves is rarely cached; without this partial their departure would not be emitted.
    partials: [Partials.GuildMember, Partials.User],
    rest: {
      ...(config.apiUrl ? { api: config.apiUrl.replace(/\/+$/, '') } : {}),
      agent: discordRestAgent(),
      // Reads (the members check) wait their turn; posts and edits hand a long wait back to the outbox.
      rejectOnRateLimit: (data: RateLimitData) =>
        data.method !== 'GET' && !/^\/(interactions|webhooks)\//.test(data.route) && Math.max(data.retryAfter, data.timeToReset) > maxQueueWaitMs,
    },
    allowedMentions: { parse: ['users'] },
  });
  // REST works without the gateway: the outbox can deliver before (or without) a gateway session.
  client.rest.setToken(config.token);

  const deps: InteractionDeps = {
    core: opts.core,
    content: opts.content,
    adminIds: opts.adminIds,
    log,
    ackAfterMs: opts.ackAfterMs ?? 1500,
    forms: new Stash<FormSpec>(),
    states: new Stash<string>(),
  };

  const inflight = new Set<Promise<void>>();
  let accepting = true;
  const track = (work: Promise<void>) => {
    inflight.add(work);
    void work.finally(() => inflight.delete(work));
  };
  guardGatewayActions(client, log);
  client.on(Events.InteractionCreate, (interaction) => {
    if (accepting) track(handleInteraction(interaction, deps).catch((err) => log.error({ err, interaction: interaction.id }, 'could not answer a discord interaction')));
  });
  client.on(Events.MessageCreate, (message) => {
    if (accepting) track(handleMention(message, deps).catch((err) => log.error({ err, message: message.id, channel: message.channelId }, 'could not answer a discord mention')));
  });
  const platformEvent = (event: PlatformEvent) => {
    if (accepting) track(opts.core.platformEvent(event).then(() => undefined, (err: unknown) => log.error({ err, event: event.kind }, 'could not handle a discord platform change')));
  };
  watchPlatformChanges(client, platformEvent);

  let status: DiscordState = 'disconnected';
  client.on(Events.ClientReady, (ready) => {
    status = 'connected';
    log.info({ user: ready.user.tag, guilds: ready.guilds.cache.size }, 'discord gateway ready');
  });
  client.on(Events.ShardResume, () => (status = 'connected'));
  client.on(Events.ShardReconnecting, () => (status = 'connecting'));
  client.on(Events.ShardDisconnect, (event) => {
    status = 'disconnected';
    log.warn({ code: event.code }, 'discord gateway disconnected');
  });
  client.on(Events.Invalidated, () => (status = 'disconnected'));
  client.on(Events.Error, (err) => log.error({ err }, 'discord client error'));

  const settled = async () => {
    while (inflight.size > 0) await Promise.allSettled([...inflight]);
  };

  return {
    port: createDiscordPort(client.rest, log, { token: config.token }),
    client,
    state: () => status,
    settled,
    async start() {
      status = 'connecting';
      try {
        await client.login(config.token);
      } catch (err) {
        status = 'disconnected';
        // discord.js turns the 401 of its first request into TokenInvalid.
        if ((err as { code?: unknown }).code === 'TokenInvalid' || (err instanceof DiscordAPIError && err.status === 401)) {
          platformEvent({ kind: 'access-lost', platform: 'discord', cause: UNAUTHORIZED });
          await settled();
          client.rest.setToken(config.token);
        }
        throw err;
      }
      const target = { applicationId: config.applicationId, guildId: config.guildId };
      try {
        const result = await syncCommands(client.rest, target);
        log.info({ result, guild: config.guildId ?? 'global' }, 'discord commands checked');
      } catch (err) {
        log.error({ err }, 'could not register the discord commands; run `mentorbot discord register`');
      }
    },
    async stop() {
      accepting = false;
      await settled();
      await client.destroy();
      status = 'disconnected';
    },
  };
}
