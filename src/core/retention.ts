import { sql } from 'kysely';
import type { Db } from '../db/connect.js';

const DAY_MS = 86_400_000;

/**
 * RETENTION_DAYS: once a cohort has been finished that long, its check-in notes and blockers (every
 * edit of them, and the blockers' copies in the FAQ log) are removed. Statuses, ratings and dates
 * stay, so every count stays whole. Returns how many check-ins lost text.
 */
export async function purgeExpiredNotes(db: Db, now: Date, retentionDays: number | null | undefined): Promise<number> {
  if (!retentionDays) return 0;
  const cutoff = new Date(now.getTime() - retentionDays * DAY_MS);
  const expired = db
    .selectFrom('checkins')
    .innerJoin('rounds', 'rounds.id', 'checkins.round_id')
    .innerJoin('cohorts', 'cohorts.id', 'rounds.cohort_id')
    .select('checkins.id')
    .where('cohorts.status', '=', 'finished')
    .where('cohorts.finished_at', '<=', cutoff);
  const expiredCohorts = db.selectFrom('cohorts').select('id').where('status', '=', 'finished').where('finished_at', '<=', cutoff);
  return db.transaction().execute(async (trx) => {
    // A blocker a mentor answered stays: the answer needs its question.
    await trx
      .deleteFrom('faq_questions')
      .where('via', '=', 'checkin')
      .where('cohort_id', 'in', expiredCohorts)
      .where('id', 'not in', trx.selectFrom('faq_mentor_answers').select('question_id'))
      .execute();
    await trx
      .updateTable('checkin_history')
      .set({ note: null, blocker: null })
      .where('checkin_id', 'in', expired)
      .where(sql<boolean>`(note is not null or blocker is not null)`)
      .execute();
    const purged = await trx
      .updateTable('checkins')
      .set({ note: null, blocker: null })
      .where('id', 'in', expired)
      .where(sql<boolean>`(note is not null or blocker is not null)`)
      .executeTakeFirst();
    return Number(purged.numUpdatedRows);
  });
}
