import type { CohortSummary } from '../../core/dashboard/cohort-list.js';
import { html } from '../html.js';
import { whenText } from '../format.js';
import { renderTable, type Table } from '../table.js';
import { page, type Viewer } from './layout.js';

export interface MyRecord {
  memberId: number;
  cohortName: string;
}

export function cohortsTable(cohorts: CohortSummary[], organizer: boolean): Table {
  return {
    id: 'cohorts',
    caption: 'Cohorts',
    empty: organizer
      ? 'No cohort yet. Create one from its channel: /cohort create name:<text> program:<id> start:<YYYY-MM-DD> day:<mon..sun> time:<HH:MM> tz:<Area/City>.'
      : 'You mentor no cohort. An organizer makes you a mentor with /cohort mentor @you in the cohort’s channel.',
    columns: [
      { key: 'name', label: 'Cohort' },
      { key: 'program', label: 'Program' },
      { key: 'week', label: 'Week' },
      { key: 'checkedIn', label: 'Checked in this week' },
      { key: 'flags', label: 'Open flags', numeric: true },
      { key: 'next', label: 'Next round' },
      { key: 'status', label: 'Status' },
      { key: 'role', label: 'You' },
    ],
    rows: cohorts.map((c) => ({
      name: { text: c.cohort.name, href: `/cohorts/${c.cohort.id}` },
      program: c.programTitle,
      week: c.week === 0 ? 'not started' : `${c.week} of ${c.weeks}`,
      checkedIn: c.week === 0 ? '' : `${c.count}${c.expected > 0 ? ` (${Math.round((100 * c.answered) / c.expected)}%)` : ''}`,
      flags: c.openFlags,
      next: c.nextRound ? `${whenText(c.nextRound, c.cohort.timezone)} (${c.cohort.timezone})` : c.cohort.status === 'finished' ? 'finished' : '',
      status: c.cohort.status,
      role: c.standing.member?.role === 'mentor' ? 'mentor' : c.standing.organizer ? 'organizer' : '',
    })),
  };
}

export function cohortsPage(viewer: Viewer, cohorts: CohortSummary[], mine: MyRecord[]): string {
  const records = mine.length
    ? html`<section aria-labelledby="mine"><h2 id="mine">Your record</h2><ul>${mine.map((m) => html`<li><a href="/learners/${m.memberId}">Your check-ins in ${m.cohortName}</a></li>`)}</ul></section>`
    : '';
  const body =
    cohorts.length === 0 && mine.length > 0
      ? html`<h1>Your cohorts</h1><p>Cohort pages are for mentors and organizers; you see your own record.</p>${records}`
      : html`<h1>Cohorts</h1>${renderTable(cohortsTable(cohorts, viewer.organizer), '/', 2)}${records}`;
  return page({ title: 'Cohorts', viewer, body, section: 'cohorts' });
}
