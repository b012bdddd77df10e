import type { CohortPage } from '../../core/dashboard/cohort-page.js';
import { durationText, responseLines } from '../../core/report/response-times.js';
import { WEEKDAY_NAMES } from '../../core/schedule.js';
import { STATE_STYLES, heatmapSvg } from '../../render/heatmap-svg.js';
import { dayText, STATUS_WORDS, whenText } from '../format.js';
import { html, trustedMarkup, type Html } from '../html.js';
import { renderTable, type Table } from '../table.js';
import { flagCards, flagsTable } from './flags.js';
import { page, type Viewer } from './layout.js';

const NOT_RUN_WHY = { offline: 'not run (the bot was offline)', 'no-learners': 'not run (no active learners)', unreachable: 'not run (the channel or the bot’s access was lost)' } as const;

function heatmapTable(p: CohortPage): Table {
  const data = p.heatmap;
  const columns = data?.columns ?? [];
  const columnKey = (i: number) => `c${i}`;
  return {
    id: 'heatmap',
    caption: 'The heatmap as a table',
    empty: 'No round has been posted yet.',
    columns: [
      { key: 'learner', label: 'Learner' },
      ...columns.map((c, i) => ({ key: columnKey(i), label: c.kind === 'week' ? `Week ${c.week}` : `Skipped ${c.date}` })),
      { key: 'flags', label: 'Open flags', numeric: true },
      { key: 'done', label: 'Milestones done', numeric: true },
    ],
    rows: (data?.rows ?? []).map((r) => ({
      learner: r.name,
      ...Object.fromEntries(
        r.cells.map((cell, i) => [columnKey(i), [STATE_STYLES[cell.state].label.replace('to come / still open', ''), cell.late ? 'late' : '', cell.verified ? 'verified' : ''].filter(Boolean).join(', ')]),
      ),
      flags: r.openFlags,
      done: `${r.milestonesDone}/${data!.milestoneCount}`,
    })),
  };
}

function thisWeekTable(p: CohortPage): Table {
  const w = p.thisWeek;
  const learner = (name: string, memberId: number) => ({ text: name, href: `/learners/${memberId}` });
  return {
    id: 'this-week',
    caption: w.round ? `Week ${w.round.week}: ${w.round.milestoneTitle} · ${w.count}` : 'This week',
    empty: w.round ? 'No active learner.' : 'No round has been posted yet.',
    columns: [
      { key: 'learner', label: 'Learner' },
      { key: 'answer', label: 'Answer' },
      { key: 'confidence', label: 'Confidence', numeric: true },
      { key: 'blocker', label: 'Blocker' },
    ],
    rows: [
      ...w.checkedIn.map((c) => ({
        learner: learner(c.name, c.memberId),
        answer: `${STATUS_WORDS[c.answer.status] ?? c.answer.status}${c.answer.late ? ' (late)' : ''}`,
        confidence: c.answer.confidence,
        blocker: c.answer.blocker,
      })),
      ...w.missing.map((m) => ({ learner: learner(m.name, m.memberId), answer: w.round?.closed ? 'missed' : 'not checked in yet', confidence: null, blocker: null })),
      ...w.away.map((a) => ({ learner: learner(a.name, a.memberId), answer: a.until ? `away until ${dayText(a.until)}` : 'away', confidence: null, blocker: null })),
    ],
  };
}

function scheduleTable(p: CohortPage): Table {
  const zone = p.cohort.timezone;
  return {
    id: 'schedule',
    caption: 'Schedule',
    empty: 'The program has no weeks.',
    columns: [
      { key: 'week', label: 'Week', numeric: true },
      { key: 'at', label: `Round (${zone})` },
      { key: 'milestone', label: 'Milestone' },
      { key: 'state', label: 'State' },
    ],
    rows: p.calendar.weeks.map((w) => ({
      week: w.week,
      at: whenText(w.at, zone),
      milestone: p.program.milestones.find((m) => m.id === p.program.weeks[w.week - 1]?.milestoneId)?.title ?? '',
      state: w.state === 'posted' ? (w.late ? 'posted late' : 'posted') : w.state === 'not-run' ? NOT_RUN_WHY[w.reason ?? 'offline'] : p.cohort.status === 'paused' ? 'to come (paused)' : 'to come',
    })),
  };
}

function milestonesTable(p: CohortPage): Table {
  return {
    id: 'milestones',
    caption: `Learners who finished each milestone (of ${p.report.learnerCount})`,
    empty: 'The program has no milestones.',
    columns: [
      { key: 'milestone', label: 'Milestone' },
      { key: 'week', label: 'Week', numeric: true },
      { key: 'finished', label: 'Finished', numeric: true },
    ],
    rows: p.report.milestones.map((m) => ({ milestone: m.title, week: m.week, finished: m.finished })),
  };
}

function learnersTable(p: CohortPage): Table {
  return {
    id: 'learners',
    caption: 'Learners',
    empty: 'No learner in this cohort yet.',
    columns: [
      { key: 'learner', label: 'Learner' },
      { key: 'done', label: 'Milestones done', numeric: true },
      { key: 'answered', label: 'Answers', numeric: true },
      { key: 'expected', label: 'Weeks counted', numeric: true },
      { key: 'late', label: 'Late', numeric: true },
      { key: 'flags', label: 'Flags raised', numeric: true },
    ],
    rows: p.report.learners.map((l) => ({ learner: { text: l.name, href: `/learners/${l.memberId}` }, done: l.milestonesDone, answered: l.answered, expected: l.expected, late: l.late, flags: l.flags })),
  };
}

function answersTable(p: CohortPage): Table {
  return {
    id: 'answers',
    caption: 'Answers per week',
    empty: 'No round has been posted yet.',
    columns: [
      { key: 'week', label: 'Week', numeric: true },
      { key: 'answered', label: 'Answered', numeric: true },
      { key: 'expected', label: 'Expected', numeric: true },
      { key: 'away', label: 'Away', numeric: true },
    ],
    rows: p.report.answersPerWeek.map((w) => ({ week: w.week, answered: w.answered, expected: w.expected, away: w.away })),
  };
}

const TABLES: Record<string, (p: CohortPage) => Table> = {
  heatmap: heatmapTable,
  'this-week': thisWeekTable,
  flags: (p) => flagsTable(p.flags, p.cohort.timezone),
  schedule: scheduleTable,
  milestones: milestonesTable,
  learners: learnersTable,
  answers: answersTable,
};

/** A table of the cohort page by its CSV name, built only when asked for (the heatmap's has a cell per learner and week). */
export function cohortTable(p: CohortPage, id: string): Table | null {
  return TABLES[id]?.(p) ?? null;
}

function heatmapFigure(p: CohortPage): Html {
  if (!p.heatmap) return html`<p class="empty">The heatmap starts with the first round.</p>`;
  // heatmapSvg escapes every text it draws (learner names included); the label makes it one image to assistive technology.
  const svg = heatmapSvg(p.heatmap).replace('<svg ', '<svg role="img" aria-labelledby="heatmap-caption" focusable="false" ');
  return html`<figure class="heatmap">
<div class="scroll" role="region" aria-labelledby="heatmap-caption" tabindex="0">${trustedMarkup(svg)}</div>
<figcaption id="heatmap-caption">Heatmap of ${p.cohort.name}, weeks 1 to ${p.heatmap.week}: each learner's answer per week, open flags, confidence and milestones done.</figcaption>
</figure>`;
}

export function cohortPageHtml(viewer: Viewer, p: CohortPage, highlightFlag: number | null): string {
  const byId = (id: string) => cohortTable(p, id)!;
  const base = `/cohorts/${p.cohort.id}/`;
  const zone = p.cohort.timezone;
  const r = p.report;
  const slot = `every ${WEEKDAY_NAMES[p.cohort.weekday]} at ${p.cohort.slot_time} ${zone}`;
  const times = p.responseTimes;
  const body = html`<p class="crumbs"><a href="/cohorts">Cohorts</a> › ${p.cohort.name}</p>
<h1>${p.cohort.name}</h1>
<p class="lead">${p.program.title} · ${p.week === 0 ? 'not started' : `week ${p.week} of ${p.program.weeks.length}`} · ${slot} · <span class="badge ${p.cohort.status}">${p.cohort.status}</span></p>
<section aria-labelledby="h-heatmap"><h2 id="h-heatmap">Heatmap</h2>${heatmapFigure(p)}
<p><a class="csv" href="${base}heatmap.csv" download>Download the heatmap as CSV</a> (one row per learner, one column per week); the Learners table below has each learner’s figures.</p></section>
<section aria-labelledby="h-week"><h2 id="h-week">This week</h2>${renderTable(byId('this-week'), base)}</section>
<section aria-labelledby="h-flags"><h2 id="h-flags">Open flags (${p.flags.length})</h2>
${p.flags.length > 0 ? flagCards(viewer, p.flags, zone, `/cohorts/${p.cohort.id}`, highlightFlag) : ''}
${renderTable(byId('flags'), base)}</section>
<section aria-labelledby="h-schedule"><h2 id="h-schedule">Schedule</h2>
<p>${p.calendar.next ? `Next round: week ${p.calendar.next.week}, ${whenText(p.calendar.next.at, zone)} (${zone}).` : p.cohort.status === 'finished' ? 'The program has finished.' : 'Every week has gone out.'} Ends ${whenText(p.calendar.endsAt, zone)}.</p>
${p.calendar.skipped.length > 0 ? html`<p>Skipped (holidays): ${p.calendar.skipped.map(dayText).join(', ')}.</p>` : ''}
${p.calendar.pauses.length > 0 ? html`<ul>${p.calendar.pauses.map((x) => html`<li>Paused from ${whenText(x.from, zone)}${x.until ? ` to ${whenText(x.until, zone)}` : ' (still paused)'}</li>`)}</ul>` : ''}
${renderTable(byId('schedule'), base)}</section>
<section aria-labelledby="h-report"><h2 id="h-report">Report so far</h2>
<ul class="figures">
<li><strong>${r.learnerCount}</strong> learners · <strong>${r.postedWeeks.length}</strong> weeks posted${r.notRunWeeks.length > 0 ? ` · ${r.notRunWeeks.length} not run` : ''}</li>
<li>Stall flags: <strong>${r.flagsRaised}</strong> raised · ${r.flagsResolvedByMentors} resolved by a mentor · ${r.flagsResolvedThemselves} resolved themselves · ${p.flags.length} open</li>
<li>Response to stall alerts: ${times.answered === 0 ? `none answered yet${times.waiting > 0 ? ` (${times.waiting} waiting)` : ''}` : `median ${durationText(times.medianSeconds!)}, 90th percentile ${durationText(times.p90Seconds!)} over ${times.answered}`}</li>
</ul>
${times.byMentor.length > 0 ? html`<details><summary>By mentor</summary><ul>${responseLines(times).slice(1).map((l) => html`<li>${l.replace(/^• /, '')}</li>`)}</ul></details>` : ''}
${renderTable(byId('milestones'), base)}
${renderTable(byId('learners'), base)}
${renderTable(byId('answers'), base)}
</section>`;
  return page({ title: p.cohort.name, viewer, body, section: 'cohorts' });
}
