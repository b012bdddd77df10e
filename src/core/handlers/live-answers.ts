import type { Program } from '../../content/types.js';
import type { Cohort, Member } from '../../db/types.js';
import type { Actor, OutMessage, Place } from '../chat.js';
import type { CoreDeps } from '../core.js';
import type { LiveIntent } from '../faq/live-intent.js';
import { activeMembers, cohortByChannel, membershipsOf, type Membership } from '../members.js';
import { progressView } from '../progress.js';
import { cohortCalendar } from '../calendar.js';
import { describeSlot, WEEKDAY_NAMES, type Slot } from '../schedule.js';
import { plural } from '../messages/progress.js';

export const NOT_IN_A_COHORT =
  "You're not in a cohort, so I have nothing about yours to tell. To join one, type `/cohort join` in the cohort's channel (or ask an organizer to add you with `/cohort add`). Questions about the program itself work anywhere with `/faq`.";

/** The cohort a question is about: the one of this channel if the asker is in it, else their first as a learner, else any. */
function pick(memberships: Membership[], place: Place): Membership | undefined {
  return (
    memberships.find((m) => m.cohort.channel_id === place.channelId) ??
    memberships.find((m) => m.member.role === 'learner') ??
    memberships[0]
  );
}

interface Calendar {
  /** The week the latest round opened, 0 before the first. */
  week: number;
  /** The next round still to open, and its week; null once every week has opened. */
  next: { week: number; slot: Slot } | null;
  /** When the last week's round opens (or opened). */
  last: Date;
}

/** The rest of the cohort's calendar from the schedule rules, skipped dates and pauses included. */
async function calendar(deps: CoreDeps, cohort: Cohort, program: Program, now: Date): Promise<Calendar> {
  const all = await cohortCalendar(deps.db, cohort, program, now);
  const week = all.weeks.filter((w) => w.state !== 'upcoming').at(-1)?.week ?? 0;
  const next = all.next ? { week: all.next.week, slot: { localDate: all.next.localDate, at: all.next.at } } : null;
  return { week, next, last: all.weeks[all.weeks.length - 1]!.at };
}

function weeksOf(program: Program, milestoneId: string): string {
  const weeks = program.weeks.filter((w) => w.milestoneId === milestoneId).map((w) => w.week);
  if (weeks.length === 0) return '';
  const [first, last] = [Math.min(...weeks), Math.max(...weeks)];
  return first === last ? `week ${first}` : `weeks ${first}–${last}`;
}

function milestoneOfWeek(program: Program, week: number) {
  const w = program.weeks[week - 1];
  return w ? { focus: w.focus, milestone: program.milestones.find((m) => m.id === w.milestoneId) } : null;
}

/** A question about the asker's own cohort, answered from the database and the program. */
export async function liveAnswer(deps: CoreDeps, actor: Actor, place: Place, intent: LiveIntent, isPrivate: boolean): Promise<OutMessage> {
  const now = deps.clock.now();
  const membership = pick(await membershipsOf(deps.db, actor.platform, actor.userId), place);
  if (!membership) return { text: await withoutCohort(deps, actor, place, intent), private: true };
  const text = await answer(deps, membership.cohort, membership.member, intent, now);
  // Where a learner stands is theirs alone, even when asked in a thread.
  return { text, private: isPrivate || intent === 'standing' };
}

/**
 * Without a cohort of their own, a question about the program's shape (its milestones, its length)
 * is still answered from the program: this channel's cohort's, else every program in the content.
 */
async function withoutCohort(deps: CoreDeps, actor: Actor, place: Place, intent: LiveIntent): Promise<string> {
  if (intent !== 'milestones' && intent !== 'program-end') return NOT_IN_A_COHORT;
  const here = await cohortByChannel(deps.db, actor.platform, place.channelId);
  const programs = here ? [deps.content.programs.get(here.program_id)].filter((p) => p !== undefined) : [...deps.content.programs.values()];
  if (programs.length === 0) return NOT_IN_A_COHORT;
  const parts = programs.map((program) =>
    intent === 'milestones'
      ? milestoneList(program)
      : `**${program.title}** runs ${program.weeks.length} weeks; when it ends depends on when your cohort starts and on its skipped weeks.`,
  );
  return [...parts, JOIN_HINT].join('\n\n');
}

const JOIN_HINT = "You're not in a cohort yet: type `/cohort join` in a cohort's channel (or ask an organizer to add you) to follow it week by week.";

function milestoneList(program: Program): string {
  const lines = program.milestones.map((m, i) => `${i + 1}. **${m.title}** (${weeksOf(program, m.id)}): done when ${lowerFirst(m.doneWhen)}`);
  return [`The milestones of **${program.title}** (${program.weeks.length} weeks):`, ...lines].join('\n');
}

async function answer(deps: CoreDeps, cohort: Cohort, member: Member, intent: LiveIntent, now: Date): Promise<string> {
  const program = deps.content.programs.get(cohort.program_id);
  if (!program) return `**${cohort.name}** uses program \`${cohort.program_id}\`, which is no longer in the content; ask an organizer.`;
  const zone = cohort.timezone;
  const cadence = `Check-ins are every ${WEEKDAY_NAMES[cohort.weekday]} at ${cohort.slot_time} ${zone}.`;

  switch (intent) {
    case 'mentors': {
      const mentors = await activeMembers(deps.db, cohort.id, 'mentor');
      if (mentors.length === 0) return `**${cohort.name}** has no mentor yet; an organizer adds one with \`/cohort mentor @user\`.`;
      return `${mentors.length === 1 ? 'Your mentor' : 'Your mentors'} in **${cohort.name}**: ${mentors.map((m) => m.display_name).join(', ')}.`;
    }
    case 'milestones':
      return milestoneList(program);
    case 'standing':
      if (member.role !== 'learner') return `You're a mentor of **${cohort.name}**; \`/cohort status\` shows where its learners stand.`;
      return (await progressView(deps.db, deps.content, { cohortId: cohort.id, memberId: member.id, self: true }, now)).text;
    default:
      break;
  }

  if (cohort.status === 'finished') return `**${cohort.name}** has finished: its last week, week ${program.weeks.length}, has closed. \`/progress\` still shows your record.`;
  const cal = await calendar(deps, cohort, program, now);
  const isPaused = cohort.status === 'paused';
  const paused = isPaused ? ' Check-ins are paused for now; that date assumes an organizer resumes them.' : '';

  if (intent === 'next-checkin') {
    if (!cal.next) return `Every check-in of **${cohort.name}** has opened; the last was week ${cal.week}. The program ends a week after it.`;
    const m = milestoneOfWeek(program, cal.next.week)?.milestone;
    return `The next check-in of **${cohort.name}** (week ${cal.next.week}${m ? `, ${m.title}` : ''}) opens ${describeSlot(cal.next.slot.at, zone)}. ${cadence}${paused}`;
  }
  if (intent === 'program-end') {
    const verb = cal.next ? 'opens' : 'opened';
    const toGo = program.weeks.length - cal.week;
    const where = cal.week === 0 ? '' : toGo === 0 ? ' This is the last week.' : ` It is in week ${cal.week}; ${plural(toGo, 'more check-in')} to come.`;
    return `**${cohort.name}** runs ${program.weeks.length} weeks: its last check-in (week ${program.weeks.length}) ${verb} ${describeSlot(cal.last, zone)}, and the program ends with that week.${where}${paused}`;
  }
  // this-week
  if (cal.week === 0) {
    const first = milestoneOfWeek(program, 1);
    const when = cal.next ? ` on ${describeSlot(cal.next.slot.at, zone)}` : '';
    return `**${cohort.name}** hasn't started yet; week 1 opens${when}. It works towards **${first?.milestone?.title ?? '?'}**: ${first?.focus ?? ''}\n_Done when:_ ${first?.milestone?.doneWhen ?? ''}`;
  }
  const w = milestoneOfWeek(program, cal.week);
  return `Week ${cal.week} of ${program.weeks.length} in **${cohort.name}**: **${w?.milestone?.title ?? '?'}** (${w?.milestone ? weeksOf(program, w.milestone.id) : ''}). This week: ${w?.focus ?? ''}\n_Done when:_ ${w?.milestone?.doneWhen ?? ''}${isPaused ? '\nCheck-ins are paused for now.' : ''}`;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
