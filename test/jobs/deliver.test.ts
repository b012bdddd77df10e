import { beforeEach, describe, expect, it } from 'vitest';
import type { OutMessage, SentRef } from '../../src/core/chat.js';
import { enqueueMany } from '../../src/core/outbox.js';
import { claimDue, deliverDue } from '../../src/jobs/deliver.js';
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
