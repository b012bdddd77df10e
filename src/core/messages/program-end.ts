import type { Tally } from '../attendance.js';
import type { OutMessage } from '../chat.js';
import { listWeeks, plural } from './progress.js';

export interface FinalReportData {
  cohortName: string;
  programTitle: string;
  weeks: number;
  postedWeeks: number[];
  notRunWeeks: number[];
  milestones: Array<{ title: string; week: number; finished: number }>;
  learnerCount: number;
  /** Each posted week's count, as its round post, status and digest gave it. */
  answersPerWeek: Array<{ week: number } & Tally>;
  /** `expected`: the weeks the learner counted for (not away, a member by then). */
  learners: Array<{ memberId: number; name: string; milestonesDone: number; answered: number; expected: number; late: number; flags: number }>;
  flagsRaised: number;
  flagsResolvedByMentors: number;
  flagsResolvedThemselves: number;
  flagsOpenAtEnd: number;
  ackMedianHours: number | null;
  /** Lines on how fast mentors answered stall alerts (report/response-times.ts). */
  responseTimes?: string[];
  mentors: Array<{ id: number; userId: string }>;
}

function milestoneLines(d: FinalReportData): string[] {
  return d.milestones.map((m) => `• ${m.title} (week ${m.week}): ${m.finished} of ${d.learnerCount}`);
}

/** "3/4", "3/3 +1 away", "3/3 +1 left": a week's count in a list of weeks. */
export function weekCount(t: Tally): string {
  return `${t.answered}/${t.expected}${t.away > 0 ? ` +${t.away} away` : ''}${(t.left ?? 0) > 0 ? ` +${t.left} left` : ''}`;
}

/** Posted in the channel when the last week closes: counts only, nobody named. */
export function programSummary(d: FinalReportData): OutMessage {
  return {
    text: [
      `🎓 **${d.cohortName}** has finished: ${d.programTitle}, ${d.weeks} weeks, ${plural(d.learnerCount, 'learner')}.`,
      'Milestones finished:',
      ...milestoneLines(d),
      'Thank you all for checking in week after week. This channel gets no more rounds; `/progress` still shows your own record.',
    ].join('\n'),
  };
}

/** The mentors' report at the end: every learner's record and how the flags went. */
export function finalReport(d: FinalReportData): OutMessage {
  const answers = d.answersPerWeek.map((w) => `${w.week}: ${weekCount(w)}`).join(' · ');
  const ack = d.ackMedianHours === null ? 'no flag was acknowledged' : `median time to acknowledge ${d.ackMedianHours < 1 ? `${Math.round(d.ackMedianHours * 60)} min` : `${d.ackMedianHours.toFixed(1)} h`}`;
  return {
    text: [
      `**Final report · ${d.cohortName}** (${d.programTitle})`,
      `${plural(d.postedWeeks.length, 'week')} run${d.notRunWeeks.length > 0 ? `; ${listWeeks(d.notRunWeeks)} not run` : ''}. ${plural(d.learnerCount, 'learner')} at the end.`,
      '',
      '**Milestones finished**',
      ...milestoneLines(d),
      '',
      '**Learners** (milestones · check-ins of the weeks they counted for · late · flags)',
      ...d.learners.map((l) => `• ${l.name}: ${l.milestonesDone}/${d.milestones.length} · ${l.answered}/${l.expected} · ${l.late} · ${l.flags}`),
      '',
      `**Answers per week:** ${answers || '—'}`,
      // The response section below gives the times in full; the flag line only says when none came.
      `**Stall flags:** ${d.flagsRaised} raised; ${d.flagsResolvedByMentors} resolved by a mentor, ${d.flagsResolvedThemselves} resolved themselves, ${d.flagsOpenAtEnd} still open at the end (closed as "program ended")${d.responseTimes ? '' : `; ${ack}`}.`,
      ...(d.responseTimes ? ['', '**Response to stall alerts** (alert → first mentor answer)', ...d.responseTimes] : []),
    ].join('\n'),
  };
}

/** To organizers when a cohort that never had a learner reaches its end: nothing is posted in the channel. */
export function emptyCohortEndedNotice(cohortName: string): OutMessage {
  return {
    text: `**${cohortName}** reached the end of its program without ever having a learner, so I posted no summary in its channel and sent no final report. Nothing more will be posted there.`,
  };
}
