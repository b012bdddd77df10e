import type { StallReason } from '../../db/types.js';
import { addedReasons, isAway, nextRepoChange, restsOnNewFact, sameReasons, stallReasons, type StallInput } from './rules.js';
import type { CohortState, FlagRow, MemberRow, ScanScope, Snapshot } from './snapshot.js';

const HOUR = 3_600_000;
/** An unacknowledged alert is re-sent once after this long, and escalated this long after the re-send. */
export const RESEND_AFTER_MS = 48 * HOUR;

export interface ScanResult {
  opened: number;
  /** Unresolved flags whose reasons changed: their alerts are edited, a new reason also DMs the mentor. */
  updated: number;
  /** Resolved by the scan: no reason applies any more, or no longer a learner of the cohort. */
  resolved: number;
  resent: number;
  escalated: number;
  /** With dryRun: the learners (member ids) the scan would act on. */
  planned?: number[];
}

/** An unresolved flag of a learner of a cohort. */
export interface Planned {
  flag: FlagRow;
  learner: MemberRow;
  cohort: CohortState;
}

/** A new flag: the alert goes to `mentor`, or to the cohort's organizers when it has none. */
export interface OpenDecision {
  learner: MemberRow;
  cohort: CohortState;
  reasons: StallReason[];
  mentor: MemberRow | null;
}

/** New reasons for a flag: its alerts are edited, and the assigned mentor is told of `added` ones. */
export interface UpdateDecision extends Planned {
  reasons: StallReason[];
  added: StallReason[];
  mentor: MemberRow | null;
}

/** No reason applies any more: the assigned mentor (else the organizers) is told. */
export interface ResolveDecision extends Planned {
  mentor: MemberRow | null;
}

/** The alert once more, with the flag's `reasons` as they stand now. */
export interface ResendDecision extends Planned {
  reasons: StallReason[];
  /** The assigned mentor, or the one who takes over the flag (`reassign`); null: the organizers. */
  mentor: MemberRow | null;
  reassign: boolean;
}

/** The alert to the organizers, naming the assigned mentor. */
export interface EscalateDecision extends Planned {
  reasons: StallReason[];
  mentor: MemberRow | null;
}

/** What a scan does, kind by kind; the apply step writes each kind in this order. */
export interface ScanPlan {
  /** Linked work's reason changes with time alone: the incremental evaluation looks again then. */
  later: Array<{ memberId: number; at: Date }>;
  open: OpenDecision[];
  update: UpdateDecision[];
  resolve: ResolveDecision[];
  /** Flags whose member is no longer a learner of the cohort. */
  remove: FlagRow[];
  resend: ResendDecision[];
  escalate: EscalateDecision[];
}

interface Context {
  snap: Snapshot;
  now: Date;
  pickMentor: (cohort: CohortState) => MemberRow | null;
  mentorOf: (flag: FlagRow) => MemberRow | null;
}

/**
 * Decides, from a snapshot alone, which learners to flag, which open flags to update, resolve,
 * re-send or escalate, and who hears of each. Reads no database and changes nothing, the snapshot
 * included; `scope` limits it to some cohorts and learners.
 */
export function planScan(snap: Snapshot, now: Date, scope?: ScanScope): ScanPlan {
  const looksAt = (cohortId: number, memberId: number) => {
    const s = scope?.get(cohortId);
    return scope === undefined || s === 'all' || (s !== undefined && s.has(memberId));
  };
  const plan: ScanPlan = { later: [], open: [], update: [], resolve: [], remove: [], resend: [], escalate: [] };
  const ctx: Context = {
    snap,
    now,
    pickMentor: mentorPicker(snap.flags),
    mentorOf: (flag) => (flag.mentorMemberId === null ? null : (snap.members.get(flag.mentorMemberId) ?? null)),
  };

  const flagByMember = new Map(snap.flags.map((f) => [f.memberId, f]));
  for (const f of snap.flags) {
    const m = snap.members.get(f.memberId);
    if ((!m || m.role !== 'learner') && looksAt(f.cohortId, f.memberId)) plan.remove.push(f);
  }
  for (const cohort of snap.cohorts.values()) {
    for (const learner of cohort.learners) {
      if (looksAt(cohort.id, learner.id)) planLearner(plan, ctx, cohort, learner, flagByMember.get(learner.id));
    }
  }
  // The assigned mentor left (or there was none): the reminder goes to whoever mentors the cohort
  // now, picked after every new flag's mentor.
  for (const r of plan.resend) {
    if (r.mentor && r.mentor.role === 'mentor') continue;
    r.mentor = ctx.pickMentor(r.cohort);
    r.reassign = r.mentor !== null;
  }
  return plan;
}

/** The least-loaded mentor of a cohort, ties going to the first; each pick adds to their load. */
function mentorPicker(flags: readonly FlagRow[]): (cohort: CohortState) => MemberRow | null {
  const load = new Map<number, number>();
  for (const f of flags) if (f.mentorMemberId !== null) load.set(f.mentorMemberId, (load.get(f.mentorMemberId) ?? 0) + 1);
  return (cohort) => {
    let best: MemberRow | null = null;
    for (const m of cohort.mentors) if (!best || (load.get(m.id) ?? 0) < (load.get(best.id) ?? 0)) best = m;
    if (best) load.set(best.id, (load.get(best.id) ?? 0) + 1);
    return best;
  };
}

function planLearner(plan: ScanPlan, ctx: Context, cohort: CohortState, learner: MemberRow, flag: FlagRow | undefined): void {
  const { snap, now } = ctx;
  const input: StallInput = {
    now,
    joinedAt: learner.joinedAt,
    rounds: cohort.rounds,
    answers: snap.answers.get(learner.id) ?? [],
    milestones: cohort.milestones,
    completed: snap.completed.get(learner.id) ?? new Set<string>(),
    breaks: snap.breaks.get(learner.id) ?? [],
    repos: snap.repos.get(learner.id) ?? [],
  };
  const reasons = stallReasons(input, cohort.program.stall);
  // Linked work's reason changes with time alone: the incremental evaluation looks again then.
  const repoChange = nextRepoChange(input, cohort.program.stall);
  if (repoChange) plan.later.push({ memberId: learner.id, at: repoChange });
  if (!flag) {
    // Away learners get no new flag; a resolved flag reopens only on a fact newer than its resolution.
    if (reasons.length === 0 || isAway(learner.awayUntil, cohort.today)) return;
    if (!restsOnNewFact(reasons, snap.lastResolution.get(learner.id) ?? null)) return;
    plan.open.push({ learner, cohort, reasons, mentor: ctx.pickMentor(cohort) });
    return;
  }
  planFlag(plan, ctx, { flag, learner, cohort }, reasons);
}

function planFlag(plan: ScanPlan, ctx: Context, p: Planned, reasons: StallReason[]): void {
  const { flag, learner, cohort } = p;
  const mentor = ctx.mentorOf(flag);
  // An open flag follows the evidence, away or not: it updates, and resolves once nothing applies.
  if (reasons.length === 0) {
    plan.resolve.push({ ...p, mentor });
    return;
  }
  let current = flag.reasons;
  if (!sameReasons(reasons, flag.reasons)) {
    plan.update.push({ ...p, reasons, added: addedReasons(flag.reasons, reasons), mentor });
    current = reasons;
  }
  if (flag.status !== 'open' || isAway(learner.awayUntil, cohort.today)) return;
  const resendBefore = ctx.now.getTime() - RESEND_AFTER_MS;
  if (flag.resentAt === null && waitedFrom(flag.alertedAt, flag.openedAt) <= resendBefore) plan.resend.push({ ...p, reasons: current, mentor, reassign: false });
  else if (flag.resentAt !== null && flag.escalatedAt === null && waitedFrom(flag.resendAlertedAt, flag.resentAt) <= resendBefore && flag.mentorMemberId !== null) {
    plan.escalate.push({ ...p, reasons: current, mentor });
  }
}

/**
 * The 48 h before an alert is sent again (or escalated) count from when it reached its reader: a
 * night can hold it back. One that never arrived (given up) counts from a day after it was queued.
 */
export function waitedFrom(deliveredAt: Date | null, queuedAt: Date): number {
  return deliveredAt?.getTime() ?? queuedAt.getTime() + HELD_AT_MOST_MS;
}

const HELD_AT_MOST_MS = 86_400_000;

/** What a dry run reports: the counts the plan would reach if every claim succeeded, and whom it acts on. */
export function dryRunResult(plan: ScanPlan): ScanResult {
  const planned = new Set([
    ...plan.open.map((o) => o.learner.id),
    ...[...plan.update, ...plan.resolve, ...plan.resend, ...plan.escalate].map((p) => p.flag.memberId),
    ...plan.remove.map((f) => f.memberId),
  ]);
  return {
    opened: plan.open.length,
    updated: plan.update.length,
    resolved: plan.resolve.length + plan.remove.length,
    resent: plan.resend.length,
    escalated: plan.escalate.length,
    planned: [...planned],
  };
}
