import { ApplicationCommandOptionType, ChannelType, PermissionFlagsBits } from 'discord-api-types/v10';
import { REST } from 'discord.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../../src/cli/discord.js';
import { SLASH_COMMANDS } from '../../../src/core/commands.js';
import { commandDefinitions } from '../../../src/platforms/discord/commands.js';
import { inviteUrl, syncCommands } from '../../../src/platforms/discord/register.js';
import { FakeDiscord, startFakeDiscord } from '../../helpers/fake-discord.js';
import { TOKEN } from './harness.js';
import { APP_ID, GUILD_ID } from './payloads.js';

let fake: FakeDiscord;
beforeAll(async () => {
  fake = await startFakeDiscord();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const byName = (name: string) => commandDefinitions('guild').find((c) => c.name === name)!;

describe('command definitions', () => {
  it('cover every command, with the organizer subcommands in /cohort-admin', () => {
    const names = commandDefinitions('guild').map((c) => c.name);
    expect(names).toEqual([...SLASH_COMMANDS.filter((n) => n !== 'cohort' && n !== 'stalled'), 'cohort', 'cohort-admin', 'stalled']);
    expect(byName('cohort').options!.map((o) => o.name)).toEqual(['join', 'status', 'schedule', 'report']);
    expect(byName('cohort-admin').options!.map((o) => o.name)).toEqual(['create', 'add', 'mentor', 'remove', 'pause', 'resume', 'skip', 'unskip', 'edit']);
  });

  it('hide /cohort-admin from members without Manage Server; the rest is for everyone', () => {
    for (const c of commandDefinitions('guild')) {
      expect(c.default_member_permissions).toBe(c.name === 'cohort-admin' ? PermissionFlagsBits.ManageGuild.toString() : null);
    }
  });

  it('give /cohort-admin create typed options: autocomplete for program and tz, choices for day', () => {
    const create = byName('cohort-admin').options!.find((o) => o.name === 'create') as { options: Array<Record<string, any>> };
    expect(create.options.map((o) => [o.name, o.type, o.required, o.autocomplete ?? false])).toEqual([
      ['name', ApplicationCommandOptionType.String, true, false],
      ['program', ApplicationCommandOptionType.String, true, true],
      ['start', ApplicationCommandOptionType.String, true, false],
      ['day', ApplicationCommandOptionType.String, true, false],
      ['time', ApplicationCommandOptionType.String, true, false],
      ['tz', ApplicationCommandOptionType.String, true, true],
    ]);
    expect(create.options[3]!.choices.map((c: { value: string }) => c.value)).toEqual(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
  });

  it('give /cohort-admin edit a channel option (text channels) and a cohort name, all optional', () => {
    const edit = byName('cohort-admin').options!.find((o) => o.name === 'edit') as { options: Array<Record<string, any>> };
    expect(edit.options.map((o) => [o.name, o.type, o.required])).toEqual([
      ['day', ApplicationCommandOptionType.String, false],
      ['time', ApplicationCommandOptionType.String, false],
      ['tz', ApplicationCommandOptionType.String, false],
      ['channel', ApplicationCommandOptionType.Channel, false],
      ['cohort', ApplicationCommandOptionType.String, false],
    ]);
    expect(edit.options[3]!.channel_types).toEqual([ChannelType.GuildText, ChannelType.GuildAnnouncement]);
  });

  it('fit Discord limits: names lower-case up to 32, descriptions up to 100, at most 25 options and choices', () => {
    const check = (o: { name: string; description: string; options?: any[]; choices?: any[] }) => {
      expect(o.name).toMatch(/^[-_\p{Ll}\p{N}]{1,32}$/u);
      expect(o.description.length).toBeGreaterThan(0);
      expect(o.description.length).toBeLessThanOrEqual(100);
      expect((o.options ?? []).length).toBeLessThanOrEqual(25);
      expect((o.choices ?? []).length).toBeLessThanOrEqual(25);
      (o.options ?? []).forEach(check);
    };
    commandDefinitions('global').forEach(check);
  });

  it('only global commands carry contexts; cohort commands are for servers only', () => {
    expect(commandDefinitions('guild').every((c) => c.contexts === undefined)).toBe(true);
    const global = commandDefinitions('global');
    expect(global.find((c) => c.name === 'cohort')!.contexts).toEqual([0]);
    expect(global.find((c) => c.name === 'faq')!.contexts).toEqual([0, 1]);
  });
});

describe('registering on start', () => {
  const rest = () => new REST({ api: fake.url }).setToken(TOKEN);

  it('registers when Discord has nothing, then leaves matching commands alone', async () => {
    const target = { applicationId: APP_ID, guildId: GUILD_ID };
    expect(await syncCommands(rest(), target)).toBe('registered');
    expect(fake.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      `GET /applications/${APP_ID}/guilds/${GUILD_ID}/commands`,
      `PUT /applications/${APP_ID}/guilds/${GUILD_ID}/commands`,
    ]);
    fake.calls.length = 0;
    expect(await syncCommands(rest(), target)).toBe('unchanged');
    expect(fake.calls.map((c) => c.method)).toEqual(['GET']);
  });

  it('registers again when a definition on Discord differs', async () => {
    const target = { applicationId: APP_ID, guildId: null };
    await syncCommands(rest(), target);
    fake.commands.get('global')!.find((c) => c.name === 'faq')!.description = 'an older description';
    expect(await syncCommands(rest(), target)).toBe('registered');
    expect(fake.commands.get('global')!.find((c) => c.name === 'faq')!.description).toBe(byName('faq').description);
  });
});

describe('mentorbot discord register', () => {
  let out: string;
  let err: string;
  beforeEach(() => {
    out = '';
    err = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
    vi.stubEnv('DISCORD_TOKEN', TOKEN);
    vi.stubEnv('DISCORD_APPLICATION_ID', APP_ID);
    vi.stubEnv('DISCORD_API_URL', fake.url);
    vi.stubEnv('DATABASE_URL', '');
    vi.stubEnv('ADMIN_USER_IDS', '');
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('PUTs the definitions to the guild when DISCORD_GUILD_ID is set', async () => {
    vi.stubEnv('DISCORD_GUILD_ID', GUILD_ID);
    expect(await run(['register'])).toBe(0);
    const put = fake.calls.find((c) => c.method === 'PUT')!;
    expect(put.path).toBe(`/applications/${APP_ID}/guilds/${GUILD_ID}/commands`);
    expect(put.body).toEqual(JSON.parse(JSON.stringify(commandDefinitions('guild'))));
    expect(put.headers.authorization).toBe(`Bot ${TOKEN}`);
    expect(out).toContain(`Registered ${commandDefinitions('guild').length} commands in server ${GUILD_ID}.\n`);
    expect(out).toContain(`DISCORD_API_URL is set (${fake.url}), so no discord.com invite link is printed.`);
    expect(out).not.toContain('discord.com/oauth2');
  });

  it('the invite link asks for what the bot needs and no more', () => {
    const invite = new URL(inviteUrl(APP_ID));
    expect(invite.host).toBe('discord.com');
    expect(invite.searchParams.get('client_id')).toBe(APP_ID);
    expect(invite.searchParams.get('scope')).toBe('bot applications.commands');
    const permissions = BigInt(invite.searchParams.get('permissions')!);
    for (const needed of [PermissionFlagsBits.SendMessages, PermissionFlagsBits.CreatePublicThreads, PermissionFlagsBits.SendMessagesInThreads]) {
      expect(permissions & needed).toBe(needed);
    }
    expect(permissions & PermissionFlagsBits.Administrator).toBe(0n);
  });

  it('PUTs global definitions without DISCORD_GUILD_ID', async () => {
    vi.stubEnv('DISCORD_GUILD_ID', '');
    expect(await run(['register'])).toBe(0);
    const put = fake.calls.find((c) => c.method === 'PUT')!;
    expect(put.path).toBe(`/applications/${APP_ID}/commands`);
    expect(put.body).toEqual(JSON.parse(JSON.stringify(commandDefinitions('global'))));
    expect(out).toContain(`Registered ${commandDefinitions('global').length} global commands`);
  });

  it('says which variable to check when Discord refuses the token', async () => {
    fake.failNext({ method: 'PUT', path: /commands$/ }, FakeDiscord.error(401, 0, '401: Unauthorized'));
    expect(await run(['register'])).toBe(1);
    expect(err).toContain('Discord answered 401');
    expect(err).toContain('check DISCORD_TOKEN');
  });

  it('without a token, names the variables to set and sends nothing', async () => {
    vi.stubEnv('DISCORD_TOKEN', '');
    vi.stubEnv('DISCORD_APPLICATION_ID', '');
    expect(await run(['register'])).toBe(1);
    expect(err).toContain('DISCORD_TOKEN and DISCORD_APPLICATION_ID must be set');
    expect(fake.calls).toEqual([]);
  });

  it('--print shows the body without sending it', async () => {
    vi.stubEnv('DISCORD_GUILD_ID', GUILD_ID);
    expect(await run(['register', '--print'])).toBe(0);
    expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify(commandDefinitions('guild'))));
    expect(fake.calls).toEqual([]);
  });

  it('--help prints the usage, --print included', async () => {
    expect(await run(['--help'])).toBe(0);
    expect(await run(['register', '--help'])).toBe(0);
    expect(out).toContain('register --print');
  });

  it('an unknown subcommand prints the usage', async () => {
    expect(await run(['deploy'])).toBe(2);
    expect(err).toContain('usage: mentorbot discord register');
  });
});
