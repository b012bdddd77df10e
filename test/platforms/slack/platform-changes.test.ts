import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AdminId } from '../../../src/config.js';
import type { CoreDeps } from '../../../src/core/core.js';
import { createCore } from '../../../src/core/create-core.js';
import { healthRoute } from '../../../src/http/health.js';
import { probeAccess } from '../../../src/jobs/access-probe.js';
import { deliverDue } from '../../../src/jobs/deliver.js';
import { reconcileMembers } from '../../../src/jobs/reconcile.js';
import { runTick } from '../../../src/jobs/tick.js';
import { createLogger } from '../../../src/log.js';
import { useTestDb } from '../../helpers/db.js';
import { realDeps } from '../../helpers/engine.js';
import { FakeSlack, visibleText, type FakeMessage } from '../../helpers/fake-slack.js';
import { clickButton, type Person } from '../../helpers/slack-requests.js';
import { fakeCore, type FakeCore } from './fake-core.js';
import { startSlackHarness, type SlackHarness } from './harness.js';
import { SlackWorld, slackEvents } from './slack-world.js';

const CHANNEL = 'C0SPRING';
const omar: Person = { id: 'U0OMAR', name: 'omar' }; // organizer (ADMIN_USER_IDS)
const nadia: Person = { id: 'U0NADIA', name: 'nadia' }; // mentor
const ravi: Person = { id: 'U0RAVI', name: 'ravi' }; // mentor
const maria: Person = { id: 'U0MARIA', name: 'maria' };
const li: Person = { id: 'U0LI', name: 'li' };
const sam: Person = { id: 'U0SAM', name: 'sam' };
const admins: AdminId[] = [{ platform: 'slack', userId: omar.id }];

const DAY = 86_400_000;
// Monday 1 March 2027, 09:00 in Berlin (CET, UTC+1) is week 1's slot.
const WEEK1 = Date.parse('2027-03-01T08:00:00Z');
const slot = (week: number, hours = 0) => new Date(WEEK1 + (week - 1) * 7 * DAY + hours * 3_600_000).toISOString();

/** Bolt answers Slack as soon as the event is acknowledged; the core handles it just after. */
async function until(done: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('Slack events of the platform changing reach the core in its words', () => {
  const t = useTestDb();
  let h: SlackHarness;
  let core: FakeCore;

  beforeAll(async () => {
    core = fakeCore();
    h = await startSlackHarness({ core, db: t.db });
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => {
    core.events.length = 0;
  });

  it('translates leaves, deactivations, archives, the bot removed and access revoked, and acknowledges each at once', async () => {
    const sent = [
      slackEvents.memberJoined(maria.id, CHANNEL),
      slackEvents.memberLeft(maria.id, CHANNEL),
      slackEvents.userChange(nadia.id, true),
      slackEvents.userChange(nadia.id, false),
      slackEvents.channel('channel_archive', CHANNEL),
      slackEvents.channel('channel_unarchive', CHANNEL),
      slackEvents.channel('channel_deleted', CHANNEL),
      slackEvents.channel('group_archive', 'G0PRIVATE'),
      slackEvents.botLeft('channel_left', CHANNEL),
      slackEvents.botLeft('group_left', 'G0PRIVATE'),
      slackEvents.tokensRevoked(),
      slackEvents.appUninstalled(),
    ];
    for (const [i, req] of sent.entries()) {
      const res = await h.send(req);
      expect(res.status).toBe(200);
      await until(() => core.events.length === i + 1, 'the event');
    }
    expect(core.events).toEqual([
      { kind: 'member-joined', platform: 'slack', userId: maria.id, channelId: CHANNEL },
      { kind: 'member-left', platform: 'slack', userId: maria.id, channelId: CHANNEL, reason: 'left-channel' },
      { kind: 'member-left', platform: 'slack', userId: nadia.id, reason: 'deactivated' },
      { kind: 'member-joined', platform: 'slack', userId: nadia.id },
      { kind: 'channel-unreachable', platform: 'slack', channelId: CHANNEL, trouble: 'archived' },
      { kind: 'channel-reachable', platform: 'slack', channelId: CHANNEL },
      { kind: 'channel-unreachable', platform: 'slack', channelId: CHANNEL, trouble: 'deleted' },
      { kind: 'channel-unreachable', platform: 'slack', channelId: 'G0PRIVATE', trouble: 'archived' },
      { kind: 'channel-unreachable', platform: 'slack', channelId: CHANNEL, trouble: 'bot-removed' },
      { kind: 'channel-unreachable', platform: 'slack', channelId: 'G0PRIVATE', trouble: 'bot-removed' },
      { kind: 'access-lost', platform: 'slack', cause: 'tokens_revoked' },
      { kind: 'access-lost', platform: 'slack', cause: 'app_uninstalled' },
    ]);
  });

  it("reads the bot's own leaving and joining as the channel becoming unusable and usable", async () => {
    await h.send(slackEvents.memberLeft('U0BOT', CHANNEL));
    await until(() => core.events.length === 1, 'the event');
    await h.send(slackEvents.memberJoined('U0BOT', CHANNEL));
    await until(() => core.events.length === 2, 'the event');
    expect(core.events).toEqual([
      { kind: 'channel-unreachable', platform: 'slack', channelId: CHANNEL, trouble: 'bot-removed' },
      { kind: 'channel-reachable', platform: 'slack', channelId: CHANNEL },
    ]);
  });

  it('ignores a bot changing its profile and a revocation of user tokens only', async () => {
    await h.send(slackEvents.userChange('U0OTHERBOT', false, { is_bot: true }));
    await h.send(slackEvents.userChange('U0OTHERBOT', true, { is_bot: true }));
    const userTokensOnly = JSON.parse(slackEvents.tokensRevoked().body) as { event: { tokens: unknown } };
    userTokensOnly.event.tokens = { oauth: ['U0OMAR'] };
    await h.send({ contentType: 'application/json', body: JSON.stringify({ ...userTokensOnly, event_id: 'Ev0USERTOKENS' }) });
    // An event the core hears of after these shows they were passed over, not slow.
    await h.send(slackEvents.memberLeft(sam.id, CHANNEL));
    await until(() => core.events.length > 0, 'the events');
    expect(core.events.map((e) => e.kind)).toEqual(['member-left']);
  });

  it('hands a Slack retry of the same event to the core once', async () => {
    const left = slackEvents.memberLeft(li.id, CHANNEL);
    await h.send(left);
    await h.send(left, { retryNum: 1, retryReason: 'http_timeout' });
    await h.send(slackEvents.memberLeft(sam.id, CHANNEL));
    await until(() => core.events.length >= 2, 'the events');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(core.events.map((e) => e.kind === 'member-left' && e.userId)).toEqual([li.id, sam.id]);
  });
});

describe('a cohort in Slack while the platform changes under it', () => {
  const t = useTestDb();
  let fake: FakeSlack;
  let world: SlackWorld;
  let h: SlackHarness;
  let deps: CoreDeps;
  /** Platform events the core has finished with. */
  let handled = 0;
  const log = createLogger('silent');

  beforeAll(async () => {
    deps = await realDeps(t.db, admins, '2027-02-26T12:00:00Z');
    fake = await FakeSlack.start();
    world = await SlackWorld.start(fake);
    const core = createCore(deps);
    const counted = {
      ...core,
      platformEvent: (e: Parameters<typeof core.platformEvent>[0]) => core.platformEvent(e).finally(() => (handled += 1)),
    };
    h = await startSlackHarness({ core: counted, db: t.db, adminIds: admins, fake, apiUrl: world.apiUrl });
    h.http.mount('GET', '/healthz', healthRoute(t.db, () => ({ slack: h.platform.state() })));
    for (const [p, real] of [[omar, 'Omar Haddad'], [nadia, 'Nadia Petrova'], [ravi, 'Ravi Shah'], [maria, 'Maria Lopez'], [li, 'Li Wei'], [sam, 'Sam Okafor']] as const) {
      fake.addUser({ id: p.id, name: p.name, real_name: real });
    }
  });
  afterAll(async () => {
    await h?.close();
    await world?.close();
    await fake?.close();
  });
  beforeEach(async () => {
    await t.reset();
    fake.reset();
    world.reset();
    deps.clock.freeze(new Date('2027-02-26T12:00:00Z'));
  });

  const ports = () => new Map([['slack' as const, h.platform.port]]);

  async function deliver(): Promise<void> {
    for (let i = 0; i < 20; i++) {
      const r = await deliverDue(t.db, ports(), deps.clock.now(), { workerId: 'w1', admins });
      if (r.sent + r.retried + r.dead === 0) return;
    }
  }

  /** What the scheduler does at `iso`: ask for lost access, tick, deliver until nothing is due. */
  async function at(iso: string): Promise<void> {
    deps.clock.freeze(new Date(iso));
    await probeAccess(deps, ports(), log);
    await runTick(deps, deps.clock.now());
    await deliver();
  }

  const slash = (user: Person, command: string, text = '') => h.slash(user, command, text, CHANNEL);

  async function cohort(mentors: Person[] = [nadia], learners: Person[] = [maria, li, sam]): Promise<void> {
    await slash(omar, '/cohort', 'create name:Spring program:ds-to-mle start:2027-03-01 day:mon time:09:00 tz:Europe/Berlin');
    for (const m of mentors) await slash(omar, '/cohort', `mentor <@${m.id}|${m.name}>`);
    for (const p of learners) await slash(p, '/cohort', 'join');
  }

  /** Slack delivers an event; once the core has it, what it queued is delivered. */
  async function event(req: ReturnType<typeof slackEvents.memberLeft>): Promise<void> {
    const before = handled;
    const res = await h.send(req);
    expect(res.status).toBe(200);
    await until(() => handled > before, 'the core to handle the event');
    await deliver();
  }

  const roundPosts = () => fake.messagesIn(CHANNEL).filter((m) => m.metadata?.event_type === 'mentorbot_round' && !m.thread_ts);
  const dmsTo = (p: Person) => fake.messagesIn(`D${p.id}`).map((m) => visibleText(m));
  const text = (m: FakeMessage | undefined) => (m ? visibleText(m) : '');

  async function health(): Promise<{ status: number; body: any }> {
    const res = await fetch(`${h.baseUrl}/healthz`);
    return { status: res.status, body: await res.json() };
  }

  it('a learner who leaves the channel gets no reminder, and the round post counts them as left', async () => {
    await cohort();
    await at(slot(1));
    expect(text(roundPosts()[0])).toMatch(/0 of 3 checked in/);
    await event(slackEvents.memberLeft(maria.id, CHANNEL));
    expect(text(roundPosts()[0])).toMatch(/0 of 2 checked in \(1 has left\)/);
    await at(slot(1, 25));
    expect(dmsTo(maria).filter((m) => m.startsWith('Reminder'))).toEqual([]);
    expect(dmsTo(li).filter((m) => m.startsWith('Reminder'))).toHaveLength(1);
    expect(await slash(nadia, '/cohort', 'status')).toMatch(/0 of 2 checked in \(1 has left\)/);
    // Back in the channel, she counts again from the next week; week 1 stays hers as left, never as missed.
    await event(slackEvents.memberJoined(maria.id, CHANNEL));
    await at(slot(2));
    expect(text(roundPosts()[1])).toMatch(/0 of 3 checked in/);
    expect(text(roundPosts()[0])).toMatch(/0 of 2 checked in \(1 has left\)/);
  });

  it('someone new in the channel gets one private hint with a Join button that works', async () => {
    await cohort();
    const kim: Person = { id: 'U0KIM', name: 'kim' };
    fake.addUser({ id: kim.id, name: kim.name, real_name: 'Kim Park' });
    await event(slackEvents.memberJoined(kim.id, CHANNEL));
    await event(slackEvents.memberJoined(kim.id, CHANNEL));
    const hints = fake.messagesIn(`D${kim.id}`);
    expect(hints).toHaveLength(1);
    expect(visibleText(hints[0]!)).toBe("You joined the channel of *Spring*, a mentored cohort: every week I post its milestone there and learners check in with one click. Want to take part?\n[Join]");
    const res = await h.send(clickButton({ message: hints[0]!, label: 'Join', user: kim, responseUrl: fake.responseUrl() }));
    expect(res.status).toBe(200);
    const joined = async () => (await t.db.selectFrom('members').select('role').where('user_id', '=', kim.id).executeTakeFirst()) ?? null;
    for (let i = 0; i < 100 && !(await joined()); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await joined()).toEqual({ role: 'learner' });
  });

  it('a profile edit of someone who left the channel does not bring them back; a reactivation does', async () => {
    await cohort();
    await at(slot(1));
    await event(slackEvents.memberLeft(maria.id, CHANNEL));
    await event(slackEvents.userChange(maria.id, false, { profile: { display_name: 'maria.l', status_text: 'on holiday' } }));
    expect(text(roundPosts()[0])).toMatch(/0 of 2 checked in \(1 has left\)/);
    await event(slackEvents.userChange(li.id, true));
    expect(text(roundPosts()[0])).toMatch(/0 of 1 checked in \(2 have left\)/);
    await event(slackEvents.userChange(li.id, false));
    expect(text(roundPosts()[0])).toMatch(/0 of 2 checked in \(1 has left\)/);
  });

  it('a deactivated mentor gets nothing more: their open alert goes to the other mentor, and so do the digests', async () => {
    await cohort([nadia, ravi], [maria, li]);
    await at(slot(1));
    await at(slot(2));
    await at(slot(3, 1)); // both learners silent two weeks: one alert each, one per mentor
    const alertsTo = (p: Person) => fake.messagesIn(`D${p.id}`).filter((m) => m.metadata?.event_payload.key?.toString().startsWith('alert:'));
    expect(alertsTo(nadia)).toHaveLength(1);
    expect(alertsTo(ravi)).toHaveLength(1);
    await event(slackEvents.userChange(nadia.id, true));
    expect(alertsTo(ravi)).toHaveLength(2);
    expect(text(alertsTo(ravi)[1])).toBe(text(alertsTo(nadia)[0]));
    const before = fake.messagesIn(`D${nadia.id}`).length;
    await at(slot(3, 6 * 24 + 1)); // the week's digest
    expect(fake.messagesIn(`D${nadia.id}`)).toHaveLength(before);
    expect(dmsTo(ravi).some((m) => /digest/i.test(m))).toBe(true);
  });

  it('an archived channel: nothing is posted, the organizers are told once; unarchived, the latest week is posted late', async () => {
    await cohort();
    await at(slot(1));
    await event(slackEvents.channel('channel_archive', CHANNEL));
    await event(slackEvents.channel('channel_archive', CHANNEL)); // Slack may say it twice
    const told = dmsTo(omar).filter((m) => /archived/.test(m));
    expect(told).toHaveLength(1);
    expect(told[0]).toMatch(/Unarchive it, or move the cohort to another channel/);
    expect(await slash(nadia, '/cohort', 'status')).toContain('⚠️ The channel was archived since Mon 1 Mar 2027, 09:00 (Europe/Berlin): no round, reminder or stall alert until it works again.');
    const toChannel = () => fake.calls.filter((c) => c.method === 'chat.postMessage' && c.args.channel === CHANNEL).length;
    const before = toChannel();
    await at(slot(1, 25)); // reminders pause with the channel
    await at(slot(2));
    await at(slot(3));
    expect(toChannel()).toBe(before);
    expect(roundPosts()).toHaveLength(1);
    expect(dmsTo(li).filter((m) => m.startsWith('Reminder'))).toEqual([]);

    await event(slackEvents.channel('channel_unarchive', CHANNEL));
    await at(slot(3, 1));
    const posts = roundPosts();
    expect(posts).toHaveLength(2);
    expect(text(posts[1])).toMatch(/Week 3 of/);
    expect(text(posts[1])).toMatch(/Posted late: I could not post in this channel from/);
    const weeks = await t.db.selectFrom('rounds').select(['week', 'state']).orderBy('week').execute();
    expect(weeks).toEqual([
      { week: 1, state: 'posted' },
      { week: 2, state: 'not-run' },
      { week: 3, state: 'posted' },
    ]);
  });

  it('a post refused with not_in_channel (the removal missed) holds the round and tells the organizers; the bot invited back posts it late', async () => {
    await cohort();
    await at(slot(1));
    world.breakMethod('chat.postMessage', 'not_in_channel', CHANNEL);
    world.breakMethod('chat.update', 'not_in_channel', CHANNEL);
    await at(slot(2));
    await at(slot(2, 1));
    const told = dmsTo(omar).filter((m) => /no longer has the bot in it/.test(m));
    expect(told).toHaveLength(1);
    expect(told[0]).toContain('Invite the bot back (`/invite @mentorbot`)');
    expect(roundPosts()).toHaveLength(1);
    const week2 = await t.db.selectFrom('outbox').select(['status', 'attempts']).where('key', 'like', 'round:%').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(week2.status).toBe('pending');
    world.restore();
    await event(slackEvents.memberJoined('U0BOT', CHANNEL));
    await at(slot(2, 3));
    expect(roundPosts()).toHaveLength(2);
    expect(text(roundPosts()[1])).toMatch(/Week 2 of/);
  });

  it('token_revoked on a post opens one circuit: /healthz 503, messages stay pending; auth.test working again delivers each once', async () => {
    await cohort();
    await at(slot(1));
    world.breakMethod('chat.postMessage', 'token_revoked');
    world.breakMethod('conversations.open', 'token_revoked');
    world.breakMethod('auth.test', 'token_revoked');
    world.seen.length = 0;
    await at(slot(1, 25)); // the reminders fall due
    // Sends already under way when the first failed may fail too (one per learner at most); then the circuit is open.
    const firstPass = world.seen.filter((m) => m === 'conversations.open' || m === 'chat.postMessage').length;
    expect(firstPass).toBeGreaterThanOrEqual(1);
    expect(firstPass).toBeLessThanOrEqual(3);
    expect(await health()).toMatchObject({ status: 503, body: { access: { slack: expect.stringContaining('token_revoked') } } });
    world.seen.length = 0;
    for (let hour = 26; hour <= 28; hour++) await at(slot(1, hour));
    // Hours of ticks: nothing asked of Slack but the probe, once a tick.
    expect(world.seen).toEqual(['auth.test', 'auth.test', 'auth.test']);
    const held = await t.db.selectFrom('outbox').select(['status', 'attempts']).where('kind', '=', 'reminder').execute();
    expect(held).toHaveLength(3);
    expect(held.every((r) => r.status === 'pending' && r.attempts === 0)).toBe(true);

    world.restore();
    await at(slot(1, 29));
    for (const p of [maria, li, sam]) expect(dmsTo(p).filter((m) => m.startsWith('Reminder'))).toHaveLength(1);
    expect((await health()).status).toBe(200);
    await at(slot(1, 30));
    for (const p of [maria, li, sam]) expect(dmsTo(p).filter((m) => m.startsWith('Reminder'))).toHaveLength(1);
  });

  it('a tokens_revoked event holds everything at once, before any send fails', async () => {
    await cohort();
    await at(slot(1));
    await event(slackEvents.tokensRevoked());
    world.breakMethod('auth.test', 'token_revoked');
    const tried = fake.callsOf('chat.postMessage').length;
    await at(slot(1, 25));
    expect(fake.callsOf('chat.postMessage')).toHaveLength(tried);
    expect((await health()).status).toBe(503);
    world.restore();
    await at(slot(1, 26));
    expect(dmsTo(li).filter((m) => m.startsWith('Reminder'))).toHaveLength(1);
  });

  it("a DM to a deactivated user (user_not_found) becomes one mention in the round post's thread", async () => {
    await cohort();
    await at(slot(1));
    world.breakMethod('conversations.open', 'user_not_found', li.id);
    await at(slot(1, 25));
    const round = roundPosts()[0]!;
    const thread = () => fake.messagesIn(CHANNEL).filter((m) => m.thread_ts === round.ts);
    expect(thread().map((m) => visibleText(m))).toEqual([`<@${li.id}>, week 1's check-in is still open: one click on the post above is enough. (I could not reach you by direct message.)`]);
    for (const p of [maria, sam]) expect(dmsTo(p).filter((m) => m.startsWith('Reminder'))).toHaveLength(1);
    await at(slot(1, 26));
    expect(thread()).toHaveLength(1);
  });

  it('the daily check reads conversations.members page by page and finds a learner who left unannounced', async () => {
    await cohort();
    await at(slot(1));
    world.pageSize = 2;
    // Five members and the bot: three pages of two.
    world.setMembers(CHANNEL, [omar.id, nadia.id, maria.id, sam.id, 'U0SOMEONE']);
    const result = await reconcileMembers(deps, ports(), { force: true });
    expect(result).toMatchObject({ mode: 'done', cohorts: 1, calls: 3, left: 1, returned: 0 });
    expect(world.membersCalls.map((c) => [c.channel, c.limit, c.cursor !== null])).toEqual([
      [CHANNEL, 200, false],
      [CHANNEL, 200, true],
      [CHANNEL, 200, true],
    ]);
    await deliver();
    expect(text(roundPosts()[0])).toMatch(/0 of 2 checked in \(1 has left\)/);
    await at(slot(1, 25));
    expect(dmsTo(li).filter((m) => m.startsWith('Reminder'))).toEqual([]);
  });

  it('waits out a 429 on conversations.members for as long as Retry-After says, then reads on', async () => {
    world.pageSize = 2;
    world.setMembers(CHANNEL, [maria.id, li.id, sam.id]);
    world.rateLimitMembers(1);
    const started = Date.now();
    const seen = await h.platform.port.channelMembers!(CHANNEL);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(seen).toEqual({ members: new Set(['U0BOT', maria.id, li.id, sam.id]), calls: 3 });
    expect(world.membersCalls).toHaveLength(2);
  });

  it('the daily check finds an archived channel and a revoked token by the errors of conversations.members', async () => {
    await cohort();
    await at(slot(1));
    world.breakMethod('conversations.members', 'is_archived');
    await reconcileMembers(deps, ports(), { force: true });
    await deliver();
    expect(dmsTo(omar).filter((m) => /archived/.test(m))).toHaveLength(1);
    world.restore();
    await event(slackEvents.channel('channel_unarchive', CHANNEL));
    world.setMembers(CHANNEL, [maria.id, li.id, sam.id]);
    world.breakMethod('conversations.members', 'invalid_auth');
    await reconcileMembers(deps, ports(), { force: true });
    expect((await health()).body.access).toEqual({ slack: expect.stringContaining('invalid_auth') });
  });
});
