import { ComponentType, OverwriteType, PermissionFlagsBits } from 'discord-api-types/v10';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadContent } from '../../../src/content/load.js';
import { AccessLostError, ChannelUnreachableError, PermanentDeliveryError, RateLimitedError, RecipientUnreachableError, type OutMessage } from '../../../src/core/chat.js';
import { canViewChannel, nonceFor } from '../../../src/platforms/discord/port.js';
import { FakeDiscord } from '../../helpers/fake-discord.js';
import { FakeCore } from './fake-core.js';
import { useDiscord } from './harness.js';
import { CHANNEL_ID, GUILD_ID, MARIA, OTHER_CHANNEL_ID } from './payloads.js';

// The port never reaches the core or its database.
const noDb = () => {
  throw new Error('no database here');
};
const h = useDiscord({ core: () => new FakeCore(noDb), content: () => loadContent('content') });

const round: OutMessage = {
  text: '**Week 1 of 24 · Production code baseline**\n**Goal:** Move one model out of notebooks.',
  buttons: [
    { action: 'checkin.status', label: 'On track', value: '9:on-track', style: 'primary' },
    { action: 'checkin.status', label: 'Behind', value: '9:behind' },
    { action: 'checkin.status', label: 'Blocked', value: '9:blocked', style: 'danger' },
    { action: 'checkin.status', label: 'Done', value: '9:done' },
    { action: 'checkin.details', label: 'Details…', value: '9' },
  ],
  roundId: 9,
};

const posts = () => h.fake.calls.filter((c) => c.method === 'POST' && /^\/channels\/\d+\/messages$/.test(c.path));

beforeEach(() => h.fake.reset());

describe('nonces', () => {
  it('are at most 25 characters, stable per key and different across keys', () => {
    const keys = ['round:1:1', 'round:1:2', 'reminder:9:2200000000000000001', `digest:${'x'.repeat(200)}`];
    const nonces = keys.map(nonceFor);
    for (const n of nonces) expect(n.length).toBeLessThanOrEqual(25);
    expect(new Set(nonces).size).toBe(keys.length);
    expect(keys.map(nonceFor)).toEqual(nonces);
  });
});

describe('postToChannel', () => {
  it('posts the round with its five buttons in one row, a nonce from the key and enforce_nonce', async () => {
    const sent = await h.platform.port.postToChannel(CHANNEL_ID, round, 'round:1:1');
    const [call] = posts();
    expect(call!.body.nonce).toBe(nonceFor('round:1:1'));
    expect(call!.body.enforce_nonce).toBe(true);
    expect(call!.body.content).toBe(round.text);
    expect(call!.body.components).toHaveLength(1);
    expect(call!.body.components[0].components.map((b: { custom_id: string }) => b.custom_id)).toEqual([
      'checkin.status|9:on-track',
      'checkin.status|9:behind',
      'checkin.status|9:blocked',
      'checkin.status|9:done',
      'checkin.details|9',
    ]);
    expect(call!.body.components[0].components[0]).toMatchObject({ type: ComponentType.Button, label: 'On track', style: 1 });
    expect(sent.messageId).toBe(h.fake.inChannel(CHANNEL_ID)[0]!.id);
  });

  it('a retried delivery of the same key posts once and returns the same message', async () => {
    const first = await h.platform.port.postToChannel(CHANNEL_ID, round, 'round:1:1');
    const again = await h.platform.port.postToChannel(CHANNEL_ID, round, 'round:1:1');
    expect(posts()).toHaveLength(2);
    expect(h.fake.inChannel(CHANNEL_ID)).toHaveLength(1);
    expect(again.messageId).toBe(first.messageId);
  });

  it('puts the rest of a long report in a thread on the first part', async () => {
    const digest: OutMessage = { text: '**Weekly digest · Spring 2026**\nCompletion 75%.', thread: ['Maria: ✓ ✓ · 2/7', 'Tom: ✓ – · 1/7'] };
    const sent = await h.platform.port.postToChannel(CHANNEL_ID, digest, 'digest:1:3');
    expect(h.fake.threads.get(sent.messageId)).toMatchObject({ name: 'Weekly digest · Spring 2026' });
    expect(h.fake.inChannel(sent.messageId).map((m) => m.content)).toEqual(['Maria: ✓ ✓ · 2/7', 'Tom: ✓ – · 1/7']);
    // Retried after a crash: the thread exists already and nothing is posted twice.
    await h.platform.port.postToChannel(CHANNEL_ID, digest, 'digest:1:3');
    expect(h.fake.messages).toHaveLength(3);
  });
});

describe('sendDirect', () => {
  it('opens the DM channel and posts there with a nonce; the channel id comes back', async () => {
    const sent = await h.platform.port.sendDirect(MARIA.user.id, { text: 'Reminder: week 1 check-in is still open.', buttons: round.buttons }, 'reminder:9:42');
    const open = h.fake.calls.find((c) => c.path === '/users/@me/channels');
    expect(open!.body).toEqual({ recipient_id: MARIA.user.id });
    const dm = h.fake.dmChannelOf(MARIA.user.id)!;
    expect(sent).toEqual({ messageId: h.fake.inChannel(dm)[0]!.id, channelId: dm });
    expect(posts()[0]!.body).toMatchObject({ nonce: nonceFor('reminder:9:42'), enforce_nonce: true });
  });
});

describe('postReply', () => {
  it('replies to the round post with a message reference and the nonce of its key', async () => {
    const { messageId } = await h.platform.port.postToChannel(CHANNEL_ID, round, 'round:1:1');
    const text = `<@${MARIA.user.id}>, week 1's check-in is still open.`;
    const sent = await h.platform.port.postReply!(CHANNEL_ID, messageId, { text }, 'reply:1');
    await h.platform.port.postReply!(CHANNEL_ID, messageId, { text }, 'reply:1');
    const replies = h.fake.inChannel(CHANNEL_ID).filter((m) => m.message_reference);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ id: sent.messageId, content: text, message_reference: { message_id: messageId } });
    expect(posts().at(-1)!.body).toMatchObject({ nonce: nonceFor('reply:1'), enforce_nonce: true });
  });
});

describe('updateMessage', () => {
  it('edits the message in place', async () => {
    const { messageId } = await h.platform.port.postToChannel(CHANNEL_ID, round, 'round:1:1');
    await h.platform.port.updateMessage(CHANNEL_ID, messageId, { ...round, text: `${round.text}\n_3 of 8 checked in_` });
    expect(h.fake.inChannel(CHANNEL_ID)[0]!.content).toContain('_3 of 8 checked in_');
    const patch = h.fake.calls.find((c) => c.method === 'PATCH')!;
    expect(patch.body.components[0].components).toHaveLength(5);
  });
});

describe('delivery errors', () => {
  it('a short 429 is waited out inside discord.js and the post goes through once', async () => {
    h.fake.rateLimitNext({ method: 'POST', path: /\/channels\/\d+\/messages$/ }, 0.2);
    await h.platform.port.postToChannel(CHANNEL_ID, round, 'round:2:1');
    expect(posts().map((c) => c.status)).toEqual([429, 200]);
    expect(h.fake.inChannel(CHANNEL_ID)).toHaveLength(1);
  });

  it('a long 429 comes back as RateLimitedError with the wait, and nothing is posted', async () => {
    h.fake.rateLimitNext({ method: 'POST', path: /\/channels\/\d+\/messages$/ }, 60);
    const err = await h.platform.port.postToChannel(OTHER_CHANNEL_ID, round, 'round:3:1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterMs).toBeGreaterThanOrEqual(60_000);
    // discord.js remembers the bucket: the next post to that channel is handed back without a request.
    const calls = h.fake.calls.length;
    await expect(h.platform.port.postToChannel(OTHER_CHANNEL_ID, round, 'round:3:2')).rejects.toBeInstanceOf(RateLimitedError);
    expect(h.fake.calls.length).toBe(calls);
    expect(h.fake.messages).toHaveLength(0);
  });

  it.each([
    [404, 10003, 'Unknown Channel', 'deleted'],
    [403, 50001, 'Missing Access', 'bot-removed'],
    [403, 50013, 'Missing Permissions', 'no-permission'],
  ])('%i %i (%s) on a channel post says the channel cannot be used: %s', async (status, code, message, trouble) => {
    h.fake.failNext({ method: 'POST', path: /\/messages$/ }, FakeDiscord.error(status, code, message));
    const err = await h.platform.port.postToChannel(CHANNEL_ID, round, `round:${code}`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChannelUnreachableError);
    expect((err as ChannelUnreachableError).reason).toBe(trouble);
    expect((err as Error).message).toContain(String(code));
  });

  it('an invalid form body is permanent', async () => {
    h.fake.failNext({ method: 'POST', path: /\/messages$/ }, FakeDiscord.error(400, 50035, 'Invalid Form Body'));
    await expect(h.platform.port.postToChannel(CHANNEL_ID, round, 'round:50035')).rejects.toBeInstanceOf(PermanentDeliveryError);
  });

  it.each([
    [403, 50007, 'Cannot send messages to this user'],
    [404, 10013, 'Unknown User'],
  ])('%i %i (%s) on a DM says the person cannot be reached', async (status, code, message) => {
    h.fake.failNext({ method: 'POST', path: /\/messages$/ }, FakeDiscord.error(status, code, message));
    const err = await h.platform.port.sendDirect(MARIA.user.id, { text: 'hi' }, `notice:${code}`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RecipientUnreachableError);
    expect((err as Error).message).toContain(String(code));
  });

  it('a 401 is lost access; the token is kept, so the probe asks again and succeeds once access is back', async () => {
    h.fake.failNext({ method: 'POST', path: /\/messages$/ }, FakeDiscord.error(401, 0, '401: Unauthorized'));
    const err = await h.platform.port.postToChannel(CHANNEL_ID, round, 'round:401').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AccessLostError);
    expect((err as AccessLostError).why).toBe('unauthorized');
    h.fake.failNext({ method: 'GET', path: /^\/users\/@me$/ }, FakeDiscord.error(401, 0, '401: Unauthorized'));
    await expect(h.platform.port.probe!()).rejects.toBeInstanceOf(AccessLostError);
    await h.platform.port.probe!();
    const probes = h.fake.calls.filter((c) => c.path === '/users/@me');
    expect(probes.map((c) => [c.status, c.headers.authorization?.startsWith('Bot ')])).toEqual([
      [401, true],
      [200, true],
    ]);
  });

  it('a server error is left for the worker to retry, not marked permanent', async () => {
    h.fake.failNext({ method: 'POST', path: /\/messages$/ }, { status: 500, body: { message: 'Internal Server Error', code: 0 } }, 10);
    const err = await h.platform.port.postToChannel(CHANNEL_ID, round, 'round:500').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(PermanentDeliveryError);
    expect(err).not.toBeInstanceOf(RateLimitedError);
  });
});

describe('who can view a channel', () => {
  const VIEW = PermissionFlagsBits.ViewChannel.toString();
  const role = (id: string, permissions: bigint) => ({ id, name: id, permissions: permissions.toString(), position: 0, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 }) as any;
  const guild = {
    id: GUILD_ID,
    owner_id: '1',
    roles: [role(GUILD_ID, PermissionFlagsBits.ViewChannel), role('10', PermissionFlagsBits.Administrator), role('20', 0n), role('30', 0n)],
  };
  const who = (id: string, roles: string[] = []) => ({ user: { id }, roles });
  const role20Hidden = [{ id: '20', type: OverwriteType.Role, allow: '0', deny: VIEW }];

  it('follows Discord: owner and administrators always; @everyone, then role overwrites, then the member’s own', () => {
    expect(canViewChannel(who('5'), guild, [])).toBe(true);
    expect(canViewChannel(who('5', ['20']), guild, role20Hidden)).toBe(false);
    expect(canViewChannel(who('1', ['20']), guild, role20Hidden)).toBe(true);
    expect(canViewChannel(who('5', ['10', '20']), guild, role20Hidden)).toBe(true);
    // Private channel: @everyone denied, one role allowed; an allow among the roles wins over a deny.
    const privateChannel = [
      { id: GUILD_ID, type: OverwriteType.Role, allow: '0', deny: VIEW },
      { id: '30', type: OverwriteType.Role, allow: VIEW, deny: '0' },
    ];
    expect(canViewChannel(who('5'), guild, privateChannel)).toBe(false);
    expect(canViewChannel(who('5', ['30']), guild, privateChannel)).toBe(true);
    expect(canViewChannel(who('5', ['20', '30']), guild, [...privateChannel, ...role20Hidden])).toBe(true);
    // The member's own overwrite comes last.
    expect(canViewChannel(who('5', ['30']), guild, [...privateChannel, { id: '5', type: OverwriteType.Member, allow: '0', deny: VIEW }])).toBe(false);
    expect(canViewChannel(who('6'), guild, [...privateChannel, { id: '6', type: OverwriteType.Member, allow: VIEW, deny: '0' }])).toBe(true);
  });
});

describe('channelMembers', () => {
  it.each([
    [404, 10003, 'Unknown Channel', 'deleted'],
    [403, 50001, 'Missing Access', 'bot-removed'],
  ])('%i %i (%s) reading the channel says it cannot be used: %s', async (status, code, message, trouble) => {
    h.fake.failNext({ method: 'GET', path: /^\/channels\/\d+$/ }, FakeDiscord.error(status, code, message));
    const err = await h.platform.port.channelMembers!(CHANNEL_ID).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChannelUnreachableError);
    expect((err as ChannelUnreachableError).reason).toBe(trouble);
  });

  it('a DM channel has no members list', async () => {
    h.fake.channels.set('4400000000000000001', { id: '4400000000000000001', type: 1 } as any);
    expect(await h.platform.port.channelMembers!('4400000000000000001')).toBeNull();
  });
});
