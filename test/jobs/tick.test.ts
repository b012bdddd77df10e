import { describe, expect, it } from 'vitest';
import { runTick } from '../../src/jobs/tick.js';
import { useTestDb } from '../helpers/db.js';
import { testEngine } from '../helpers/engine.js';

const t = useTestDb();

describe('the scheduler tick', () => {
  it('forgets platform event ids after a week, keeping recent ones for retries', async () => {
    const e = await testEngine(t.db, '2026-03-10T12:00:00Z');
    await t.db
      .insertInto('processed_events')
      .values([
        { platform: 'slack', event_id: 'Ev-old', received_at: new Date('2026-03-02T12:00:00Z') },
        { platform: 'slack', event_id: 'Ev-new', received_at: new Date('2026-03-09T12:00:00Z') },
      ])
      .execute();
    const summary = await runTick(e.deps, e.clock.now());
    expect(summary).toEqual({ rounds: 0, reminders: 0, flagged: 0, resolved: 0, resent: 0, escalated: 0, digests: 0, ended: 0 });
    const left = await t.db.selectFrom('processed_events').select('event_id').execute();
    expect(left.map((r) => r.event_id)).toEqual(['Ev-new']);
  });

  it('drops the kept copy of a file a week after its message was sent, and keeps files still to send', async () => {
    const e = await testEngine(t.db, '2026-03-10T12:00:00Z');
    const message = (key: string, status: 'sent' | 'pending', sentAt: string | null) => ({
      key,
      kind: 'report',
      platform: 'local' as const,
      target_kind: 'user' as const,
      target_id: 'dana',
      payload: JSON.stringify({ text: 'report' }),
      status,
      available_at: new Date('2026-03-01T12:00:00Z'),
      sent_at: sentAt === null ? null : new Date(sentAt),
      created_at: new Date('2026-03-01T12:00:00Z'),
    });
    await t.db
      .insertInto('outbox')
      .values([message('old', 'sent', '2026-03-02T12:00:00Z'), message('recent', 'sent', '2026-03-09T12:00:00Z'), message('waiting', 'pending', null)])
      .execute();
    await t.db
      .insertInto('outbox_files')
      .values(['old', 'recent', 'waiting'].map((key) => ({ outbox_key: key, position: 0, name: `${key}.png`, content_type: 'image/png', bytes: new Uint8Array([1, 2, 3]) })))
      .execute();
    await runTick(e.deps, e.clock.now());
    const left = await t.db.selectFrom('outbox_files').select('outbox_key').orderBy('outbox_key').execute();
    expect(left.map((r) => r.outbox_key)).toEqual(['recent', 'waiting']);
  });
});
