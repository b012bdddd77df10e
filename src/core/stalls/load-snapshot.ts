import { sql, type RawBuilder } from 'kysely';
import type { Content } from '../../content/types.js';
import type { Db } from '../../db/connect.js';
import type { CheckinStatus } from '../../db/types.js';
import type { AnswerLine } from '../messages/progress.js';
import { plusDays } from '../schedule.js';
import { chunks } from './batch.js';
import { HISTORY_SIZE } from './load.js';
import { windowDepth, type StallAnswer, type StallBreak, type StallRepo, type StallRound } from './rules.js';
import { cohortToday, emptySnapshot, type CohortState, type FlagRow, type MemberRow, type ScanScope, type Snapshot } from './snapshot.js';

const WEEK_MS = 7 * 24 * 3_600_000;

// The scan reads every learner of every active cohort (50,000 learners and a million check-ins
// must take well under two seconds), so the bulk queries below return one row per cohort or per
// round with its items joined into a string, and times as epoch milliseconds: parsing rows and
// dates in the driver, not the database, is what costs at that size.
const ms = (column: string) => sql<number>`(extract(epoch from ${sql.ref(column)}) * 1000)::float8`;

/** The active cohorts a scan reads: every one, or the scope's. Every query reads them through the alias co. */
interface Reach {
  scoped: number[] | null;
  /** `and co.id in (...)` for the raw queries; empty when unscoped. */
  inScope: RawBuilder<unknown>;
}

export async function loadSnapshot(db: Db, content: Content, now: Date, scope?: ScanScope): Promise<Snapshot> {
  const scoped = scope ? [...scope.keys()] : null;
  if (scoped?.length === 0) return emptySnapshot();
  const reach: Reach = { scoped, inScope: scoped ? sql`and co.id in (${sql.join(scoped)})` : sql`` };
  const cohorts = await loadCohorts(db, content, now, reach);
  const depth = Math.max(1, ...[...cohorts.values()].map((c) => windowDepth(c.program.stall)));
  const [, members, flags, lastResolution, completed, answers, breaks, repos] = await Promise.all([
    loadRounds(db, reach, cohorts),
    loadMembers(db, reach, cohorts),
    loadFlags(db, reach, cohorts),
    loadResolutions(db, reach),
    loadCompletions(db, reach),
    loadRecentAnswers(db, reach, depth),
    loadBreaks(db, reach),
    loadRepos(db, reach),
  ]);
  return { cohorts, members, answers, completed, breaks, repos, flags, lastResolution };
}

/** The active cohorts whose program is in the content, without rounds or members yet. */
async function loadCohorts(db: Db, content: Content, now: Date, reach: Reach): Promise<Map<number, CohortState>> {
  const cohortRows = await db
    .selectFrom('cohorts as co')
    .select(['id', 'name', 'platform', 'timezone', 'program_id', 'created_by'])
    .where('status', '=', 'active')
    // Flags pause with a channel that cannot be used, and with a platform whose access is lost.
    .where('unreachable_at', 'is', null)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('platform_access').select('platform_access.platform').whereRef('platform_access.platform', '=', 'co.platform'))))
    .$if(reach.scoped !== null, (qb) => qb.where('co.id', 'in', reach.scoped!))
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
  return cohorts;
}

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

/** Fills in each cohort's rounds. */
async function loadRounds(db: Db, reach: Reach, cohorts: Map<number, CohortState>): Promise<void> {
  const roundRows = await sql<{ cohort_id: number; rounds: string }>`
      select r.cohort_id, string_agg(r.week || ' ' || ${ms('r.opens_at')} || ' ' || r.local_date || ' ' || r.state, ',') as rounds
      from rounds r join cohorts co on co.id = r.cohort_id
      where co.status = 'active' ${reach.inScope}
      group by r.cohort_id`.execute(db);
  for (const row of roundRows.rows) {
    const cohort = cohorts.get(row.cohort_id);
    if (!cohort) continue;
    const recorded = row.rounds.split(',').map((item) => {
      const [week, opens, localDate, state] = item.split(' ');
      return { week: Number(week), opensAt: new Date(Number(opens)), localDate: localDate!, posted: state === 'posted' };
    });
    cohort.rounds = closedRounds(recorded, cohort.program.weeks.length);
  }
}

/** Every current member by id; each is also listed under its cohort's mentors or learners. */
async function loadMembers(db: Db, reach: Reach, cohorts: Map<number, CohortState>): Promise<Map<number, MemberRow>> {
  const memberRows = await db
    .selectFrom('members as m')
    .innerJoin('cohorts as co', 'co.id', 'm.cohort_id')
    .select(['m.id', 'm.cohort_id', 'm.user_id', 'm.display_name', 'm.role', 'm.away_until', ms('m.joined_at').as('joined_ms')])
    .where('co.status', '=', 'active')
    .$if(reach.scoped !== null, (qb) => qb.where('co.id', 'in', reach.scoped!))
    .where('m.removed_at', 'is', null)
    // Someone gone from the channel is neither flagged nor alerted (their flags closed as they left).
    .where('m.left_at', 'is', null)
    .orderBy('m.id')
    .execute();
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
  return members;
}

/** The unresolved flags, in id order. */
async function loadFlags(db: Db, reach: Reach, cohorts: Map<number, CohortState>): Promise<FlagRow[]> {
  const flagRows = await db
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
      ms('f.alerted_at').as('alerted_ms'),
      ms('f.resend_alerted_at').as('resend_alerted_ms'),
    ])
    .where('co.status', '=', 'active')
    .$if(reach.scoped !== null, (qb) => qb.where('co.id', 'in', reach.scoped!))
    .where('f.status', '<>', 'resolved')
    .orderBy('f.id')
    .execute();
  // A cohort whose program is gone from the content is skipped like a paused one, flags included.
  return flagRows.filter((f) => cohorts.has(f.cohort_id)).map((f) => ({
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
    alertedAt: f.alerted_ms === null ? null : new Date(f.alerted_ms),
    resendAlertedAt: f.resend_alerted_ms === null ? null : new Date(f.resend_alerted_ms),
  }));
}

/** When a flag on each learner was last resolved. */
async function loadResolutions(db: Db, reach: Reach): Promise<Map<number, Date>> {
  const resolutionRows = await db
    .selectFrom('stall_flags as f')
    .innerJoin('cohorts as co', 'co.id', 'f.cohort_id')
    .select(['f.member_id', sql<number>`max(${ms('f.resolved_at')})`.as('at_ms')])
    .where('co.status', '=', 'active')
    .$if(reach.scoped !== null, (qb) => qb.where('co.id', 'in', reach.scoped!))
    .where('f.status', '=', 'resolved')
    .groupBy('f.member_id')
    .execute();
  const lastResolution = new Map<number, Date>();
  for (const r of resolutionRows) if (r.at_ms !== null) lastResolution.set(r.member_id, new Date(r.at_ms));
  return lastResolution;
}

/** The milestones each learner completed. */
async function loadCompletions(db: Db, reach: Reach): Promise<Map<number, Set<string>>> {
  // Milestone ids are kebab-case, so a comma-joined list is unambiguous.
  const completionRows = await sql<{ member_id: number; ids: string }>`
      select mc.member_id, string_agg(mc.milestone_id, ',') as ids
      from milestone_completions mc
      join members m on m.id = mc.member_id
      join cohorts co on co.id = m.cohort_id
      where co.status = 'active' ${reach.inScope} and m.removed_at is null and m.role = 'learner'
      group by mc.member_id`.execute(db);
  const completed = new Map<number, Set<string>>();
  for (const c of completionRows.rows) completed.set(c.member_id, new Set(c.ids.split(',')));
  return completed;
}

/** Each learner's answers to the last `depth` posted rounds of their cohort. */
async function loadRecentAnswers(db: Db, reach: Reach, depth: number): Promise<Map<number, StallAnswer[]>> {
  // One row per recent posted round, its answers joined: index lookups per round, no million-row sort.
  const recentRows = await sql<{ cohort_id: number; week: number; answers: string | null }>`
      select co.id as cohort_id, r.week, a.answers
      from cohorts co
      cross join lateral (select id, week from rounds where cohort_id = co.id and state = 'posted' order by week desc limit ${depth}) r
      cross join lateral (
        select string_agg(c.member_id || ' ' || c.status || ' ' || coalesce(c.confidence::text, '-') || ' ' || ${ms('c.updated_at')}, ',') as answers
        from checkins c where c.round_id = r.id
      ) a
      where co.status = 'active' ${reach.inScope}`.execute(db);
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
  return answers;
}

/** Each current member's announced breaks. */
async function loadBreaks(db: Db, reach: Reach): Promise<Map<number, StallBreak[]>> {
  const breakRows = await db
    .selectFrom('away_periods as p')
    .innerJoin('members as m', 'm.id', 'p.member_id')
    .innerJoin('cohorts as co', 'co.id', 'm.cohort_id')
    .select(['p.member_id', 'p.starts_on', 'p.ends_on'])
    .where('co.status', '=', 'active')
    .$if(reach.scoped !== null, (qb) => qb.where('co.id', 'in', reach.scoped!))
    .where('m.removed_at', 'is', null)
    .execute();
  const breaks = new Map<number, StallBreak[]>();
  for (const b of breakRows) {
    let list = breaks.get(b.member_id);
    if (!list) breaks.set(b.member_id, (list = []));
    list.push({ startsOn: b.starts_on, endsOn: b.ends_on });
  }
  return breaks;
}

/** The repositories each current member linked as evidence. */
async function loadRepos(db: Db, reach: Reach): Promise<Map<number, StallRepo[]>> {
  const repoRows = await db
    .selectFrom('evidence_links as e')
    .innerJoin('members as m', 'm.id', 'e.member_id')
    .innerJoin('cohorts as co', 'co.id', 'm.cohort_id')
    .select(['e.member_id', 'e.owner', 'e.repo', ms('e.last_commit_at').as('commit_ms'), ms('e.created_at').as('linked_ms'), ms('e.checked_at').as('checked_ms')])
    .where('co.status', '=', 'active')
    .$if(reach.scoped !== null, (qb) => qb.where('co.id', 'in', reach.scoped!))
    .where('m.removed_at', 'is', null)
    .where('e.kind', '=', 'repo')
    .execute();
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
  return repos;
}

/** The last answers of the learners an alert is about, newest first, with their blockers. */
export async function loadHistories(db: Db, memberIds: readonly number[]): Promise<Map<number, AnswerLine[]>> {
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
