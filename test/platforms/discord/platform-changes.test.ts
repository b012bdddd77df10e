import { ChannelType, MessageFlags, OverwriteType, PermissionFlagsBits, type APIGuildMember, type APIMessage, type GuildMemberFlags } from 'discord-api-types/v10';
import pino from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { Clock } from '../../../src/core/clock.js';
import type { CoreDeps } from '../../../src/core/core.js';
import { createCore } from '../../../src/core/create-core.js';
import { probeAccess } from '../../../src/jobs/access-probe.js';
import { deliverDue } from '../../../src/jobs/deliver.js';
import { reconcileMembers } from '../../../src/jobs/reconcile.js';
import { runTick } from '../../../src/jobs/tick.js';
import { useTestDb } from '../../helpers/db.js';
import { realContent } from '../../helpers/engine.js';
import { BOT_USER, FakeDiscord } from '../../helpers/fake-discord.js';
import { useDiscord } from './harness.js';
import { buttonClick, CHANNEL_ID, chatInput, GUILD_ID, guildCreate, MARIA, OLGA, OTHER_CHANNEL_ID, person, SAM, TOM, type TestUser } from './payloads.js';

/**
 * The server changing under the bot, end to end: gateway events through the real discord.js client
 * and REST failures from the fake Discord, with the real core and database; what is asserted is what
 * people see (messages in the fake, replies) and what the outbox holds.
 */

const t = useTestDb();
const clock = new Clock();
let deps: CoreDeps;
const h = useDiscord({
  core: async () => {
    const { content, faq } = await realContent();
    deps = { db: t.db, content, faq, clock, reminderAfterHours: 24, admins: [] };
    return createCore(deps);
  },
  content: async () => (await realContent()).content,
  ackAfterMs: 10_000,
});

const ANA = person('2200000000000000005', 'ana', 'Ana');
const LEE = person('2200000000000000006', 'lee', 'Lee');
const ports = () => new Map([['discord' as const, h.platform.port]]);
const isEphemeral = (flags: number | undefined) => ((flags ?? 0) & MessageFlags.Ephemeral) !== 0;

async function deliver() {
  for (let i = 0; i < 20; i++) {
    const r = await deliverDue(t.db, ports(), clock.now(), { workerId: 'w1', admins: deps.admins });
    if (r.sent + r.retried + r.dead === 0) break;
  }
}

async function tickAt(iso: string) {
  clock.freeze(new Date(iso));
  await runTick(deps, clock.now());
  await deliver();
}

async function say(payload: { id: string }) {
  await h.interact(payload);
  const cb = h.fake.callbacksFor(payload.id);
  expect(cb).toHaveLength(1);
  return cb[0]!;
}

async function setUpCohort(mentors: TestUser[] = [SAM]) {
  await say(
    chatInput('cohort-admin', {
      by: OLGA,
      sub: 'create',
      options: { name: 'Spring 2026', program: 'ds-to-mle', start: '2026-03-02', day: 'mon', time: '09:00', tz: 'Europe/Berlin' },
    }),
  );
  for (const learner of [MARIA, TOM, ANA]) await say(chatInput('cohort', { sub: 'join', by: learner }));
  for (const mentor of mentors) await say(chatInput('cohort-admin', { by: OLGA, sub: 'mentor', options: { user: mentor } }));
}

/** Everything sent to a person by DM, oldest first. */
const dmsTo = (u: TestUser) => {
  const dm = h.fake.dmChannelOf(u.user.id);
  return dm ? h.fake.inChannel(dm).map((m) => m.content) : [];
};
const roundPosts = (channelId = CHANNEL_ID) => h.fake.inChannel(channelId).filter((m) => /^\*\*Week \d+ of/.test(m.content));
const postsTo = (channelId: string) => h.fake.calls.filter((c) => c.method === 'POST' && c.path === `/channels/${channelId}/messages`);
const leave = (u: TestUser) => h.gateway('GUILD_MEMBER_REMOVE', { guild_id: GUILD_ID, user: u.user });

/** `/cohort-admin edit channel:#… [cohort:…]`, the channel option resolved as Discord sends it. */
function editChannel(channelId: string, opts: { cohort?: string; from?: string } = {}) {
  const channel = { channel: { id: channelId, name: 'summer-cohort' } };
  return chatInput('cohort-admin', { by: OLGA, sub: 'edit', options: { channel, ...(opts.cohort ? { cohort: opts.cohort } : {}) }, channelId: opts.from ?? CHANNEL_ID });
}

function guildMember(u: TestUser, roles: string[] = []): APIGuildMember {
  return { user: u.user, nick: null, avatar: null, roles, joined_at: '2026-01-05T10:00:00.000000+00:00', premium_since: null, deaf: false, mute: false, flags: 0 as GuildMemberFlags, pending: false };
}

beforeEach(async () => {
  await t.reset();
  h.resetGuild();
  clock.freeze(new Date('2026-03-01T12:00:00Z'));
});

describe('members leaving the server', () => {
  it('a learner who leaves gets no reminder and is counted as left', async () => {
    await setUpCohort();
    await tickAt('2026-03-02T08:01:00Z');
    const [post] = roundPosts();
    await say(buttonClick(/checkin\.status\|\d+:on-track/.exec(JSON.stringify(post!.components))![0], post!, { by: MARIA }));

    await leave(ANA);
    await deliver();
    expect(h.fake.inChannel(CHANNEL_ID)[0]!.content).toContain('1 of 2 checked in (1 has left)');

    await tickAt('2026-03-03T08:30:00Z');
    expect(dmsTo(ANA)).toEqual([]);
    expect(dmsTo(TOM).filter((m) => m.startsWith('Reminder: week 1'))).toHaveLength(1);

    const status = await say(chatInput('cohort', { sub: 'status', by: SAM }));
    expect(isEphemeral(status.data.flags)).toBe(true);
    expect(status.data.content).toContain('1 has left');

    // Back in the server: she counts again.
    // Back in the server: from the next week she counts again (week 1 stays hers as "left", never as missed).
    await h.gateway('GUILD_MEMBER_ADD', { ...guildMember(ANA), guild_id: GUILD_ID });
    await tickAt('2026-03-09T08:01:00Z');
    expect(roundPosts().at(-1)!.content).toMatch(/^\*\*Week 2 of/);
    expect(roundPosts().at(-1)!.content).toContain('0 of 3 checked in');
    await tickAt('2026-03-10T08:30:00Z');
    expect(dmsTo(ANA).filter((m) => m.startsWith('Reminder: week 2'))).toHaveLength(1);
  });

  it("a mentor who leaves gets nothing more: alerts go to the other mentor; when the last one leaves the organizer is told once", async () => {
    await setUpCohort([SAM, LEE]);
    await leave(SAM);
    for (const week of ['02', '09', '16']) {
      await tickAt(`2026-03-${week}T08:01:00Z`);
      await tickAt(`2026-03-${String(Number(week) + 1).padStart(2, '0')}T08:30:00Z`);
    }
    const alerts = (u: TestUser) => dmsTo(u).filter((m) => m.startsWith('⚠️') || /stall/i.test(m));
    expect(alerts(LEE).length).toBeGreaterThan(0);
    expect(dmsTo(SAM)).toEqual([]);

    await leave(LEE);
    await leave(LEE);
    await deliver();
    const told = dmsTo(OLGA).filter((m) => m.includes('has no other mentor'));
    expect(told).toHaveLength(1);
    expect(told[0]).toContain('left the server');
  });
});

describe('the channel deleted', () => {
  it('tells the organizer once and posts nothing there; /cohort-admin edit channel: moves the cohort and the held week is posted late', async () => {
    await setUpCohort();
    await tickAt('2026-03-02T08:01:00Z');
    await h.gateway('CHANNEL_DELETE', { id: CHANNEL_ID, type: ChannelType.GuildText, guild_id: GUILD_ID, name: 'spring-cohort', position: 0, permission_overwrites: [] });
    await deliver();
    const notices = () => dmsTo(OLGA).filter((m) => m.includes('The channel of **Spring 2026** was deleted'));
    expect(notices()).toHaveLength(1);
    expect(notices()[0]).toContain('`/cohort-admin edit channel:#new-channel cohort:"Spring 2026"`');

    // Week 2 falls due: nothing is tried in the deleted channel, nobody is reminded.
    const before = postsTo(CHANNEL_ID).length;
    await tickAt('2026-03-09T08:01:00Z');
    await tickAt('2026-03-10T08:30:00Z');
    expect(postsTo(CHANNEL_ID)).toHaveLength(before);
    expect(dmsTo(TOM).filter((m) => m.startsWith('Reminder: week 2'))).toEqual([]);
    expect(notices()).toHaveLength(1);

    // Typed in another channel, naming the cohort.
    const moved = await say(editChannel(OTHER_CHANNEL_ID, { cohort: 'Spring 2026', from: OTHER_CHANNEL_ID }));
    expect(isEphemeral(moved.data.flags)).toBe(false);
    expect(moved.data.content).toContain(`**Spring 2026** now posts in <#${OTHER_CHANNEL_ID}>`);
    await tickAt('2026-03-10T09:00:00Z');
    const [late] = roundPosts(OTHER_CHANNEL_ID);
    expect(late!.content).toMatch(/^\*\*Week 2 of/);
    expect(late!.content).toContain('Posted late');
    expect(postsTo(CHANNEL_ID)).toHaveLength(before);
  });

  it('/cohort-admin edit channel: in the cohort channel moves the next round', async () => {
    await setUpCohort();
    const moved = await say(editChannel(OTHER_CHANNEL_ID));
    expect(moved.data.content).toContain(`now posts in <#${OTHER_CHANNEL_ID}>`);
    await tickAt('2026-03-02T08:01:00Z');
    expect(roundPosts(OTHER_CHANNEL_ID)).toHaveLength(1);
    expect(roundPosts(CHANNEL_ID)).toHaveLength(0);
  });

  it('a post refused with 50001 Missing Access tells the organizer once and holds the round', async () => {
    await setUpCohort();
    h.fake.failNext({ method: 'POST', path: new RegExp(`^/channels/${CHANNEL_ID}/messages$`) }, FakeDiscord.error(403, 50001, 'Missing Access'), 5);
    await tickAt('2026-03-02T08:01:00Z');
    expect(roundPosts()).toHaveLength(0);
    const notices = dmsTo(OLGA).filter((m) => m.includes('no longer has the bot in it'));
    expect(notices).toHaveLength(1);
    const round = await t.db.selectFrom('outbox').select(['status']).where('kind', '=', 'round').execute();
    expect(round.map((r) => r.status)).toEqual(['pending']);
  });

  it('the bot removed from the server (GUILD_DELETE): the organizer is told once; invited back (GUILD_CREATE), it works again', async () => {
    await setUpCohort();
    await h.gateway('GUILD_DELETE', { id: GUILD_ID });
    await deliver();
    expect(dmsTo(OLGA).filter((m) => m.includes('no longer has the bot in it'))).toHaveLength(1);
    await tickAt('2026-03-02T08:01:00Z');
    expect(roundPosts()).toHaveLength(0);

    await h.gateway('GUILD_CREATE', guildCreate());
    await tickAt('2026-03-02T09:00:00Z');
    expect(dmsTo(OLGA).filter((m) => m.includes('The channel of **Spring 2026** works again'))).toHaveLength(1);
    expect(roundPosts().map((p) => p.content)).toEqual([expect.stringMatching(/^\*\*Week 1 of/)]);
  });
});

describe('who may see the channel changing', () => {
  const ALUMNI = '3300000000000000077';
  const VIEW = String(PermissionFlagsBits.ViewChannel);
  const channelUpdate = (overwrites: object[]) =>
    h.gateway('CHANNEL_UPDATE', { id: CHANNEL_ID, type: ChannelType.GuildText, guild_id: GUILD_ID, name: 'spring-cohort', position: 0, permission_overwrites: overwrites });
  const memberUpdate = (u: TestUser, roles: string[]) => h.gateway('GUILD_MEMBER_UPDATE', { ...guildMember(u, roles), guild_id: GUILD_ID });

  it('a role or an overwrite that hides the channel counts the learner out; shown again, they are back', async () => {
    await setUpCohort();
    await tickAt('2026-03-02T08:01:00Z');
    await h.gateway('GUILD_ROLE_CREATE', {
      guild_id: GUILD_ID,
      role: { id: ALUMNI, name: 'alumni', permissions: '0', position: 1, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 },
    });
    await channelUpdate([{ id: ALUMNI, type: OverwriteType.Role, allow: '0', deny: VIEW }]);
    await deliver();
    expect(h.fake.inChannel(CHANNEL_ID)[0]!.content).toContain('0 of 3 checked in');

    // Tom is given the role the channel hides.
    await memberUpdate(TOM, [ALUMNI]);
    await deliver();
    expect(h.fake.inChannel(CHANNEL_ID)[0]!.content).toContain('0 of 2 checked in (1 has left)');

    // Maria is hidden by an overwrite of her own.
    await channelUpdate([
      { id: ALUMNI, type: OverwriteType.Role, allow: '0', deny: VIEW },
      { id: MARIA.user.id, type: OverwriteType.Member, allow: '0', deny: VIEW },
    ]);
    await deliver();
    expect(h.fake.inChannel(CHANNEL_ID)[0]!.content).toContain('0 of 1 checked in (2 have left)');
    const left = await t.db.selectFrom('members').select(['user_id', 'left_reason']).where('left_at', 'is not', null).orderBy('user_id').execute();
    expect(left).toEqual([
      { user_id: MARIA.user.id, left_reason: 'lost-access' },
      { user_id: TOM.user.id, left_reason: 'lost-access' },
    ]);

    await tickAt('2026-03-03T08:30:00Z');
    expect([MARIA, TOM, ANA].map((u) => dmsTo(u).filter((m) => m.startsWith('Reminder: week 1')).length)).toEqual([0, 0, 1]);

    // The role taken away again: Tom is back in the cohort.
    await memberUpdate(TOM, []);
    expect(await t.db.selectFrom('members').select('left_at').where('user_id', '=', TOM.user.id).executeTakeFirstOrThrow()).toEqual({ left_at: null });
  });

  it('the bot denied posting in the channel: the organizer is told; allowed again, it works again', async () => {
    await setUpCohort();
    await h.gateway('GUILD_MEMBER_ADD', { ...guildMember({ user: BOT_USER } as TestUser), guild_id: GUILD_ID });
    await channelUpdate([{ id: BOT_USER.id, type: OverwriteType.Member, allow: '0', deny: String(PermissionFlagsBits.SendMessages) }]);
    await deliver();
    expect(dmsTo(OLGA).filter((m) => m.includes('no longer lets the bot post'))).toHaveLength(1);
    await tickAt('2026-03-02T08:01:00Z');
    expect(roundPosts()).toHaveLength(0);

    await channelUpdate([]);
    await tickAt('2026-03-02T08:30:00Z');
    expect(dmsTo(OLGA).filter((m) => m.includes('The channel of **Spring 2026** works again'))).toHaveLength(1);
    expect(roundPosts()).toHaveLength(1);
  });
});

describe('access lost', () => {
  it('a 401 opens the circuit: nothing more is tried, rows stay pending; once the probe passes each reminder goes once', async () => {
    await setUpCohort();
    await tickAt('2026-03-02T08:01:00Z');
    h.fake.revoked = true;
    h.fake.calls.length = 0;
    await tickAt('2026-03-03T08:30:00Z');
    const tried = h.fake.calls.length;
    expect(tried).toBeGreaterThanOrEqual(1);
    expect(tried).toBeLessThanOrEqual(3);
    const held = await t.db.selectFrom('outbox').select(['status', 'attempts']).where('kind', '=', 'reminder').execute();
    expect(held.map((r) => [r.status, r.attempts])).toEqual([
      ['pending', 0],
      ['pending', 0],
      ['pending', 0],
    ]);
    // More ticks try nothing; the probe asks about once a minute and finds it still revoked.
    await tickAt('2026-03-03T09:30:00Z');
    expect(h.fake.calls.length).toBe(tried);
    const log = pino({ level: 'silent' });
    expect(await probeAccess(deps, ports(), log)).toEqual([]);
    expect(h.fake.calls.at(-1)).toMatchObject({ method: 'GET', path: '/users/@me', status: 401 });

    h.fake.revoked = false;
    clock.freeze(new Date('2026-03-03T09:32:00Z'));
    expect(await probeAccess(deps, ports(), log)).toEqual(['discord']);
    await deliver();
    await deliver();
    for (const learner of [MARIA, TOM, ANA]) expect(dmsTo(learner).filter((m) => m.startsWith('Reminder: week 1'))).toHaveLength(1);
  });

  it('the gateway session invalidated opens the circuit too', async () => {
    await setUpCohort();
    (h.platform.client as any).emit('invalidated');
    await h.platform.settled();
    const lost = await t.db.selectFrom('platform_access').select(['platform']).execute();
    expect(lost).toEqual([{ platform: 'discord' }]);
  });
});

describe('DMs closed', () => {
  it("50007 on a learner's reminder becomes one mention in reply to the round post", async () => {
    await setUpCohort();
    await tickAt('2026-03-02T08:01:00Z');
    const [post] = roundPosts();
    for (const who of [MARIA, TOM]) await say(buttonClick(/checkin\.status\|\d+:on-track/.exec(JSON.stringify(post!.components))![0], post!, { by: who }));
    h.fake.failNext({ method: 'POST', path: /^\/channels\/\d+\/messages$/ }, FakeDiscord.error(403, 50007, 'Cannot send messages to this user'));
    await tickAt('2026-03-03T08:30:00Z');
    await tickAt('2026-03-03T09:30:00Z');
    expect(dmsTo(ANA)).toEqual([]);
    const replies = h.fake.inChannel(CHANNEL_ID).filter((m) => (m as APIMessage).message_reference);
    expect(replies.map((r) => [r.content, r.message_reference!.message_id])).toEqual([
      [`<@${ANA.user.id}>, week 1's check-in is still open: one click on the post above is enough. (I could not reach you by direct message.)`, post!.id],
    ]);
  });
});

describe('the daily members check', () => {
  it('reads the members 1,000 at a time, once for the cohorts of one server, and finds who left silently or can no longer see the channel', async () => {
    await setUpCohort();
    // A second cohort in the same server, where Ana is too.
    await say(
      chatInput('cohort-admin', {
        by: OLGA,
        sub: 'create',
        channelId: OTHER_CHANNEL_ID,
        options: { name: 'Summer 2026', program: 'ds-to-mle', start: '2026-03-02', day: 'mon', time: '09:00', tz: 'Europe/Berlin' },
      }),
    );
    for (const learner of [MARIA, ANA]) await say(chatInput('cohort', { sub: 'join', by: learner, channelId: OTHER_CHANNEL_ID }));
    await tickAt('2026-03-02T08:01:00Z');
    const HIDDEN_ROLE = '3300000000000000099';
    const fillers = Array.from({ length: 1000 }, (_, i) => guildMember(person(`21000000000000${String(i).padStart(5, '0')}`, `f${i}`, null)));
    h.fake.guilds.set(GUILD_ID, {
      id: GUILD_ID,
      owner_id: OLGA.user.id,
      roles: [
        { id: GUILD_ID, name: '@everyone', permissions: String(PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages), position: 0, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 } as any,
        { id: HIDDEN_ROLE, name: 'alumni', permissions: '0', position: 1, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 } as any,
      ],
      // Ana is gone without an event; Tom has a role the channel hides.
      members: [...fillers, guildMember(MARIA), guildMember(TOM, [HIDDEN_ROLE]), guildMember(SAM), guildMember(OLGA), guildMember({ user: BOT_USER } as TestUser)],
    });
    h.fake.channels.set(CHANNEL_ID, {
      id: CHANNEL_ID,
      guild_id: GUILD_ID,
      type: ChannelType.GuildText,
      name: 'spring-cohort',
      permission_overwrites: [{ id: HIDDEN_ROLE, type: OverwriteType.Role, allow: '0', deny: String(PermissionFlagsBits.ViewChannel) }],
    });
    h.fake.channels.set(OTHER_CHANNEL_ID, { id: OTHER_CHANNEL_ID, guild_id: GUILD_ID, type: ChannelType.GuildText, name: 'summer-cohort', permission_overwrites: [] });
    const result = await reconcileMembers(deps, ports(), { force: true });
    // Spring: the channel, the server, two pages; Summer: the channel and the server, the pages already read.
    expect(result).toMatchObject({ mode: 'done', cohorts: 2, left: 3, returned: 0, calls: 6 });
    const pages = h.fake.calls.filter((c) => c.path === `/guilds/${GUILD_ID}/members`).map((c) => [c.query.get('limit'), c.query.get('after')]);
    expect(pages).toEqual([
      ['1000', '0'],
      // The bot's own id sorts first, so the first page ends one filler early.
      ['1000', '2100000000000000998'],
    ]);
    await deliver();
    expect(h.fake.inChannel(CHANNEL_ID)[0]!.content).toContain('0 of 1 checked in (2 have left)');
    expect(h.fake.inChannel(OTHER_CHANNEL_ID)[0]!.content).toContain('0 of 1 checked in (1 has left)');
    await tickAt('2026-03-03T08:30:00Z');
    expect(dmsTo(ANA)).toEqual([]);
    expect(dmsTo(TOM)).toEqual([]);
    expect(dmsTo(MARIA).filter((m) => m.startsWith('Reminder: week 1'))).toHaveLength(2);
  });

  it('a deleted channel found by the check tells the organizer', async () => {
    await setUpCohort();
    const result = await reconcileMembers(deps, ports(), { force: true });
    expect(result.cohorts).toBe(0);
    await deliver();
    expect(dmsTo(OLGA).filter((m) => m.includes('was deleted'))).toHaveLength(1);
  });
});
