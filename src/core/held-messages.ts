import type { AdminId } from '../config.js';
import type { Db } from '../db/connect.js';
import { transact } from '../db/transact.js';
import type { OutboxRow } from '../db/types.js';
import { mention } from './handlers/cohort-admin.js';
import { presentMentors, reassignAlerts } from './membership-changes.js';
import { threadReminder } from './messages/platform.js';
import { enqueueMany, type Executor } from './outbox.js';

/**
 * A message that waited (access revoked, a channel unusable, a long retry) may no longer make sense
 * by the time it can go: a reminder for a round that has closed or been answered, a round post for a
 * week that closed, an alert about a flag since resolved. Returns why it should be dropped, or null.
 */
export async function staleReason(db: Executor, row: Pick<OutboxRow, 'kind' | 'key'>): Promise<string | null> {
  const [, a, b] = row.key.split(':');
  if (row.kind === 'reminder' && /^reminder:\d+:\d+$/.test(row.key)) {
    const round = await db
      .selectFrom('rounds as r')
      .innerJoin('cohorts as c', 'c.id', 'r.cohort_id')
      .innerJoin('members as m', (join) => join.on('m.id', '=', Number(b)))
      .leftJoin('checkins as k', (join) => join.onRef('k.round_id', '=', 'r.id').onRef('k.member_id', '=', 'm.id'))
      .select((eb) => [
        'c.status',
        'm.left_at',
        'm.removed_at',
        'k.id as answered',
        eb.exists(eb.selectFrom('rounds as later').select('later.id').whereRef('later.cohort_id', '=', 'r.cohort_id').whereRef('later.week', '>', 'r.week')).as('closed'),
      ])
      .where('r.id', '=', Number(a))
      .executeTakeFirst();
    if (!round) return 'its round is gone';
    if (round.closed || round.status === 'finished') return 'its round closed before it could be sent';
    if (round.answered !== null) return 'the learner answered meanwhile';
    if (round.left_at !== null || round.removed_at !== null) return 'the learner is no longer in the cohort';
    return null;
  }
  if (row.kind === 'round' && /^round:\d+$/.test(row.key)) {
    const later = await db
      .selectFrom('rounds as r')
      .innerJoin('rounds as next', (join) => join.onRef('next.cohort_id', '=', 'r.cohort_id').onRef('next.week', '>', 'r.week'))
      .select('next.id')
      .where('r.id', '=', Number(a))
      .limit(1)
      .executeTakeFirst();
    return later ? 'its week closed before it could be posted' : null;
  }
  if (row.kind === 'alert' && /^alert:\d+/.test(row.key)) {
    const flag = await db.selectFrom('stall_flags').select('status').where('id', '=', Number(a)).executeTakeFirst();
    return !flag || flag.status === 'resolved' ? 'the flag was resolved before the alert could be sent' : null;
  }
  return null;
}

/**
 * Gives up a held message with its reason. A round post that never went out leaves its week not
 * run (when nobody answered it some other way), so nobody counts as having missed it.
 */
export async function dropRow(db: Db, row: Pick<OutboxRow, 'id' | 'kind' | 'key'>, reason: string): Promise<void> {
  await transact(db, async (trx) => {
    await trx.updateTable('outbox').set({ status: 'dropped', last_error: reason, claimed_until: null }).where('id', '=', row.id).execute();
    const round = /^round:(\d+)$/.exec(row.key);
    if (row.kind !== 'round' || !round) return;
    const answered = await trx.selectFrom('checkins').select('id').where('round_id', '=', Number(round[1])).limit(1).executeTakeFirst();
    if (!answered) await trx.updateTable('rounds').set({ state: 'not-run', not_run_reason: 'unreachable' }).where('id', '=', Number(round[1])).execute();
  });
}

/**
 * A DM that cannot be delivered (DMs closed, the account gone) is given up with its reason, and its
 * purpose is served another way: a learner's reminder becomes one mention under the round post; a
 * mentor's alert goes to the next mentor, else the organizers.
 */
export async function redirectUndeliverable(db: Db, admins: readonly AdminId[], row: OutboxRow, detail: string, now: Date): Promise<string> {
  return transact(db, async (trx) => {
    let instead = '';
    const reminder = /^reminder:(\d+):(\d+)$/.exec(row.key);
    const alert = /^alert:(\d+)/.exec(row.key);
    if (row.kind === 'reminder' && reminder) {
      const round = await trx.selectFrom('rounds').select(['id', 'week', 'cohort_id']).where('id', '=', Number(reminder[1])).executeTakeFirst();
      if (round) {
        const who = mention({ id: row.target_id, name: row.target_id }, row.platform);
        await enqueueMany(trx, [
          { key: `reminder-thread:${round.id}:${reminder[2]}`, kind: 'reminder', platform: row.platform, targetKind: 'reply', targetId: `round:${round.id}`, message: threadReminder(who, round.week), availableAt: now, cohortId: round.cohort_id },
        ]);
        instead = ': reminded under the round post instead';
      }
    } else if (row.kind === 'alert' && alert) {
      const flag = await trx
        .selectFrom('stall_flags as f')
        .innerJoin('cohorts as c', 'c.id', 'f.cohort_id')
        .innerJoin('members as m', (join) => join.onRef('m.cohort_id', '=', 'c.id').on('m.user_id', '=', row.target_id).on('m.role', '=', 'mentor'))
        .select(['f.cohort_id', 'c.platform', 'c.created_by', 'm.id as mentor_id'])
        .where('f.id', '=', Number(alert[1]))
        .where('f.status', '<>', 'resolved')
        .executeTakeFirst();
      if (flag) {
        const others = (await presentMentors(trx, flag.cohort_id)).filter((m) => m.id !== flag.mentor_id);
        await trx.updateTable('stall_flags').set({ mentor_member_id: flag.mentor_id }).where('id', '=', Number(alert[1])).execute();
        await enqueueMany(trx, await reassignAlerts(trx, { admins }, { cohortId: flag.cohort_id, platform: flag.platform, createdBy: flag.created_by }, flag.mentor_id, others, now));
        instead = others.length > 0 ? ': sent to another mentor instead' : ': sent to the organizers instead';
      }
    }
    const reason = `${detail}${instead}`;
    await trx.updateTable('outbox').set({ status: 'dead', last_error: reason, claimed_until: null }).where('id', '=', row.id).execute();
    return reason;
  });
}
