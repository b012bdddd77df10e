import type { CellState, HeatmapData } from '../../src/core/report/heatmap.js';

/**
 * A large cohort for the heatmap: 40 learners × 24 weeks with every state, late and verified
 * marks, open flags, a skipped week and the final report's notes. Deterministic (fixed seed).
 */
const STATES: CellState[] = ['on-track', 'behind', 'blocked', 'done', 'missed', 'away'];

export function bigCohort(): HeatmapData {
  let seed = 7;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const weeks = Array.from({ length: 24 }, (_, i) => ({ kind: 'week' as const, week: i + 1, date: new Date(Date.UTC(2027, 0, 4 + 7 * i)).toISOString().slice(0, 10) }));
  const columns = [...weeks.slice(0, 10), { kind: 'skipped' as const, date: '2027-03-15' }, ...weeks.slice(10)];
  return {
    title: 'weekly digest',
    cohortName: 'Spring 2027',
    programTitle: 'Data scientist to ML engineer',
    week: 18,
    weeks: 24,
    date: '2027-05-10',
    milestoneCount: 7,
    columns,
    rows: Array.from({ length: 40 }, (_, r) => ({
      memberId: r + 1,
      name: `Learner ${r + 1} Müller-Łukasiewicz`,
      openFlags: r % 7 === 0 ? 2 : 0,
      milestonesDone: r % 8,
      confidence: Array.from({ length: 8 }, () => 1 + Math.floor(rnd() * 5)),
      cells: columns.map((c) =>
        c.kind === 'skipped' ? { state: 'skipped' as const } : c.week > 18 ? { state: 'upcoming' as const } : c.week === 5 ? { state: 'not-run' as const } : r === 39 && c.week < 3 ? { state: 'not-member' as const } : { state: STATES[Math.floor(rnd() * 6)]!, late: rnd() < 0.1, verified: rnd() < 0.1 },
      ),
    })),
    notes: ['Milestones finished (of 40): Production code baseline 31 · Containerization 20', 'Response to stall alerts: median 3.5 h, 90th percentile 20 h over 12 alerts'],
  };
}

