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
});
