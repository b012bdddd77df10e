import { stringify } from 'csv-stringify/sync';
import type { Db } from '../db/connect.js';

export interface ExportedCheckin {
  cohort: string;
  week: number;
  milestone: string;
  user_id: string;
  name: string;
  status: string;
  confidence: number | null;
  blocker: string | null;
  note: string | null;
  late: boolean;
  source: string;
  answered_at: string;
  updated_at: string;
}

/** Every stored check-in (the latest version of each), oldest cohort and week first. */
export async function exportCheckins(db: Db, cohortName?: string): Promise<ExportedCheckin[]> {
  let q = db
    .selectFrom('checkins')
    .innerJoin('rounds', 'rounds.id', 'checkins.round_id')
    .innerJoin('cohorts', 'cohorts.id', 'rounds.cohort_id')
    .innerJoin('members', 'members.id', 'checkins.member_id')
    .select([
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
    ]);
  if (cohortName) q = q.where('cohorts.name', '=', cohortName);
  const rows = await q.orderBy('cohorts.id').orderBy('rounds.week').orderBy('members.display_name').execute();
  return rows.map(({ created_at, updated_at, ...r }) => ({ ...r, answered_at: new Date(created_at).toISOString(), updated_at: new Date(updated_at).toISOString() }));
}

const COLUMNS: Array<keyof ExportedCheckin> = ['cohort', 'week', 'milestone', 'user_id', 'name', 'status', 'confidence', 'blocker', 'note', 'late', 'source', 'answered_at', 'updated_at'];

export function formatCheckins(rows: ExportedCheckin[], format: 'csv' | 'json'): string {
  if (format === 'json') return `${JSON.stringify(rows, null, 2)}\n`;
  return stringify(rows, { header: true, columns: COLUMNS, cast: { boolean: (b) => (b ? 'true' : 'false') } });
}
