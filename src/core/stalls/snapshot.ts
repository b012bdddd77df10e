import { DateTime } from 'luxon';
import type { Program } from '../../content/types.js';
import type { FlagStatus, Platform, Role, StallReason } from '../../db/types.js';
import type { StallAnswer, StallBreak, StallMilestone, StallRepo, StallRound } from './rules.js';

/** Which learners to look at: per cohort, every learner ('all') or the ones named. */
export type ScanScope = ReadonlyMap<number, ReadonlySet<number> | 'all'>;

export interface MemberRow {
  id: number;
  cohortId: number;
  userId: string;
  name: string;
  role: Role;
  awayUntil: string | null;
  joinedAt: Date;
}

export interface CohortState {
  id: number;
  name: string;
  platform: Platform;
  /** The organizer who created the cohort: told of escalations even when ADMIN_USER_IDS is empty. */
  createdBy: string;
  timezone: string;
  program: Program;
  milestones: StallMilestone[];
  today: string;
  /** Posted rounds, oldest first, with when each closed. */
  rounds: StallRound[];
  mentors: MemberRow[];
  learners: MemberRow[];
}

export interface FlagRow {
  id: number;
  memberId: number;
  cohortId: number;
  reasons: StallReason[];
  status: FlagStatus;
  mentorMemberId: number | null;
  openedAt: Date;
  resentAt: Date | null;
  escalatedAt: Date | null;
  version: number;
  /** When the first alert and the re-sent one reached someone (a night holds them back). */
  alertedAt: Date | null;
  resendAlertedAt: Date | null;
}

/** Everything a scan decides on, read at one moment (see load-snapshot.ts). */
export interface Snapshot {
  cohorts: Map<number, CohortState>;
  members: Map<number, MemberRow>;
  /** Only the answers to each cohort's latest rounds: the windows reach no further. */
  answers: Map<number, StallAnswer[]>;
  completed: Map<number, Set<string>>;
  breaks: Map<number, StallBreak[]>;
  repos: Map<number, StallRepo[]>;
  flags: FlagRow[];
  /** When a flag on the learner was last resolved, whoever resolved it. */
  lastResolution: Map<number, Date>;
}

export function emptySnapshot(): Snapshot {
  return { cohorts: new Map(), members: new Map(), answers: new Map(), completed: new Map(), breaks: new Map(), repos: new Map(), flags: [], lastResolution: new Map() };
}

export function cohortToday(now: Date, timezone: string): string {
  return DateTime.fromJSDate(now).setZone(timezone).toISODate() ?? now.toISOString().slice(0, 10);
}
