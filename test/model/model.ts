import { addDays, DAY, HOUR, localDateOf, nextWeeklyAfter, onOrAfter, outOfNight, slotOf } from './calendar.js';

/**
 * The reference model of /work/lifecycle-spec.md, written plainly and apart from the engine: it
 * records the facts a cohort's history produced (accepted commands, answers with their times,
 * breaks, skips, pauses, edits) and answers what the engine must have done by a given moment.
 */

export const WEEKS = 24;
export const REMINDER_AFTER_MS = 24 * HOUR;
export const MILESTONES: ReadonlyArray<{ id: string; due: number }> = [
  { id: 'production-code', due: 4 },
  { id: 'containerization-serving', due: 8 },
  { id: 'ci-cd', due: 11 },
  { id: 'system-design', due: 14 },
  { id: 'drift-monitoring', due: 17 },
  { id: 'capstone-system', due: 21 },
  { id: 'portfolio-job-search', due: 24 },
];
/** The milestone a week's round is about: the first one due on or after that week. */
export function milestoneOfWeek(week: number): string {
  return MILESTONES.find((m) => m.due >= week)!.id;
}

export const STALL = { missedRounds: 2, blockedAnswers: 2, blockedWindow: 3, behindMilestones: 2, confidenceDrop: 2, confidenceWindow: 3 };

export type Status = 'on-track' | 'behind' | 'blocked' | 'done';
export type ReasonCode = 'missed-rounds' | 'blocked-often' | 'behind-schedule' | 'confidence-drop';

export interface Rule {
  weekday: number;
  time: string;
  zone: string;
}

export interface WeekRecord {
  week: number;
  date: string;
  slot: number;
  status: 'posted' | 'not-run';
  /** The tick that recorded it. */
  recordedAt: number;
  /** Learner → when their reminder is due (remindAtFor), fixed when the round is posted. */
  remindAt: Map<string, number>;
}

export interface Answer {
  week: number;
  status: Status;
  confidence: number | null;
  /** When the answer was first recorded and last recorded or edited. */
  createdAt: number;
  editedAt: number;
  /** Milestones ticked in the answer's latest form. */
  ticks: Set<string>;
}

export interface Break {
  from: string;
  to: string;
  /** left: gone from the channel (or the platform) until they came back. */
  kind?: 'break' | 'left';
}

/** A left learner's absence has no end until they come back. */
export const STILL_GONE = '9999-12-31';

export interface LearnerModel {
  name: string;
  joinedAt: number;
  removedAt: number | null;
  answers: Map<number, Answer>;
  breaks: Break[];
  /** Milestone → the week whose answer completed it. */
  completed: Map<string, number>;
  /** Their own zone (`/me tz:`), else the cohort's. */
  zone?: string;
  /** Their reminder slot (`/me remind:`): ISO weekday and HH:MM in their zone. */
  slot?: { weekday: number; time: string };
}

export interface Reason {
  code: ReasonCode;
  /**
   * When the newest fact behind the reason happened. The spec leaves some room ("the newest
   * answer in question", "the opening time of the round"), so the model keeps the earliest and
   * the latest reading: a flag must open when even the earliest is newer than a resolution, and
   * may open only when the latest is.
   */
  factMin: number;
  factMax: number;
}

export interface ModelOptions {
  /** Changing an answer away from Done (or unticking) removes the completion it made. */
  undoDone: boolean;
}

export class CohortModel {
  rule: Rule;
  readonly skipped = new Set<string>();
  readonly pauses: Array<{ from: number; to: number | null }> = [];
  readonly weeks: WeekRecord[] = [];
  readonly learners = new Map<string, LearnerModel>();
  finishedAt: number | null = null;
  /** `week|learner` → when their reminder went out (or was settled as none). */
  readonly reminded = new Map<string, number>();
  /** Times the cohort's rounds were held back (its channel unusable, or the bot's access revoked). */
  readonly holds: Array<{ from: number; to: number | null }> = [];

  get held(): boolean {
    const last = this.holds[this.holds.length - 1];
    return last !== undefined && last.to === null;
  }

  constructor(
    readonly start: string,
    rule: Rule,
    readonly mentors: readonly string[],
    readonly options: ModelOptions,
  ) {
    this.rule = { ...rule };
  }

  // ---- the calendar ----

  get paused(): boolean {
    const last = this.pauses[this.pauses.length - 1];
    return last !== undefined && last.to === null;
  }

  slot(date: string): number {
    return slotOf(date, this.rule.time, this.rule.zone);
  }

  private inPause(at: number): boolean {
    return this.pauses.some((p) => at >= p.from && (p.to === null || at < p.to));
  }

  usable(date: string): boolean {
    return !this.skipped.has(date) && !this.inPause(this.slot(date));
  }

  /** The date of the week after `prev` (week 1 when null) under today's rule; null while an open pause hides it. */
  nextDate(prev: string | null): string | null {
    let date = prev === null ? onOrAfter(this.start, this.rule.weekday) : onOrAfter(addDays(prev, 4), this.rule.weekday);
    for (let i = 0; i < 400; i++) {
      if (this.usable(date)) return date;
      date = addDays(date, 7);
    }
    return null;
  }

  lastRecorded(): WeekRecord | undefined {
    return this.weeks[this.weeks.length - 1];
  }

  private projection: { key: string; list: Array<{ week: number; date: string; slot: number }> } | null = null;

  /** Dates of the weeks not yet recorded, as today's rule places them (stops at an open pause). */
  projected(count: number): Array<{ week: number; date: string; slot: number }> {
    const key = `${this.weeks.length}|${this.rule.weekday}|${this.rule.time}|${this.rule.zone}|${[...this.skipped].join()}|${this.pauses.map((p) => `${p.from}-${p.to}`).join()}`;
    if (this.projection?.key !== key) this.projection = { key, list: this.project() };
    return this.projection.list.slice(0, count);
  }

  private project(): Array<{ week: number; date: string; slot: number }> {
    const count = WEEKS;
    const out: Array<{ week: number; date: string; slot: number }> = [];
    let prev = this.lastRecorded();
    let date = prev?.date ?? null;
    let week = prev?.week ?? 0;
    while (out.length < count && week < WEEKS) {
      const next = this.nextDate(date);
      if (next === null) break;
      week += 1;
      out.push({ week, date: next, slot: this.slot(next) });
      date = next;
    }
    prev = undefined;
    return out;
  }

  dateOfWeek(week: number): { date: string; slot: number } | null {
    const rec = this.weeks.find((w) => w.week === week);
    if (rec) return { date: rec.date, slot: rec.slot };
    return this.projected(WEEKS).find((p) => p.week === week) ?? null;
  }

  /** When a week's round closes: the next week's slot, or 7 days after the last week's slot; Infinity while unknown. */
  closeTime(week: number): number {
    const own = this.dateOfWeek(week);
    if (week >= WEEKS) return own ? own.slot + 7 * DAY : Infinity;
    const next = this.dateOfWeek(week + 1);
    return next ? next.slot : Infinity;
  }

  /** An edit is taken when it changes the rule and the next week it places is still ahead. */
  acceptsEdit(rule: Rule, now: number): boolean {
    if (rule.weekday === this.rule.weekday && rule.time === this.rule.time && rule.zone === this.rule.zone) return false;
    const before = this.rule;
    this.rule = rule;
    const next = this.finishedAt === null ? this.projected(1)[0] : undefined;
    this.rule = before;
    return next === undefined || next.slot > now;
  }

  /** The moment the next tick has something to record (a week falling due, or the end); Infinity when none. */
  nextScheduledMoment(): number {
    if (this.finishedAt !== null || this.paused) return Infinity;
    const last = this.lastRecorded();
    if (last && last.week >= WEEKS) return last.slot + 7 * DAY;
    return this.projected(1)[0]?.slot ?? Infinity;
  }

  posted(): WeekRecord[] {
    return this.weeks.filter((w) => w.status === 'posted');
  }

  latestPosted(): WeekRecord | undefined {
    const p = this.posted();
    return p[p.length - 1];
  }

  activeLearners(): LearnerModel[] {
    return [...this.learners.values()].filter((l) => l.removedAt === null);
  }

  today(at: number): string {
    return localDateOf(at, this.rule.zone);
  }

  // ---- a tick ----

  /** Records the weeks due at `now` and the end of the program. Returns the weeks recorded. */
  tick(now: number): { recorded: WeekRecord[]; finished: boolean } {
    if (this.finishedAt !== null || this.paused) return { recorded: [], finished: false };
    // Held rounds wait (the outage rule applies once they can go), but a last week already out still ends.
    if (this.held) return { recorded: [], finished: this.endIfClosed(now) };
    const due: Array<{ week: number; date: string; slot: number }> = [];
    for (const p of this.projected(WEEKS)) {
      if (p.slot > now) break;
      due.push(p);
    }
    const recorded: WeekRecord[] = [];
    const noLearners = this.activeLearners().length === 0;
    due.forEach((d, i) => {
      // A week already closed when it is first seen (the last one, after an outage across the end) is not run.
      const closed = d.week >= WEEKS && d.slot + 7 * DAY <= now;
      const status = i === due.length - 1 && !noLearners && !closed ? 'posted' : 'not-run';
      const remindAt = new Map([...this.learners.values()].map((l) => [l.name, this.remindAtFor(l, d.slot, now - d.slot > HOUR ? now : d.slot)]));
      const rec: WeekRecord = { ...d, status, recordedAt: now, remindAt };
      this.weeks.push(rec);
      recorded.push(rec);
    });
    return { recorded, finished: this.endIfClosed(now) };
  }

  private endIfClosed(now: number): boolean {
    const last = this.lastRecorded();
    if (last && last.week >= WEEKS && last.slot + 7 * DAY <= now) {
      this.finishedAt = now;
      return true;
    }
    return false;
  }

  /**
   * A learner's reminder moment for a round: their slot's first moment after the post when it
   * comes an hour or more before the week is over, else a day after the post, moved to 09:00 when
   * that falls in their night (21:00–09:00).
   */
  remindAtFor(l: LearnerModel, slot: number, posted: number): number {
    const zone = l.zone ?? this.rule.zone;
    if (l.slot) {
      const at = nextWeeklyAfter(posted, l.slot.weekday, l.slot.time, zone);
      if (at <= slot + 7 * DAY - HOUR) return at;
    }
    return outOfNight(posted + REMINDER_AFTER_MS, zone);
  }

  /**
   * Whether `/me remind:` takes a slot: a real time, in the day (09:00–21:00), and at least an hour
   * before a round opened at the cohort's next slot closes.
   */
  slotAccepted(name: string, slot: { weekday: number; time: string }, now: number): boolean {
    const [h, m] = slot.time.split(':').map(Number) as [number, number];
    if (h > 23 || m > 59 || h < 9 || h >= 21) return false;
    const zone = this.learners.get(name)?.zone ?? this.rule.zone;
    const opens = nextWeeklyAfter(now, this.rule.weekday, this.rule.time, this.rule.zone);
    return nextWeeklyAfter(opens, slot.weekday, slot.time, zone) <= opens + 7 * DAY - HOUR;
  }

  /** The reminders that fell due by `now` and were not yet settled: the latest posted round, and who gets one. Marks them. */
  reminderDue(now: number): { week: number; to: string[] } | null {
    if (this.finishedAt !== null && this.finishedAt < now) return null;
    // Reminders pause while rounds are held back.
    if (this.held) return null;
    const round = this.latestPosted();
    if (!round) return null;
    const due = [...round.remindAt].filter(([name, at]) => at <= now && !this.reminded.has(`${round.week}|${name}`)).map(([name]) => name);
    if (due.length === 0) return null;
    for (const name of due) this.reminded.set(`${round.week}|${name}`, now);
    if (this.closeTime(round.week) <= now || this.finishedAt !== null) return { week: round.week, to: [] };
    const today = this.today(now);
    const to = this.activeLearners()
      .filter((l) => due.includes(l.name) && !l.answers.has(round.week) && !this.isAway(l, today))
      .map((l) => l.name);
    return { week: round.week, to };
  }

  /** When a learner's reminder of a round was due (for the check that none went early). */
  reminderDueAt(week: number, name: string): number {
    return this.weeks.find((w) => w.week === week)?.remindAt.get(name) ?? Infinity;
  }

  // ---- learners ----

  isAway(l: LearnerModel, date: string): boolean {
    return l.breaks.some((b) => b.from <= date && date < b.to);
  }

  /** `/away D`: a break from today until D (exclusive), replacing any current or future one. */
  away(name: string, now: number, until: string): boolean {
    const l = this.learners.get(name)!;
    const today = this.today(now);
    if (until <= today) return false;
    const gone = l.breaks.filter((b) => b.kind === 'left');
    l.breaks = [...gone, ...l.breaks.filter((b) => b.kind !== 'left' && b.from < today).map((b) => (b.to > today ? { ...b, to: today } : b))];
    l.breaks.push({ from: today, to: until, kind: 'break' });
    return true;
  }

  /** `/away back`: the current break ends today. */
  awayBack(name: string, now: number): boolean {
    const l = this.learners.get(name)!;
    const today = this.today(now);
    let changed = false;
    l.breaks = l.breaks.map((b) => {
      if (b.kind !== 'left' && b.from <= today && today < b.to) {
        changed = true;
        return { from: b.from, to: today };
      }
      return b;
    });
    return changed;
  }

  /** Whether an answer to `week` at `now` is taken: an open round always, a closed one only as a first answer. */
  acceptsAnswer(name: string, week: number, now: number): { accepted: boolean; late: boolean } {
    const l = this.learners.get(name)!;
    const open = this.closeTime(week) > now;
    if (!open && l.answers.has(week)) return { accepted: false, late: true };
    return { accepted: true, late: !open };
  }

  /**
   * Records an answer. A form replaces the rating and the ticks; a click or a quick answer changes the
   * status only and keeps everything else the answer had. Done completes the learner's milestone;
   * moving a click or quick answer away from Done takes that completion back, and a form takes back
   * whatever it no longer ticks.
   */
  answer(name: string, week: number, now: number, a: { status: Status; confidence?: number | null; ticks?: string[]; via: 'click' | 'quick' | 'form' }): void {
    const l = this.learners.get(name)!;
    const prev = l.answers.get(week);
    const form = a.via === 'form';
    const confidence = form ? (a.confidence ?? null) : (prev?.confidence ?? null);
    const ticks = form ? new Set(a.ticks ?? []) : new Set(prev?.ticks ?? []);
    const answer: Answer = { week, status: a.status, confidence, createdAt: prev?.createdAt ?? now, editedAt: now, ticks };
    // Done completes the week's milestone, or, when an earlier answer already did, the learner's next unfinished one.
    const elsewhere = new Set([...l.completed].filter(([, by]) => by !== week).map(([m]) => m));
    const weekOwn = milestoneOfWeek(week);
    const own = elsewhere.has(weekOwn) ? (MILESTONES.find((m) => !elsewhere.has(m.id)) ?? MILESTONES[MILESTONES.length - 1]!).id : weekOwn;
    const madeHere = [...l.completed].filter(([, by]) => by === week).map(([m]) => m);
    const makes = form ? new Set(ticks) : new Set(madeHere);
    if (!form && prev?.status === 'done' && a.status !== 'done') makes.delete(own);
    if (a.status === 'done') makes.add(own);
    const unchanged = prev !== undefined && prev.status === a.status && prev.confidence === confidence && [...makes].sort().join() === [...madeHere].sort().join() && (!form || [...prev.ticks].sort().join() === [...ticks].sort().join());
    // The same answer again is no edit.
    if (!unchanged) l.answers.set(week, answer);
    if (this.options.undoDone) {
      for (const m of madeHere) if (!makes.has(m)) l.completed.delete(m);
    }
    for (const m of makes) if (!l.completed.has(m)) l.completed.set(m, week);
  }

  remove(name: string, now: number): void {
    this.learners.get(name)!.removedAt = now;
  }

  /** Gone from the channel or the platform: counted out, reminded and flagged no more, until they come back. */
  leave(name: string, now: number): boolean {
    const l = this.learners.get(name)!;
    if (this.isLeft(l)) return false;
    l.breaks.push({ from: this.today(now), to: STILL_GONE, kind: 'left' });
    return true;
  }

  rejoin(name: string, now: number): boolean {
    const l = this.learners.get(name)!;
    if (!this.isLeft(l)) return false;
    const today = this.today(now);
    l.breaks = l.breaks.flatMap((b) => (b.kind === 'left' && b.to === STILL_GONE ? (b.from >= today ? [] : [{ ...b, to: today }]) : [b]));
    return true;
  }

  isLeft(l: LearnerModel): boolean {
    return l.breaks.some((b) => b.kind === 'left' && b.to === STILL_GONE);
  }

  // ---- the learner's window ----

  /** Every reason that applies to the learner at `now`, with the time of its newest fact. */
  reasons(name: string, now: number): Reason[] {
    const l = this.learners.get(name)!;
    const theirs = this.posted().filter((r) => r.slot >= l.joinedAt - DAY);
    const closed = theirs.filter((r) => this.closeTime(r.week) <= now);
    const settled = theirs.filter((r) => this.closeTime(r.week) <= now || l.answers.has(r.week));
    const out: Reason[] = [];

    const lastClosed = closed.slice(-STALL.missedRounds);
    if (lastClosed.length === STALL.missedRounds && lastClosed.every((r) => !l.answers.has(r.week) && !this.excused(l, r.week))) {
      const at = this.closeTime(lastClosed[lastClosed.length - 1]!.week);
      out.push({ code: 'missed-rounds', factMin: at, factMax: at });
    }

    const window = settled.slice(-STALL.blockedWindow);
    const inWindow = window.map((r) => l.answers.get(r.week)).filter((a): a is Answer => a !== undefined);
    const newestOf = (answers: Answer[]) => Math.max(...answers.map((a) => a.editedAt));
    const blocked = inWindow.filter((a) => a.status === 'blocked');
    if (blocked.length >= STALL.blockedAnswers) {
      out.push({ code: 'blocked-often', factMin: newestOf(blocked), factMax: newestOf(inWindow) });
    }

    if (closed.length > 0) {
      const current = Math.max(0, ...this.posted().map((r) => r.week));
      const overdue = MILESTONES.filter((m) => m.due < current && !l.completed.has(m.id));
      if (overdue.length >= STALL.behindMilestones) {
        const newest = overdue[overdue.length - 1]!;
        const maker = this.posted().find((r) => r.week > newest.due)!;
        out.push({ code: 'behind-schedule', factMin: maker.slot, factMax: maker.recordedAt });
      }
    }

    const confWindow = settled.slice(-STALL.confidenceWindow);
    const rated = confWindow.map((r) => l.answers.get(r.week)).filter((a): a is Answer => a !== undefined && a.confidence !== null);
    if (rated.length >= 2 && rated[0]!.confidence! - rated[rated.length - 1]!.confidence! >= STALL.confidenceDrop) {
      const all = confWindow.map((r) => l.answers.get(r.week)).filter((a): a is Answer => a !== undefined);
      out.push({ code: 'confidence-drop', factMin: newestOf(rated), factMax: newestOf(all) });
    }
    return out;
  }

  // ---- who counts (one definition for the round post, status, digest, picture and report) ----

  /** The first day after a posted round's week: the next recorded week's date, or a week on. */
  private weekEnd(week: number): string {
    const own = this.weeks.find((w) => w.week === week)!;
    return this.weeks.find((w) => w.week === week + 1)?.date ?? addDays(own.date, 7);
  }

  /** When a recorded round closes: the next recorded week's slot, the last week a week on; Infinity while open. */
  private recordedClose(week: number): number {
    const own = this.weeks.find((w) => w.week === week)!;
    const next = this.weeks.find((w) => w.week === week + 1);
    if (next) return next.slot;
    return week >= WEEKS ? own.slot + 7 * DAY : Infinity;
  }

  /** A learner's week as every view must show it at `now`. */
  cell(name: string, week: number, now: number): Status | 'open' | 'missed' | 'away' | 'left' | 'not-run' {
    const rec = this.weeks.find((w) => w.week === week)!;
    if (rec.status === 'not-run') return 'not-run';
    const l = this.learners.get(name)!;
    const a = l.answers.get(week);
    if (a) return a.status;
    const end = this.weekEnd(week);
    const over = l.breaks.filter((b) => b.from < end && b.to > rec.date && b.from < b.to);
    if (over.some((b) => b.kind === 'left')) return 'left';
    if (over.length > 0) return 'away';
    return this.recordedClose(week) <= now ? 'missed' : 'open';
  }

  /** A posted week's count among the learners still in the cohort. */
  tally(week: number, now: number): { answered: number; expected: number; away: number; left: number } {
    const t = { answered: 0, expected: 0, away: 0, left: 0 };
    for (const l of this.activeLearners()) {
      const c = this.cell(l.name, week, now);
      if (c === 'away') t.away += 1;
      else if (c === 'left') t.left += 1;
      else if (c === 'open' || c === 'missed') t.expected += 1;
      else if (c !== 'not-run') {
        t.answered += 1;
        t.expected += 1;
      }
    }
    return t;
  }

  /** A round is excused when a break overlaps [its date, the next week's date). */
  excused(l: LearnerModel, week: number): boolean {
    const own = this.dateOfWeek(week)!;
    const next = week < WEEKS ? this.dateOfWeek(week + 1) : null;
    const to = next?.date ?? addDays(own.date, 7);
    return l.breaks.some((b) => b.from < to && b.to > own.date && b.from < b.to);
  }
}

/** The count as the bot words it everywhere: "3 of 4 checked in (1 more is away; 1 has left)". */
export function countWords(t: { answered: number; expected: number; away: number; left?: number }): string {
  const parts = [t.away > 0 ? `${t.away} more ${t.away === 1 ? 'is' : 'are'} away` : null, (t.left ?? 0) > 0 ? `${t.left} ${t.left === 1 ? 'has' : 'have'} left` : null].filter(Boolean);
  return `${t.answered} of ${t.expected} checked in${parts.length > 0 ? ` (${parts.join('; ')})` : ''}`;
}
