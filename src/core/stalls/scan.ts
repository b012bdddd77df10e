import { sql, type Transaction } from 'kysely';
import { DateTime } from 'luxon';
import type { AdminId } from '../../config.js';
import type { Content, Program } from '../../content/types.js';
import type { Db } from '../../db/connect.js';
import type { CheckinStatus, Database, FlagStatus, Platform, Role, StallReason } from '../../db/types.js';
import { flagAutoResolvedNotice, flagNewReasonNotice, stallAlert } from '../messages/stalls.js';
import type { AnswerLine } from '../messages/progress.js';
import { enqueueMany, type Outgoing } from '../outbox.js';
import { organizersOf as organizersOfCohort } from '../organizers.js';
import { plusDays } from '../schedule.js';
import { chunks, inTransaction } from './batch.js';
import { HISTORY_SIZE } from './load.js';
import { refreshAlerts } from './refresh.js';
import {
  addedReasons,
  isAway,
  nextRepoChange,
  restsOnNewFact,
  sameReasons,
  stallReasons,
  windowDepth,
  type StallAnswer,
  type StallBreak,
  type StallMilestone,
  type StallRepo,
  type StallRound,
} from './rules.js';

const HOUR = 3_600_000;
const WEEK_MS = 7 * 24 * HOUR;
/** An unacknowledged alert is re-sent once after this long, and escalated this long after the re-send. */
export const RESEND_AFTER_MS = 48 * HOUR;

/** Which learners to look at: per cohort, every learner ('all') or the ones named. */
export type ScanScope = ReadonlyMap<number, ReadonlySet<number> | 'all'>;

export interface ScanOptions {
  /** Organizers (ADMIN_USER_IDS): they get alerts when a cohort has no mentor, and escalations. */
  admins?: readonly AdminId[];
  /** Kept for callers; a round now counts as missed once it has closed, whatever the reminder delay. */
  reminderAfterHours?: number;
  /** Only these cohorts and learners (the rest are left as they are); every active cohort when unset. */
  scope?: ScanScope;
  /** Plan only: change nothing, send nothing, and say which learners a scan would act on. */
  dryRun?: boolean;
}

export interface ScanResult {
  opened: number;
  /** Unresolved flags whose reasons changed: their alerts are edited, a new reason also DMs the mentor. */
  updated: number;
  /** Resolved by the scan: no reason applies any more, or no longer a learner of the cohort. */
  resolved: number;
  resent: number;
  escalated: number;
  /** With dryRun: the learners (member ids) the scan would act on. */
  planned?: number[];
}

interface MemberRow {
  id: number;
  cohortId: number;
  userId: string;
  name: string;
  role: Role;
  awayUntil: string | null;
  joinedAt: Date;
}

interface CohortState {
  id: number;
  name: string;
  platform: Platform;
  /** The organizer who created the cohort: told of escalations even when ADMIN_USER_IDS is empty. */
  createdBy: string;
  timezone: string;
  program: Program;
  milestones: StallMilestone[];
  today: string;
  /** Posted rounds, oldest first, with when each closed. */
  rounds: StallRound[];
  mentors: MemberRow[];
  learners: MemberRow[];
}

interface FlagRow {
  id: number;
  memberId: number;
  cohortId: number;
  reasons: StallReason[];
  status: FlagStatus;
  mentorMemberId: number | null;
  openedAt: Date;
  resentAt: Date | null;
  escalatedAt: Date | null;
  version: number;
}

interface Snapshot {
  cohorts: Map<number, CohortState>;
  members: Map<number, MemberRow>;
  /** Only the answers to each cohort's latest rounds: the windows reach no further. */
  answers: Map<number, StallAnswer[]>;
  completed: Map<number, Set<string>>;
  breaks: Map<number, StallBreak[]>;
  repos: Map<number, StallRepo[]>;
  flags: FlagRow[];
  /** When a flag on the learner was last resolved, whoever resolved it. */
  lastResolution: Map<number, Date>;
}

export function cohortToday(now: Date, timezone: string): string {
  return DateTime.fromJSDate(now).setZone(timezone).toISODate() ?? now.toISOString().slice(0, 10);
}

// The scan reads every learner of every active cohort (50,000 learners and a million check-ins
// must take well under two seconds), so the bulk queries below return one row per cohort or per
// round with its items joined into a string, and times as epoch milliseconds: parsing rows and
// dates in the driver, not the database, is what costs at that size.
const ms = (column: string) => sql<number>`(extract(epoch from ${sql.ref(column)}) * 1000)::float8`;

/**
 * A cohort's posted rounds with when each closed: when the next recorded week's slot came (posted or
 * not run), or, for the program's last week, seven days after its own. A round with no week after it
 * yet is still open.
 */
function closedRounds(recorded: ReadonlyArray<{ week: number; opensAt: Date; localDate: string; posted: boolean }>, weeks: number): StallRound[] {
  const sorted = [...recorded].sort((a, b) => a.week - b.week);
  const out: StallRound[] = [];
  sorted.forEach((r, i) => {
    if (!r.posted) return;
    const next = sorted[i + 1];
    const closesAt = next ? next.opensAt : r.week >= weeks ? new Date(r.opensAt.getTime() + WEEK_MS) : null;
    out.push({ week: r.week, opensAt: r.opensAt, localDate: r.localDate, closesAt, until: next?.localDate ?? plusDays(r.localDate, 7) });
  });
  return out;
}

async function loadSnapshot(db: Db, content: Content, now: Date, scope?: ScanScope): Promise<Snapshot> {
  const scoped = scope ? [...scope.keys()] : null;
  if (scoped?.length === 0) return { cohorts: new Map(), members: new Map(), answers: new Map(), completed: new Map(), breaks: new Map(), repos: new Map(), flags: [], lastResolution: new Map() };
  // Every query below reads active cohorts through the alias co; a scope narrows them to its cohorts.
  const inScope = scoped ? sql`and co.id in (${sql.join(scoped)})` : sql``;
  const cohortRows = await db
    .selectFrom('cohorts as co')
    .select(['id', 'name', 'platform', 'timezone', 'program_id', 'created_by'])
    .where('status', '=', 'active')
    .$if(scoped !== null, (qb) => qb.where('co.id', 'in', scoped!))
    .execute();
  const cohorts = new Map<number, CohortState>();
  const todayIn = new Map<string, string>();
  for (const c of cohortRows) {
    const program = content.programs.get(c.program_id);
    if (!program) continue;
    let today = todayIn.get(c.timezone);
    if (today === undefined) todayIn.set(c.timezone, (today = cohortToday(now, c.timezone)));
    cohorts.set(c.id, {
      id: c.id,
      name: c.name,
      platform: c.platform,
      createdBy: c.created_by,
      timezone: c.timezone,
      program,
      milestones: program.milestones.map((m) => ({ id: m.id, title: m.title, week: m.week })),
      today,
      rounds: [],
      mentors: [],
      learners: [],
    });
  }

  const depth = Math.max(1, ...[...cohorts.values()].map((c) => windowDepth(c.program.stall)));
  const [roundRows, memberRows, flagRows, resolutionRows, completionRows, recentRows, breakRows, repoRows] = await Promise.all([
    sql<{ cohort_id: number; rounds: string }>`
      select r.cohort_id, string_agg(r.week || ' ' || ${ms('r.opens_at')} || ' ' || r.local_date || ' ' || r.state, ',') as rounds
      from rounds r join cohorts co on co.id = r.cohort_id
      where co.status = 'active' ${inScope}
      group by r.cohort_id`.execute(db),
    db
      .selectFrom('members as m')
      .innerJoin('cohorts as co', 'co.id', 'm.cohort_id')
      .select(['m.id', 'm.cohort_id', 'm.user_id', 'm.display_name', 'm.role', 'm.away_until', ms('m.joined_at').as('joined_ms')])
      .where('co.status', '=', 'active')
      .$if(scoped !== null, (qb) => qb.where('co.id', 'in', scoped!))
      .where('m.removed_at', 'is', null)
      .orderBy('m.id')
      .execute(),
    db
      .selectFrom('stall_flags as f')
      .innerJoin('cohorts as co', 'co.id', 'f.cohort_id')
      .select([
        'f.id',
        'f.member_id',
        'f.cohort_id',
        'f.reasons',
        'f.status',
        'f.mentor_member_id',
        'f.version',
        ms('f.opened_at').as('opened_ms'),
        ms('f.resent_at').as('resent_ms'),
        ms('f.escalated_at').as('escalated_ms'),
      ])
      .where('co.status', '=', 'active')
      .$if(scoped !== null, (qb) => qb.where('co.id', 'in', scoped!))
      .where('f.status', '<>', 'resolved')
      .orderBy('f.id')
      .execute(),
    db
      .selectFrom('stall_flags as f')
      .innerJoin('cohorts as co', 'co.id', 'f.cohort_id')
      .select(['f.member_id', sql<number>`max(${ms('f.resolved_at')})`.as('at_ms')])
      .where('co.status', '=', 'active')
      .$if(scoped !== null, (qb) => qb.where('co.id', 'in', scoped!))
      .where('f.status', '=', 'resolved')
      .groupBy('f.member_id')
      .execute(),
    // Milestone ids are kebab-case, so a comma-joined list is unambiguous.
    sql<{ member_id: number; ids: string }>`
      select mc.member_id, string_agg(mc.milestone_id, ',') as ids
      from milestone_completions mc
      join members m on m.id = mc.member_id
      join cohorts co on co.id = m.cohort_id
      where co.status = 'active' ${inScope} and m.removed_at is null and m.role = 'learner'
      group by mc.member_id`.execute(db),
    // One row per recent posted round, its answers joined: index lookups per round, no million-row sort.
    sql<{ cohort_id: number; week: number; answers: string | null }>`
      select co.id as cohort_id, r.week, a.answers
      from cohorts co
      cross join lateral (select id, week from rounds where cohort_id = co.id and state = 'posted' order by week desc limit ${depth}) r
      cross join lateral (
        select string_agg(c.member_id || ' ' || c.status || ' ' || coalesce(c.confidence::text, '-') || ' ' || ${ms('c.updated_at')}, ',') as answers
        from checkins c where c.round_id = r.id
      ) a
      where co.status = 'active' ${inScope}`.execute(db),
    db
      .selectFrom('away_periods as p')
      .innerJoin('members as m', 'm.id', 'p.member_id')
      .innerJoin('cohorts as co', 'co.id', 'm.cohort_id')
      .select(['p.member_id', 'p.starts_on', 'p.ends_on'])
      .where('co.status', '=', 'active')
      .$if(scoped !== null, (qb) => qb.where('co.id', 'in', scoped!))
      .where('m.removed_at', 'is', null)
      .execute(),
    db
      .selectFrom('evidence_links as e')
      .innerJoin('members as m', 'm.id', 'e.member_id')
      .innerJoin('cohorts as co', 'co.id', 'm.cohort_id')
      .select(['e.member_id', 'e.owner', 'e.repo', ms('e.last_commit_at').as('commit_ms'), ms('e.created_at').as('linked_ms'), ms('e.checked_at').as('checked_ms')])
      .where('co.status', '=', 'active')
      .$if(scoped !== null, (qb) => qb.where('co.id', 'in', scoped!))
      .where('m.removed_at', 'is', null)
      .where('e.kind', '=', 'repo')
      .execute(),
  ]);

  for (const row of roundRows.rows) {
    const cohort = cohorts.get(row.cohort_id);
    if (!cohort) continue;
    const recorded = row.rounds.split(',').map((item) => {
      const [week, opens, localDate, state] = item.split(' ');
      return { week: Number(week), opensAt: new Date(Number(opens)), localDate: localDate!, posted: state === 'posted' };
    });
    cohort.rounds = closedRounds(recorded, cohort.program.weeks.length);
  }
  const members = new Map<number, MemberRow>();
  for (const m of memberRows) {
    const cohort = cohorts.get(m.cohort_id);
    if (!cohort) continue;
    const row: MemberRow = {
      id: m.id,
      cohortId: m.cohort_id,
      userId: m.user_id,
      name: m.display_name,
      role: m.role,
      awayUntil: m.away_until,
      joinedAt: new Date(m.joined_ms),
    };
    members.set(m.id, row);
    (m.role === 'mentor' ? cohort.mentors : cohort.learners).push(row);
  }

  const answers = new Map<number, StallAnswer[]>();
  for (const row of recentRows.rows) {
    if (row.answers === null) continue;
    for (const item of row.answers.split(',')) {
      const [member, status, confidence, at] = item.split(' ');
      const id = Number(member);
      let list = answers.get(id);
      if (!list) answers.set(id, (list = []));
      list.push({ week: row.week, status: status as CheckinStatus, confidence: confidence === '-' ? null : Number(confidence), at: new Date(Number(at)) });
    }
  }

  const completed = new Map<number, Set<string>>();
  for (const c of completionRows.rows) completed.set(c.member_id, new Set(c.ids.split(',')));

  const breaks = new Map<number, StallBreak[]>();
  for (const b of breakRows) {
    let list = breaks.get(b.member_id);
    if (!list) breaks.set(b.member_id, (list = []));
    list.push({ startsOn: b.starts_on, endsOn: b.ends_on });
  }

  const repos = new Map<number, StallRepo[]>();
  for (const r of repoRows) {
    let list = repos.get(r.member_id);
    if (!list) repos.set(r.member_id, (list = []));
    // One repository linked to several milestones counts once.
    const name = `${r.owner}/${r.repo}`;
    if (list.some((x) => x.name === name)) continue;
    list.push({
      name,
      lastCommitAt: r.commit_ms === null ? null : new Date(r.commit_ms),
      linkedAt: new Date(r.linked_ms),
      checkedAt: r.checked_ms === null ? null : new Date(r.checked_ms),
    });
  }

  const lastResolution = new Map<number, Date>();
  for (const r of resolutionRows) if (r.at_ms !== null) lastResolution.set(r.member_id, new Date(r.at_ms));

  // A cohort whose program is gone from the content is skipped like a paused one, flags included.
  const flags: FlagRow[] = flagRows.filter((f) => cohorts.has(f.cohort_id)).map((f) => ({
    id: f.id,
    memberId: f.member_id,
    cohortId: f.cohort_id,
    reasons: f.reasons,
    status: f.status,
    mentorMemberId: f.mentor_member_id,
    openedAt: new Date(f.opened_ms),
    resentAt: f.resent_ms === null ? null : new Date(f.resent_ms),
    escalatedAt: f.escalated_ms === null ? null : new Date(f.escalated_ms),
    version: f.version,
  }));
  return { cohorts, members, answers, completed, breaks, repos, flags, lastResolution };
}

/** The last answers of the learners an alert is about, newest first, with their blockers. */
async function loadHistories(db: Db, memberIds: readonly number[]): Promise<Map<number, AnswerLine[]>> {
  const out = new Map<number, AnswerLine[]>();
  for (const part of chunks([...new Set(memberIds)], 5000)) {
    const rows = await sql<{ member_id: number; week: number; status: CheckinStatus; confidence: number | null; blocker: string | null; late: boolean }>`
      select member_id, week, status, confidence, blocker, late from (
        select c.member_id, r.week, c.status, c.confidence, c.blocker, c.late,
          row_number() over (partition by c.member_id order by r.week desc) as rn
        from checkins c join rounds r on r.id = c.round_id
        where c.member_id in (${sql.join(part)})
      ) ranked
      where rn <= ${HISTORY_SIZE}
      order by member_id, week desc`.execute(db);
    for (const r of rows.rows) {
      let list = out.get(r.member_id);
      if (!list) out.set(r.member_id, (list = []));
      list.push({ week: r.week, status: r.status, confidence: r.confidence, blocker: r.blocker, late: r.late });
    }
  }
  return out;
}

interface Planned {
  flag: FlagRow;
  learner: MemberRow;
  cohort: CohortState;
}

/**
 * Flags stalling learners, keeps open flags current, resolves the ones whose learner is back on
 * track, re-sends unacknowledged alerts once and then escalates them to the organizers. Safe to
 * run from any number of replicas at once: the one-open-flag-per-learner index and the outbox
 * keys decide who wins, and every state change commits with the messages it announces.
 */
export async function scanStalls(db: Db, content: Content, now: Date, options: ScanOptions = {}): Promise<ScanResult> {
  const admins = options.admins ?? [];
  const snap = await loadSnapshot(db, content, now, options.scope);
  const looksAt = (cohortId: number, memberId: number) => {
    const s = options.scope?.get(cohortId);
    return options.scope === undefined || s === 'all' || (s !== undefined && s.has(memberId));
  };
  const result: ScanResult = { opened: 0, updated: 0, resolved: 0, resent: 0, escalated: 0 };

  const load = new Map<number, number>();
  for (const f of snap.flags) if (f.mentorMemberId !== null) load.set(f.mentorMemberId, (load.get(f.mentorMemberId) ?? 0) + 1);
  const pickMentor = (cohort: CohortState): MemberRow | null => {
    let best: MemberRow | null = null;
    for (const m of cohort.mentors) if (!best || (load.get(m.id) ?? 0) < (load.get(best.id) ?? 0)) best = m;
    if (best) load.set(best.id, (load.get(best.id) ?? 0) + 1);
    return best;
  };
  // Organizers we can name: ADMIN_USER_IDS of the cohort's platform, and whoever created it.
  const organizersOf = (cohort: CohortState) => organizersOfCohort({ platform: cohort.platform, created_by: cohort.createdBy }, admins);

  const flagByMember = new Map(snap.flags.map((f) => [f.memberId, f]));
  const later: Array<{ memberId: number; at: Date }> = [];
  const toOpen: Array<{ learner: MemberRow; cohort: CohortState; reasons: StallReason[]; mentor: MemberRow | null }> = [];
  const toUpdate: Array<Planned & { reasons: StallReason[]; added: StallReason[] }> = [];
  const toAutoResolve: Planned[] = [];
  const toRemove: FlagRow[] = [];
  const toResend: Planned[] = [];
  const toEscalate: Planned[] = [];
  const resendBefore = now.getTime() - RESEND_AFTER_MS;

  for (const f of snap.flags) {
    const m = snap.members.get(f.memberId);
    if ((!m || m.role !== 'learner') && looksAt(f.cohortId, f.memberId)) toRemove.push(f);
  }

  for (const cohort of snap.cohorts.values()) {
    for (const learner of cohort.learners) {
      if (!looksAt(cohort.id, learner.id)) continue;
      const input = {
        now,
        joinedAt: learner.joinedAt,
        rounds: cohort.rounds,
        answers: snap.answers.get(learner.id) ?? [],
        milestones: cohort.milestones,
        completed: snap.completed.get(learner.id) ?? new Set<string>(),
        breaks: snap.breaks.get(learner.id) ?? [],
        repos: snap.repos.get(learner.id) ?? [],
      };
      const reasons = stallReasons(input, cohort.program.stall);
      // Linked work's reason changes with time alone: the incremental evaluation looks again then.
      const repoChange = nextRepoChange(input, cohort.program.stall);
      if (repoChange) later.push({ memberId: learner.id, at: repoChange });
      const flag = flagByMember.get(learner.id);
      if (!flag) {
        // Away learners get no new flag; a resolved flag reopens only on a fact newer than its resolution.
        if (reasons.length === 0 || isAway(learner.awayUntil, cohort.today)) continue;
        if (!restsOnNewFact(reasons, snap.lastResolution.get(learner.id) ?? null)) continue;
        toOpen.push({ learner, cohort, reasons, mentor: pickMentor(cohort) });
        continue;
      }
      // An open flag follows the evidence, away or not: it updates, and resolves once nothing applies.
      if (reasons.length === 0) {
        toAutoResolve.push({ flag, learner, cohort });
        continue;
      }
      if (!sameReasons(reasons, flag.reasons)) {
        toUpdate.push({ flag, learner, cohort, reasons, added: addedReasons(flag.reasons, reasons) });
        flag.reasons = reasons;
      }
      if (flag.status !== 'open' || isAway(learner.awayUntil, cohort.today)) continue;
      if (flag.resentAt === null && flag.openedAt.getTime() <= resendBefore) toResend.push({ flag, learner, cohort });
      else if (flag.resentAt !== null && flag.escalatedAt === null && flag.resentAt.getTime() <= resendBefore && flag.mentorMemberId !== null) {
        toEscalate.push({ flag, learner, cohort });
      }
    }
  }

  if (options.dryRun) {
    const planned = new Set([
      ...toOpen.map((o) => o.learner.id),
      ...[...toUpdate, ...toAutoResolve, ...toResend, ...toEscalate].map((p) => p.flag.memberId),
      ...toRemove.map((f) => f.memberId),
    ]);
    return {
      opened: toOpen.length,
      updated: toUpdate.length,
      resolved: toAutoResolve.length + toRemove.length,
      resent: toResend.length,
      escalated: toEscalate.length,
      planned: [...planned],
    };
  }

  for (const part of chunks(later)) {
    await sql`
      insert into stall_queue (member_id, due_at)
      select * from unnest(${part.map((l) => l.memberId)}::integer[], ${part.map((l) => l.at.toISOString())}::timestamptz[])
      on conflict do nothing`.execute(db);
  }

  const histories = await loadHistories(db, [...toOpen, ...toResend, ...toEscalate].map((p) => p.learner.id));
  const history = (memberId: number): AnswerLine[] => histories.get(memberId) ?? [];

  const alertTo = (
    p: { flagId: number; learner: MemberRow; cohort: CohortState; reasons: readonly StallReason[]; alertedAt?: Date },
    mentor: MemberRow | null,
    variant: 'new' | 'reminder',
  ): Outgoing[] => {
    const suffix = variant === 'reminder' ? ':resend' : '';
    const base = {
      kind: 'alert' as const,
      platform: p.cohort.platform,
      targetKind: 'user' as const,
      availableAt: now,
    };
    const message = stallAlert({
      flagId: p.flagId,
      learnerName: p.learner.name,
      cohortName: p.cohort.name,
      timezone: p.cohort.timezone,
      reasons: p.reasons,
      history: history(p.learner.id),
      state: { kind: 'open' },
      variant,
      ...(p.alertedAt ? { alertedAt: p.alertedAt } : {}),
      toOrganizers: mentor === null,
    });
    if (mentor) return [{ ...base, key: `alert:${p.flagId}${suffix}`, targetId: mentor.userId, message }];
    return organizersOf(p.cohort).map((userId) => ({ ...base, key: `alert:${p.flagId}${suffix}:to:${userId}`, targetId: userId, message }));
  };

  for (const part of chunks(toOpen)) {
    result.opened += await inTransaction(db, async (trx) => {
      const inserted = await trx
        .insertInto('stall_flags')
        .values(
          part.map((o) => ({
            member_id: o.learner.id,
            cohort_id: o.cohort.id,
            reasons: JSON.stringify(o.reasons),
            mentor_member_id: o.mentor?.id ?? null,
            opened_at: now,
          })),
        )
        .onConflict((oc) => oc.column('member_id').where('status', '<>', 'resolved').doNothing())
        .returning(['id', 'member_id'])
        .execute();
      const byMember = new Map(part.map((o) => [o.learner.id, o]));
      const outs = inserted.flatMap((row) => {
        const o = byMember.get(row.member_id)!;
        return alertTo({ flagId: row.id, learner: o.learner, cohort: o.cohort, reasons: o.reasons }, o.mentor, 'new');
      });
      await enqueueMany(trx, outs);
      return inserted.length;
    });
  }

  const assignedMentor = (flag: { mentorMemberId: number | null }) => (flag.mentorMemberId === null ? null : (snap.members.get(flag.mentorMemberId) ?? null));

  /**
   * Claims flags with a conditional update, so a scan running at the same time claims none of the
   * same ones, and queues the messages for those it claimed in the same transaction.
   */
  const claimAndSend = <P extends { flag: { id: number } }>(
    part: P[],
    claim: (trx: Transaction<Database>, ids: number[]) => Promise<Array<{ id: number }>>,
    messagesFor: (p: P, trx: Transaction<Database>) => Promise<Outgoing[]>,
  ) =>
    inTransaction(db, async (trx) => {
      const claimed = new Set((await claim(trx, part.map((p) => p.flag.id))).map((d) => d.id));
      const outs: Outgoing[] = [];
      for (const p of part) if (claimed.has(p.flag.id)) outs.push(...(await messagesFor(p, trx)));
      await enqueueMany(trx, outs);
      return claimed.size;
    });

  for (const part of chunks(toUpdate)) {
    result.updated += await claimAndSend(
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
      async (u, trx) => {
        const edits = (await refreshAlerts(trx, u.flag.id, now))?.edits ?? [];
        const mentor = assignedMentor(u.flag);
        if (u.added.length === 0 || !mentor) return edits;
        const notice: Outgoing = {
          key: `flag-reason:${u.flag.id}:v${u.flag.version + 1}`,
          kind: 'notice',
          platform: u.cohort.platform,
          targetKind: 'user',
          targetId: mentor.userId,
          message: flagNewReasonNotice(u.learner.name, u.cohort.name, u.added),
          availableAt: now,
        };
        return [...edits, notice];
      },
    );
  }

  for (const part of chunks(toAutoResolve)) {
    result.resolved += await claimAndSend(
      part,
      (trx, ids) =>
        trx
          .updateTable('stall_flags')
          .set({ status: 'resolved', resolution: 'auto', resolved_at: now, resolved_by: null })
          .where('id', 'in', ids)
          .where('status', '<>', 'resolved')
          .returning('id')
          .execute(),
      async (p, trx) => {
        const mentor = assignedMentor(p.flag);
        const message = flagAutoResolvedNotice(p.learner.name, p.cohort.name);
        const base = { kind: 'notice' as const, platform: p.cohort.platform, targetKind: 'user' as const, availableAt: now, message };
        const notices = mentor
          ? [{ ...base, key: `flag-resolved:${p.flag.id}`, targetId: mentor.userId }]
          : organizersOf(p.cohort).map((userId) => ({ ...base, key: `flag-resolved:${p.flag.id}:to:${userId}`, targetId: userId }));
        return [...notices, ...((await refreshAlerts(trx, p.flag.id, now))?.edits ?? [])];
      },
    );
  }

  for (const part of chunks(toRemove)) {
    const done = await db
      .updateTable('stall_flags')
      .set({ status: 'resolved', resolution: 'removed', resolved_at: now, resolved_by: null })
      .where('id', 'in', part.map((f) => f.id))
      .where('status', '<>', 'resolved')
      .returning('id')
      .execute();
    result.resolved += done.length;
  }

  for (const part of chunks(toResend)) {
    result.resent += await claimAndSend(
      part,
      (trx, ids) =>
        trx.updateTable('stall_flags').set({ resent_at: now }).where('id', 'in', ids).where('status', '=', 'open').where('resent_at', 'is', null).returning('id').execute(),
      async (p, trx) => {
        let mentor = assignedMentor(p.flag);
        if (!mentor || mentor.role !== 'mentor') {
          // The assigned mentor left (or there was none): the reminder goes to whoever mentors the cohort now.
          mentor = pickMentor(p.cohort);
          if (mentor) await trx.updateTable('stall_flags').set({ mentor_member_id: mentor.id }).where('id', '=', p.flag.id).execute();
        }
        return alertTo({ flagId: p.flag.id, learner: p.learner, cohort: p.cohort, reasons: p.flag.reasons, alertedAt: p.flag.openedAt }, mentor, 'reminder');
      },
    );
  }

  for (const part of chunks(toEscalate)) {
    result.escalated += await claimAndSend(
      part,
      (trx, ids) =>
        trx.updateTable('stall_flags').set({ escalated_at: now }).where('id', 'in', ids).where('status', '=', 'open').where('escalated_at', 'is', null).returning('id').execute(),
      async (p) => {
        const message = stallAlert({
          flagId: p.flag.id,
          learnerName: p.learner.name,
          cohortName: p.cohort.name,
          timezone: p.cohort.timezone,
          reasons: p.flag.reasons,
          history: history(p.learner.id),
          state: { kind: 'open' },
          variant: 'escalation',
          alertedAt: p.flag.openedAt,
          mentorName: assignedMentor(p.flag)?.name ?? null,
        });
        return organizersOf(p.cohort).map((userId) => ({
          key: `alert:${p.flag.id}:escalate:${userId}`,
          kind: 'alert' as const,
          platform: p.cohort.platform,
          targetKind: 'user' as const,
          targetId: userId,
          message,
          availableAt: now,
        }));
      },
    );
  }
  return result;
}
