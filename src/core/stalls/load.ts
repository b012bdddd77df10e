import { LEFT_WORDS, type LeftReason } from '../messages/platform.js';
import type { Db } from '../../db/connect.js';
import type { FlagResolution, FlagStatus, Platform, StallReason } from '../../db/types.js';
import type { AlertState, AlertView } from '../messages/stalls.js';
import type { AnswerLine } from '../messages/progress.js';

/** How many answers an alert shows. */
export const HISTORY_SIZE = 3;

/** A learner's answers, newest first. */
export async function recentAnswers(db: Db, memberId: number, limit: number): Promise<AnswerLine[]> {
  const rows = await db
    .selectFrom('checkins')
    .innerJoin('rounds', 'rounds.id', 'checkins.round_id')
    .select(['rounds.week', 'checkins.status', 'checkins.confidence', 'checkins.blocker', 'checkins.note', 'checkins.late'])
    .where('checkins.member_id', '=', memberId)
    .orderBy('rounds.week', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ week: r.week, status: r.status, confidence: r.confidence, blocker: r.blocker, note: r.note, late: r.late }));
}

export interface FlagCard {
  id: number;
  memberId: number;
  cohortId: number;
  status: FlagStatus;
  reasons: StallReason[];
  learnerName: string;
  cohortName: string;
  platform: Platform;
  timezone: string;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  resolvedAt: Date | null;
  resolvedBy: string | null;
  resolution: FlagResolution | null;
  version: number;
  /** How the learner left, when they did (members.left_reason). */
  leftReason: string | null;
}

export async function loadFlagCard(db: Db, flagId: number): Promise<FlagCard | null> {
  if (!Number.isSafeInteger(flagId)) return null;
  const row = await db
    .selectFrom('stall_flags as f')
    .innerJoin('members as m', 'm.id', 'f.member_id')
    .innerJoin('cohorts as c', 'c.id', 'f.cohort_id')
    .select([
      'f.id',
      'f.member_id',
      'f.cohort_id',
      'f.status',
      'f.reasons',
      'f.acknowledged_at',
      'f.acknowledged_by',
      'f.resolved_at',
      'f.resolved_by',
      'f.resolution',
      'm.left_reason',
      'f.version',
      'm.display_name',
      'c.name',
      'c.platform',
      'c.timezone',
    ])
    .where('f.id', '=', flagId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    memberId: row.member_id,
    cohortId: row.cohort_id,
    status: row.status,
    reasons: row.reasons,
    learnerName: row.display_name,
    cohortName: row.name,
    platform: row.platform,
    timezone: row.timezone,
    acknowledgedAt: row.acknowledged_at ? new Date(row.acknowledged_at) : null,
    acknowledgedBy: row.acknowledged_by,
    resolvedAt: row.resolved_at ? new Date(row.resolved_at) : null,
    resolvedBy: row.resolved_by,
    resolution: row.resolution,
    leftReason: row.left_reason,
    version: row.version,
  };
}

export function cardState(card: FlagCard): AlertState {
  if (card.status === 'resolved') {
    const left = card.resolution === 'left' ? LEFT_WORDS[(card.leftReason ?? 'left-channel') as LeftReason] ?? 'left' : undefined;
    return { kind: 'resolved', by: card.resolvedBy, at: card.resolvedAt ?? new Date(0), auto: card.resolution === 'auto', ended: card.resolution === 'ended', ...(left ? { left } : {}) };
  }
  if (card.status === 'acknowledged') return { kind: 'acknowledged', by: card.acknowledgedBy ?? 'a mentor', at: card.acknowledgedAt ?? new Date(0) };
  return { kind: 'open' };
}

export async function alertViewOf(db: Db, card: FlagCard, historySize: number): Promise<AlertView> {
  return {
    flagId: card.id,
    learnerName: card.learnerName,
    cohortName: card.cohortName,
    timezone: card.timezone,
    reasons: card.reasons,
    history: await recentAnswers(db, card.memberId, historySize),
    state: cardState(card),
  };
}
