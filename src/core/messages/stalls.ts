import type { FlagStatus, StallReason } from '../../db/types.js';
import type { Button, OutMessage } from '../chat.js';
import { answerLine, formatDay, formatWhen, joinAnd, listWeeks, plural, type AnswerLine } from './progress.js';

// ---------------------------------------------------------------------------------------------
// Reasons: each names the numbers behind it, so a mentor can judge the flag without digging.

export function noCommitsText(days: number, repos: readonly string[]): string {
  return `no commits in ${days} days on ${repos.join(', ')}`;
}

export function missedRoundsText(weeks: readonly number[]): string {
  if (weeks.length === 1) return `missed the last check-in (${listWeeks(weeks)})`;
  return `missed the last ${weeks.length} check-ins (${listWeeks(weeks)})`;
}

export function blockedOftenText(blockedWeeks: readonly number[], window: number): string {
  const of = window === 1 ? 'the last check-in' : `the last ${window} check-ins`;
  return `answered “blocked” in ${blockedWeeks.length} of ${of} (${listWeeks(blockedWeeks)})`;
}

export function behindScheduleText(missing: ReadonlyArray<{ title: string; week: number }>): string {
  const names = joinAnd(missing.map((m) => `${m.title} (due week ${m.week})`));
  return `behind schedule by ${plural(missing.length, 'milestone')}: ${names} not done yet`;
}

export function confidenceDropText(from: number, to: number, weeks: readonly number[]): string {
  const span = weeks.length === 2 ? listWeeks(weeks) : `weeks ${weeks[0]} to ${weeks[weeks.length - 1]}`;
  return `confidence dropped from ${from}/5 to ${to}/5 over the last ${weeks.length} answers (${span})`;
}

// ---------------------------------------------------------------------------------------------
// The alert a mentor gets by DM, and how it looks once someone acted on it.

export type AlertState =
  | { kind: 'open' }
  | { kind: 'acknowledged'; by: string; at: Date }
  | { kind: 'resolved'; by: string | null; at: Date; auto: boolean; ended?: boolean; /** Closed because the learner left: how. */ left?: string };

export interface AlertView {
  flagId: number;
  learnerName: string;
  cohortName: string;
  timezone: string;
  reasons: readonly StallReason[];
  /** Most recent first. */
  history: readonly AnswerLine[];
  state: AlertState;
  /** new: first alert; reminder: re-sent after 48 h; escalation: to the organizers. */
  variant?: 'new' | 'reminder' | 'escalation';
  /** When the first alert went out: a reminder or escalation says since when it waits (an outage can make that longer than usual). */
  alertedAt?: Date;
  /** Who the flag is assigned to, for the escalation text; null when the cohort has no mentor. */
  mentorName?: string | null;
  /** The alert goes to the organizers because the cohort has no mentor. */
  toOrganizers?: boolean;
}

/** `origin` rides in the value, so a click can refresh the message it came from (`list`: the `/stalled` list). */
export function alertButtons(flagId: number, status: FlagStatus, labelSuffix = '', origin?: 'list'): Button[] {
  const value = origin ? `${flagId}:${origin}` : String(flagId);
  if (status === 'resolved') return [];
  const resolve: Button = { action: 'flag.resolve', label: `Resolve${labelSuffix}`, value };
  if (status === 'acknowledged') return [resolve];
  return [{ action: 'flag.ack', label: `Acknowledge${labelSuffix}`, value, style: 'primary' }, resolve];
}

/** The alert as the cohort's zone has it, and as each reader reads it in their own (outbox.ts picks). */
export function stallAlertForReaders(v: AlertView): { message: OutMessage; inReaderZone: (zone: string) => OutMessage } {
  return { message: stallAlert(v), inReaderZone: (zone) => stallAlert({ ...v, timezone: zone }) };
}

export function stallAlert(v: AlertView): OutMessage {
  const lines: string[] = [];
  const since = v.alertedAt ? `since ${formatWhen(v.alertedAt, v.timezone)}` : 'yet';
  if (v.variant === 'reminder') {
    lines.push(`**Reminder:** nobody has acknowledged this stall alert ${since}.`);
  } else if (v.variant === 'escalation') {
    const who = v.mentorName ? `${v.mentorName}, the assigned mentor,` : 'no mentor';
    lines.push(`**Escalated to the organizers:** ${who} has not acknowledged this stall alert ${since}.`);
  }
  lines.push(`**${v.learnerName}** in **${v.cohortName}** may be stalling:`);
  for (const r of v.reasons) lines.push(`• ${r.text}`);
  lines.push('', '**Recent check-ins**');
  if (v.history.length === 0) lines.push('No check-in yet.');
  for (const a of v.history) lines.push(`• ${answerLine(a)}`);
  if (v.toOrganizers) lines.push('', '_This cohort has no mentor, so the alert goes to the organizers._');

  const status: FlagStatus = v.state.kind;
  if (v.state.kind === 'acknowledged') {
    lines.push('', `✔️ Acknowledged by ${v.state.by} on ${formatWhen(v.state.at, v.timezone)}.`);
  } else if (v.state.kind === 'resolved') {
    lines.push(
      '',
      v.state.ended
        ? `⏹️ Closed on ${formatWhen(v.state.at, v.timezone)}: the program ended.`
        : v.state.left
        ? `⏹️ Closed on ${formatWhen(v.state.at, v.timezone)}: ${v.learnerName} ${v.state.left}. Nothing more is sent about them unless they come back.`
        : v.state.auto
        ? `✅ Resolved automatically on ${formatWhen(v.state.at, v.timezone)}: ${v.learnerName} is back on track.`
        : `✅ Resolved by ${v.state.by ?? 'a mentor'} on ${formatWhen(v.state.at, v.timezone)}.`,
    );
  }
  const buttons = alertButtons(v.flagId, status);
  return buttons.length > 0 ? { text: lines.join('\n'), buttons } : { text: lines.join('\n') };
}

/** A reason was added to an open flag: one short DM, so the mentor sees the alert changed. */
export function flagNewReasonNotice(learnerName: string, cohortName: string, added: readonly StallReason[]): OutMessage {
  return {
    text: `⚠️ **${learnerName}** in **${cohortName}**: their open stall flag now also says ${added.map((r) => r.text).join('; ')}. The alert above is updated.`,
  };
}

export function flagAutoResolvedNotice(learnerName: string, cohortName: string): OutMessage {
  return {
    text: `✅ **${learnerName}** in **${cohortName}**: no stall reason applies any more, so their flag resolved itself. Nothing to do.`,
  };
}

// ---------------------------------------------------------------------------------------------
// Acknowledge / Resolve

export type FlagVerb = 'acknowledge' | 'resolve';

export function flagGoneMessage(): OutMessage {
  return { text: 'That stall flag no longer exists.', private: true };
}

export function flagNotAllowedMessage(verb: FlagVerb, cohortName: string, actorRole: 'learner' | 'none'): OutMessage {
  const why =
    actorRole === 'learner'
      ? `You are a learner in ${cohortName}, and stall flags are handled by its mentors.`
      : `You are not a mentor of ${cohortName}.`;
  return { text: `You can’t ${verb} this stall flag. ${why} Only the cohort’s mentors and the organizers can.`, private: true };
}

export function flagAcknowledgedNotice(learnerName: string): OutMessage {
  return {
    text: `You acknowledged the flag on ${learnerName}. Reach out to them, then press Resolve once they are unblocked.`,
    private: true,
  };
}

export function flagAlreadyAcknowledgedNotice(learnerName: string, by: string, at: Date, timezone: string): OutMessage {
  return { text: `The flag on ${learnerName} was already acknowledged by ${by} on ${formatWhen(at, timezone)}.`, private: true };
}

export function flagResolvedNotice(learnerName: string): OutMessage {
  return { text: `You resolved the flag on ${learnerName}. They won’t be flagged again for the same weeks.`, private: true };
}

export function flagAlreadyResolvedNotice(learnerName: string, by: string | null, at: Date, timezone: string, auto: boolean): OutMessage {
  const how = auto ? 'already resolved itself' : `was already resolved by ${by ?? 'a mentor'}`;
  return { text: `Nothing to do: the flag on ${learnerName} ${how} on ${formatWhen(at, timezone)}.`, private: true };
}

// ---------------------------------------------------------------------------------------------
// /stalled

export interface StalledItem {
  flagId: number;
  learnerName: string;
  cohortName: string;
  timezone: string;
  status: FlagStatus;
  openedAt: Date;
  acknowledgedBy: string | null;
  reasons: readonly StallReason[];
}

/** Slack allows 25 elements in an actions block and Discord 25 buttons in a message. */
export const MAX_LIST_BUTTONS = 24;

export function notMentorMessage(): OutMessage {
  return {
    text: 'You are not a mentor of any cohort, so there are no stall flags to show you. Organizers assign mentors with `/cohort mentor @user`.',
    private: true,
  };
}

export function stalledList(items: readonly StalledItem[]): OutMessage {
  if (items.length === 0) return { text: 'No learner is stalled in your cohorts. 🎉', private: true };
  const lines = [`**Open stall flags in your cohorts (${items.length})**`];
  const names = new Map<string, number>();
  for (const i of items) names.set(i.learnerName, (names.get(i.learnerName) ?? 0) + 1);
  const buttons: Button[] = [];
  let withoutButtons = 0;
  for (const i of items) {
    const state = i.status === 'acknowledged' ? `acknowledged by ${i.acknowledgedBy ?? 'a mentor'}` : 'not acknowledged';
    lines.push('', `**${i.learnerName}** · ${i.cohortName} · flagged ${formatDay(i.openedAt, i.timezone)} · ${state}`);
    for (const r of i.reasons) lines.push(`• ${r.text}`);
    const label = (names.get(i.learnerName) ?? 0) > 1 ? `${i.learnerName} (${i.cohortName})` : i.learnerName;
    const mine = alertButtons(i.flagId, i.status, ` ${label}`, 'list');
    if (buttons.length + mine.length <= MAX_LIST_BUTTONS) buttons.push(...mine);
    else withoutButtons += 1;
  }
  if (withoutButtons > 0) {
    lines.push('', `_${plural(withoutButtons, 'flag')} without buttons here: use the buttons on their alert messages._`);
  }
  return { text: lines.join('\n'), buttons, private: true };
}
