import { GatewayIntentBits, InteractionResponseType } from 'discord-api-types/v10';
import { Events } from 'discord.js';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadContent } from '../../../src/content/load.js';
import type { Content } from '../../../src/content/types.js';
import { commandDefinitions } from '../../../src/platforms/discord/commands.js';
import { createDiscordPlatform, type DiscordPlatform, type DiscordState } from '../../../src/platforms/discord/index.js';
import { startFakeDiscord, type FakeDiscord } from '../../helpers/fake-discord.js';
import { useTestDb } from '../../helpers/db.js';
import { delay, FakeCore } from './fake-core.js';
import { TOKEN } from './harness.js';
import { APP_ID, chatInput, GUILD_ID } from './payloads.js';

let fake: FakeDiscord;
let content: Content;
const t = useTestDb();
const core = new FakeCore(() => t.db);
beforeAll(async () => {
  fake = await startFakeDiscord();
  content = await loadContent('content');
});
afterAll(() => fake.close());

const platformFor = () =>
  createDiscordPlatform({
    config: { token: TOKEN, applicationId: APP_ID, guildId: GUILD_ID, apiUrl: fake.url },
    adminIds: [],
    core,
    content,
    log: pino({ level: 'silent' }),
  });

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await delay(5);
  }
}

/** The state the platform reports right after each gateway event (its own listeners run first). */
function watch(platform: DiscordPlatform): DiscordState[] {
  const seen: DiscordState[] = [platform.state()];
  const record = () => seen.push(platform.state());
  platform.client.on(Events.ShardReconnecting, record);
  platform.client.on(Events.ShardResume, record);
  platform.client.on(Events.ShardReady, record);
  platform.client.on(Events.ShardDisconnect, record);
  return seen;
}

describe('over the gateway', () => {
  let platform: DiscordPlatform;

  it('starts disconnected, connects with the Guilds, GuildMessages and GuildMembers intents, and registers the commands', async () => {
    platform = await platformFor();
    expect(platform.state()).toBe('disconnected');
    const starting = platform.start();
    expect(platform.state()).toBe('connecting');
    await starting;
    await until(() => platform.state() === 'connected', 'the ready event');
    expect(fake.identifies).toHaveLength(1);
    expect(fake.identifies[0]).toMatchObject({ token: TOKEN, intents: GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages | GatewayIntentBits.GuildMembers });
    expect(fake.commands.get(`guild:${GUILD_ID}`)!.map((c) => c.name)).toEqual(commandDefinitions('guild').map((c) => c.name));
  });

  it('answers an interaction dispatched by the gateway', async () => {
    const payload = chatInput('faq', { options: { question: 'what is a feature store?' } });
    fake.dispatch('INTERACTION_CREATE', payload);
    await until(() => fake.callbacksFor(payload.id).length === 1, 'the interaction response');
    expect(fake.callbacksFor(payload.id)[0]!.type).toBe(InteractionResponseType.ChannelMessageWithSource);
    expect(core.calls.at(-1)).toMatchObject({ fn: 'command', command: { name: 'faq', question: 'what is a feature store?' } });
  });

  it('reports reconnecting while a dropped session resumes', async () => {
    const seen = watch(platform);
    fake.dropSessions(4000);
    await until(() => seen.length >= 3, 'the session to resume');
    expect(seen).toEqual(['connected', 'connecting', 'connected']);
    expect(fake.identifies).toHaveLength(1);
  });

  it('the gateway refusing the token (4004) reports the access lost', async () => {
    core.reset();
    fake.dropSessions(4004);
    await until(() => core.events.length > 0, 'the access-lost event');
    expect(core.events).toEqual([{ kind: 'access-lost', platform: 'discord', cause: 'unauthorized' }]);
    expect(platform.state()).toBe('disconnected');
  });

  it('stops: the session closes and the state says so', async () => {
    await platform.stop();
    expect(platform.state()).toBe('disconnected');
    await until(() => fake.sessions === 0, 'the session to close');
  });

  it('a login refused with 401 reports the access lost; the token is kept for the probe', async () => {
    core.reset();
    fake.revoked = true;
    const refused = await platformFor();
    await expect(refused.start()).rejects.toThrow();
    expect(core.events).toEqual([{ kind: 'access-lost', platform: 'discord', cause: 'unauthorized' }]);
    fake.revoked = false;
    await refused.port.probe!();
    await refused.stop();
  });

  it('a restart with unchanged commands does not re-register them', async () => {
    fake.calls.length = 0;
    const again = await platformFor();
    await again.start();
    const commandCalls = fake.calls.filter((c) => c.path.endsWith('/commands')).map((c) => c.method);
    expect(commandCalls).toEqual(['GET']);
    await again.stop();
  });
});
