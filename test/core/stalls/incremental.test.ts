import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CheckinStatus } from '../../../src/db/types.js';
import { scanStalls } from '../../../src/core/stalls/scan.js';
import { evaluateStalls } from '../../../src/jobs/stall-evaluation.js';
import { useTestDb } from '../../helpers/db.js';
import { addMember, addRound, at, content, flags, HOUR, makeCohort, program, type CohortFixture } from './fixtures.js';

const t = useTestDb();

/** What a learner, a mentor, an organizer or time can do to the facts the stall rules read. */
type Step =
  | { kind: 'answer'; learner: number; back: number; status: CheckinStatus; confidence: number | null }
  | { kind: 'unanswer'; learner: number; back: number }
  | { kind: 'complete'; learner: number; milestone: number; undo: boolean }
  | { kind: 'round'; cohort: number }
  | { kind: 'wait'; hours: number }
  | { kind: 'away'; learner: number; days: number | null }
  | { kind: 'remove'; learner: number }
  | { kind: 'mentor'; learner: number; verb: 'ack' | 'resolve' }
  | { kind: 'pause'; cohort: number; paused: boolean }
  | { kind: 'link'; learner: number; quietDays: number }
  | { kind: 'recheck'; learner: number; committed: boolean };

const LEARNERS = 6; // 0-3 in spring, 4-5 in autumn
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('answer' as const), learner: fc.nat(LEARNERS - 1), back: fc.nat(2), status: fc.constantFrom<CheckinStatus>('on-track', 'behind', 'blocked', 'done'), confidence: fc.option(fc.integer({ min: 1, max: 5 })) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('unanswer' as const), learner: fc.nat(LEARNERS - 1), back: fc.nat(2) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('complete' as const), learner: fc.nat(LEARNERS - 1), milestone: fc.nat(program.milestones.length - 1), undo: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('round' as const), cohort: fc.nat(1) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('wait' as const), hours: fc.integer({ min: 1, max: 200 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('away' as const), learner: fc.nat(LEARNERS - 1), days: fc.option(fc.integer({ min: 1, max: 20 })) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), learner: fc.nat(LEARNERS - 1) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('mentor' as const), learner: fc.nat(LEARNERS - 1), verb: fc.constantFrom('ack' as const, 'resolve' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('pause' as const), cohort: fc.nat(1), paused: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('link' as const), learner: fc.nat(LEARNERS - 1), quietDays: fc.integer({ min: 8, max: 16 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('recheck' as const), learner: fc.nat(LEARNERS - 1), committed: fc.boolean() }) },
);

async function world() {
  const cohorts: CohortFixture[] = [await makeCohort(t.db, { name: 'spring', weeks: 1 }), await makeCohort(t.db, { name: 'autumn', weeks: 1 })];
  await addMember(t.db, cohorts[0]!.id, 'Ana', 'mentor');
  await addMember(t.db, cohorts[1]!.id, 'Bo', 'mentor');
  const learners: Array<{ id: number; cohort: CohortFixture }> = [];
  for (let i = 0; i < LEARNERS; i++) {
    const cohort = cohorts[i < 4 ? 0 : 1]!;
    learners.push({ id: await addMember(t.db, cohort.id, `L${i}`), cohort });
  }
  return { cohorts, learners };
}

function describeStep(s: Step): string {
  return JSON.stringify(s);
}

describe('incremental stall evaluation', () => {
  beforeEach(() => t.reset());

  it('leaves nothing for a full scan to do after any history of answers, rounds, breaks, removals and mentor actions', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 30 }), async (steps) => {
        await t.reset();
        const { cohorts, learners } = await world();
        let now = at(1, 1);
        const log: string[] = [];
        const weekOf = (c: CohortFixture) => Math.max(...c.rounds.keys());
        for (const s of steps) {
          log.push(describeStep(s));
          const learner = 'learner' in s ? learners[s.learner]! : null;
          switch (s.kind) {
            case 'answer': {
              const week = weekOf(learner!.cohort) - s.back;
              if (week < 1) break;
              await t.db
                .insertInto('checkins')
                .values({ round_id: learner!.cohort.rounds.get(week)!, member_id: learner!.id, status: s.status, confidence: s.confidence, blocker: null, note: null, late: false, source: 'form', created_at: now, updated_at: now })
                .onConflict((oc) => oc.columns(['round_id', 'member_id']).doUpdateSet({ status: s.status, confidence: s.confidence, updated_at: now }))
                .execute();
              break;
            }
            case 'unanswer': {
              const week = weekOf(learner!.cohort) - s.back;
              if (week >= 1) await t.db.deleteFrom('checkins').where('round_id', '=', learner!.cohort.rounds.get(week)!).where('member_id', '=', learner!.id).execute();
              break;
            }
            case 'complete': {
              const milestone = program.milestones[s.milestone]!.id;
              if (s.undo) await t.db.deleteFrom('milestone_completions').where('member_id', '=', learner!.id).where('milestone_id', '=', milestone).execute();
              else await t.db.insertInto('milestone_completions').values({ member_id: learner!.id, milestone_id: milestone, checkin_id: null, completed_at: now }).onConflict((oc) => oc.doNothing()).execute();
              break;
            }
            case 'round': {
              const cohort = cohorts[s.cohort]!;
              const week = weekOf(cohort) + 1;
              if (week > program.weeks.length) break;
              if (now < at(week)) now = at(week);
              await addRound(t.db, cohort, week);
              break;
            }
            case 'wait':
              now = new Date(now.getTime() + s.hours * HOUR);
              break;
            case 'away': {
              const today = now.toISOString().slice(0, 10);
              const until = s.days === null ? null : new Date(now.getTime() + s.days * 24 * HOUR).toISOString().slice(0, 10);
              await t.db.updateTable('members').set({ away_until: until }).where('id', '=', learner!.id).execute();
              if (until) await t.db.insertInto('away_periods').values({ member_id: learner!.id, starts_on: today, ends_on: until, created_at: now }).execute();
              else await t.db.deleteFrom('away_periods').where('member_id', '=', learner!.id).where('ends_on', '>', today).execute();
              break;
            }
            case 'remove':
              await t.db.updateTable('members').set({ removed_at: now }).where('id', '=', learner!.id).where('removed_at', 'is', null).execute();
              break;
            case 'mentor': {
              const set = s.verb === 'ack' ? { status: 'acknowledged' as const, acknowledged_at: now } : { status: 'resolved' as const, resolution: 'mentor' as const, resolved_at: now };
              await t.db.updateTable('stall_flags').set(set).where('member_id', '=', learner!.id).where('status', s.verb === 'ack' ? '=' : '<>', s.verb === 'ack' ? 'open' : 'resolved').execute();
              break;
            }
            case 'link': {
              const lastCommit = new Date(now.getTime() - s.quietDays * 24 * HOUR);
              await t.db
                .insertInto('evidence_links')
                .values({ member_id: learner!.id, milestone_id: 'package', url: `https://github.com/o/r${s.learner}`, kind: 'repo', owner: 'o', repo: `r${s.learner}`, checked_at: now, verified_at: null, last_commit_at: lastCommit, check_due_at: null, claimed_until: null, retry_reason: null, created_at: now })
                .onConflict((oc) => oc.columns(['member_id', 'milestone_id', 'url']).doUpdateSet({ checked_at: now, last_commit_at: lastCommit }))
                .execute();
              break;
            }
            case 'recheck':
              // The daily re-check: GitHub answered now, with a new commit or none.
              await t.db
                .updateTable('evidence_links')
                .set(s.committed ? { checked_at: now, last_commit_at: now } : { checked_at: now })
                .where('member_id', '=', learner!.id)
                .execute();
              break;
            case 'pause':
              await t.db.updateTable('cohorts').set({ status: s.paused ? 'paused' : 'active' }).where('id', '=', cohorts[s.cohort]!.id).execute();
              break;
          }
          await evaluateStalls(t.db, content, now, { fullScanEveryMs: Number.POSITIVE_INFINITY });
          const full = await scanStalls(t.db, content, now, { dryRun: true });
          if ((full.planned ?? []).length > 0) {
            const open = (await flags(t.db)).map((f) => `${f.member_id}:${f.status}:${f.reasons.map((r) => r.code).join('+')}`);
            expect.fail(`at ${now.toISOString()} a full scan would still act on members ${full.planned!.join(', ')} (${JSON.stringify({ ...full, planned: undefined })}); flags ${open.join(' ')}\nsteps:\n${log.join('\n')}`);
          }
        }
      }),
      { numRuns: Number(process.env.INCREMENTAL_RUNS ?? 25), seed: process.env.INCREMENTAL_SEED ? Number(process.env.INCREMENTAL_SEED) : 20261201 },
    );
  }, 600_000);
});
