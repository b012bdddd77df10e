import type { AuditVia, Platform } from '../db/types.js';
import type { Executor } from './outbox.js';

export type AuditAction =
  | 'cohort.create'
  | 'cohort.edit'
  | 'cohort.skip'
  | 'cohort.unskip'
  | 'cohort.add'
  | 'cohort.mentor'
  | 'cohort.remove'
  | 'cohort.pause'
  | 'cohort.resume'
  | 'flag.acknowledge'
  | 'flag.resolve'
  | 'data.delete';

export interface AuditEntry {
  at: Date;
  actor: { platform: Platform | 'cli'; userId: string; displayName: string };
  action: AuditAction;
  cohort?: { id: number; name: string } | null;
  subject?: string | null;
  /** The member the action was about: once their data is erased the record says "a learner". */
  subjectMemberId?: number | null;
  detail?: string | null;
  /** Where it was done; by default the command line for a `cli` actor, else chat. */
  via?: AuditVia;
}

const VIA_WORDS: Record<AuditVia, string> = { chat: 'in chat', dashboard: 'on the dashboard', cli: 'on the command line' };

/** Puts an action on record; call it in the transaction of the change it records, when there is one. */
export async function recordAudit(db: Executor, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      at: entry.at,
      platform: entry.actor.platform,
      actor_id: entry.actor.userId,
      actor_name: entry.actor.displayName,
      action: entry.action,
      cohort_id: entry.cohort?.id ?? null,
      cohort_name: entry.cohort?.name ?? null,
      subject: entry.subject ?? null,
      subject_member_id: entry.subjectMemberId ?? null,
      detail: entry.detail ?? null,
      via: entry.via ?? (entry.actor.platform === 'cli' ? 'cli' : 'chat'),
    })
    .execute();
}

export interface AuditRecord {
  at: string;
  platform: string;
  actor_id: string;
  actor_name: string;
  action: string;
  cohort: string | null;
  subject: string | null;
  detail: string | null;
  via: AuditVia | null;
}

/** How a record names a learner whose data was erased. */
export const ERASED_SUBJECT = 'a learner';

/**
 * The record, oldest first; with a cohort name, only what was done in that cohort; with a
 * platform, only what concerns it (its cohorts, and what was done outside a cohort by its people
 * or on the command line), for its organizers.
 */
export async function listAudit(db: Executor, cohortName?: string, platform?: Platform): Promise<AuditRecord[]> {
  let q = db
    .selectFrom('audit_log as a')
    .leftJoin('members as m', 'm.id', 'a.subject_member_id')
    .selectAll('a')
    .select('m.erased_at as subject_erased_at');
  if (cohortName !== undefined) q = q.where('a.cohort_name', '=', cohortName);
  if (platform !== undefined) {
    q = q.where((eb) =>
      eb.or([
        eb('a.cohort_id', 'in', eb.selectFrom('cohorts').select('id').where('platform', '=', platform)),
        eb.and([eb('a.cohort_id', 'is', null), eb('a.platform', 'in', [platform, 'cli'])]),
      ]),
    );
  }
  const rows = await q.orderBy('a.at').orderBy('a.id').execute();
  return rows.map((r) => ({
    at: new Date(r.at).toISOString(),
    platform: r.platform,
    actor_id: r.actor_id,
    actor_name: r.actor_name,
    action: r.action,
    cohort: r.cohort_name,
    subject: r.subject_erased_at ? ERASED_SUBJECT : r.subject,
    detail: r.detail,
    via: r.via,
  }));
}

/** An erased learner's name leaves the record; the entries stay, about "a learner". */
export async function anonymizeAudit(db: Executor, memberIds: readonly number[]): Promise<void> {
  if (memberIds.length === 0) return;
  await db.updateTable('audit_log').set({ subject: ERASED_SUBJECT }).where('subject_member_id', 'in', [...memberIds]).execute();
}

/** One line per action: when (UTC), who, what, in which cohort, about whom, and where it was done. */
export function formatAudit(records: readonly AuditRecord[]): string {
  return records
    .map((r) =>
      [
        r.at.replace('T', ' ').replace(/:\d{2}\.\d{3}Z$/, ' UTC'),
        `${r.actor_name} (${r.platform}:${r.actor_id})`,
        r.action,
        r.cohort ? `in "${r.cohort}"` : null,
        r.subject,
        r.detail ? `— ${r.detail}` : null,
        r.via ? VIA_WORDS[r.via] : null,
      ]
        .filter((p) => p !== null && p !== '')
        .join('  '),
    )
    .map((l) => `${l}\n`)
    .join('');
}
