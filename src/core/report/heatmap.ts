/**
 * What the cohort heatmap shows, independent of how it is drawn. The core builds it from the
 * database; a renderer outside the core (src/render) turns it into a PNG.
 */

/** A learner's week: their answer, or why there is none. */
/** `open`: not answered yet, the round still open; `upcoming`: a week still to come. */
export type CellState = 'on-track' | 'behind' | 'blocked' | 'done' | 'missed' | 'open' | 'away' | 'left' | 'not-run' | 'skipped' | 'not-member' | 'upcoming';

export interface HeatmapCell {
  state: CellState;
  /** Answered after the round closed. */
  late?: boolean;
  /** A milestone of this week was verified by its evidence checks. */
  verified?: boolean;
}

/** A column: a program week, or a skipped date (a holiday) that moved the weeks after it. */
export type HeatmapColumn = { kind: 'week'; week: number; date: string | null } | { kind: 'skipped'; date: string };

export interface HeatmapRow {
  /** The member, so a picture kept for a rebuild can leave an erased learner out. */
  memberId: number;
  name: string;
  cells: HeatmapCell[];
  openFlags: number;
  /** Confidence (1–5) of each answered week in order; null where the answer had none. */
  confidence: Array<number | null>;
  milestonesDone: number;
}

export interface HeatmapData {
  title: string;
  cohortName: string;
  programTitle: string;
  /** The week the picture is about (the latest one for a final report). */
  week: number;
  weeks: number;
  /** The cohort-local date it was made, YYYY-MM-DD. */
  date: string;
  columns: HeatmapColumn[];
  rows: HeatmapRow[];
  milestoneCount: number;
  /** Extra lines under the grid (the final report's figures). */
  notes?: string[];
}

/** The port the core draws through; tests may pass a fake. */
export interface HeatmapRenderer {
  render(data: HeatmapData): Promise<Uint8Array> | Uint8Array;
}

export const PNG = 'image/png';

export function heatmapFileName(cohortName: string, week: number, suffix = ''): string {
  const slug = cohortName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'cohort';
  return `${slug}-week-${String(week).padStart(2, '0')}${suffix}.png`;
}

/** The picture without these members' rows. */
export function heatmapWithout(data: HeatmapData, memberIds: ReadonlySet<number>): HeatmapData {
  return { ...data, rows: data.rows.filter((r) => !memberIds.has(r.memberId)) };
}
