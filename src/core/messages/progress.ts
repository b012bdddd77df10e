import { dayText, momentText } from '../dates.js';
import { zoneShort } from '../own-time.js';
import { VERIFIED_MARK } from './evidence.js';
import { whyLate, type LateWindow } from './rounds.js';
import type { CheckinStatus, FlagStatus, StallReason } from '../../db/types.js';
import type { OutMessage } from '../chat.js';

/** One stored answer as the bot shows it back: in alerts, /progress, /cohort status and the digest. */
export interface AnswerLine {
  week: number;
  status: CheckinStatus;
  confidence: number | null;
  blocker: string | null;
  note?: string | null;
  late: boolean;
}

const STATUS_LABELS: Record<CheckinStatus, string> = {
  'on-track': 'on track',
  behind: 'behind',
  blocked: 'blocked',
  done: 'done',
};

export function statusLabel(status: CheckinStatus): string {
  return STATUS_LABELS[status];
}

/** "week 5", "weeks 4 and 5", "weeks 2, 3 and 5". */
export function listWeeks(weeks: readonly number[]): string {
  if (weeks.length === 1) return `week ${weeks[0]}`;
  return `weeks ${joinAnd(weeks.map(String))}`;
}

export function joinAnd(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "Mon 2 Mar 2026, 15:00 (Europe/Berlin)": a moment in the cohort's own zone. */
export function formatWhen(at: Date, timezone: string): string {
  return `${momentText(at, timezone)} (${timezone})`;
}

/** A moment for one reader: in their own zone with its short name when it is not the cohort's. */
export function formatWhenFor(at: Date, cohortZone: string, readerZone: string | undefined): string {
  if (!readerZone || readerZone === cohortZone) return formatWhen(at, cohortZone);
  return `${momentText(at, readerZone)} ${zoneShort(at, readerZone)} your time`;
}

/** "Mon 2 Mar 2026": a day in the cohort's own zone. */
export function formatDay(at: Date, timezone: string): string {
  return dayText(at, timezone);
}

/** Keeps user text on one line and short, so a blocker cannot break the layout of a list. */
export function quoteShort(text: string, max = 140): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return `“${line.length > max ? `${line.slice(0, max - 1)}…` : line}”`;
}

/** "Week 5 · blocked · confidence 2/5 · late · blocker: “Docker build fails”". */
export function answerLine(a: AnswerLine, options: { note?: boolean } = {}): string {
  const parts = [`Week ${a.week}`, statusLabel(a.status)];
  if (a.confidence !== null) parts.push(`confidence ${a.confidence}/5`);
  if (a.late) parts.push('late');
  if (a.blocker) parts.push(`blocker: ${quoteShort(a.blocker)}`);
  if (options.note && a.note) parts.push(`note: ${quoteShort(a.note)}`);
  return parts.join(' · ');
}

export function flagStateLine(flag: { status: FlagStatus; acknowledgedBy: string | null }): string {
  return flag.status === 'acknowledged' ? `acknowledged by ${flag.acknowledgedBy ?? 'a mentor'}` : 'not yet acknowledged';
}

// ---------------------------------------------------------------------------------------------
// /progress

export interface ProgressMilestone {
  id: string;
  title: string;
  week: number;
  done: boolean;
  /** Every check of the milestone passed on the learner's linked work. */
  verified?: boolean;
  /** Linked work that passed its checks once and fails them now: shown, never flagged. */
  failingSince?: boolean;
  /** The linked work, shown to mentors. */
  links?: string[];
}

export interface ProgressData {
  learnerName: string;
  /** The person asking is the learner: "You are…" instead of "Maria is…". */
  self: boolean;
  cohortName: string;
  programTitle: string;
  cohortStatus: 'active' | 'paused' | 'finished';
  currentWeek: number;
  totalWeeks: number;
  startDate: string;
  milestones: ProgressMilestone[];
  /** Overdue milestones not done: milestones whose week is before the current week. */
  behind: number;
  awayUntil: string | null;
  recent: AnswerLine[];
  flags: Array<{ status: FlagStatus; acknowledgedBy: string | null; reasons: StallReason[] }>;
}

export function scheduleLine(d: Pick<ProgressData, 'self' | 'learnerName' | 'behind' | 'currentWeek'>): string {
  const who = d.self ? 'You are' : `${d.learnerName} is`;
  if (d.currentWeek === 0) return `${who} on schedule: the program has not started yet.`;
  if (d.behind === 0) return `${who} on schedule.`;
  return `${who} ${plural(d.behind, 'milestone')} behind schedule.`;
}

export function progressMessage(d: ProgressData): OutMessage {
  const title = d.self ? '**Your progress**' : `**${d.learnerName}’s progress**`;
  const week =
    d.currentWeek === 0
      ? `no check-in posted yet (starts ${dayText(d.startDate)})`
      : `week ${d.currentWeek} of ${d.totalWeeks}`;
  const lines = [`${title} · ${d.cohortName} · ${d.programTitle} · ${week}`];
  if (d.cohortStatus !== 'active') lines.push(`_This cohort is ${d.cohortStatus}._`);
  if (d.awayUntil) lines.push(`Away until ${dayText(d.awayUntil)}: no reminders or stall flags until then.`);
  lines.push('', scheduleLine(d));
  const next = d.milestones.find((m) => !m.done);
  if (next && d.cohortStatus !== 'finished') lines.push(`Next milestone: **${next.title}** (due week ${next.week}).`);

  const done = d.milestones.filter((m) => m.done);
  lines.push('', `**Milestones** (${done.length} of ${d.milestones.length} done)`);
  for (const m of d.milestones) {
    let line: string;
    if (m.done) line = `✅ ${m.title}: due week ${m.week}, done`;
    else if (d.currentWeek > m.week) line = `⬜ ${m.title}: due week ${m.week}, overdue`;
    else line = `⬜ ${m.title}: due week ${m.week}`;
    if (m.verified) line += ` · ${VERIFIED_MARK}`;
    else if (m.failingSince) line += ' · ⚠ linked work passed its checks before and fails them now';
    if (!d.self && m.links && m.links.length > 0) line += ` · ${m.links.join(', ')}`;
    lines.push(line);
  }

  lines.push('', '**Recent check-ins**');
  if (d.recent.length === 0) lines.push('No check-in yet.');
  for (const a of d.recent) lines.push(`• ${answerLine(a, { note: true })}`);

  if (d.flags.length > 0) {
    lines.push('', '**Open stall flag**');
    for (const f of d.flags) {
      lines.push(`Raised with the mentors, ${flagStateLine(f)}:`);
      for (const r of f.reasons) lines.push(`• ${r.text}`);
    }
  }
  return { text: lines.join('\n'), private: true };
}

// ---------------------------------------------------------------------------------------------
// /cohort status

export interface StatusData {
  /** Milestones verified by linked work, per learner, with the link. */
  verified?: Array<{ name: string; milestoneTitle: string; url: string }>;
  cohortName: string;
  cohortStatus: 'active' | 'paused' | 'finished';
  timezone: string;
  /** When the cohort finished (the last week closed). */
  finishedAt: Date | null;
  /** Why nothing is posted now: the channel cannot be used, or the bot's access is lost. */
  trouble?: string | null;
  round: {
    week: number;
    milestoneTitle: string;
    /** When it was posted: its slot, or later after an outage (then `late` says why). */
    postedAt: Date;
    late: LateWindow | null;
    closesAt: Date | null;
    closed: boolean;
  } | null;
  /** The round's count, in the sentence every view uses. */
  count: string;
  checkedIn: Array<{ name: string; memberId: number; answer: AnswerLine }>;
  /** Expected and not answered: "not yet" while the round is open, missed once it closed. */
  missing: Array<{ name: string; memberId: number }>;
  /** Away this week, with the first day back. */
  away: Array<{ name: string; memberId: number; until: string | null }>;
  flags: Array<{ learnerName: string; status: FlagStatus; acknowledgedBy: string | null; reasons: StallReason[] }>;
}

export function cohortStatusMessage(d: StatusData): OutMessage {
  const lines: string[] = [];
  if (d.cohortStatus === 'finished') {
    lines.push(
      `**${d.cohortName}** has finished${d.finishedAt ? ` (${formatWhen(d.finishedAt, d.timezone)})` : ''}: no more rounds.`,
      d.round ? `Its last round was week ${d.round.week}: ${d.count}. \`/cohort report\` has the final figures and the heatmap.` : 'No round was ever posted.',
    );
    return { text: lines.join('\n'), private: true };
  }
  if (!d.round) {
    lines.push(`**${d.cohortName}**`, 'No check-in has been posted in this cohort yet.');
  } else {
    const late = d.round.late ? ` (late: ${whyLate(d.round.late)})` : '';
    const open = d.round.closed ? 'It has closed.' : d.round.closesAt ? `Open until ${formatWhen(d.round.closesAt, d.timezone)}.` : 'Open until the next round.';
    lines.push(`**${d.cohortName} · week ${d.round.week}: ${d.round.milestoneTitle}**`, `Posted ${formatWhen(d.round.postedAt, d.timezone)}${late}. ${capitalize(d.count)}. ${open}`);
  }
  if (d.cohortStatus !== 'active') lines.push(`_This cohort is ${d.cohortStatus}._`);
  if (d.trouble) lines.push(`⚠️ ${d.trouble}`);
  if (d.round) {
    lines.push('', `**Checked in (${d.checkedIn.length})**`);
    if (d.checkedIn.length === 0) lines.push('Nobody yet.');
    for (const c of d.checkedIn) {
      const a = c.answer;
      const parts = [statusLabel(a.status)];
      if (a.confidence !== null) parts.push(`confidence ${a.confidence}/5`);
      if (a.late) parts.push('late');
      if (a.blocker) parts.push(`blocker: ${quoteShort(a.blocker)}`);
      lines.push(`• ${c.name}: ${parts.join(' · ')}`);
    }
    lines.push('', `**${d.round.closed ? 'Missed' : 'Not checked in yet'} (${d.missing.length})**`);
    lines.push(d.missing.length === 0 ? 'Everyone has answered.' : d.missing.map((m) => m.name).join(', '));
    if (d.away.length > 0) lines.push('', `**Away:** ${d.away.map((a) => (a.until ? `${a.name} (until ${dayText(a.until)})` : a.name)).join(', ')}`);
  }
  lines.push('', `**Open stall flags (${d.flags.length})**`);
  if (d.flags.length === 0) lines.push('None.');
  for (const f of d.flags) {
    lines.push(`• ${f.learnerName} (${flagStateLine(f)}): ${f.reasons.map((r) => r.text).join('; ')}`);
  }
  if (d.verified && d.verified.length > 0) {
    lines.push('', `**Verified by linked work (${d.verified.length})**`);
    for (const v of d.verified) lines.push(`• ${v.name}: ${v.milestoneTitle} ${VERIFIED_MARK} (${v.url})`);
  }
  return { text: lines.join('\n'), private: true };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function unknownMemberMessage(): OutMessage {
  return { text: 'That person is not a member of this cohort.', private: true };
}

export function unknownCohortMessage(): OutMessage {
  return { text: 'That cohort no longer exists.', private: true };
}

export function missingProgramMessage(cohortName: string, programId: string): OutMessage {
  return { text: `${cohortName} runs the program “${programId}”, which is not in the bot’s content any more. Ask an organizer.`, private: true };
}
