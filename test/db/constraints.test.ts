import { beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/connect.js';
import { useTestDb } from '../helpers/db.js';

const t = useTestDb();
const now = new Date('2026-03-02T14:00:00Z');

async function cohortWithLearner(db: Db) {
  const cohort = await db
    .insertInto('cohorts')
    .values({
      name: 'spring',
      platform: 'local',
      channel_id: 'C1',
      program_id: 'ds-to-mle',
      start_date: '2026-03-02',
      weekday: 1,
      slot_time: '09:00',
      timezone: 'Europe/Berlin',
      created_by: 'admin',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const member = await db
    .insertInto('members')
    .values({ cohort_id: cohort.id, user_id: 'maria', display_name: 'Maria', role: 'learner', away_until: null, joined_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  const round = await db
    .insertInto('rounds')
    .values({ cohort_id: cohort.id, week: 1, milestone_id: 'production-code', local_date: '2026-03-02', opens_at: now, created_at: now, channel_id: 'C1' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { cohortId: cohort.id, memberId: member.id, roundId: round.id };
}

describe('unique constraints the engine relies on', () => {
  beforeEach(() => t.reset());

  it('one round per cohort and week', async () => {
    const { cohortId } = await cohortWithLearner(t.db);
    await expect(
      t.db
        .insertInto('rounds')
        .values({ cohort_id: cohortId, week: 1, milestone_id: 'x', local_date: '2026-03-02', opens_at: now, created_at: now, channel_id: 'C1' })
        .execute(),
    ).rejects.toThrow(/rounds_cohort_week_key/);
  });

  it('one check-in per round and member', async () => {
    const { roundId, memberId } = await cohortWithLearner(t.db);
    const checkin = { round_id: roundId, member_id: memberId, status: 'on-track' as const, confidence: 4, blocker: null, note: null, source: 'button' as const, created_at: now, updated_at: now };
    await t.db.insertInto('checkins').values(checkin).execute();
    await expect(t.db.insertInto('checkins').values(checkin).execute()).rejects.toThrow(/checkins_round_member_key/);
  });

  it('one open stall flag per learner, any number of resolved ones', async () => {
    const { cohortId, memberId } = await cohortWithLearner(t.db);
    const flag = { member_id: memberId, cohort_id: cohortId, reasons: JSON.stringify([]), mentor_member_id: null, opened_at: now };
    await t.db.insertInto('stall_flags').values({ ...flag, status: 'resolved', resolved_at: now }).execute();
    await t.db.insertInto('stall_flags').values(flag).execute();
    await expect(t.db.insertInto('stall_flags').values({ ...flag, status: 'acknowledged' }).execute()).rejects.toThrow(/stall_flags_one_open_per_member/);
  });

  it('one outbox row per idempotency key', async () => {
    const row = { key: 'round:1:1', kind: 'round', platform: 'local' as const, target_kind: 'channel' as const, target_id: 'C1', payload: '{}', available_at: now, created_at: now };
    await t.db.insertInto('outbox').values(row).execute();
    await expect(t.db.insertInto('outbox').values(row).execute()).rejects.toThrow(/outbox_key_key/);
    const kept = await t.db.insertInto('outbox').values(row).onConflict((oc) => oc.column('key').doNothing()).returning('id').execute();
    expect(kept).toEqual([]);
  });

  it('one processed row per platform event', async () => {
    await t.db.insertInto('processed_events').values({ platform: 'slack', event_id: 'Ev1', received_at: now }).execute();
    await expect(t.db.insertInto('processed_events').values({ platform: 'slack', event_id: 'Ev1', received_at: now }).execute()).rejects.toThrow(/processed_events_pkey/);
    await t.db.insertInto('processed_events').values({ platform: 'discord', event_id: 'Ev1', received_at: now }).execute();
  });

  it('one member row per user and cohort, and rejects unknown roles', async () => {
    const { cohortId } = await cohortWithLearner(t.db);
    const m = { cohort_id: cohortId, user_id: 'maria', display_name: 'Maria', away_until: null, joined_at: now };
    await expect(t.db.insertInto('members').values({ ...m, role: 'mentor' }).execute()).rejects.toThrow(/members_cohort_user_key/);
    await expect(t.db.insertInto('members').values({ ...m, user_id: 'x', role: 'boss' as 'mentor' }).execute()).rejects.toThrow(/check/);
  });
});
