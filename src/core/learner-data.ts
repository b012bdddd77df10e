import { stringify } from 'csv-stringify/sync';
import type { Platform, StallReason } from '../db/types.js';
import type { Executor } from './outbox.js';

/** A person as the platforms name them: `slack:U0123`, `discord:81234`, `local:maria`. */
export interface UserKey {
  platform: Platform;
  userId: string;
}

export function parseUserKey(text: string): UserKey | null {
  const m = /^(slack|discord|local):([A-Za-z0-9_.-]+)$/.exec(text.trim());
  return m ? { platform: m[1] as Platform, userId: m[2]! } : null;
}

export interface CheckinVersion {
  recorded_at: string;
  status: string;
  confidence: number | null;
  blocker: string | null;
  note: string | null;
  milestones: string[];
  late: boolean;
  source: string;
}

/** Everything the bot keeps about one person, as they get it from `/mydata` → Download. */
export interface LearnerData {
  user: string;
  exported_at: string;
  cohorts: Array<{ cohort: string; program: string; role: string; name: string; joined_at: string; left_at: string | null }>;
  checkins: Array<{
    cohort: string;
    week: number;
    milestone: string;
    status: string;
    confidence: number | null;
    blocker: string | null;
    note: string | null;
    late: boolean;
    answered_at: string;
    updated_at: string;
    /** Every version, oldest first: each edit kept what was said before. */
    versions: CheckinVersion[];
  }>;
  milestones_completed: Array<{ cohort: string; milestone: string; completed_at: string }>;
  breaks: Array<{ cohort: string; from: string; back_on: string }>;
  evidence: Array<{ cohort: string; milestone: string; url: string; state: string; checked_at: string | null; linked_at: string }>;
  flags: Array<{
    cohort: string;
    state: string;
    reasons: string[];
    opened_at: string;
    acknowledged_at: string | null;
    acknowledged_by: string | null;
    resolved_at: string | null;
    resolution: string | null;
  }>;
  faq_questions: Array<{ question: string; asked_at: string; via: string; answered: boolean; matched_entry: string | null; feedback: string | null }>;
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/** The rows of this person's learner and mentor memberships (an erased membership is no longer theirs). */
export async function membershipRows(db: Executor, user: UserKey) {
  return db
    .selectFrom('members')
    .innerJoin('cohorts', 'cohorts.id', 'members.cohort_id')
    .select(['members.id', 'members.role', 'members.display_name', 'members.joined_at', 'members.removed_at', 'cohorts.id as cohort_id', 'cohorts.name as cohort', 'cohorts.program_id'])
    .where('cohorts.platform', '=', user.platform)
    .where('members.user_id', '=', user.userId)
    .where('members.erased_at', 'is', null)
    .orderBy('cohorts.id')
    .execute();
}

/**
 * What is kept about some memberships: check-ins (each with every version), completed milestones,
 * breaks, linked work and stall flags. `/mydata` and the dashboard's learner page read it alike.
 */
export async function recordsOf(db: Executor, ids: readonly number[]) {
  const none = [-1];
  const which = ids.length ? [...ids] : none;
  const [checkins, versions, milestones, breaks, links, flags] = await Promise.all([
    db
      .selectFrom('checkins')
      .innerJoin('rounds', 'rounds.id', 'checkins.round_id')
      .select(['checkins.id', 'checkins.member_id', 'rounds.week', 'rounds.milestone_id', 'checkins.status', 'checkins.confidence', 'checkins.blocker', 'checkins.note', 'checkins.late', 'checkins.created_at', 'checkins.updated_at'])
      .where('checkins.member_id', 'in', which)
      .orderBy('checkins.member_id')
      .orderBy('rounds.week')
      .execute(),
    db
      .selectFrom('checkin_history as h')
      .innerJoin('checkins', 'checkins.id', 'h.checkin_id')
      .select(['h.checkin_id', 'h.status', 'h.confidence', 'h.blocker', 'h.note', 'h.milestones', 'h.late', 'h.source', 'h.recorded_at'])
      .where('checkins.member_id', 'in', which)
      .orderBy('h.id')
      .execute(),
    db.selectFrom('milestone_completions').selectAll().where('member_id', 'in', which).orderBy('completed_at').execute(),
    db.selectFrom('away_periods').selectAll().where('member_id', 'in', which).orderBy('starts_on').execute(),
    db.selectFrom('evidence_links').select(['member_id', 'milestone_id', 'url', 'state', 'results', 'checked_at', 'verified_at', 'created_at']).where('member_id', 'in', which).orderBy('id').execute(),
    db.selectFrom('stall_flags').selectAll().where('member_id', 'in', which).orderBy('opened_at').orderBy('id').execute(),
  ]);
  const versionsOf = new Map<number, CheckinVersion[]>();
  for (const v of versions) {
    const list = versionsOf.get(v.checkin_id) ?? [];
    list.push({ recorded_at: iso(v.recorded_at)!, status: v.status, confidence: v.confidence, blocker: v.blocker, note: v.note, milestones: v.milestones, late: v.late, source: v.source });
    versionsOf.set(v.checkin_id, list);
  }
  return { checkins, versionsOf, milestones, breaks, links, flags };
}

export async function collectLearnerData(db: Executor, user: UserKey, now: Date): Promise<LearnerData> {
  const members = await membershipRows(db, user);
  const ids = members.map((m) => m.id);
  const cohortOf = new Map(members.map((m) => [m.id, m.cohort]));
  const [{ checkins, versionsOf, milestones, breaks, links, flags }, questions] = await Promise.all([
    recordsOf(db, ids),
    db
      .selectFrom('faq_questions')
      .select(['question', 'asked_at', 'via', 'answered', 'matched_id', 'feedback'])
      .where('platform', '=', user.platform)
      .where('user_id', '=', user.userId)
      .orderBy('asked_at')
      .orderBy('id')
      .execute(),
  ]);
  return {
    user: `${user.platform}:${user.userId}`,
    exported_at: now.toISOString(),
    cohorts: members.map((m) => ({ cohort: m.cohort, program: m.program_id, role: m.role, name: m.display_name, joined_at: iso(m.joined_at)!, left_at: iso(m.removed_at) })),
    checkins: checkins.map((c) => ({
      cohort: cohortOf.get(c.member_id)!,
      week: c.week,
      milestone: c.milestone_id,
      status: c.status,
      confidence: c.confidence,
      blocker: c.blocker,
      note: c.note,
      late: c.late,
      answered_at: iso(c.created_at)!,
      updated_at: iso(c.updated_at)!,
      versions: versionsOf.get(c.id) ?? [],
    })),
    milestones_completed: milestones.map((m) => ({ cohort: cohortOf.get(m.member_id)!, milestone: m.milestone_id, completed_at: iso(m.completed_at)! })),
    breaks: breaks.map((b) => ({ cohort: cohortOf.get(b.member_id)!, from: b.starts_on, back_on: b.ends_on })),
    evidence: links.map((l) => ({ cohort: cohortOf.get(l.member_id)!, milestone: l.milestone_id, url: l.url, state: l.state, checked_at: iso(l.checked_at), linked_at: iso(l.created_at)! })),
    flags: flags.map((f) => ({
      cohort: cohortOf.get(f.member_id)!,
      state: f.status,
      reasons: (f.reasons as StallReason[]).map((r) => r.text),
      opened_at: iso(f.opened_at)!,
      acknowledged_at: iso(f.acknowledged_at),
      acknowledged_by: f.acknowledged_by,
      resolved_at: iso(f.resolved_at),
      resolution: f.resolution,
    })),
    faq_questions: questions.map((q) => ({ question: q.question, asked_at: iso(q.asked_at)!, via: q.via, answered: q.answered, matched_entry: q.matched_id, feedback: q.feedback })),
  };
}

export function isEmpty(data: LearnerData): boolean {
  return data.cohorts.length === 0 && data.faq_questions.length === 0;
}

const CSV_COLUMNS = ['cohort', 'week', 'milestone', 'version', 'recorded_at', 'status', 'confidence', 'blocker', 'note', 'milestones', 'late', 'source'];

/** One row per version of every check-in: the CSV a spreadsheet opens. */
export function checkinsCsv(data: LearnerData): string {
  const rows = data.checkins.flatMap((c) =>
    c.versions.map((v, i) => ({ cohort: c.cohort, week: c.week, milestone: c.milestone, version: i + 1, ...v, milestones: v.milestones.join(' ') })),
  );
  return stringify(rows, { header: true, columns: CSV_COLUMNS, cast: { boolean: (b) => (b ? 'true' : 'false') } });
}

export interface DataFile {
  name: string;
  contentType: string;
  data: Buffer;
}

/** The two files `/mydata` → Download sends: everything as JSON, and the check-ins with every edit as CSV. */
export async function learnerDataFiles(db: Executor, user: UserKey, now: Date): Promise<DataFile[]> {
  const data = await collectLearnerData(db, user, now);
  const stem = `mentorbot-${user.platform}-${user.userId}-${now.toISOString().slice(0, 10)}`;
  return [
    { name: `${stem}.json`, contentType: 'application/json', data: Buffer.from(`${JSON.stringify(data, null, 2)}\n`) },
    { name: `${stem}-checkins.csv`, contentType: 'text/csv', data: Buffer.from(checkinsCsv(data)) },
  ];
}
