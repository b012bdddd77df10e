import { describe, expect, it } from 'vitest';
import type { StallReason } from '../../../src/db/types.js';
import { dryRunResult, planScan, type ScanPlan } from '../../../src/core/stalls/plan.js';
import type { StallAnswer, StallRound } from '../../../src/core/stalls/rules.js';
import { cohortToday, type CohortState, type FlagRow, type MemberRow, type Snapshot } from '../../../src/core/stalls/snapshot.js';
import { at, HOUR, program } from './fixtures.js';

// The plan is pure: these tests build snapshots from plain objects and need no database.
// Week 5 is open: weeks 3 and 4 have closed.
const now = at(5, 30);
const MISSED_3_4 = 'missed the last 2 check-ins (weeks 3 and 4)';
const day = (d: Date) => d.toISOString().slice(0, 10);

function rounds(upTo: number): StallRound[] {
  return Array.from({ length: upTo }, (_, i) => {
    const week = i + 1;
    return { week, opensAt: at(week), localDate: day(at(week)), closesAt: week < upTo ? at(week + 1) : null, until: day(at(week + 1)) };
  });
}

let nextId = 1;
function member(cohortId: number, name: string, role: 'learner' | 'mentor' = 'learner', over: Partial<MemberRow> = {}): MemberRow {
  const id = nextId++;
  return { id, cohortId, userId: `U-${name.toLowerCase()}`, name, role, awayUntil: null, joinedAt: at(1, -72), ...over };
}

interface World {
  snap: Snapshot;
  cohort: CohortState;
  ana: MemberRow;
  bob: MemberRow;
}

/** spring, weeks 1-5 posted, mentors Ana and Bob, no learner yet. */
function spring(): World {
  const cohort: CohortState = {
    id: 1,
    name: 'spring',
    platform: 'slack',
    createdBy: 'U-admin',
    timezone: 'Europe/Berlin',
    program,
    milestones: program.milestones.map((m) => ({ id: m.id, title: m.title, week: m.week })),
    today: cohortToday(now, 'Europe/Berlin'),
    rounds: rounds(5),
    mentors: [],
    learners: [],
  };
  const snap: Snapshot = { cohorts: new Map([[1, cohort]]), members: new Map(), answers: new Map(), completed: new Map(), breaks: new Map(), repos: new Map(), flags: [], lastResolution: new Map() };
  const w = { snap, cohort } as World;
  w.ana = join(w, 'Ana', 'mentor');
  w.bob = join(w, 'Bob', 'mentor');
  return w;
}

function join(w: World, name: string, role: 'learner' | 'mentor' = 'learner', over: Partial<MemberRow> = {}): MemberRow {
  const m = member(w.cohort.id, name, role, over);
  w.snap.members.set(m.id, m);
  (role === 'mentor' ? w.cohort.mentors : w.cohort.learners).push(m);
  return m;
}

/** A learner who answered `weeks` on track and completed every milestone due so far. */
function learner(w: World, name: string, weeks: number[], over: Partial<MemberRow> = {}): MemberRow {
  const m = join(w, name, 'learner', over);
  w.snap.answers.set(m.id, weeks.map((week): StallAnswer => ({ week, status: 'on-track', confidence: 4, at: at(week, 2) })));
  w.snap.completed.set(m.id, new Set(['package', 'serve']));
  return m;
}

function flagOn(w: World, m: MemberRow, over: Partial<FlagRow> & { reasons: StallReason[] }): FlagRow {
  const base = { id: 100 + w.snap.flags.length, memberId: m.id, cohortId: w.cohort.id, status: 'open' as const, mentorMemberId: w.ana.id, openedAt: new Date(now.getTime() - HOUR), resentAt: null, escalatedAt: null, version: 1, ...over };
  // Delivered as queued, unless the test says otherwise.
  const f: FlagRow = { ...base, alertedAt: over.alertedAt === undefined ? base.openedAt : over.alertedAt, resendAlertedAt: over.resendAlertedAt === undefined ? base.resentAt : over.resendAlertedAt };
  w.snap.flags.push(f);
  return f;
}

const missed = (text = MISSED_3_4): StallReason => ({ code: 'missed-rounds', text, since: at(5).toISOString() });
const kinds = (plan: ScanPlan) => ({
  open: plan.open.map((o) => o.learner.name),
  update: plan.update.map((u) => u.learner.name),
  resolve: plan.resolve.map((r) => r.learner.name),
  remove: plan.remove.map((f) => f.id),
  resend: plan.resend.map((r) => r.learner.name),
  escalate: plan.escalate.map((e) => e.learner.name),
});
const NOTHING = { open: [], update: [], resolve: [], remove: [], resend: [], escalate: [] };

describe('planScan: pure decisions over a snapshot', () => {
  it('opens a flag on a learner who missed the last two closed rounds, for the least-loaded mentor', () => {
    const w = spring();
    // Ana already carries a fresh flag on Zoe, whose reasons still stand.
    flagOn(w, learner(w, 'Zoe', [1, 2]), { reasons: [missed()] });
    const maria = learner(w, 'Maria', [1, 2]);
    learner(w, 'Ben', [1, 2, 3, 4]);

    const plan = planScan(w.snap, now);
    expect(kinds(plan)).toEqual({ ...NOTHING, open: ['Maria'] });
    expect(plan.open[0]!.reasons.map((r) => r.text)).toEqual([MISSED_3_4]);
    expect(plan.open[0]!.mentor?.name).toBe('Bob');
    expect(dryRunResult(plan)).toEqual({ opened: 1, updated: 0, resolved: 0, resent: 0, escalated: 0, planned: [maria.id] });
  });

  it('updates a flag whose reasons changed, naming only the new code, and leaves the snapshot as it read it', () => {
    const w = spring();
    const maria = learner(w, 'Maria', [1, 2]);
    w.snap.completed.set(maria.id, new Set());
    const old = [missed('missed the last 2 check-ins (weeks 2 and 3)')];
    const flag = flagOn(w, maria, { reasons: old, openedAt: new Date(now.getTime() - 49 * HOUR) });

    const plan = planScan(w.snap, now);
    expect(kinds(plan)).toEqual({ ...NOTHING, update: ['Maria'], resend: ['Maria'] });
    const [update] = plan.update;
    expect(update!.reasons.map((r) => r.code)).toEqual(['missed-rounds', 'behind-schedule']);
    expect(update!.added.map((r) => r.code)).toEqual(['behind-schedule']);
    expect(update!.mentor?.name).toBe('Ana');
    // The re-send in the same scan shows the reasons as they stand now.
    expect(plan.resend[0]!.reasons).toEqual(update!.reasons);
    expect(flag.reasons).toBe(old);
    expect(flag.reasons.map((r) => r.text)).toEqual(['missed the last 2 check-ins (weeks 2 and 3)']);
  });

  it('resolves a flag once no reason applies, telling the assigned mentor', () => {
    const w = spring();
    const maria = learner(w, 'Maria', [1, 2, 3, 4]);
    flagOn(w, maria, { reasons: [missed()], status: 'acknowledged', mentorMemberId: w.bob.id });

    const plan = planScan(w.snap, now);
    expect(kinds(plan)).toEqual({ ...NOTHING, resolve: ['Maria'] });
    expect(plan.resolve[0]!.mentor?.name).toBe('Bob');
  });

  it('re-sends an unacknowledged alert after 48 hours, not before, and not an acknowledged one', () => {
    const w = spring();
    const maria = learner(w, 'Maria', [1, 2]);
    const flag = flagOn(w, maria, { reasons: [missed()], openedAt: new Date(now.getTime() - 48 * HOUR + 1) });
    expect(kinds(planScan(w.snap, now))).toEqual(NOTHING);

    flag.openedAt = flag.alertedAt = new Date(now.getTime() - 48 * HOUR);
    const plan = planScan(w.snap, now);
    expect(kinds(plan)).toEqual({ ...NOTHING, resend: ['Maria'] });
    expect(plan.resend[0]).toMatchObject({ reasons: [missed()], reassign: false });
    expect(plan.resend[0]!.mentor?.name).toBe('Ana');

    flag.status = 'acknowledged';
    expect(kinds(planScan(w.snap, now))).toEqual(NOTHING);
  });

  it('counts the 48 hours from when the alert reached the mentor, not from when it was queued in their night', () => {
    const w = spring();
    const maria = learner(w, 'Maria', [1, 2]);
    const flag = flagOn(w, maria, { reasons: [missed()], openedAt: new Date(now.getTime() - 56 * HOUR), alertedAt: new Date(now.getTime() - 44 * HOUR) });
    expect(kinds(planScan(w.snap, now))).toEqual(NOTHING);
    flag.alertedAt = new Date(now.getTime() - 48 * HOUR);
    expect(kinds(planScan(w.snap, now))).toEqual({ ...NOTHING, resend: ['Maria'] });
    // Re-sent, then held back by the night 10 hours: the escalation waits 48 hours from its delivery.
    flag.resentAt = new Date(now.getTime() - 50 * HOUR);
    flag.resendAlertedAt = new Date(now.getTime() - 40 * HOUR);
    expect(kinds(planScan(w.snap, now))).toEqual(NOTHING);
    flag.resendAlertedAt = new Date(now.getTime() - 48 * HOUR);
    expect(kinds(planScan(w.snap, now))).toEqual({ ...NOTHING, escalate: ['Maria'] });
  });

  it('re-sends to a new mentor when the assigned one left, picked after the new flags', () => {
    const w = spring();
    const maria = learner(w, 'Maria', [1, 2]);
    flagOn(w, maria, { reasons: [missed()], mentorMemberId: 999, openedAt: new Date(now.getTime() - 50 * HOUR) });
    learner(w, 'Chen', [1, 2]);

    const plan = planScan(w.snap, now);
    expect(kinds(plan)).toEqual({ ...NOTHING, open: ['Chen'], resend: ['Maria'] });
    // Chen's new flag takes Ana (a tie goes to the first mentor); the re-send then goes to Bob.
    expect(plan.open[0]!.mentor?.name).toBe('Ana');
    expect(plan.resend[0]!.mentor?.name).toBe('Bob');
    expect(plan.resend[0]!.reassign).toBe(true);
  });

  it('escalates 48 hours after the re-send, naming the mentor; a flag without a mentor is not escalated', () => {
    const w = spring();
    const maria = learner(w, 'Maria', [1, 2]);
    const flag = flagOn(w, maria, { reasons: [missed()], openedAt: new Date(now.getTime() - 100 * HOUR), resentAt: new Date(now.getTime() - 48 * HOUR) });

    const plan = planScan(w.snap, now);
    expect(kinds(plan)).toEqual({ ...NOTHING, escalate: ['Maria'] });
    expect(plan.escalate[0]!.mentor?.name).toBe('Ana');

    flag.mentorMemberId = null;
    expect(kinds(planScan(w.snap, now))).toEqual(NOTHING);
    flag.mentorMemberId = w.ana.id;
    flag.escalatedAt = new Date(now.getTime() - HOUR);
    expect(kinds(planScan(w.snap, now))).toEqual(NOTHING);
  });

  it('an away learner gets no new flag and no re-send, but an open flag still follows the evidence', () => {
    const w = spring();
    const away = { awayUntil: '2026-04-07' };
    expect(w.cohort.today < away.awayUntil).toBe(true);
    learner(w, 'Maria', [1, 2], away);
    const ben = learner(w, 'Ben', [1, 2], away);
    flagOn(w, ben, { reasons: [missed('missed the last 2 check-ins (weeks 2 and 3)')], openedAt: new Date(now.getTime() - 50 * HOUR) });
    const eli = learner(w, 'Eli', [1, 2, 3, 4], away);
    flagOn(w, eli, { reasons: [missed()], openedAt: new Date(now.getTime() - 50 * HOUR) });

    const plan = planScan(w.snap, now);
    // Ben's missed weeks moved on: updated, not re-sent. Eli answered since: resolved.
    expect(kinds(plan)).toEqual({ ...NOTHING, update: ['Ben'], resolve: ['Eli'] });
  });

  it('looks only at the learners in scope, and closes the flag of a member who is no longer a learner', () => {
    const w = spring();
    const maria = learner(w, 'Maria', [1, 2]);
    learner(w, 'Chen', [1, 2]);
    // Gone: no longer a member, so not in the snapshot's members.
    const gone = member(w.cohort.id, 'Gone');
    const goneFlag = flagOn(w, gone, { reasons: [missed()] });

    expect(kinds(planScan(w.snap, now, new Map([[1, new Set([maria.id])]])))).toEqual({ ...NOTHING, open: ['Maria'] });
    expect(kinds(planScan(w.snap, now, new Map([[1, new Set([maria.id, gone.id])]])))).toEqual({ ...NOTHING, open: ['Maria'], remove: [goneFlag.id] });
    expect(kinds(planScan(w.snap, now, new Map([[1, 'all']])))).toEqual({ ...NOTHING, open: ['Maria', 'Chen'], remove: [goneFlag.id] });
    expect(kinds(planScan(w.snap, now, new Map([[2, 'all']])))).toEqual(NOTHING);
  });
});
