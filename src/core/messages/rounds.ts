import type { Milestone, Program } from '../../content/types.js';
import type { Checkin, CheckinStatus } from '../../db/types.js';
import type { Button, OutMessage } from '../chat.js';
import { formatWhen, listWeeks } from './progress.js';

export const STATUS_LABEL: Record<CheckinStatus, string> = {
  'on-track': 'On track',
  behind: 'Behind',
  blocked: 'Blocked',
  done: 'Done',
};

export function checkinButtons(roundId: number): Button[] {
  return [
    { action: 'checkin.status', label: 'On track', value: `${roundId}:on-track`, style: 'primary' },
    { action: 'checkin.status', label: 'Behind', value: `${roundId}:behind` },
    { action: 'checkin.status', label: 'Blocked', value: `${roundId}:blocked`, style: 'danger' },
    { action: 'checkin.status', label: 'Done', value: `${roundId}:done` },
    { action: 'checkin.details', label: 'Details…', value: String(roundId) },
  ];
}

export function milestoneOf(program: Program, milestoneId: string): Milestone | undefined {
  return program.milestones.find((m) => m.id === milestoneId);
}

/** Why and for how long rounds were held back: the bot offline, the channel unreachable, or its access revoked. */
export interface LateWindow {
  from: Date;
  to: Date;
  timezone: string;
  cause?: 'offline' | 'unreachable' | 'no-access' | null;
}

export function whyLate(w: LateWindow): string {
  const span = `from ${formatWhen(w.from, w.timezone)} to ${formatWhen(w.to, w.timezone)}`;
  if (w.cause === 'unreachable') return `I could not post in this channel ${span}`;
  if (w.cause === 'no-access') return `my access to the workspace was revoked ${span}`;
  return `I was offline ${span}`;
}

export function roundPost(opts: {
  program: Program;
  roundId: number;
  week: number;
  milestoneId: string;
  /** Who has checked in, in the words every view uses (attendance.ts). */
  count: string;
  /** Posted after an outage: when the bot went offline and came back. */
  late?: LateWindow | null;
}): OutMessage {
  const { program, week } = opts;
  const milestone = milestoneOf(program, opts.milestoneId);
  const focus = program.weeks.find((w) => w.week === week)?.focus;
  const lines = [
    `**Week ${week} of ${program.weeks.length} · ${milestone?.title ?? opts.milestoneId}**`,
    opts.late ? `_Posted late: ${whyLate(opts.late)}._` : null,
    milestone ? `**Goal:** ${milestone.goal}` : null,
    focus ? `**This week:** ${focus}` : null,
    milestone ? `**Done when:** ${milestone.doneWhen}` : null,
    milestone && milestone.resources.length > 0 ? `**Resources:** ${milestone.resources.join(' · ')}` : null,
    '',
    'How is it going? Click one, or use Details… to add milestones, confidence and a blocker.',
    `_${opts.count}_`,
  ];
  return { text: lines.filter((l) => l !== null).join('\n'), buttons: checkinButtons(opts.roundId), roundId: opts.roundId };
}

export function reminderDm(opts: {
  program: Program;
  cohortName: string;
  roundId: number;
  week: number;
  milestoneId: string;
  last: Pick<Checkin, 'status' | 'note' | 'blocker'> & { week: number } | null;
  /** The learner's first round since they joined. */
  first: boolean;
}): OutMessage {
  const milestone = milestoneOf(opts.program, opts.milestoneId);
  const last = opts.last
    ? `Last time (week ${opts.last.week}) you said **${STATUS_LABEL[opts.last.status]}**${opts.last.blocker ? `, blocked by “${opts.last.blocker}”` : opts.last.note ? ` — “${opts.last.note}”` : ''}.`
    : opts.first
      ? 'This is your first check-in.'
      : "You haven't checked in yet in this cohort: one click now counts.";
  return {
    text: [
      `Reminder: week ${opts.week} check-in for **${opts.cohortName}** is still open.`,
      `Your next milestone: **${milestone?.title ?? opts.milestoneId}**${milestone ? ` (due week ${milestone.week}) — done when ${lowerFirst(milestone.doneWhen)}` : ''}`,
      last,
      'One click is enough:',
    ].join('\n'),
    buttons: checkinButtons(opts.roundId),
  };
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** To organizers after an outage: which weeks passed with no round, so nobody wonders where they went. */
export function notRunNotice(opts: { cohortName: string; weeks: readonly number[]; from: Date; to: Date; timezone: string; posted: number | null; ended?: boolean; cause?: LateWindow['cause'] }): OutMessage {
  const { weeks } = opts;
  const which = weeks.length === 1 ? `${listWeeks(weeks)} was` : `${listWeeks(weeks)} were`;
  return {
    text: [
      `${whyLate(opts).replace(/^./, (c) => c.toUpperCase())}, so ${which} not run in **${opts.cohortName}**: no round was posted and no learner counts as having missed ${weeks.length === 1 ? 'it' : 'them'}.`,
      opts.posted !== null
        ? `Week ${opts.posted} is posted now, marked late. The calendar did not move: the program still ends on schedule.`
        : opts.ended
          ? 'The last week had closed by then, so the program has ended: the final report follows.'
          : 'The calendar did not move: the program still ends on schedule.',
      '`/cohort schedule` shows every week.',
    ].join('\n'),
  };
}

/** To organizers, once per streak: a week came with nobody to check in. */
export function noLearnersNotice(cohortName: string, week: number): OutMessage {
  return {
    text: `Week ${week} of **${cohortName}** came with no active learners, so I posted no round. Rounds start again once learners \`/cohort join\` (or an organizer runs \`/cohort add @user\`).`,
  };
}
