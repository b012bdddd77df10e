import { stringify } from 'csv-stringify/sync';
import type { Db } from '../db/connect.js';
import { linksOf } from './evidence/links.js';

export interface ExportedCheckin {
  cohort: string;
  week: number;
  milestone: string;
  user_id: string;
  name: string;
  status: string;
  /** Milestone ids the learner ticked in this check-in (its latest version). */
  milestones_completed: string[];
  confidence: number | null;
  blocker: string | null;
  note: string | null;
  late: boolean;
  source: string;
  answered_at: string;
  updated_at: string;
  /** The learner's links for the week's milestone, and how their checks stand now: verified, not-verified, pending or empty. */
  evidence_state: string;
  evidence_links: string[];
}

/** Every stored check-in (the latest version of each), oldest cohort and week first. */
export async function exportCheckins(db: Db, cohortName?: string): Promise<ExportedCheckin[]> {
  let q = db
    .selectFrom('checkins')
    .innerJoin('rounds', 'rounds.id', 'checkins.round_id')
    .innerJoin('cohorts', 'cohorts.id', 'rounds.cohort_id')
    .innerJoin('members', 'members.id', 'checkins.member_id')
    .select([
      'checkins.id',
      'cohorts.name as cohort',
      'rounds.week',
      'rounds.milestone_id as milestone',
      'members.user_id',
      'members.display_name as name',
      'checkins.status',
      'checkins.confidence',
      'checkins.blocker',
      'checkins.note',
      'checkins.late',
      'checkins.source',
      'checkins.created_at',
      'checkins.updated_at',
      'checkins.member_id',
    ]);
  if (cohortName) q = q.where('cohorts.name', '=', cohortName);
  const rows = await q.orderBy('cohorts.id').orderBy('rounds.week').orderBy('members.display_name').execute();
  const ticked = await latestMilestones(db, cohortName);
  const links = await linksOf(db, [...new Set(rows.map((r) => r.member_id))]);
  return rows.map(({ id, created_at, updated_at, member_id, ...r }) => {
    const own = links.filter((l) => l.memberId === member_id && l.milestoneId === r.milestone);
    return {
      ...r,
      milestones_completed: ticked.get(id) ?? [],
      answered_at: new Date(created_at).toISOString(),
      updated_at: new Date(updated_at).toISOString(),
      evidence_state: EVIDENCE_ORDER.find((state) => own.some((l) => l.state === state)) ?? '',
      evidence_links: own.map((l) => l.url),
    };
  });
}

const EVIDENCE_ORDER = ['verified', 'not-verified', 'pending'] as const;

/** The milestones of each check-in's latest version, by check-in id. */
async function latestMilestones(db: Db, cohortName?: string): Promise<Map<number, string[]>> {
  let q = db
    .selectFrom('checkin_history as h')
    .innerJoin('checkins', 'checkins.id', 'h.checkin_id')
    .innerJoin('rounds', 'rounds.id', 'checkins.round_id')
    .innerJoin('cohorts', 'cohorts.id', 'rounds.cohort_id')
    .distinctOn('h.checkin_id')
    .select(['h.checkin_id', 'h.milestones'])
    .orderBy('h.checkin_id')
    .orderBy('h.id', 'desc');
  if (cohortName) q = q.where('cohorts.name', '=', cohortName);
  const rows = await q.execute();
  return new Map(rows.map((r) => [r.checkin_id, r.milestones]));
}

const COLUMNS: Array<keyof ExportedCheckin> = [
  'cohort',
  'week',
  'milestone',
  'user_id',
  'name',
  'status',
  'milestones_completed',
  'confidence',
  'blocker',
  'note',
  'late',
  'source',
  'answered_at',
  'updated_at',
  'evidence_state',
  'evidence_links',
];

export function formatCheckins(rows: ExportedCheckin[], format: 'csv' | 'json'): string {
  if (format === 'json') return `${JSON.stringify(rows, null, 2)}\n`;
  // Milestone ids are kebab-case: one cell holds them space-separated.
  const flat = rows.map((r) => ({ ...r, milestones_completed: r.milestones_completed.join(' '), evidence_links: r.evidence_links.join(' ') }));
  return stringify(flat, { header: true, columns: COLUMNS, cast: { boolean: (b) => (b ? 'true' : 'false') } });
}
