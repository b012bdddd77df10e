import { InteractionResponseType, MessageFlags, type APIMessage } from 'discord-api-types/v10';
import { beforeEach, describe, expect, it } from 'vitest';
import { Clock } from '../../../src/core/clock.js';
import type { CoreDeps } from '../../../src/core/core.js';
import { createCore } from '../../../src/core/create-core.js';
import { deliverDue } from '../../../src/jobs/deliver.js';
import { runTick } from '../../../src/jobs/tick.js';
import { useTestDb } from '../../helpers/db.js';
import { realContent } from '../../helpers/engine.js';
import { BOT_USER } from '../../helpers/fake-discord.js';
import { useDiscord } from './harness.js';
import { buttonClick, CHANNEL_ID, chatInput, MARIA, modalSubmit, OLGA, person, SAM, TOM, userMessage } from './payloads.js';

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
  // The deferred path is covered with a fake core; here every answer is the first response.
  ackAfterMs: 10_000,
});

const ANA = person('2200000000000000005', 'ana', 'Ana');
const isEphemeral = (flags: number | undefined) => ((flags ?? 0) & MessageFlags.Ephemeral) !== 0;

/** What the person who acted sees: the interaction's response, then its follow-ups. */
function seen(interactionId: string) {
  const cb = h.fake.callbacksFor(interactionId);
  expect(cb).toHaveLength(1);
  return cb[0]!;
}

async function tickAt(iso: string) {
  clock.freeze(new Date(iso));
  await runTick(deps, clock.now());
  const ports = new Map([['discord' as const, h.platform.port]]);
  for (let i = 0; i < 20; i++) {
    const r = await deliverDue(t.db, ports, clock.now(), { workerId: 'w1' });
    if (r.sent + r.retried + r.dead === 0) break;
  }
}

async function say(payload: { id: string }) {
  await h.interact(payload);
  return seen(payload.id);
}

beforeEach(async () => {
  await t.reset();
  clock.freeze(new Date('2026-03-01T12:00:00Z'));
});

async function setUpCohort() {
  const created = await say(
    chatInput('cohort-admin', {
      by: OLGA,
      sub: 'create',
      options: { name: 'Spring 2026', program: 'ds-to-mle', start: '2026-03-02', day: 'mon', time: '09:00', tz: 'Europe/Berlin' },
    }),
  );
  for (const learner of [MARIA, TOM, ANA]) await say(chatInput('cohort', { sub: 'join', by: learner }));
  await say(chatInput('cohort-admin', { by: OLGA, sub: 'mentor', options: { user: SAM } }));
  return created;
}

describe('a cohort week on Discord, with the real core', () => {
  it('create, join, the round post, check-ins by button and by form, reminder, status', async () => {
    const created = await setUpCohort();
    expect(isEphemeral(created.data.flags)).toBe(false);
    expect(created.data.content).toContain('Cohort **Spring 2026** is set up in this channel');
    expect(created.data.content).toContain('`/cohort-admin mentor @user`');

    // A learner cannot create a cohort, and is told so privately.
    const refused = await say(chatInput('cohort-admin', { by: MARIA, sub: 'pause' }));
    expect(isEphemeral(refused.data.flags)).toBe(true);
    expect(refused.data.content).toMatch(/^Only organizers can/);

    // Monday 09:00 in Berlin is 08:00 UTC: the round is posted with its buttons.
    await tickAt('2026-03-02T08:01:00Z');
    const [post] = h.fake.inChannel(CHANNEL_ID) as Array<APIMessage & { nonce?: string }>;
    expect(post!.content).toContain('Week 1 of');
    expect(post!.content).toContain('Production code baseline');
    const buttons = (post!.components![0] as any).components.map((b: any) => [b.label, b.custom_id]);
    const roundId = /checkin\.details\|(\d+)/.exec(buttons.map((b: string[]) => b[1]).join(' '))![1];
    expect(buttons.map((b: string[]) => b[0])).toEqual(['On track', 'Behind', 'Blocked', 'Done', 'Details…']);
    expect(h.fake.calls.find((c) => c.method === 'POST' && c.path === `/channels/${CHANNEL_ID}/messages`)!.body.enforce_nonce).toBe(true);

    // Maria: one click.
    const clicked = await say(buttonClick(`checkin.status|${roundId}:on-track`, post!, { by: MARIA }));
    expect(isEphemeral(clicked.data.flags)).toBe(true);
    expect(clicked.data.content).toContain('Recorded: **On track** for week 1');

    // Tom: Details… opens the modal, then he submits it.
    const details = await say(buttonClick(`checkin.details|${roundId}`, post!, { by: TOM }));
    expect(details.type).toBe(InteractionResponseType.Modal);
    expect(details.data.custom_id).toBe(`checkin|${roundId}`);
    const fieldIds = details.data.components.map((c: any) => c.component.custom_id);
    expect(fieldIds).toEqual(['status', 'milestones', 'confidence', 'blocker', 'note']);
    const submitted = await say(
      modalSubmit(details.data.custom_id, { status: ['blocked'], milestones: [], confidence: ['2'], blocker: 'my Docker build fails', note: '' }, { by: TOM, message: post! }),
    );
    expect(isEphemeral(submitted.data.flags)).toBe(true);
    expect(submitted.data.content).toContain('Recorded: **Blocked** for week 1');

    const stored = await t.db
      .selectFrom('checkins')
      .innerJoin('members', 'members.id', 'checkins.member_id')
      .select(['members.user_id', 'checkins.status', 'checkins.source', 'checkins.confidence', 'checkins.blocker'])
      .orderBy('members.user_id')
      .execute();
    expect(stored).toEqual([
      { user_id: MARIA.user.id, status: 'on-track', source: 'button', confidence: null, blocker: null },
      { user_id: TOM.user.id, status: 'blocked', source: 'form', confidence: 2, blocker: 'my Docker build fails' },
    ]);

    // Maria changes her mind with the quick command.
    const quick = await say(chatInput('checkin', { by: MARIA, options: { status: 'behind', note: 'sick two days' } }));
    expect(quick.data.content).toContain('Updated: **Behind** for week 1');

    // A day later Ana, who has not answered, gets one reminder by DM with the same buttons.
    await tickAt('2026-03-03T08:30:00Z');
    const dm = h.fake.dmChannelOf(ANA.user.id);
    expect(dm).toBeDefined();
    const [reminder] = h.fake.inChannel(dm!);
    expect(reminder!.content).toContain('Reminder: week 1 check-in for **Spring 2026** is still open.');
    expect((reminder!.components![0] as any).components).toHaveLength(5);
    expect(h.fake.dmChannelOf(MARIA.user.id)).toBeUndefined();
    await tickAt('2026-03-03T12:00:00Z');
    expect(h.fake.inChannel(dm!)).toHaveLength(1);

    // The mentor sees who has checked in.
    const status = await say(chatInput('cohort', { sub: 'status', by: SAM }));
    expect(isEphemeral(status.data.flags)).toBe(true);
    expect(status.data.content).toContain('Maria');
    expect(status.data.content).toContain('Ana');

    // Maria's own progress.
    const progress = await say(chatInput('progress', { by: MARIA }));
    expect(isEphemeral(progress.data.flags)).toBe(true);
    expect(progress.data.content).toContain('Production code baseline');
  });

  it('a learner who is not in the cohort cannot check in with a button', async () => {
    await setUpCohort();
    await tickAt('2026-03-02T08:01:00Z');
    const [post] = h.fake.inChannel(CHANNEL_ID);
    const roundButton = (post!.components![0] as any).components[0].custom_id as string;
    const stranger = person('2200000000000000009', 'lurker', 'Lurker');
    const answer = await say(buttonClick(roundButton, post!, { by: stranger }));
    expect(isEphemeral(answer.data.flags)).toBe(true);
    expect(answer.data.content).toContain("You're not in **Spring 2026**");
    expect(await t.db.selectFrom('checkins').select('id').execute()).toEqual([]);
  });
});

describe('FAQ on Discord, with the real core', () => {
  it('/faq answers with sources and feedback buttons; Helpful is recorded', async () => {
    const answer = await say(chatInput('faq', { options: { question: 'how long does the move from data science to ML engineering take?' } }));
    expect(answer.type).toBe(InteractionResponseType.ChannelMessageWithSource);
    expect(answer.data.content.length).toBeGreaterThan(100);
    const buttons = answer.data.components.flatMap((r: any) => r.components);
    const helpful = buttons.find((b: any) => b.custom_id.startsWith('faq.helpful|'));
    expect(helpful).toBeDefined();

    const message = { ...(h.fake.responses(answer.token)[0] as APIMessage), id: h.fake.id(), channel_id: CHANNEL_ID };
    const feedback = await say(buttonClick(helpful.custom_id, message));
    expect([InteractionResponseType.UpdateMessage, InteractionResponseType.ChannelMessageWithSource]).toContain(feedback.type);
    const logged = await t.db.selectFrom('faq_questions').select(['feedback', 'via']).execute();
    expect(logged).toEqual([{ feedback: 'helpful', via: 'command' }]);
  });

  it('a question with no curated answer says so honestly', async () => {
    const answer = await say(chatInput('faq', { options: { question: 'what is the best pizza topping in Naples?' } }));
    expect(answer.data.content).toMatch(/don't have a curated answer/i);
  });

  it('mentioning the bot answers in a thread on the question', async () => {
    const msg = userMessage(`<@${BOT_USER.id}> how long does the move to ML engineering take?`, { by: TOM });
    await h.message(msg);
    const thread = h.fake.threads.get(msg.id);
    expect(thread).toBeDefined();
    const [reply] = h.fake.inChannel(thread!.id);
    expect(reply!.content.length).toBeGreaterThan(100);
    const logged = await t.db.selectFrom('faq_questions').select(['via', 'user_id']).execute();
    expect(logged).toEqual([{ via: 'mention', user_id: TOM.user.id }]);
  });
});
