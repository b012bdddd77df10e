import { CompiledQuery, sql } from 'kysely';
import type { Program } from '../content/types.js';
import type { Db } from '../db/connect.js';
import { isConnectionError } from '../db/errors.js';
import { transact, UncertainCommitError } from '../db/transact.js';
import type { Checkin, CheckinSource, CheckinStatus, Cohort, Member, Platform, Round } from '../db/types.js';
import { JOIN_GRACE } from './attendance.js';
import { COUNT_MARKER, refreshRoundPosts } from './round-post.js';
import { learnerMilestone } from './rounds.js';
import { LAST_WEEK_OPEN_MS } from './schedule.js';

export { LAST_WEEK_OPEN_MS };

export interface CheckinInput {
  status: CheckinStatus;
  confidence?: number | null;
  blocker?: string | null;
  note?: string | null;
  /** Milestones the learner says they completed with this answer. */
  milestones?: string[];
  source: CheckinSource;
}

export type CheckinOutcome =
  | {
      kind: 'recorded';
      checkin: Checkin;
      edited: boolean;
      late: boolean;
      completed: string[];
      undone: string[];
      nextWeek: number | null;
      /** The milestone the learner was asked about: the week's, or their next one when they have done it. */
      milestoneId: string;
    }
  /** The same answer again: nothing was written. */
  | { kind: 'unchanged'; checkin: Checkin; milestoneId: string; nextWeek: number | null }
  /** nextWeek null: the program's last week, closed a week after it opened. */
  | { kind: 'closed'; existing: Checkin; nextWeek: number | null }
  /** The program has ended: no first answer is taken any more (its final report is out). */
  | { kind: 'finished' };


/**
 * Records or edits a learner's answer to a round. An answer can be edited until the next round
 * opens; a first answer after that is still kept, marked late. Every version goes to history.
 */
export async function recordCheckin(
  db: Db,
  ctx: { cohort: Cohort; member: Member; round: Round; program: Program },
  input: CheckinInput,
  now: Date,
): Promise<CheckinOutcome> {
  const { cohort, member, round, program } = ctx;
  return transact(db, async (trx) => {
    // One check-in per round at a time, so each sees the others' answers when it counts them. The
    // reads come in the next statement: in READ COMMITTED only a statement that starts after the
    // lock is granted sees what the transactions it waited for committed.
    await trx.selectFrom('rounds').select('id').where('id', '=', round.id).forUpdate().execute();
    const locked = await trx
      .selectFrom('rounds as r')
      .leftJoin('checkins as mine', (join) => join.onRef('mine.round_id', '=', 'r.id').on('mine.member_id', '=', member.id))
      .select((eb) => [
        eb
          .selectFrom('rounds as later')
          .select('later.week')
          .whereRef('later.cohort_id', '=', 'r.cohort_id')
          .whereRef('later.week', '>', 'r.week')
          .orderBy('later.week')
          .limit(1)
          .as('next_week'),
        // What the learner completed and by which answer: an edit may take its own back.
        eb
          .selectFrom('milestone_completions as mc')
          .select(sql<string | null>`string_agg(mc.milestone_id || ':' || coalesce(mc.checkin_id::text, ''), ',')`.as('list'))
          .where('mc.member_id', '=', member.id)
          .as('completions'),
        'mine.id as c_id',
        'mine.status as c_status',
        'mine.confidence as c_confidence',
        'mine.blocker as c_blocker',
        'mine.note as c_note',
        'mine.late as c_late',
        'mine.source as c_source',
        'mine.created_at as c_created_at',
        'mine.updated_at as c_updated_at',
      ])
      .where('r.id', '=', round.id)
      .executeTakeFirstOrThrow();
    const nextWeek = locked.next_week ?? null;
    const existing: Checkin | undefined =
      locked.c_id === null
        ? undefined
        : {
            id: locked.c_id,
            round_id: round.id,
            member_id: member.id,
            status: locked.c_status!,
            confidence: locked.c_confidence,
            blocker: locked.c_blocker,
            note: locked.c_note,
            late: locked.c_late!,
            source: locked.c_source!,
            created_at: locked.c_created_at!,
            updated_at: locked.c_updated_at!,
          };
    const lastWeekOver = round.week >= program.weeks.length && now.getTime() >= new Date(round.opens_at).getTime() + LAST_WEEK_OPEN_MS;
    const closed = nextWeek !== null || lastWeekOver;
    if ((closed || cohort.status === 'finished') && existing) return { kind: 'closed', existing, nextWeek };
    if (cohort.status === 'finished') return { kind: 'finished' };

    // What this answer completed before: an edit may take it back (an accidental Done, an unticked box).
    // Milestone ids are kebab-case, so the joined list is unambiguous.
    const completions = (locked.completions ?? '')
      .split(',')
      .filter(Boolean)
      .map((item) => {
        const [milestone_id, checkin] = item.split(':');
        return { milestone_id: milestone_id!, checkin_id: checkin ? Number(checkin) : null };
      });
    const madeByThis = existing ? completions.filter((c) => c.checkin_id === existing.id).map((c) => c.milestone_id) : [];
    const doneBefore = new Set(completions.filter((c) => !existing || c.checkin_id !== existing.id).map((c) => c.milestone_id));
    // A form says everything; a click or a quick answer names the status (and a quick one its note or
    // blocker), so every other field keeps what the answer had. Only moving away from Done, or a
    // form that no longer ticks a milestone, takes a completion back.
    const whole = input.source === 'form';
    const theirs = learnerMilestone(program, round.milestone_id, doneBefore);
    const milestones = new Set(whole ? (input.milestones ?? []) : madeByThis);
    if (!whole && existing?.status === 'done' && input.status !== 'done') milestones.delete(theirs);
    if (input.status === 'done') milestones.add(theirs);
    const known = new Set(program.milestones.map((m) => m.id));
    const completedIds = [...milestones].filter((m) => known.has(m));
    const undone = madeByThis.filter((m) => !milestones.has(m));

    const named = <K extends 'confidence' | 'blocker' | 'note'>(field: K) => (whole || input[field] !== undefined ? input[field] : existing?.[field]);
    const values = {
      status: input.status,
      confidence: named('confidence') ?? null,
      blocker: named('blocker')?.trim() || null,
      note: named('note')?.trim() || null,
      source: input.source,
      updated_at: now,
    };
    if (
      existing &&
      existing.status === values.status &&
      existing.confidence === values.confidence &&
      existing.blocker === values.blocker &&
      existing.note === values.note &&
      undone.length === 0 &&
      completedIds.every((m) => madeByThis.includes(m))
    ) {
      return { kind: 'unchanged', checkin: existing, milestoneId: theirs, nextWeek };
    }
    // The answer and its version in history in one statement: a click is the hot path.
    const checkin = await trx
      .with('c', (db) =>
        existing
          ? db.updateTable('checkins').set(values).where('id', '=', existing.id).returningAll()
          : db.insertInto('checkins').values({ ...values, round_id: round.id, member_id: member.id, late: closed, created_at: now }).returningAll(),
      )
      .with('h', (db) =>
        db
          .insertInto('checkin_history')
          .columns(['checkin_id', 'status', 'confidence', 'blocker', 'note', 'milestones', 'late', 'source', 'recorded_at'])
          .expression((eb) =>
            eb
              .selectFrom('c')
              .select(['c.id', 'c.status', 'c.confidence', 'c.blocker', 'c.note', sql<string[]>`${sql.val(completedIds)}::text[]`.as('milestones'), 'c.late', 'c.source', sql<Date>`${now}::timestamptz`.as('recorded_at')]),
          ),
      )
      .selectFrom('c')
      .selectAll()
      .executeTakeFirstOrThrow();

    if (undone.length > 0) {
      await trx.deleteFrom('milestone_completions').where('member_id', '=', member.id).where('checkin_id', '=', existing!.id).where('milestone_id', 'in', undone).execute();
    }
    let completed: string[] = [];
    if (completedIds.length > 0) {
      const rows = await trx
        .insertInto('milestone_completions')
        .values(completedIds.map((milestone_id) => ({ member_id: member.id, milestone_id, checkin_id: checkin.id, completed_at: now })))
        .onConflict((oc) => oc.columns(['member_id', 'milestone_id']).doNothing())
        .returning('milestone_id')
        .execute();
      completed = rows.map((r) => r.milestone_id);
    }

    // A first answer changes the post's count (a late one too: the post keeps the week's whole count).
    if (!existing) await refreshRoundPosts(trx, new Map([[cohort.program_id, program]]), [round.id], now);
    return { kind: 'recorded', checkin, edited: Boolean(existing), late: checkin.late, completed, undone, nextWeek, milestoneId: theirs };
  });
}

/** Who clicked where, as the one-click path learns it from the database. */
export interface ClickContext {
  cohortId: number;
  cohortName: string;
  platform: Platform;
  programId: string;
  week: number;
  memberId: number;
}

export type ClickOutcome =
  | (Exclude<CheckinOutcome, { kind: 'finished' }> & ClickContext)
  | ({ kind: 'finished' } & ClickContext)
  | { kind: 'no-round' }
  | ({ kind: 'not-member' | 'mentor' } & Omit<ClickContext, 'memberId'>)
  /** Nothing was written: the round's post has no template yet, or its program is not loaded. `recordCheckin` takes it. */
  | { kind: 'slow' };

interface ClickRow {
  outcome: 'no-round' | 'not-member' | 'mentor' | 'slow' | 'closed' | 'finished' | 'unchanged' | 'recorded';
  cohort_id: number;
  cohort_name: string;
  platform: Platform;
  program_id: string;
  week: number;
  member_id: number;
  next_week: number | null;
  milestone_id: string;
  checkin: Omit<Checkin, 'created_at' | 'updated_at'> & { created_at: string; updated_at: string };
  edited: boolean;
  completed: string[];
  undone: string[];
}

const programsParam = new WeakMap<ReadonlyMap<string, Program>, string>();

/** What record_click needs to know of each program: its length, and its milestones in week order (learnerMilestone's order). */
function programsJson(programs: ReadonlyMap<string, Program>): string {
  let json = programsParam.get(programs);
  if (json === undefined) {
    const out: Record<string, { weeks: number; milestones: string[] }> = {};
    for (const [id, p] of programs) out[id] = { weeks: p.weeks.length, milestones: [...p.milestones].sort((a, b) => a.week - b.week).map((m) => m.id) };
    json = JSON.stringify(out);
    programsParam.set(programs, json);
  }
  return json;
}

// The hot path's one statement, written once: building it with the query builder on every click
// cost more CPU than sending it.
const RECORD_CLICK = 'select record_click($1::int, $2, $3, $4::timestamptz, $5::jsonb, $6::interval, $7::interval, $8) as r';
const LAST_WEEK_OPEN = `${LAST_WEEK_OPEN_MS / 1000} seconds`;

/** Failures before a statement could reach the server: nothing it would have written was. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', '57P03', '08001', '08004']);
function neverSent(err: unknown): boolean {
  const { code, message } = err as { code?: string; message?: string };
  return (code !== undefined && NOT_SENT.has(code)) || /timeout exceeded when trying to connect|connect ECONNREFUSED/i.test(message ?? '');
}

/**
 * A one-click check-in (a status button on a round post) in one round trip: the database function
 * record_click (migrations/2026-12-06T2100) does what `recordCheckin` does for a click, reading the
 * round, its cohort and the clicker's membership too, and writes the post's count edit to the outbox
 * when the count changes. The rules are `recordCheckin`'s: a click changes only the status.
 */
export async function recordClick(db: Db, programs: ReadonlyMap<string, Program>, click: { roundId: number; userId: string; status: CheckinStatus }, now: Date): Promise<ClickOutcome> {
  let row: ClickRow;
  try {
    const result = await db.executeQuery<{ r: ClickRow }>(
      CompiledQuery.raw(RECORD_CLICK, [click.roundId, click.userId, click.status, now.toISOString(), programsJson(programs), LAST_WEEK_OPEN, JOIN_GRACE, COUNT_MARKER]),
    );
    row = result.rows[0]!.r;
  } catch (err) {
    // The statement is its own transaction: a connection lost once it was sent may have committed it.
    if (isConnectionError(err) && !neverSent(err)) throw new UncertainCommitError(err);
    throw err;
  }
  if (row.outcome === 'no-round' || row.outcome === 'slow') return { kind: row.outcome };
  const ctx = { cohortId: row.cohort_id, cohortName: row.cohort_name, platform: row.platform, programId: row.program_id, week: row.week };
  if (row.outcome === 'not-member' || row.outcome === 'mentor') return { kind: row.outcome, ...ctx };
  const context: ClickContext = { ...ctx, memberId: row.member_id };
  if (row.outcome === 'finished') return { kind: 'finished', ...context };
  const checkin: Checkin = { ...row.checkin, created_at: new Date(row.checkin.created_at), updated_at: new Date(row.checkin.updated_at) };
  const nextWeek = row.next_week ?? null;
  if (row.outcome === 'closed') return { kind: 'closed', existing: checkin, nextWeek, ...context };
  if (row.outcome === 'unchanged') return { kind: 'unchanged', checkin, milestoneId: row.milestone_id, nextWeek, ...context };
  return { kind: 'recorded', checkin, edited: row.edited, late: checkin.late, completed: row.completed, undone: row.undone, nextWeek, milestoneId: row.milestone_id, ...context };
}

export async function currentCheckin(db: Db, roundId: number, memberId: number): Promise<Checkin | undefined> {
  return db.selectFrom('checkins').selectAll().where('round_id', '=', roundId).where('member_id', '=', memberId).executeTakeFirst();
}

export async function completedMilestones(db: Db, memberId: number): Promise<Array<{ milestoneId: string; checkinId: number | null }>> {
  const rows = await db.selectFrom('milestone_completions').select(['milestone_id', 'checkin_id']).where('member_id', '=', memberId).orderBy('completed_at').execute();
  return rows.map((r) => ({ milestoneId: r.milestone_id, checkinId: r.checkin_id }));
}
