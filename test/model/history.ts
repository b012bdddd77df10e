import fc from 'fast-check';
import { addDays, DAY, HOUR, MINUTE, onOrAfter, slotOf } from './calendar.js';
import type { Status } from './model.js';

/**
 * Generators of whole cohort histories. A history is a handful of parameters (the cohort, its
 * learners' behaviours, the organizer's and mentors' actions, outages) expanded into a list of
 * timed steps. Times are placed on the nominal weekly grid of the first slot; what a step acts on
 * ("the latest round", "the next week's date") is decided when it runs, against the model.
 */

export const FEATURES = ['edit', 'unskip', 'awayBack', 'undoDone', 'erase', 'platform', 'ownTime'] as const;
export type Feature = (typeof FEATURES)[number];

/** SIM_FEATURES: `all` (default), `legacy` (none of the new ones), or a comma list of FEATURES. */
export function featuresFrom(text: string | undefined): Set<Feature> {
  const t = (text ?? 'all').trim();
  if (t === 'all' || t === '') return new Set(FEATURES);
  if (t === 'legacy' || t === 'none') return new Set();
  const out = new Set<Feature>();
  for (const f of t.split(',').map((s) => s.trim())) {
    if (!(FEATURES as readonly string[]).includes(f)) throw new Error(`SIM_FEATURES: unknown feature "${f}"; known: ${FEATURES.join(', ')}, or all / legacy`);
    out.add(f as Feature);
  }
  return out;
}

export const ZONES = ['Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'UTC', 'Asia/Kolkata'] as const;
/** People's own zones: each changes its clocks on another date than the cohorts' zones, or never. */
export const OWN_ZONES = ['America/Los_Angeles', 'Pacific/Auckland', 'Asia/Tokyo', 'Europe/London', 'America/Sao_Paulo'] as const;
export const LEARNER_NAMES = ['maria', 'li', 'sam', 'ana', 'tom', 'kim', 'raj', 'eva', 'ola', 'ben', 'zoe', 'max'] as const;
export const MENTOR_NAMES = ['dana', 'mo'] as const;
export const ORGANIZER = 'olga';

export type Style = 'on-time' | 'late' | 'one-click' | 'blocked' | 'confidence' | 'away' | 'oops';

export type Step =
  | { at: number; kind: 'tick' }
  | { at: number; kind: 'restart' }
  | { at: number; kind: 'answer'; who: string; via: 'click' | 'quick' | 'form'; status: Status; confidence?: number; ticks?: string[]; target: 'latest' | 'previous' }
  | { at: number; kind: 'away'; who: string; days: number }
  | { at: number; kind: 'away-back'; who: string }
  | { at: number; kind: 'pause' }
  | { at: number; kind: 'resume' }
  | { at: number; kind: 'skip'; ahead: number }
  | { at: number; kind: 'unskip' }
  | { at: number; kind: 'edit'; day?: number; time?: string; tz?: string }
  | { at: number; kind: 'remove'; who: string }
  | { at: number; kind: 'erase'; who: string }
  /** The platform changing: a learner leaves or comes back (heard of, or found by the daily check), DMs close or open. */
  | { at: number; kind: 'leave'; who: string; how: 'channel' | 'deactivated' | 'silent' }
  | { at: number; kind: 'rejoin'; who: string }
  | { at: number; kind: 'dms'; who: string; open: boolean }
  | { at: number; kind: 'mentor-leave'; who: string }
  /** The channel becomes unusable (archived, the bot removed) or the bot's access is revoked, and back. */
  | { at: number; kind: 'hold'; cause: 'archived' | 'bot-removed' | 'revoked' }
  | { at: number; kind: 'unhold'; cause: 'archived' | 'bot-removed' | 'revoked' }
  | { at: number; kind: 'flag'; verb: 'ack' | 'resolve'; who: string };

export interface Moment {
  week: number;
  hour: number;
}

export interface LearnerEvent extends Moment {
  what:
    | { kind: 'answer'; via: 'click' | 'quick' | 'form'; status: Status; confidence?: number; tick?: number; target: 'latest' | 'previous' }
    | { kind: 'away'; days: number }
    | { kind: 'away-back' }
    | { kind: 'erase' }
    | { kind: 'leave'; how: 'channel' | 'deactivated' | 'silent'; back: number | null }
    | { kind: 'dms'; days: number }
    | { kind: 'oops'; then: Status };
}

export interface History {
  start: string;
  weekday: number;
  time: string;
  zone: string;
  /** The cohort is created this many days before week 1's slot. */
  leadDays: number;
  mentors: number;
  learners: Array<{ style: Style; events: LearnerEvent[] }>;
  organizer: Array<Moment & { what: { kind: 'pause'; days: number } | { kind: 'skip'; ahead: number } | { kind: 'unskip' } | { kind: 'edit'; day?: number; time?: string; tz?: string } | { kind: 'remove'; learner: number } }>;
  mentorActs: Array<Moment & { verb: 'ack' | 'resolve'; learner: number }>;
  outages: Array<Moment & { hours: number }>;
  /** The channel or the bot's access lost for a while (feature 'platform'). */
  holds?: Array<Moment & { cause: 'archived' | 'bot-removed' | 'revoked'; hours: number }>;
  /** Mentors who leave (feature 'platform'), by index. */
  mentorsLeave?: Array<Moment & { mentor: number }>;
  /** People's own zones and reminder slots set with `/me` at the start (feature 'ownTime'), learners then mentors by index. */
  own?: Array<{ zone: string | null; slot: { weekday: number; time: string } | null }>;
  restarts: Moment[];
  ticks: Moment[];
  /** Weeks of nominal ticks (28 when unset); a short history with `toEnd: false` stops after them. */
  horizon?: number;
  toEnd?: boolean;
}

const week = (max = 27) => fc.integer({ min: 1, max });
const timeArb = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45)).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
const status = (blocked: number) =>
  fc.oneof({ weight: 5, arbitrary: fc.constant<Status>('on-track') }, { weight: 2, arbitrary: fc.constant<Status>('behind') }, { weight: blocked, arbitrary: fc.constant<Status>('blocked') }, { weight: 3, arbitrary: fc.constant<Status>('done') });

function answerArb(style: Style): fc.Arbitrary<LearnerEvent> {
  const hour = style === 'late' ? fc.integer({ min: 20, max: 200 }) : fc.integer({ min: 0, max: 30 });
  const via = style === 'one-click' ? fc.constant('click' as const) : style === 'confidence' ? fc.constant('form' as const) : fc.constantFrom('click' as const, 'quick' as const, 'form' as const);
  return fc.record({
    week: week(),
    hour,
    what: fc.record({
      kind: fc.constant('answer' as const),
      via,
      status: status(style === 'blocked' ? 8 : 1),
      confidence: style === 'one-click' ? fc.constant(undefined) : fc.integer({ min: 1, max: 5 }),
      tick: fc.option(fc.integer({ min: 0, max: 6 }), { freq: 4, nil: undefined }),
      target: style === 'late' ? fc.constantFrom('latest' as const, 'previous' as const) : fc.constant('latest' as const),
    }),
  });
}

function learnerArb(features: Set<Feature>): fc.Arbitrary<{ style: Style; events: LearnerEvent[] }> {
  const styles: Style[] = ['on-time', 'late', 'one-click', 'blocked', 'confidence', 'away', ...(features.has('undoDone') ? (['oops'] as const) : [])];
  return fc.constantFrom(...styles).chain((style) => {
    const extra: Array<fc.Arbitrary<LearnerEvent>> = [];
    if (style === 'away') {
      extra.push(fc.record({ week: week(), hour: fc.integer({ min: 0, max: 167 }), what: fc.record({ kind: fc.constant('away' as const), days: fc.integer({ min: 1, max: 40 }) }) }));
      if (features.has('awayBack')) extra.push(fc.record({ week: week(), hour: fc.integer({ min: 0, max: 167 }), what: fc.constant({ kind: 'away-back' as const }) }));
    }
    if (style === 'oops') {
      extra.push(fc.record({ week: week(), hour: fc.integer({ min: 0, max: 30 }), what: fc.record({ kind: fc.constant('oops' as const), then: fc.constantFrom<Status>('on-track', 'behind', 'blocked') }) }));
    }
    if (features.has('platform')) {
      // Leaving the channel or the workspace (heard of or not), coming back days later or never; DMs closed for a while.
      extra.push(
        fc.record({
          week: week(),
          hour: fc.integer({ min: 0, max: 167 }),
          what: fc.record({ kind: fc.constant('leave' as const), how: fc.constantFrom('channel' as const, 'deactivated' as const, 'silent' as const), back: fc.option(fc.integer({ min: 1, max: 40 }), { nil: null }) }),
        }),
        fc.record({ week: week(), hour: fc.integer({ min: 0, max: 167 }), what: fc.record({ kind: fc.constant('dms' as const), days: fc.integer({ min: 1, max: 30 }) }) }),
      );
    }
    // Now and then a learner erases their data (`/mydata delete`): they leave, and nothing may name them after.
    if (features.has('erase')) extra.push(fc.record({ week: week(), hour: fc.integer({ min: 0, max: 167 }), what: fc.constant({ kind: 'erase' as const }) }));
    const answers = style === 'away' || style === 'oops' ? 3 : 12;
    const events = extra.length === 0 ? answerArb(style) : fc.oneof({ weight: answers, arbitrary: answerArb(style) }, ...extra.map((a) => ({ weight: 1, arbitrary: a })));
    return fc.record({ style: fc.constant(style), events: fc.array(events, { maxLength: 30 }) });
  });
}

export function historyArb(features: Set<Feature>): fc.Arbitrary<History> {
  const moment = (max = 27) => ({ week: week(max), hour: fc.integer({ min: 0, max: 167 }) });
  const organizer = fc.oneof(
    fc.record({ ...moment(22), what: fc.record({ kind: fc.constant('pause' as const), days: fc.integer({ min: 1, max: 30 }) }) }),
    fc.record({ ...moment(), what: fc.record({ kind: fc.constant('skip' as const), ahead: fc.integer({ min: 1, max: 3 }) }) }),
    fc.record({ ...moment(), what: fc.record({ kind: fc.constant('remove' as const), learner: fc.nat(11) }) }),
    ...(features.has('unskip') ? [fc.record({ ...moment(), what: fc.constant({ kind: 'unskip' as const }) })] : []),
    ...(features.has('edit')
      ? [
          fc.record({
            ...moment(),
            what: fc.record(
              { kind: fc.constant('edit' as const), day: fc.integer({ min: 1, max: 7 }), time: timeArb, tz: fc.constantFrom(...ZONES) },
              { requiredKeys: ['kind'] },
            ),
          }),
        ]
      : []),
  );
  return fc.record({
    start: fc.integer({ min: 0, max: 3 * 365 - 1 }).map((d) => addDays('2027-01-01', d)),
    weekday: fc.integer({ min: 1, max: 7 }),
    time: timeArb,
    zone: fc.constantFrom(...ZONES),
    leadDays: fc.integer({ min: 1, max: 6 }),
    mentors: fc.integer({ min: 0, max: 2 }),
    learners: fc.array(learnerArb(features), { minLength: 3, maxLength: 12 }),
    organizer: fc.array(organizer, { maxLength: 6 }),
    mentorActs: fc.array(fc.record({ ...moment(), verb: fc.constantFrom('ack' as const, 'resolve' as const, 'resolve' as const), learner: fc.nat(11) }), { maxLength: 12 }),
    outages: fc.array(fc.record({ ...moment(26), hours: fc.oneof(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 30, max: 24 * 35 })) }), { maxLength: 2 }),
    restarts: fc.array(fc.record(moment()), { maxLength: 3 }),
    ticks: fc.array(fc.record(moment()), { maxLength: 10 }),
    ...(features.has('platform')
      ? {
          holds: fc.array(fc.record({ ...moment(26), cause: fc.constantFrom('archived' as const, 'bot-removed' as const, 'revoked' as const), hours: fc.oneof(fc.integer({ min: 1, max: 48 }), fc.integer({ min: 48, max: 24 * 21 })) }), { maxLength: 2 }),
          mentorsLeave: fc.array(fc.record({ ...moment(), mentor: fc.nat(1) }), { maxLength: 1 }),
        }
      : {}),
    ...(features.has('ownTime')
      ? {
          own: fc.array(
            fc.record({
              zone: fc.constantFrom(null, ...OWN_ZONES),
              slot: fc.option(fc.record({ weekday: fc.integer({ min: 1, max: 7 }), time: fc.tuple(fc.integer({ min: 0, max: 26 }), fc.constantFrom(0, 30)).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`) }), { nil: null }),
            }),
            { maxLength: 14 },
          ),
        }
      : {}),
  });
}

export interface Plan {
  history: History;
  created: number;
  firstSlot: number;
  learners: string[];
  mentors: string[];
  steps: Step[];
}

/** Turns a history into timed steps: nominal ticks, everyone's actions, outages (no step inside) and restarts. */
export function expand(h: History): Plan {
  const firstDate = onOrAfter(h.start, h.weekday);
  const nominal = (w: number) => slotOf(addDays(firstDate, 7 * (w - 1)), h.time, h.zone);
  const firstSlot = nominal(1);
  const created = firstSlot - h.leadDays * DAY;
  const at = (m: Moment) => nominal(m.week) + m.hour * HOUR;
  const learners = h.learners.map((_, i) => LEARNER_NAMES[i]!);
  const mentors = MENTOR_NAMES.slice(0, h.mentors);
  const steps: Step[] = [];

  for (let w = 1; w <= (h.horizon ?? 28); w++) {
    // The slot, the reminder a day later, the digest six days later.
    // 37 h: twelve hours after the 25 h tick, so it is day somewhere the other one was night (quiet hours).
    steps.push({ at: nominal(w), kind: 'tick' }, { at: nominal(w) + 25 * HOUR, kind: 'tick' }, { at: nominal(w) + 37 * HOUR, kind: 'tick' }, { at: nominal(w) + 6 * DAY + HOUR, kind: 'tick' });
  }
  for (const t of h.ticks) steps.push({ at: at(t), kind: 'tick' });
  h.learners.forEach((l, i) => {
    const who = learners[i]!;
    for (const e of l.events) {
      const when = at(e) + 7 * MINUTE;
      const w = e.what;
      if (w.kind === 'answer') {
        const ticks = w.tick === undefined || w.via !== 'form' ? undefined : [MILESTONE_IDS[w.tick]!];
        steps.push({ at: when, kind: 'answer', who, via: w.via, status: w.status, target: w.target, ...(w.via === 'form' && w.confidence ? { confidence: w.confidence } : {}), ...(ticks ? { ticks } : {}) });
      } else if (w.kind === 'away') steps.push({ at: when, kind: 'away', who, days: w.days });
      else if (w.kind === 'away-back') steps.push({ at: when, kind: 'away-back', who });
      else if (w.kind === 'erase') steps.push({ at: when, kind: 'erase', who });
      else if (w.kind === 'leave') {
        steps.push({ at: when, kind: 'leave', who, how: w.how });
        if (w.back !== null) steps.push({ at: when + w.back * DAY, kind: 'rejoin', who });
      } else if (w.kind === 'dms') steps.push({ at: when, kind: 'dms', who, open: false }, { at: when + w.days * DAY, kind: 'dms', who, open: true });
      else {
        steps.push({ at: when, kind: 'answer', who, via: 'click', status: 'done', target: 'latest' });
        steps.push({ at: when + 3 * MINUTE, kind: 'answer', who, via: 'click', status: w.then, target: 'latest' });
      }
    }
  });
  for (const o of h.organizer) {
    const when = at(o) + 11 * MINUTE;
    const w = o.what;
    if (w.kind === 'pause') steps.push({ at: when, kind: 'pause' }, { at: when + w.days * DAY, kind: 'resume' });
    else if (w.kind === 'skip') steps.push({ at: when, kind: 'skip', ahead: w.ahead });
    else if (w.kind === 'unskip') steps.push({ at: when, kind: 'unskip' });
    else if (w.kind === 'remove') steps.push({ at: when, kind: 'remove', who: learners[w.learner % learners.length]! });
    else steps.push({ at: when, kind: 'edit', ...(w.day ? { day: w.day } : {}), ...(w.time ? { time: w.time } : {}), ...(w.tz ? { tz: w.tz } : {}) });
  }
  for (const m of h.mentorActs) steps.push({ at: at(m) + 13 * MINUTE, kind: 'flag', verb: m.verb, who: learners[m.learner % learners.length]! });
  for (const r of h.restarts) steps.push({ at: at(r) + 17 * MINUTE, kind: 'restart' });
  for (const x of h.holds ?? []) steps.push({ at: at(x) + 19 * MINUTE, kind: 'hold', cause: x.cause }, { at: at(x) + 19 * MINUTE + x.hours * HOUR, kind: 'unhold', cause: x.cause });
  for (const m of h.mentorsLeave ?? []) if (mentors[m.mentor % Math.max(1, mentors.length)]) steps.push({ at: at(m) + 23 * MINUTE, kind: 'mentor-leave', who: mentors[m.mentor % mentors.length]! });

  steps.sort((a, b) => a.at - b.at);
  const outages = h.outages.map((o) => ({ from: at(o) + 5 * MINUTE, to: at(o) + 5 * MINUTE + o.hours * HOUR }));
  // What the platform does while the bot is down reaches it when it is back (Slack and Discord redeliver or
  // the bot finds out): such steps move to just after the restart.
  const PLATFORM_KINDS = new Set<Step['kind']>(['leave', 'rejoin', 'dms', 'mentor-leave', 'hold', 'unhold']);
  for (const st of steps) {
    const o = outages.find((x) => st.at >= x.from && st.at < x.to);
    if (o && PLATFORM_KINDS.has(st.kind)) st.at = o.to + MINUTE;
  }
  const up = steps.filter((s) => !outages.some((o) => s.at >= o.from && s.at < o.to));
  for (const o of outages) up.push({ at: o.to, kind: 'restart' }, { at: o.to, kind: 'tick' });
  // Stable: at one instant the restart comes before the tick that follows it.
  up.sort((a, b) => a.at - b.at);
  return { history: h, created, firstSlot, learners, mentors: [...mentors], steps: up.filter((s) => s.at > created) };
}

export const MILESTONE_IDS = ['production-code', 'containerization-serving', 'ci-cd', 'system-design', 'drift-monitoring', 'capstone-system', 'portfolio-job-search'] as const;

/** "T+23d04h" from the cohort's creation. */
export function relative(at: number, created: number): string {
  const mins = Math.round((at - created) / MINUTE);
  const d = Math.floor(mins / (24 * 60));
  const h = Math.floor((mins % (24 * 60)) / 60);
  const m = mins % 60;
  return `T+${d}d${String(h).padStart(2, '0')}h${m ? String(m).padStart(2, '0') : ''}`;
}
