import { closingOf } from './calendar.js';
import type { ChannelTrouble } from './chat.js';
import { formatWhen } from './messages/progress.js';
import { TROUBLE_WORDS } from './messages/platform.js';
import { accessLosses } from './platform-access.js';
import { attendanceOf, backOn, countSentence, isClosed, loadAttendance, tallyOf } from './attendance.js';
import { linksOf, verifiedMilestones } from './evidence/links.js';
import type { Content } from '../content/types.js';
import type { Db } from '../db/connect.js';
import type { Cohort } from '../db/types.js';
import type { OutMessage } from './chat.js';
import {
  cohortStatusMessage,
  missingProgramMessage,
  progressMessage,
  unknownCohortMessage,
  unknownMemberMessage,
  type StatusData,
} from './messages/progress.js';
import { recentAnswers } from './stalls/load.js';
import { isAway, overdueMilestones } from './stalls/rules.js';
import { cohortToday } from './stalls/scan.js';

export interface ProgressTarget {
  cohortId: number;
  memberId: number;
  /** The learner is looking at their own progress ("You are…"); otherwise the text uses their name. */
  self?: boolean;
}

async function latestRound(db: Db, cohortId: number) {
  return db
    .selectFrom('rounds')
    .select(['id', 'week', 'milestone_id', 'opens_at'])
    .where('cohort_id', '=', cohortId)
    .where('state', '=', 'posted')
    .orderBy('week', 'desc')
    .limit(1)
    .executeTakeFirst();
}

async function openFlags(db: Db, where: { cohortId: number; memberId?: number }) {
  let q = db
    .selectFrom('stall_flags as f')
    .innerJoin('members as m', 'm.id', 'f.member_id')
    .select(['f.status', 'f.acknowledged_by', 'f.reasons', 'm.display_name'])
    .where('f.cohort_id', '=', where.cohortId)
    .where('f.status', '<>', 'resolved');
  if (where.memberId !== undefined) q = q.where('f.member_id', '=', where.memberId);
  const rows = await q.orderBy('f.opened_at').orderBy('f.id').execute();
  return rows.map((r) => ({ learnerName: r.display_name, status: r.status, acknowledgedBy: r.acknowledged_by, reasons: r.reasons }));
}

/**
 * `/progress`: one learner's milestones, where they stand against the schedule, their last
 * check-ins and open stall flags. Only that member's data goes into it; who may see it is the
 * caller's decision.
 */
export async function progressView(db: Db, content: Content, target: ProgressTarget, now: Date): Promise<OutMessage> {
  const cohort = await db.selectFrom('cohorts').selectAll().where('id', '=', target.cohortId).executeTakeFirst();
  if (!cohort) return unknownCohortMessage();
  const member = await db
    .selectFrom('members')
    .select(['id', 'display_name', 'away_until'])
    .where('id', '=', target.memberId)
    .where('cohort_id', '=', cohort.id)
    .executeTakeFirst();
  if (!member) return unknownMemberMessage();
  const program = content.programs.get(cohort.program_id);
  if (!program) return missingProgramMessage(cohort.name, cohort.program_id);

  const [round, completions, recent, flags, links] = await Promise.all([
    latestRound(db, cohort.id),
    db.selectFrom('milestone_completions').select('milestone_id').where('member_id', '=', member.id).execute(),
    recentAnswers(db, member.id, 3),
    openFlags(db, { cohortId: cohort.id, memberId: member.id }),
    linksOf(db, [member.id]),
  ]);
  const verified = verifiedMilestones(program.milestones, links).get(member.id) ?? new Set<string>();
  const week = round?.week ?? 0;
  const done = new Set(completions.map((c) => c.milestone_id));
  const milestones = [...program.milestones].sort((a, b) => a.week - b.week);
  return progressMessage({
    learnerName: member.display_name,
    self: target.self ?? false,
    cohortName: cohort.name,
    programTitle: program.title,
    cohortStatus: cohort.status,
    currentWeek: week,
    totalWeeks: program.weeks.length,
    startDate: cohort.start_date,
    milestones: milestones.map((m) => {
      const own = links.filter((l) => l.milestoneId === m.id);
      return {
        id: m.id,
        title: m.title,
        week: m.week,
        done: done.has(m.id),
        verified: verified.has(m.id),
        failingSince: own.some((l) => l.state === 'not-verified' && l.verifiedAt !== null),
        links: own.map((l) => l.url),
      };
    }),
    behind: overdueMilestones(milestones, done, week).length,
    awayUntil: isAway(member.away_until, cohortToday(now, cohort.timezone)) ? member.away_until : null,
    recent,
    flags,
  });
}

/** `/cohort status`: this week's round, who checked in and how, who has not, open stalls. */
export async function cohortStatusView(db: Db, content: Content, cohortId: number, now: Date): Promise<OutMessage> {
  const cohort = await db.selectFrom('cohorts').selectAll().where('id', '=', cohortId).executeTakeFirst();
  if (!cohort) return unknownCohortMessage();
  return cohortStatusMessage(await cohortStatusData(db, content, cohort, now));
}

/** What `/cohort status` and the dashboard's "this week" show. */
export async function cohortStatusData(db: Db, content: Content, cohort: Cohort, now: Date): Promise<StatusData> {
  const program = content.programs.get(cohort.program_id);
  const [attendance, flags, roundRows] = await Promise.all([
    loadAttendance(db, cohort.id, program?.weeks.length ?? Number.POSITIVE_INFINITY),
    openFlags(db, { cohortId: cohort.id }),
    db.selectFrom('rounds').select(['week', 'offline_since', 'late_cause', 'created_at', 'milestone_id']).where('cohort_id', '=', cohort.id).where('state', '=', 'posted').orderBy('week', 'desc').limit(1).execute(),
  ]);
  const { learners } = attendance;
  const latest = roundRows[0];
  const round = latest ? attendance.rounds.find((r) => r.week === latest.week) : undefined;
  const links = await linksOf(db, learners.map((l) => l.id));
  const verified = program ? verifiedMilestones(program.milestones, links) : new Map<number, Set<string>>();
  const lost = (await accessLosses(db)).find((l) => l.platform === cohort.platform);
  const trouble = cohort.unreachable_at
    ? `The channel ${TROUBLE_WORDS[cohort.unreachable_reason as ChannelTrouble] ?? 'cannot be used'} since ${formatWhen(new Date(cohort.unreachable_at), cohort.timezone)}: no round, reminder or stall alert until it works again. Weeks that fall due meanwhile follow the outage rule.`
    : lost
      ? `The bot's access to ${cohort.platform} is lost since ${formatWhen(lost.lostAt, cohort.timezone)} (${lost.cause}): nothing is sent until it is back; messages wait and go out then.`
      : null;
  const data: StatusData = {
    cohortName: cohort.name,
    cohortStatus: cohort.status,
    timezone: cohort.timezone,
    finishedAt: cohort.finished_at ? new Date(cohort.finished_at) : null,
    trouble,
    round: null,
    count: round ? countSentence(tallyOf(learners, round, now)) : '',
    checkedIn: [],
    missing: [],
    away: [],
    flags,
  };
  if (round && latest) {
    const milestone = program?.milestones.find((m) => m.id === latest.milestone_id);
    data.round = {
      week: round.week,
      milestoneTitle: milestone?.title ?? latest.milestone_id,
      postedAt: round.postedAt,
      late: latest.offline_since ? { from: new Date(latest.offline_since), to: new Date(latest.created_at), timezone: cohort.timezone, cause: latest.late_cause } : null,
      closesAt: program ? await closingOf(db, cohort, program, round, now) : round.closesAt,
      closed: isClosed(round, now),
    };
    for (const l of learners) {
      const state = attendanceOf(l, round, now);
      const a = l.answers.get(round.week);
      if (a) data.checkedIn.push({ name: l.name, memberId: l.id, answer: { week: round.week, status: a.status, confidence: a.confidence, blocker: a.blocker, note: null, late: a.late } });
      else if (state === 'away') data.away.push({ name: l.name, memberId: l.id, until: backOn(l, round) ?? null });
      else if (state === 'open' || state === 'missed') data.missing.push({ name: l.name, memberId: l.id });
    }
  }
  for (const l of learners) {
    for (const m of program?.milestones ?? []) {
      if (!verified.get(l.id)?.has(m.id)) continue;
      const link = links.find((x) => x.memberId === l.id && x.milestoneId === m.id && x.state === 'verified');
      (data.verified ??= []).push({ name: l.name, milestoneTitle: m.title, url: link?.url ?? '' });
    }
  }
  return data;
}
