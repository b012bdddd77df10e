import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Content } from '../content/types.js';
import type { AdminId } from '../config.js';
import type { Db } from '../db/connect.js';
import { RESEND_AFTER_MS, scanStalls, type ScanResult, type ScanScope } from '../core/stalls/scan.js';
import { acquireLease, releaseLease } from './lease.js';

/** The full scan runs at least this often as a safety net, and whenever the programs' rules change. */
export const FULL_SCAN_EVERY_MS = 24 * 3_600_000;
const LEASE = 'stall-evaluation';
const LEASE_MS = 10 * 60_000;
/** Queue rows taken per tick; the rest wait for the next one. */
const BATCH = 20_000;

export interface EvaluationOptions {
  admins?: readonly AdminId[];
  fullScanEveryMs?: number;
}

export interface EvaluationResult extends ScanResult {
  /** 'skipped': another replica holds the lease and is evaluating. */
  mode: 'full' | 'incremental' | 'skipped';
  /** Queued changes and due re-sends taken by this evaluation. */
  looked: number;
}

const NOTHING: ScanResult = { opened: 0, updated: 0, resolved: 0, resent: 0, escalated: 0 };

const fingerprints = new WeakMap<Content, string>();

/** Changes to a program's stall rules (thresholds, milestones, weeks) must reach every learner once. */
function rulesFingerprint(content: Content): string {
  let known = fingerprints.get(content);
  if (known === undefined) {
    const rules = [...content.programs.values()]
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((p) => ({ id: p.id, stall: p.stall, weeks: p.weeks.length, milestones: p.milestones.map((m) => [m.id, m.week]) }));
    known = createHash('sha256').update(JSON.stringify(rules)).digest('hex').slice(0, 16);
    fingerprints.set(content, known);
  }
  return known;
}

/**
 * Keeps stall flags current by looking only at what changed: the learners and cohorts the triggers
 * queued (answers, completions, breaks, membership, mentor actions, rounds, pauses), the moments
 * the rules read (a round closing, a break ending), and open flags due for a re-send. A full scan
 * runs once a day and whenever the rules change. One replica at a time does it; the others skip.
 */
export async function evaluateStalls(db: Db, content: Content, now: Date, options: EvaluationOptions = {}): Promise<EvaluationResult> {
  const mark = `stall-full-scan:${rulesFingerprint(content)}`;
  const resendBefore = new Date(now.getTime() - RESEND_AFTER_MS);
  // One read-only statement decides whether there is anything to do: a tick with nothing changed
  // costs one round trip and no commit. Each queued learner's cohort is looked up by its key: the
  // queue is small and its statistics stale (it empties every minute), and a join planned from them
  // read every member to find a handful.
  const found = await sql<{ src: 'queue' | 'flag' | 'scan'; seq: string | null; cohort_id: number | null; member_id: number | null; at: Date | null }>`
    (select 'queue' as src, q.seq::text as seq,
        coalesce((select m.cohort_id from members m where q.member_id <> 0 and m.id = q.member_id), q.cohort_id) as cohort_id,
        q.member_id, null::timestamptz as at
      from stall_queue q
      where q.due_at <= ${now}
      order by q.due_at
      limit ${BATCH})
    union all
    select 'flag', null, f.cohort_id, f.member_id, null
      from stall_flags f
      where f.status = 'open' and (
        (f.resent_at is null and coalesce(f.alerted_at, f.opened_at + interval '1 day') <= ${resendBefore})
        or (coalesce(f.resend_alerted_at, f.resent_at + interval '1 day') <= ${resendBefore} and f.escalated_at is null and f.mentor_member_id is not null))
    union all
    select 'scan', null, null, null, h.at from heartbeats h where h.name = ${mark}`.execute(db);
  const queued = found.rows.filter((r) => r.src === 'queue');
  const dueFlags = found.rows.filter((r) => r.src === 'flag');
  const lastFull = found.rows.find((r) => r.src === 'scan')?.at ?? null;
  const fullDue = lastFull === null || new Date(lastFull).getTime() <= now.getTime() - (options.fullScanEveryMs ?? FULL_SCAN_EVERY_MS);
  if (!fullDue && queued.length === 0 && dueFlags.length === 0) return { ...NOTHING, mode: 'incremental', looked: 0 };

  const holder = randomUUID();
  if (!(await acquireLease(db, LEASE, holder, now, LEASE_MS))) return { ...NOTHING, mode: 'skipped', looked: 0 };
  try {
    // Deleted by seq: a row touched again since it was read has a new one and stays for the next tick.
    const done = async () => {
      const seqs = queued.map((r) => r.seq!);
      if (seqs.length > 0) await sql`delete from stall_queue where seq = any(${seqs}::bigint[])`.execute(db);
    };
    if (fullDue) {
      const result = await scanStalls(db, content, now, { admins: options.admins });
      await done();
      await db
        .insertInto('heartbeats')
        .values({ name: mark, at: now })
        .onConflict((oc) => oc.column('name').doUpdateSet({ at: now }))
        .execute();
      return { ...result, mode: 'full', looked: queued.length };
    }

    const scope = new Map<number, Set<number> | 'all'>();
    const add = (cohortId: number, memberId: number) => {
      const current = scope.get(cohortId);
      if (current === 'all') return;
      if (memberId === 0) scope.set(cohortId, 'all');
      else if (current) current.add(memberId);
      else scope.set(cohortId, new Set([memberId]));
    };
    // A learner whose member row is gone has nothing left to flag (cohort_id is then 0).
    for (const r of [...queued, ...dueFlags]) if (r.cohort_id) add(r.cohort_id, r.member_id!);
    const result = scope.size === 0 ? NOTHING : await scanStalls(db, content, now, { admins: options.admins, scope: scope as ScanScope });
    await done();
    return { ...result, mode: 'incremental', looked: queued.length + dueFlags.length };
  } finally {
    await releaseLease(db, LEASE, holder);
  }
}
