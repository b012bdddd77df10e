import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AccessLostError, ChannelUnreachableError, PermanentDeliveryError, RateLimitedError, RecipientUnreachableError, type ChatPort } from '../../../src/core/chat.js';
import { enqueue } from '../../../src/core/outbox.js';
import { deliverDue } from '../../../src/jobs/deliver.js';
import { useTestDb } from '../../helpers/db.js';
import { buttonsOf, visibleText } from '../../helpers/fake-slack.js';
import { fakeCore } from './fake-core.js';
import { startSlackHarness, type SlackHarness } from './harness.js';

describe('Slack chat port (what the outbox worker sends through)', () => {
  const t = useTestDb();
  let h: SlackHarness;
  let port: ChatPort;

  beforeAll(async () => {
    h = await startSlackHarness({ core: fakeCore(), db: t.db });
    port = h.platform.port;
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(async () => {
    await t.reset();
    h.fake.reset();
  });

  it('posts a round with blocks, a text fallback and the round id as message metadata', async () => {
    const ref = await port.postToChannel(
      'C0COHORT',
      { text: '**Week 1 of 6 · Production code**', buttons: [{ action: 'checkin.status', label: 'On track', value: '4:on-track' }], roundId: 4 },
      'round:4',
    );
    const [call] = h.fake.callsOf('chat.postMessage');
    expect(call!.token).toBe('xoxb-test-token');
    expect(call!.args.text).toBe('*Week 1 of 6 · Production code*');
    expect(call!.args.metadata).toEqual({ event_type: 'mentorbot_round', event_payload: { round_id: 4, key: 'round:4' } });
    expect(buttonsOf(call!.args)).toEqual([{ label: 'On track', action_id: 'checkin.status:0', value: '4:on-track', block_id: 'mentorbot-actions-0' }]);
    expect(ref).toEqual({ messageId: h.fake.messagesIn('C0COHORT')[0]!.ts, channelId: 'C0COHORT' });
  });

  it('sends a DM through conversations.open, with the long parts as replies in its thread', async () => {
    const ref = await port.sendDirect('U0MENTOR', { text: 'Digest for **Spring**', thread: ['Grid part 1', 'Grid part 2'] }, 'digest:1');
    expect(h.fake.callsOf('conversations.open')[0]!.args.users).toBe('U0MENTOR');
    const dm = h.fake.messagesIn('DU0MENTOR');
    expect(dm.map((m) => [visibleText(m), m.thread_ts ?? null])).toEqual([
      ['Digest for *Spring*', null],
      ['Grid part 1', ref.messageId],
      ['Grid part 2', ref.messageId],
    ]);
    expect(ref.channelId).toBe('DU0MENTOR');
  });

  it('updates a posted message in place', async () => {
    const ref = await port.postToChannel('C0COHORT', { text: '0 of 3 checked in', roundId: 9 }, 'round:9');
    await port.updateMessage('C0COHORT', ref.messageId, { text: '1 of 3 checked in', roundId: 9 });
    expect(h.fake.messagesIn('C0COHORT').map((m) => visibleText(m))).toEqual(['1 of 3 checked in']);
    expect(h.fake.messagesIn('C0COHORT')[0]!.metadata).toEqual({ event_type: 'mentorbot_round', event_payload: { round_id: 9, key: 'round:9' } });
  });

  it('finds an already-sent post or DM in the history by the outbox key in its metadata', async () => {
    await port.postToChannel('C0COHORT', { text: 'week 1', roundId: 1 }, 'round:1');
    const two = await port.postToChannel('C0COHORT', { text: 'week 2', roundId: 2 }, 'round:2');
    await port.postToChannel('C0COHORT', { text: 'someone chatting' }, 'x');
    const dm = await port.sendDirect('U0LEARNER', { text: 'Reminder' }, 'reminder:2:7');
    expect(await port.findSent!('channel', 'C0COHORT', 'round:2')).toEqual({ messageId: two.messageId, channelId: 'C0COHORT' });
    expect(await port.findSent!('channel', 'C0COHORT', 'round:3')).toBeNull();
    expect(await port.findSent!('user', 'U0LEARNER', 'reminder:2:7')).toEqual({ messageId: dm.messageId, channelId: 'DU0LEARNER' });
    expect(await port.findSent!('user', 'U0LEARNER', 'reminder:3:7')).toBeNull();
    expect(h.fake.callsOf('conversations.history')[0]!.args.include_all_metadata).toBe('true');
  });

  it('turns a 429 into RateLimitedError with Slack’s Retry-After, at once instead of waiting', async () => {
    h.fake.rateLimit('chat.postMessage', 7);
    const started = Date.now();
    const err = await port.postToChannel('C0COHORT', { text: 'hello' }, 'k').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterMs).toBe(7000);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(h.fake.messages).toEqual([]);
  });

  it.each([
    ['channel_not_found', 'deleted'],
    ['not_in_channel', 'bot-removed'],
    ['is_archived', 'archived'],
    ['missing_scope', 'no-permission'],
    ['restricted_action', 'no-permission'],
  ] as const)('says what %s means for the channel', async (error, trouble) => {
    h.fake.fail('chat.postMessage', error);
    const err = await port.postToChannel('C0GONE', { text: 'hello' }, 'k').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChannelUnreachableError);
    expect((err as ChannelUnreachableError).reason).toBe(trouble);
    expect((err as Error).message).toContain(error);
  });

  it.each(['invalid_auth', 'token_revoked', 'account_inactive', 'not_authed', 'token_expired'])('treats %s as the bot losing its access, wherever it comes from', async (error) => {
    h.fake.fail('chat.postMessage', error);
    const post = await port.postToChannel('C0COHORT', { text: 'hello' }, 'k').catch((e: unknown) => e);
    expect(post).toBeInstanceOf(AccessLostError);
    expect((post as AccessLostError).why).toBe(error);
    h.fake.fail('conversations.open', error);
    expect(await port.sendDirect('U0LEARNER', { text: 'hi' }, 'k2').catch((e: unknown) => e)).toBeInstanceOf(AccessLostError);
    h.fake.fail('auth.test', error);
    expect(await port.probe!().catch((e: unknown) => e)).toBeInstanceOf(AccessLostError);
    await expect(port.probe!()).resolves.toBeUndefined();
  });

  it.each(['user_not_found', 'user_disabled', 'cannot_dm_bot', 'user_not_visible', 'channel_not_found'])('treats %s on opening a DM as the person being unreachable', async (error) => {
    h.fake.fail('conversations.open', error);
    const err = await port.sendDirect('U0GONE', { text: 'Reminder' }, 'k').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RecipientUnreachableError);
    expect((err as Error).message).toContain(error);
  });

  it('treats a DM channel that is gone as the person being unreachable, not as a cohort channel', async () => {
    h.fake.fail('chat.postMessage', 'is_archived', { channel: 'DU0GONE' });
    expect(await port.sendDirect('U0GONE', { text: 'Reminder' }, 'k').catch((e: unknown) => e)).toBeInstanceOf(RecipientUnreachableError);
    h.fake.fail('chat.update', 'channel_not_found');
    expect(await port.updateMessage('DU0GONE', '1.2', { text: 'edited' }).catch((e: unknown) => e)).toBeInstanceOf(RecipientUnreachableError);
  });

  it('keeps other refusals permanent (a bad message) or worth retrying (a hiccup)', async () => {
    h.fake.fail('chat.postMessage', 'msg_too_long');
    expect(await port.postToChannel('C0COHORT', { text: 'hello' }, 'k').catch((e: unknown) => e)).toBeInstanceOf(PermanentDeliveryError);
  });

  it('replies in a thread with the outbox key, and finds that reply instead of posting it again', async () => {
    const parent = await port.postToChannel('C0COHORT', { text: 'Week 1', roundId: 1 }, 'round:1');
    const reply = await port.postReply!('C0COHORT', parent.messageId, { text: '<@U0SAM>, the check-in is open' }, 'reminder:1:U0SAM');
    const posted = h.fake.messagesIn('C0COHORT').filter((m) => m.thread_ts === parent.messageId);
    expect(posted.map((m) => [m.ts, visibleText(m), m.metadata?.event_payload])).toEqual([[reply.messageId, '<@U0SAM>, the check-in is open', { key: 'reminder:1:U0SAM' }]]);
    h.fake.fail('chat.postMessage', 'is_archived');
    expect(await port.postReply!('C0COHORT', parent.messageId, { text: 'again' }, 'reminder:1:U0LI').catch((e: unknown) => e)).toBeInstanceOf(ChannelUnreachableError);
  });

  it('treats other Slack errors as worth retrying', async () => {
    h.fake.fail('chat.postMessage', 'internal_error');
    const err = await port.postToChannel('C0COHORT', { text: 'hello' }, 'k').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(PermanentDeliveryError);
    expect(err).not.toBeInstanceOf(RateLimitedError);
  });

  it('loses nothing when Slack rate-limits in the middle of a fan-out: the limited DM is rescheduled, the others go', async () => {
    const now = new Date('2026-03-02T09:00:00Z');
    const learners = ['U0L1', 'U0L2', 'U0L3', 'U0L4', 'U0L5'];
    for (const id of learners) {
      await enqueue(t.db, { key: `reminder:1:${id}`, kind: 'reminder', platform: 'slack', targetKind: 'user', targetId: id, message: { text: `Reminder for <@${id}>` }, availableAt: now });
    }
    h.fake.rateLimit('chat.postMessage', 3, { after: 2 });
    const ports = new Map([['slack' as const, port]]);
    const first = await deliverDue(t.db, ports, now, { workerId: 'w1', concurrency: 1 });
    expect(first).toEqual({ sent: 4, retried: 1, dead: 0 });

    const tooEarly = await deliverDue(t.db, ports, new Date(now.getTime() + 2000), { workerId: 'w1' });
    expect(tooEarly.sent).toBe(0);
    // Retry-After (3 s) counts from Slack's answer, a moment into the pass.
    const later = await deliverDue(t.db, ports, new Date(now.getTime() + 3500), { workerId: 'w1' });
    expect(later).toEqual({ sent: 1, retried: 0, dead: 0 });

    for (const id of learners) expect(h.fake.messagesIn(`D${id}`).map((m) => visibleText(m))).toEqual([`Reminder for <@${id}>`]);
    const rows = await t.db.selectFrom('outbox').select(['status', 'platform_message_id']).execute();
    expect(rows.every((r) => r.status === 'sent' && r.platform_message_id)).toBe(true);
  });

  it('does not post a round twice when a worker died after posting it but before recording it', async () => {
    const now = new Date('2026-03-02T09:00:00Z');
    const message = { text: 'Week 1', roundId: 31 };
    await enqueue(t.db, { key: 'round:31', kind: 'round', platform: 'slack', targetKind: 'channel', targetId: 'C0COHORT', message, availableAt: now });
    // The first worker claimed it, posted, and crashed before marking it sent.
    await t.db.updateTable('outbox').set({ attempts: 1, claimed_by: 'dead-worker', claimed_until: new Date(now.getTime() - 1) }).execute();
    const posted = await port.postToChannel('C0COHORT', message, 'round:31');

    const result = await deliverDue(t.db, new Map([['slack' as const, port]]), now, { workerId: 'w2' });
    expect(result.sent).toBe(1);
    expect(h.fake.messagesIn('C0COHORT')).toHaveLength(1);
    const row = await t.db.selectFrom('outbox').select(['status', 'platform_message_id']).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'sent', platform_message_id: posted.messageId });
  });

  it('marks a message to an archived channel dead instead of retrying it forever', async () => {
    const now = new Date('2026-03-02T09:00:00Z');
    await enqueue(t.db, { key: 'digest:7', kind: 'digest', platform: 'slack', targetKind: 'channel', targetId: 'C0OLD', message: { text: 'digest' }, availableAt: now });
    h.fake.fail('chat.postMessage', 'is_archived', { channel: 'C0OLD' });
    const result = await deliverDue(t.db, new Map([['slack' as const, port]]), now, { workerId: 'w1' });
    expect(result).toEqual({ sent: 0, retried: 0, dead: 1 });
    const row = await t.db.selectFrom('outbox').select(['status', 'last_error']).executeTakeFirstOrThrow();
    expect(row.status).toBe('dead');
    expect(row.last_error).toContain('is_archived');
  });
});
