import { sql, type Transaction } from 'kysely';
import type { Db } from '../../db/connect.js';
import type { Database } from '../../db/types.js';
import { enqueueMany, type Outgoing } from '../outbox.js';
import { alertTo, autoResolvedNotices, escalations, newReasonNotice, type Sender } from './alerts.js';
import { chunks, inTransaction } from './batch.js';
import { loadHistories } from './load-snapshot.js';
import type { EscalateDecision, OpenDecision, ResendDecision, ResolveDecision, ScanPlan, ScanResult, UpdateDecision } from './plan.js';
import { refreshAlerts } from './refresh.js';
import type { FlagRow } from './snapshot.js';

/**
 * Writes a plan, kind by kind in chunks, each chunk in a transaction with the messages it announces.
 * Every change is conditional on the state the plan read (the one-open-flag-per-learner index, the
 * flag's status, version or unset time), so a scan running at the same time makes none of the same
 * changes; the counts are of the changes this one made.
 */
export async function applyPlan(db: Db, plan: ScanPlan, s: Omit<Sender, 'histories'>): Promise<ScanResult> {
  const result: ScanResult = { opened: 0, updated: 0, resolved: 0, resent: 0, escalated: 0 };
  for (const part of chunks(plan.later)) await queueLater(db, part);
  const histories = await loadHistories(db, [...plan.open, ...plan.resend, ...plan.escalate].map((p) => p.learner.id));
  const sender: Sender = { ...s, histories };
  for (const part of chunks(plan.open)) result.opened += await openFlags(db, sender, part);
  for (const part of chunks(plan.update)) result.updated += await updateFlags(db, sender, part);
  for (const part of chunks(plan.resolve)) result.resolved += await autoResolveFlags(db, sender, part);
  for (const part of chunks(plan.remove)) result.resolved += await removeFlags(db, sender.now, part);
  for (const part of chunks(plan.resend)) result.resent += await resendAlerts(db, sender, part);
  for (const part of chunks(plan.escalate)) result.escalated += await escalateFlags(db, sender, part);
  return result;
}

async function queueLater(db: Db, part: ScanPlan['later']): Promise<void> {
  await sql`
      insert into stall_queue (member_id, due_at)
      select * from unnest(${part.map((l) => l.memberId)}::integer[], ${part.map((l) => l.at.toISOString())}::timestamptz[])
      on conflict do nothing`.execute(db);
}

function openFlags(db: Db, s: Sender, part: OpenDecision[]): Promise<number> {
  return inTransaction(db, async (trx) => {
    const inserted = await trx
      .insertInto('stall_flags')
      .values(
        part.map((o) => ({
          member_id: o.learner.id,
          cohort_id: o.cohort.id,
          reasons: JSON.stringify(o.reasons),
          mentor_member_id: o.mentor?.id ?? null,
          opened_at: s.now,
        })),
      )
      .onConflict((oc) => oc.column('member_id').where('status', '<>', 'resolved').doNothing())
      .returning(['id', 'member_id'])
      .execute();
    const byMember = new Map(part.map((o) => [o.learner.id, o]));
    const outs = inserted.flatMap((row) => {
      const o = byMember.get(row.member_id)!;
      return alertTo(s, { flagId: row.id, learner: o.learner, cohort: o.cohort, reasons: o.reasons }, o.mentor, 'new');
    });
    await enqueueMany(trx, outs);
    return inserted.length;
  });
}

/**
 * Claims flags with a conditional update, so a scan running at the same time claims none of the
 * same ones, and queues the messages for those it claimed in the same transaction.
 */
function claimAndSend<P extends { flag: { id: number } }>(
  db: Db,
  part: P[],
  claim: (trx: Transaction<Database>, ids: number[]) => Promise<Array<{ id: number }>>,
  messagesFor: (p: P, trx: Transaction<Database>) => Promise<Outgoing[]>,
): Promise<number> {
  return inTransaction(db, async (trx) => {
    const claimed = new Set((await claim(trx, part.map((p) => p.flag.id))).map((d) => d.id));
    const outs: Outgoing[] = [];
    for (const p of part) if (claimed.has(p.flag.id)) outs.push(...(await messagesFor(p, trx)));
    await enqueueMany(trx, outs);
    return claimed.size;
  });
}

function updateFlags(db: Db, s: Sender, part: UpdateDecision[]): Promise<number> {
  return claimAndSend(
    db,
    part,
    async (trx, ids) => {
      const byId = new Map(part.map((u) => [u.flag.id, u]));
      // Conditional on the version read, so two scans at once change (and announce) it once.
      const values = ids.map((id) => sql`(${id}::integer, ${JSON.stringify(byId.get(id)!.reasons)}::text, ${byId.get(id)!.flag.version}::integer)`);
      const res = await sql<{ id: number }>`
          update stall_flags as f set reasons = v.reasons::jsonb, version = f.version + 1
          from (values ${sql.join(values)}) as v(id, reasons, version)
          where f.id = v.id and f.status <> 'resolved' and f.version = v.version
          returning f.id`.execute(trx);
      return res.rows;
    },
    async (u, trx) => [...((await refreshAlerts(trx, u.flag.id, s.now))?.edits ?? []), ...newReasonNotice(s, u)],
  );
}

function autoResolveFlags(db: Db, s: Sender, part: ResolveDecision[]): Promise<number> {
  return claimAndSend(
    db,
    part,
    (trx, ids) =>
      trx
        .updateTable('stall_flags')
        .set({ status: 'resolved', resolution: 'auto', resolved_at: s.now, resolved_by: null })
        .where('id', 'in', ids)
        .where('status', '<>', 'resolved')
        .returning('id')
        .execute(),
    async (p, trx) => [...autoResolvedNotices(s, p), ...((await refreshAlerts(trx, p.flag.id, s.now))?.edits ?? [])],
  );
}

/** Flags of members who are no longer learners of the cohort: closed without a word. */
async function removeFlags(db: Db, now: Date, part: FlagRow[]): Promise<number> {
  const done = await db
    .updateTable('stall_flags')
    .set({ status: 'resolved', resolution: 'removed', resolved_at: now, resolved_by: null })
    .where('id', 'in', part.map((f) => f.id))
    .where('status', '<>', 'resolved')
    .returning('id')
    .execute();
  return done.length;
}

function resendAlerts(db: Db, s: Sender, part: ResendDecision[]): Promise<number> {
  return claimAndSend(
    db,
    part,
    (trx, ids) =>
      trx.updateTable('stall_flags').set({ resent_at: s.now }).where('id', 'in', ids).where('status', '=', 'open').where('resent_at', 'is', null).returning('id').execute(),
    async (p, trx) => {
      if (p.reassign) await trx.updateTable('stall_flags').set({ mentor_member_id: p.mentor!.id }).where('id', '=', p.flag.id).execute();
      return alertTo(s, { flagId: p.flag.id, learner: p.learner, cohort: p.cohort, reasons: p.reasons, alertedAt: p.flag.openedAt }, p.mentor, 'reminder');
    },
  );
}

function escalateFlags(db: Db, s: Sender, part: EscalateDecision[]): Promise<number> {
  return claimAndSend(
    db,
    part,
    (trx, ids) =>
      trx.updateTable('stall_flags').set({ escalated_at: s.now }).where('id', 'in', ids).where('status', '=', 'open').where('escalated_at', 'is', null).returning('id').execute(),
    async (p) => escalations(s, p),
  );
}
