import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminId } from '../../../src/config.js';
import { Clock } from '../../../src/core/clock.js';
import type { CoreDeps } from '../../../src/core/core.js';
import { createCore } from '../../../src/core/create-core.js';
import { deliverDue } from '../../../src/jobs/deliver.js';
import { runTick } from '../../../src/jobs/tick.js';
import { useTestDb } from '../../helpers/db.js';
import { realDeps } from '../../helpers/engine.js';
import { buttonsOf, visibleText, type RecordedCall } from '../../helpers/fake-slack.js';
import { appMention, clickButton, slashCommand, submitModal, type ClickableMessage, type Person } from '../../helpers/slack-requests.js';
import { startSlackHarness, type SlackHarness } from './harness.js';

const CHANNEL = 'C0SPRING';
const omar: Person = { id: 'U0OMAR', name: 'omar' }; // organizer (ADMIN_USER_IDS)
const nadia: Person = { id: 'U0NADIA', name: 'nadia' }; // mentor
const maria: Person = { id: 'U0MARIA', name: 'maria' };
const li: Person = { id: 'U0LI', name: 'li' };
const sam: Person = { id: 'U0SAM', name: 'sam' };
const kim: Person = { id: 'U0KIM', name: 'kim' };

/**
 * The done-when, over signed HTTP against a Slack-compatible server: a cohort is created,
 * learners join, the round is posted, three check-ins arrive three ways, a reminder goes out, a
 * stall alert reaches the mentor who acknowledges it, and the FAQ answers.
 */
describe('a cohort run entirely through Slack', () => {
  const t = useTestDb();
  let h: SlackHarness;
  let clock: Clock;
  let deps: CoreDeps;

  beforeAll(async () => {
    const admins: AdminId[] = [{ platform: 'slack', userId: omar.id }];
    deps = await realDeps(t.db, admins, '2026-03-01T12:00:00Z');
    clock = deps.clock;
    h = await startSlackHarness({ core: createCore(deps), db: t.db, adminIds: admins });
    for (const [p, real] of [[omar, 'Omar Haddad'], [nadia, 'Nadia Petrova'], [maria, 'Maria Lopez'], [li, 'Li Wei'], [sam, 'Sam Okafor'], [kim, 'Kim Park']] as const) {
      h.fake.addUser({ id: p.id, name: p.name, real_name: real });
    }
  });
  afterAll(async () => {
    await h?.close();
  });

  /** What the scheduler does at `iso`: tick, then deliver through the Slack port until nothing is due. */
  async function at(iso: string): Promise<void> {
    clock.freeze(new Date(iso));
    await runTick(deps, clock.now());
    await deliver();
  }
  async function deliver(): Promise<void> {
    for (let i = 0; i < 10; i++) {
      const r = await deliverDue(t.db, new Map([['slack' as const, h.platform.port]]), clock.now(), { workerId: 'w1' });
      if (r.sent + r.retried + r.dead === 0) return;
    }
  }

  /** Runs a slash command and returns what the person saw: the ack's text, or the response_url reply. */
  async function slash(user: Person, command: string, text = ''): Promise<{ text: string; call: RecordedCall | null; ack: any }> {
    const responseUrl = h.fake.responseUrl();
    const target = responseUrl.split('/').pop();
    const res = await h.send(slashCommand({ command, text, user, channelId: CHANNEL, responseUrl }));
    expect(res.status).toBe(200);
    if (res.json) return { text: visibleText(res.json), call: null, ack: res.json };
    const call = await h.fake.waitFor('response_url', (c) => c.target === target);
    return { text: visibleText(call.args), call, ack: null };
  }

  async function click(user: Person, message: ClickableMessage, label: string): Promise<RecordedCall> {
    const responseUrl = h.fake.responseUrl();
    const target = responseUrl.split('/').pop();
    const res = await h.send(clickButton({ message, label, user, responseUrl }));
    expect(res.status).toBe(200);
    return h.fake.waitFor('response_url', (c) => c.target === target);
  }

  const roundPost = () => h.fake.messagesIn(CHANNEL).filter((m) => m.metadata?.event_type === 'mentorbot_round' && !m.thread_ts);

  it('an organizer creates the cohort in the channel; a plain member may not', async () => {
    const refused = await slash(maria, '/cohort', 'create name:Spring program:ds-to-mle start:2026-03-02 day:mon time:09:00 tz:Europe/Berlin');
    expect(refused.call!.args.response_type).toBe('ephemeral');
    expect(refused.text).toMatch(/Only organizers can/);

    const created = await slash(omar, '/cohort', 'create name:Spring program:ds-to-mle start:2026-03-02 day:mon time:09:00 tz:Europe/Berlin');
    expect(created.call!.args.response_type).toBe('in_channel');
    expect(created.text).toMatch(/Spring/);
    const cohort = await t.db.selectFrom('cohorts').selectAll().executeTakeFirstOrThrow();
    expect(cohort).toMatchObject({ name: 'Spring', platform: 'slack', channel_id: CHANNEL, program_id: 'ds-to-mle', timezone: 'Europe/Berlin', workspace_id: 'T0TEAM' });
  });

  it('a mentor is assigned by mention and learners join', async () => {
    const mentor = await slash(omar, '/cohort', `mentor <@${nadia.id}|nadia>`);
    expect(mentor.text).toMatch(/<@U0NADIA> is now a mentor of \*Spring\*/);
    for (const p of [maria, li, sam, kim]) {
      const joined = await slash(p, '/cohort', 'join');
      expect(joined.call!.args.response_type).toBe('ephemeral');
    }
    const members = await t.db.selectFrom('members').select(['user_id', 'role', 'display_name']).orderBy('id').execute();
    expect(members.map((m) => [m.user_id, m.role])).toEqual([
      [nadia.id, 'mentor'],
      [maria.id, 'learner'],
      [li.id, 'learner'],
      [sam.id, 'learner'],
      [kim.id, 'learner'],
    ]);
    expect(members.find((m) => m.user_id === maria.id)!.display_name).toBe('Maria Lopez');
  });

  it('at the slot the week 1 round is posted with the check-in buttons and the round id as metadata', async () => {
    await at('2026-03-02T08:00:00Z'); // 09:00 in Berlin
    const posts = roundPost();
    expect(posts).toHaveLength(1);
    const round = await t.db.selectFrom('rounds').selectAll().executeTakeFirstOrThrow();
    expect(posts[0]!.metadata!.event_payload).toEqual({ round_id: round.id, key: `round:${round.id}` });
    expect(round.message_id).toBe(posts[0]!.ts);
    expect(visibleText(posts[0]!)).toMatch(/Week 1 of \d+/);
    expect(buttonsOf(posts[0]!).map((b) => b.label)).toEqual(['On track', 'Behind', 'Blocked', 'Done', 'Details…']);
  });

  it('check-in one: a click on "On track" records it and updates the count on the post', async () => {
    const answer = await click(maria, roundPost()[0]!, 'On track');
    expect(answer.args.response_type).toBe('ephemeral');
    expect(visibleText(answer.args)).toMatch(/Recorded: \*On track\* for week 1/);
    await deliver();
    expect(visibleText(roundPost()[0]!)).toMatch(/1 of 4 checked in/);
  });

  it('check-in two: "Details…" opens the modal, and its submission is recorded with confidence and blocker', async () => {
    const responseUrl = h.fake.responseUrl();
    await h.send(clickButton({ message: roundPost()[0]!, label: 'Details…', user: li, responseUrl }));
    const open = await h.fake.waitFor('views.open');
    const view = open.args.view;
    expect(view.blocks.map((b: any) => b.block_id)).toEqual(['status', 'milestones', 'confidence', 'blocker', 'note', 'link']);

    const res = await h.send(submitModal({ view, answers: { status: 'blocked', confidence: '2', blocker: 'docker networking on my laptop' }, user: li }));
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    const confirm = await h.fake.waitFor('chat.postEphemeral', (c) => c.args.user === li.id);
    expect(confirm.args.channel).toBe(CHANNEL);
    expect(visibleText(confirm.args)).toMatch(/Recorded: \*Blocked\* for week 1/);
    const checkin = await t.db.selectFrom('checkins').innerJoin('members', 'members.id', 'checkins.member_id').selectAll('checkins').where('members.user_id', '=', li.id).executeTakeFirstOrThrow();
    expect(checkin).toMatchObject({ status: 'blocked', confidence: 2, blocker: 'docker networking on my laptop', source: 'form' });
  });

  it('check-in three: the quick command records it at once', async () => {
    const quick = await slash(sam, '/checkin', 'behind catching up after a busy week');
    expect(quick.text).toMatch(/Recorded: \*Behind\* for week 1/);
    const sources = await t.db.selectFrom('checkins').select(['source']).orderBy('id').execute();
    expect(sources.map((s) => s.source)).toEqual(['button', 'form', 'quick']);
    await deliver();
    expect(visibleText(roundPost()[0]!)).toMatch(/3 of 4 checked in/);
  });

  it('a day later the one learner who has not answered gets one reminder by DM, with buttons that work', async () => {
    await at('2026-03-03T08:00:00Z');
    const dms = h.fake.messagesIn(`D${kim.id}`);
    expect(dms).toHaveLength(1);
    expect(visibleText(dms[0]!)).toMatch(/Reminder: week 1 check-in for \*Spring\*/);
    expect(buttonsOf(dms[0]!).map((b) => b.label)).toContain('On track');
    for (const p of [maria, li, sam]) expect(h.fake.messagesIn(`D${p.id}`)).toEqual([]);
    await at('2026-03-03T12:00:00Z');
    expect(h.fake.messagesIn(`D${kim.id}`)).toHaveLength(1);
  });

  it('a learner who got the week 2 reminder checks in from the DM with one click', async () => {
    await at('2026-03-09T08:00:00Z'); // week 2 opens
    expect(roundPost()).toHaveLength(2);
    await at('2026-03-10T08:00:00Z'); // a day later: the reminders
    const reminder = h.fake.messagesIn(`D${maria.id}`).find((m) => /Reminder: week 2/.test(visibleText(m)));
    expect(reminder).toBeDefined();
    const answer = await click(maria, reminder!, 'Done');
    expect(visibleText(answer.args)).toMatch(/Recorded: \*Done\* for week 2/);
    const latest = await t.db
      .selectFrom('checkins')
      .innerJoin('rounds', 'rounds.id', 'checkins.round_id')
      .innerJoin('members', 'members.id', 'checkins.member_id')
      .select(['rounds.week', 'checkins.status', 'checkins.source'])
      .where('members.user_id', '=', maria.id)
      .orderBy('rounds.week', 'desc')
      .executeTakeFirstOrThrow();
    expect(latest).toEqual({ week: 2, status: 'done', source: 'button' });
  });

  it('a learner who misses two rounds is flagged to the mentor by DM, who acknowledges it', async () => {
    await at('2026-03-16T08:00:00Z'); // week 3 opens: week 2 has closed, and kim missed both
    expect(roundPost()).toHaveLength(3);
    const alerts = h.fake.messagesIn(`D${nadia.id}`).filter((m) => buttonsOf(m).some((b) => b.label === 'Acknowledge'));
    expect(alerts).toHaveLength(1);
    expect(visibleText(alerts[0]!)).toMatch(/missed the last 2 check-ins/);
    expect(visibleText(alerts[0]!)).toMatch(/Kim Park/);

    const answer = await click(nadia, alerts[0]!, 'Acknowledge');
    expect(answer.args.response_type).toBe('ephemeral');
    const update = await h.fake.waitFor('chat.update', (c) => c.args.channel === `D${nadia.id}`);
    expect(update.args.ts).toBe(alerts[0]!.ts);
    const after = h.fake.messagesIn(`D${nadia.id}`).find((m) => m.ts === alerts[0]!.ts)!;
    expect(buttonsOf(after).map((b) => b.label)).toEqual(['Resolve']);
    const flag = await t.db.selectFrom('stall_flags').selectAll().executeTakeFirstOrThrow();
    expect(flag).toMatchObject({ status: 'acknowledged', acknowledged_by: 'Nadia Petrova' });
  });

  it('mentors see the open flags with /stalled and who checked in with /cohort status; learners are refused', async () => {
    const stalled = await slash(nadia, '/stalled');
    expect(stalled.text).toMatch(/Kim Park/);
    await slash(maria, '/checkin', 'done');
    const status = await slash(nadia, '/cohort', 'status');
    expect(status.call!.args.response_type).toBe('ephemeral');
    expect(status.text).toMatch(/Spring · week 3/);
    expect(status.text).toMatch(/Checked in \(1\)\*\n• Maria Lopez: done/);
    expect(status.text).toMatch(/Not checked in yet \(3\)\*\nKim Park, Li Wei, Sam Okafor/);
    const refused = await slash(maria, '/cohort', 'status');
    expect(refused.text).toMatch(/Only mentors of Spring/);
  });

  it('a learner sees their progress and can go away; bad dates are refused with the usage', async () => {
    const progress = await slash(maria, '/progress');
    expect(progress.text).toMatch(/progress\*? · Spring/);
    expect(progress.text).toMatch(/Week 1 · on track/);
    const away = await slash(sam, '/away', '2026-04-01');
    expect(away.text).toMatch(/No reminders or stall flags/);
    const bad = await slash(sam, '/away', '2026-02-30');
    expect(bad.text).toMatch(/not a real date/);
  });

  it('the FAQ answers a slash command privately with its sources, and takes feedback', async () => {
    const answer = await slash(maria, '/faq', 'how long does the move to ML engineering take?');
    expect(answer.call!.args.response_type).toBe('ephemeral');
    expect(answer.text).toMatch(/Sources:/);
    const helpful = await click(maria, { channel: CHANNEL, ts: '1800009999.000001', blocks: answer.call!.args.blocks, ephemeral: true }, 'Helpful');
    expect(visibleText(helpful.args)).toMatch(/glad it helped/);
    const logged = await t.db.selectFrom('faq_questions').select(['feedback', 'via']).where('via', '=', 'command').executeTakeFirstOrThrow();
    expect(logged).toEqual({ feedback: 'helpful', via: 'command' });
  });

  it('a mention is answered in a thread, once, even when Slack retries the event', async () => {
    const mention = appMention({ user: li, channelId: CHANNEL, text: 'should I learn kubernetes or docker first?' });
    await h.send(mention);
    await h.send(mention, { retryNum: 1, retryReason: 'http_timeout' });
    const reply = await h.fake.waitFor('chat.postMessage', (c) => c.args.thread_ts === mention.ts);
    expect(reply.args.channel).toBe(CHANNEL);
    expect(visibleText(reply.args)).toMatch(/Sources:/);
    await new Promise((r) => setTimeout(r, 200));
    expect(h.fake.callsOf('chat.postMessage').filter((c) => c.args.thread_ts === mention.ts)).toHaveLength(1);
    expect(await t.db.selectFrom('faq_questions').where('via', '=', 'mention').select('question').execute()).toHaveLength(1);
  });
});
