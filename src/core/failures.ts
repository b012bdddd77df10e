import type { AdminId } from '../config.js';
import type { Db } from '../db/connect.js';
import { transact } from '../db/transact.js';
import { organizersOf } from './organizers.js';
import { enqueueMany } from './outbox.js';
import { localDate } from './schedule.js';

/** A message that will not be delivered, with why: what `mentorbot outbox failed` lists. */
export interface Failure {
  id: string;
  key: string;
  kind: string;
  status: 'dead' | 'dropped';
  cohort: string | null;
  platform: string;
  target: string;
  reason: string;
  at: string;
}

export async function listFailures(db: Db): Promise<Failure[]> {
  const rows = await db
    .selectFrom('outbox as o')
    .leftJoin('cohorts as c', 'c.id', 'o.cohort_id')
    .select(['o.id', 'o.key', 'o.kind', 'o.status', 'c.name as cohort', 'o.platform', 'o.target_kind', 'o.target_id', 'o.last_error', 'o.available_at'])
    .where('o.status', 'in', ['dead', 'dropped'])
    .orderBy('o.id')
    .execute();
  return rows.map((r) => ({
    id: String(r.id),
    key: r.key,
    kind: r.kind,
    status: r.status as Failure['status'],
    cohort: r.cohort,
    platform: r.platform,
    target: `${r.target_kind}:${r.target_id}`,
    reason: r.last_error ?? 'no reason recorded',
    at: new Date(r.available_at).toISOString(),
  }));
}

/** Puts failed messages back in the queue, as new: `outbox retry <id>` or `--all`. Returns how many. */
export async function retryFailures(db: Db, which: { id: string } | 'all', now: Date): Promise<number> {
  let q = db
    .updateTable('outbox')
    .set({ status: 'pending', attempts: 0, available_at: now, claimed_by: null, claimed_until: null, reported_at: null })
    .where('status', 'in', ['dead', 'dropped']);
  if (which !== 'all') q = q.where('id', '=', which.id);
  const res = await q.executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/**
 * Nothing dies silently: the organizers of each cohort get at most one DM a day listing its messages
 * that could not be delivered since the last such list, each with its reason.
 */
export async function reportFailures(db: Db, admins: readonly AdminId[], now: Date): Promise<number> {
  const pending = await db
    .selectFrom('outbox as o')
    .innerJoin('cohorts as c', 'c.id', 'o.cohort_id')
    .select(['o.id', 'o.kind', 'o.target_id', 'o.last_error', 'c.id as cohort_id', 'c.name', 'c.platform', 'c.created_by', 'c.timezone'])
    .where('o.status', '=', 'dead')
    .where('o.reported_at', 'is', null)
    .where('o.kind', '<>', 'failures')
    .orderBy('o.id')
    .execute();
  const byCohort = new Map<number, typeof pending>();
  for (const r of pending) byCohort.set(r.cohort_id, [...(byCohort.get(r.cohort_id) ?? []), r]);
  let sent = 0;
  for (const [cohortId, rows] of byCohort) {
    const c = rows[0]!;
    const day = localDate(now, c.timezone);
    const lines = rows.slice(0, 20).map((r) => `• ${r.kind} to ${r.target_id}: ${r.last_error ?? 'no reason recorded'}`);
    if (rows.length > 20) lines.push(`…and ${rows.length - 20} more: \`mentorbot outbox failed\` lists them all.`);
    const text = [`**${c.name}**: ${rows.length === 1 ? 'a message' : `${rows.length} messages`} could not be delivered.`, ...lines, '`mentorbot outbox retry <id>` sends one again once the cause is fixed.'].join('\n');
    sent += await transact(db, async (trx) => {
      const written = await enqueueMany(
        trx,
        organizersOf(c, admins).map((userId) => ({ key: `failures:${cohortId}:${day}:to:${userId}`, kind: 'failures' as const, platform: c.platform, targetKind: 'user' as const, targetId: userId, message: { text }, availableAt: now, cohortId })),
      );
      // Already told today: these wait for tomorrow's list.
      if (written.size === 0) return 0;
      await trx.updateTable('outbox').set({ reported_at: now }).where('id', 'in', rows.map((r) => r.id)).execute();
      return written.size;
    });
  }
  return sent;
}
