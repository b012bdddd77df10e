import type { Program } from '../../content/types.js';
import type { Cohort } from '../../db/types.js';
import type { OutMessage } from '../chat.js';
import type { CalendarWeek, CohortCalendar } from '../calendar.js';
import { describeSlot, WEEKDAY_NAMES } from '../schedule.js';
import { formatDay, formatWhen, joinAnd, listWeeks } from './progress.js';

const NOT_RUN_WHY = { offline: 'I was offline', 'no-learners': 'no active learners' } as const;

/** `/cohort schedule`: the next round, the end, and every week that did not go as planned. */
export function scheduleMessage(d: { cohort: Cohort; program: Program; calendar: CohortCalendar }): OutMessage {
  const { cohort, program, calendar } = d;
  const zone = cohort.timezone;
  const last = calendar.weeks[calendar.weeks.length - 1]!;
  const lines = [`**${cohort.name}** · ${program.title} · ${program.weeks.length} weeks · every ${WEEKDAY_NAMES[cohort.weekday]} at ${cohort.slot_time} ${zone}`];
  if (cohort.status === 'finished') {
    lines.push(`Finished: week ${last.week} closed ${describeSlot(calendar.endsAt, zone)}.`);
  } else if (cohort.status === 'paused') {
    const since = calendar.pauses.find((p) => p.until === null)?.from;
    lines.push(`Paused${since ? ` since ${formatWhen(since, zone)}` : ''}: no rounds until \`/cohort resume\`. Resumed now, week ${calendar.next?.week ?? last.week} would open ${calendar.next ? describeSlot(calendar.next.at, zone) : '—'}.`);
    lines.push(`Ends, if resumed now: ${describeSlot(calendar.endsAt, zone)} (week ${last.week} closes).`);
  } else {
    lines.push(calendar.next ? `Next round: week ${calendar.next.week}, ${describeSlot(calendar.next.at, zone)}.` : `Every week has gone out; week ${last.week} is the last.`);
    lines.push(`Ends: ${describeSlot(calendar.endsAt, zone)} (week ${last.week} closes).`);
  }
  const upcomingSkips = calendar.skipped;
  if (upcomingSkips.length > 0) lines.push(`Skipped: ${joinAnd(upcomingSkips)} (\`/cohort unskip <date>\` undoes one).`);
  for (const p of calendar.pauses) lines.push(`Paused from ${formatDay(p.from, zone)}${p.until ? ` to ${formatDay(p.until, zone)}` : ' (still paused)'}.`);
  const notRun = calendar.weeks.filter((w) => w.state === 'not-run');
  for (const reason of ['offline', 'no-learners'] as const) {
    const weeks = notRun.filter((w) => w.reason === reason);
    if (weeks.length > 0) lines.push(`Not run (${NOT_RUN_WHY[reason]}): ${listWeeks(weeks.map((w) => w.week))}. Nobody counts as having missed them.`);
  }
  const late = calendar.weeks.filter((w) => w.late);
  if (late.length > 0) lines.push(`Posted late after an outage: ${listWeeks(late.map((w) => w.week))}.`);
  lines.push('', ...calendar.weeks.map((w) => weekLine(w, program, zone)));
  return { text: lines.join('\n'), private: true };
}

function weekLine(w: CalendarWeek, program: Program, zone: string): string {
  const milestone = program.milestones.find((m) => m.id === program.weeks[w.week - 1]?.milestoneId);
  const mark = w.state === 'posted' ? (w.late ? '✓ late' : '✓') : w.state === 'not-run' ? '– not run' : '';
  return `\`${String(w.week).padStart(2)}\` ${formatDay(w.at, zone)}${mark ? ` ${mark}` : ''} · ${milestone?.title ?? ''}`;
}
