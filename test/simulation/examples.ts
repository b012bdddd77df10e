import type { Status } from '../model/model.js';
import type { History, LearnerEvent } from '../model/history.js';

/**
 * Small hand-made histories, one per failure the simulation found on the engine before the
 * lifecycle rewrite (FOUND.md). Week 1 is Monday 1 March 2027, 09:00 Europe/Berlin (CET; CEST from
 * 28 March); `hour` counts from that week's nominal slot.
 */

function cohort(over: Partial<History>): History {
  return {
    start: '2027-03-01',
    weekday: 1,
    time: '09:00',
    zone: 'Europe/Berlin',
    leadDays: 2,
    mentors: 1,
    learners: [],
    organizer: [],
    mentorActs: [],
    outages: [],
    restarts: [],
    ticks: [],
    toEnd: false,
    ...over,
  };
}

const click = (week: number, hour: number, status: Status, target: 'latest' | 'previous' = 'latest'): LearnerEvent => ({
  week,
  hour,
  what: { kind: 'answer', via: 'click', status, target },
});
const form = (week: number, hour: number, status: Status, confidence: number): LearnerEvent => ({
  week,
  hour,
  what: { kind: 'answer', via: 'form', status, confidence, target: 'latest' },
});
/** A learner who clicks On track an hour after every slot of the given weeks. */
const steady = (weeks: number) => ({ style: 'on-time' as const, events: Array.from({ length: weeks }, (_, i) => click(i + 1, 1, 'on-track')) });

export const EXAMPLES: Array<{ name: string; history: History }> = [
  {
    name: 'the week number slides after a two-week outage (weeks 4 and 5 fall due at once)',
    history: cohort({ horizon: 6, learners: [steady(6), steady(6), steady(6)], outages: [{ week: 3, hour: 2, hours: 15 * 24 }] }),
  },
  {
    name: 'missed-rounds is raised while the second round is still open',
    history: cohort({ horizon: 3, learners: [{ style: 'late', events: [] }, steady(3), steady(3)] }),
  },
  {
    name: "a week's digest is lost when the bot is down at slot + 6 days",
    history: cohort({ horizon: 3, learners: [steady(3), steady(3), steady(3)], outages: [{ week: 1, hour: 120, hours: 50 }] }),
  },
  {
    name: 'a resolved blocked-often flag reopens on the same answers when the next round is merely open',
    history: cohort({
      horizon: 4,
      learners: [{ style: 'blocked', events: [click(1, 1, 'blocked'), click(2, 1, 'blocked')] }, steady(4), steady(4)],
      mentorActs: [{ week: 2, hour: 30, verb: 'resolve', learner: 0 }],
    }),
  },
  {
    name: 'a confidence drop never lapses when later answers carry no rating',
    history: cohort({
      horizon: 6,
      learners: [{ style: 'confidence', events: [form(1, 1, 'on-track', 5), form(2, 1, 'on-track', 2), click(3, 1, 'on-track'), click(4, 1, 'on-track'), click(5, 1, 'on-track')] }, steady(6), steady(6)],
    }),
  },
  {
    name: 'missed-rounds stays after a late answer that is not On track',
    history: cohort({
      horizon: 4,
      learners: [{ style: 'late', events: [click(3, 2, 'behind', 'previous'), click(3, 3, 'behind', 'latest')] }, steady(4), steady(4)],
    }),
  },
  {
    name: "an away learner's flag is neither updated nor resolved",
    history: cohort({
      horizon: 5,
      learners: [
        { style: 'away', events: [click(1, 1, 'blocked'), click(2, 1, 'blocked'), { week: 2, hour: 30, what: { kind: 'away', days: 25 } }, click(3, 1, 'on-track'), click(4, 1, 'on-track')] },
        steady(5),
        steady(5),
      ],
    }),
  },
  {
    name: '/away back does not bring reminders back',
    history: cohort({
      horizon: 3,
      learners: [
        { style: 'away', events: [click(1, 1, 'on-track'), { week: 1, hour: 30, what: { kind: 'away', days: 30 } }, { week: 1, hour: 50, what: { kind: 'away-back' } }] },
        steady(3),
        steady(3),
      ],
    }),
  },
  {
    name: '/cohort edit moves the next weeks to Wednesday; /cohort unskip gives a skipped week back',
    history: cohort({
      horizon: 6,
      learners: [steady(6), steady(6), steady(6)],
      organizer: [
        { week: 1, hour: 30, what: { kind: 'skip', ahead: 2 } },
        { week: 1, hour: 40, what: { kind: 'unskip' } },
        { week: 2, hour: 30, what: { kind: 'edit', day: 3, time: '18:30', tz: 'America/New_York' } },
      ],
    }),
  },
  {
    // Found by the random histories (seed 20261201) once a pause no longer excused a missing digest.
    name: 'a pause the day week 1 is posted still lets week 1 have its digest',
    history: cohort({ horizon: 2, learners: [steady(1), steady(1), steady(1)], organizer: [{ week: 1, hour: 0, what: { kind: 'pause', days: 7 } }] }),
  },
  {
    name: 'the program ends: summary, reports, no flag left, week 24 closed to edits',
    history: cohort({
      horizon: 26,
      toEnd: true,
      mentors: 2,
      learners: [
        { style: 'on-time', events: [...Array.from({ length: 24 }, (_, i) => click(i + 1, 1, i === 23 ? 'done' : 'on-track')), click(25, 30, 'behind', 'latest')] },
        { style: 'blocked', events: [click(22, 1, 'blocked'), click(23, 1, 'blocked'), click(24, 1, 'blocked')] },
        steady(24),
      ],
    }),
  },
  {
    // Found by a 24-week terminal walk: the restart after the end posted week 24, marked late, after the final summary.
    name: 'an outage across the end: week 24 is not run and nothing is posted after the summary',
    history: cohort({
      horizon: 27,
      toEnd: true,
      learners: [steady(23), { style: 'blocked', events: [click(21, 1, 'blocked'), click(22, 1, 'blocked')] }, steady(22)],
      outages: [{ week: 23, hour: 100, hours: 24 * 20 }],
    }),
  },
];
