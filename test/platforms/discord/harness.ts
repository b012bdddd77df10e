import { ClientApplication, ClientUser } from 'discord.js';
import pino, { type Logger } from 'pino';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { AdminId } from '../../../src/config.js';
import type { Content } from '../../../src/content/types.js';
import type { Core } from '../../../src/core/core.js';
import { createDiscordPlatform, type DiscordPlatform } from '../../../src/platforms/discord/index.js';
import { BOT_USER, startFakeDiscord, type FakeDiscord } from '../../helpers/fake-discord.js';
import { APP_ID, GUILD_ID, guildCreate } from './payloads.js';

export const TOKEN = 'MTEwMDAwMDAwMDAwMDAwMDAwMQ.fake.token-for-tests';

export interface DiscordHarness {
  readonly fake: FakeDiscord;
  readonly platform: DiscordPlatform;
  /** Delivers a gateway INTERACTION_CREATE to the real discord.js client and waits until it is answered. */
  interact(payload: object): Promise<void>;
  /** Delivers a gateway MESSAGE_CREATE and waits until it is handled. */
  message(payload: object): Promise<void>;
  /**
   * Delivers any gateway dispatch (`GUILD_MEMBER_REMOVE`, `CHANNEL_DELETE`, …) through discord.js's
   * own packet handlers, as from a ready session, and waits until what it started is done.
   */
  gateway(event: string, data: object): Promise<void>;
  /** Caches the guild (and its channels) again, as a fresh GUILD_CREATE would. */
  resetGuild(): void;
}

export interface HarnessOptions {
  core: () => Core | Promise<Core>;
  content: () => Content | Promise<Content>;
  adminIds?: AdminId[];
  ackAfterMs?: number;
  log?: Logger;
}

/**
 * A discord.js client as it is after READY (bot user, application, the guild cached), with REST
 * pointed at a fake Discord. No gateway connection: payloads go through the client's own
 * action handlers, the path a gateway dispatch takes.
 */
export function useDiscord(opts: HarnessOptions): DiscordHarness {
  let fake: FakeDiscord | undefined;
  let platform: DiscordPlatform | undefined;
  beforeAll(async () => {
    fake = await startFakeDiscord();
    platform = await createDiscordPlatform({
      config: { token: TOKEN, applicationId: APP_ID, guildId: GUILD_ID, apiUrl: fake.url },
      adminIds: opts.adminIds ?? [],
      core: await opts.core(),
      content: await opts.content(),
      log: opts.log ?? pino({ level: 'silent' }),
      ackAfterMs: opts.ackAfterMs ?? 1000,
      maxQueueWaitMs: 2000,
    });
    const client = platform.client as any;
    client.user = new (ClientUser as any)(client, BOT_USER);
    client.users.cache.set(BOT_USER.id, client.user);
    client.application = new (ClientApplication as any)(client, { id: APP_ID, name: 'mentorbot', flags: 0 });
    client.guilds._add(guildCreate());
  });
  beforeEach(() => fake?.reset());
  afterAll(async () => {
    await platform?.stop();
    await fake?.close();
  });
  const get = () => {
    if (!fake || !platform) throw new Error('useDiscord(): only inside tests');
    return { fake, platform };
  };
  return {
    get fake() {
      return get().fake;
    },
    get platform() {
      return get().platform;
    },
    async interact(payload) {
      (get().platform.client as any).actions.InteractionCreate.handle(payload);
      await get().platform.settled();
    },
    async message(payload) {
      (get().platform.client as any).actions.MessageCreate.handle(payload);
      await get().platform.settled();
    },
    async gateway(event, data) {
      const client = get().platform.client as any;
      client.ws.status = 0; // Status.Ready: dispatches are handled at once, not queued
      const packet = { op: 0, t: event, d: data };
      // As discord.js's WebSocketManager does: the raw event first, then the packet's handler.
      client.emit('raw', packet, 0);
      client.ws.handlePacket(packet, { id: 0, status: 0 });
      await get().platform.settled();
    },
    resetGuild() {
      const client = get().platform.client as any;
      // Channels keep the guild they were made with: drop them too, so they belong to the new one.
      for (const channel of client.channels.cache.values()) if (channel.guildId === GUILD_ID) client.channels._remove(channel.id);
      client.guilds.cache.delete(GUILD_ID);
      client.guilds._add(guildCreate());
    },
  };
}
