import { sql } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import type { OutMessage, SentRef } from '../../src/core/chat.js';
import { enqueueMany } from '../../src/core/outbox.js';
import { claimDue, deliverDue } from '../../src/jobs/deliver.js';
import { countingDb } from '../helpers/counting-db.js';
import { useTestDb } from '../helpers/db.js';
import { RecordingPort } from '../helpers/recording-port.js';

const t = useTestDb();
const now = new Date('2026-03-02T08:00:00Z');

function posts(channel: string, n: number, prefix = channel) {
  return Array.from({ length: n }, (_, i) => ({
    key: `${prefix}:${i}`,
    kind: 'notice' as const,
    platform: 'local' as const,
    targetKind: 'channel' as const,
    targetId: channel,
    message: { text: `${channel} #${i}` },
    availableAt: now,
  }));
}

class PacedPort extends RecordingPort {
  readonly targetIntervalMs = 150;
  readonly at: Array<{ target: string; ms: number }> = [];
  override async postToChannel(channelId: string, message: OutMessage, key: string): Promise<SentRef> {
    this.at.push({ target: channelId, ms: Date.now() });
    return super.postToChannel(channelId, message, key);
  }
}

/** Answers 120 ms after a post arrives, as a busy platform (or a busy process reading the answer) would. */
class SlowAnswerPort extends PacedPort {
  readonly answeredAt: number[] = [];
  override async postToChannel(channelId: string, message: OutMessage, key: string): Promise<SentRef> {
    const ref = await super.postToChannel(channelId, message, key);
    await new Promise((r) => setTimeout(r, 120));
    this.answeredAt.push(Date.now());
    return ref;
  }
}

describe('delivery pacing', () => {
  beforeEach(() => t.reset());

  it('spaces posts to one channel by the platform pace, in order, without holding up other channels', async () => {
    await enqueueMany(t.db, [...posts('C1', 3), ...posts('C2', 1)]);
    const port = new PacedPort('local');
    const started = Date.now();
    expect(await deliverDue(t.db, new Map([['local', port]]), now, { workerId: 'w' })).toEqual({ sent: 4, retried: 0, dead: 0 });
    const c1 = port.at.filter((a) => a.target === 'C1').map((a) => a.ms);
    expect(c1[1]! - c1[0]!).toBeGreaterThanOrEqual(145);
    expect(c1[2]! - c1[1]!).toBeGreaterThanOrEqual(145);
    expect(port.at.find((a) => a.target === 'C2')!.ms - started).toBeLessThan(140);
    expect(port.posts().filter((p) => p.target === 'C1').map((p) => p.message.text)).toEqual(['C1 #0', 'C1 #1', 'C1 #2']);
  });

  it('counts the pace from the platform answer, so a slow answer cannot bring two posts closer than the pace', async () => {
    await enqueueMany(t.db, posts('C1', 3));
    const port = new SlowAnswerPort('local');
    expect(await deliverDue(t.db, new Map([['local', port]]), now, { workerId: 'w' })).toEqual({ sent: 3, retried: 0, dead: 0 });
    const answered = port.answeredAt;
    const c1 = port.at.map((a) => a.ms);
    // Each post leaves a full pace after the answer to the one before (which took 120 ms to come).
    expect(c1[1]! - answered[0]!).toBeGreaterThanOrEqual(145);
    expect(c1[2]! - answered[1]!).toBeGreaterThanOrEqual(145);
  });

  it('leaves a channel another worker is sending to with that worker', async () => {
    await enqueueMany(t.db, posts('C1', 4));
    const first = await claimDue(t.db, ['local'], now, { workerId: 'a', batchSize: 2, leaseMs: 60_000 });
    expect(first.map((r) => r.key)).toEqual(['C1:0', 'C1:1']);
    expect(await claimDue(t.db, ['local'], now, { workerId: 'b', batchSize: 10, leaseMs: 60_000 })).toEqual([]);
    const mine = await claimDue(t.db, ['local'], now, { workerId: 'a', batchSize: 10, leaseMs: 60_000 });
    expect(mine.map((r) => r.key)).toEqual(['C1:2', 'C1:3']);
  });

  it('puts back unsent what a paced queue could not reach before its claim runs out, so no other worker can post it too', async () => {
    await enqueueMany(t.db, posts('C1', 8));
    const port = new PacedPort('local');
    // The claim leaves 600 ms of sending before its margin; the port posts to C1 every 150 ms.
    const result = await deliverDue(t.db, new Map([['local', port]]), now, { workerId: 'w', leaseMs: 5_600 });
    const rows = await t.db.selectFrom('outbox').select(['key', 'status', 'claimed_by', 'available_at']).orderBy('id').execute();
    const sent = rows.filter((r) => r.status === 'sent').map((r) => r.key);
    const back = rows.filter((r) => r.status === 'pending');
    expect(sent.length).toBeGreaterThan(0);
    expect(back.length).toBeGreaterThan(0);
    expect(result).toEqual({ sent: sent.length, retried: back.length, dead: 0 });
    // In order: the first ones went, the rest wait unclaimed for a later pass.
    expect(port.posts().map((p) => p.key)).toEqual(sent);
    expect(sent).toEqual(rows.slice(0, sent.length).map((r) => r.key));
    for (const r of back) {
      expect(r.claimed_by).toBeNull();
      expect(new Date(r.available_at).getTime()).toBeGreaterThan(now.getTime());
    }
  });
});

/** A platform whose channel history can be searched for a message's key, as Slack's can. */
class SearchablePort extends RecordingPort {
  async findSent(_kind: 'channel' | 'user', target: string, key: string): Promise<SentRef | null> {
    const found = this.sent.find((s) => s.target === target && s.key === key);
    return found ? { messageId: found.messageId } : null;
  }
}

describe('marking what went out', () => {
  beforeEach(() => t.reset());

  it('marks many sent posts in a few statements, each with its own message', async () => {
    await enqueueMany(t.db, Array.from({ length: 30 }, (_, i) => posts(`C${i}`, 10)).flat());
    const counting = countingDb(t);
    try {
      const port = new RecordingPort('local');
      expect(await deliverDue(counting.db, new Map([['local', port]]), now, { workerId: 'w' })).toEqual({ sent: 300, retried: 0, dead: 0 });
      const marks = counting.statements.filter((s) => s.trim().startsWith('with v (id, message_id'));
      // The claim, the files lookup, then the marks: a few statements for 300 rows, not 300.
      expect(marks.length).toBeGreaterThanOrEqual(1);
      expect(counting.statements.length).toBeLessThanOrEqual(12);
    } finally {
      await counting.close();
    }
    const rows = await t.db.selectFrom('outbox').select(['key', 'status', 'platform_message_id', 'claimed_until']).orderBy('id').execute();
    expect(rows.filter((r) => r.status !== 'sent' || r.platform_message_id === null || r.claimed_until !== null)).toEqual([]);
    expect(new Set(rows.map((r) => r.platform_message_id)).size).toBe(300);
  });

  it('leaves a row claimed when its mark cannot be written, so it is looked for on the platform before it goes again', async () => {
    await enqueueMany(t.db, posts('C1', 3));
    const port = new SearchablePort('local');
    // The marks fail: the bot lost its database between sending and marking.
    await sql`create function refuse_sent() returns trigger language plpgsql as $$ begin if new.status = 'sent' then raise exception 'database went away'; end if; return new; end $$`.execute(t.db);
    await sql`create trigger refuse_sent before update on outbox for each row execute function refuse_sent()`.execute(t.db);
    try {
      await expect(deliverDue(t.db, new Map([['local', port]]), now, { workerId: 'w' })).rejects.toThrow(/database went away/);
    } finally {
      await sql`drop trigger refuse_sent on outbox`.execute(t.db);
      await sql`drop function refuse_sent()`.execute(t.db);
    }
    expect(port.posts()).toHaveLength(3);
    const rows = await t.db.selectFrom('outbox').select(['status', 'claimed_by', 'attempts']).execute();
    expect(rows).toEqual(Array.from({ length: 3 }, () => ({ status: 'pending', claimed_by: 'w', attempts: 1 })));
    // Once the claim ran out, the next pass finds each post already there and only marks it.
    const later = new Date(now.getTime() + 120_000);
    expect(await deliverDue(t.db, new Map([['local', port]]), later, { workerId: 'w2' })).toEqual({ sent: 3, retried: 0, dead: 0 });
    expect(port.posts()).toHaveLength(3);
    const marked = await t.db.selectFrom('outbox').select(['status', 'platform_message_id']).orderBy('id').execute();
    expect(marked).toEqual(port.posts().map((p) => ({ status: 'sent', platform_message_id: p.messageId })));
  });
});
