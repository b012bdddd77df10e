import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/core/commands.js';
import { testDbKind, useTestDb } from '../helpers/db.js';
import { expand, featuresFrom, historyArb, type Feature } from '../model/history.js';
import { EXAMPLES } from './examples.js';
import { ignoredHits, runHistory } from './run.js';

/**
 * Model-based simulation of whole cohorts (/work/lifecycle-spec.md): random histories of learners,
 * mentors, organizers, outages and restarts run against a real core on the test database, with a
 * plain reference model beside it; the invariants are checked after every tick.
 *
 *   SIM_RUNS=500        more histories (default 4 per database, different ones on each: 8 in all; a history is ~90 ticks of the real engine, 5–30 s)
 *   SIM_SEED=123        replay one run (default: a fixed seed per database; SIM_SEED=random draws a new one) (with SIM_PATH from the failure report to go straight to the shrunk case)
 *   SIM_FEATURES=all    all | legacy | a comma list of edit,unskip,awayBack,undoDone
 *   SIM_FORCE=1         run even on an engine without the lifecycle commands (see FOUND.md)
 */

/** The engine that follows the lifecycle spec parses `/cohort unskip` and `/away back`. */
function engineHasLifecycleCommands(): boolean {
  try {
    parseCommand('cohort', 'unskip 2027-01-04');
    parseCommand('away', 'back');
    return true;
  } catch {
    return false;
  }
}

const t = useTestDb();
const features = featuresFrom(process.env.SIM_FEATURES);
const runs = Number(process.env.SIM_RUNS ?? 4);
// A fixed seed keeps `npm test` reproducible; SIM_SEED=random explores new histories (the report prints the seed).
// Each database gets its own seed, so `npm test` covers twice as many histories as it runs on either.
const DEFAULT_SEED = testDbKind === 'postgres' ? 20261202 : 20261201;
const seed = process.env.SIM_SEED === 'random' ? undefined : Number(process.env.SIM_SEED ?? DEFAULT_SEED);
const path = process.env.SIM_PATH;
const enabled = process.env.SIM_FORCE === '1' || engineHasLifecycleCommands();

function params(n: number): fc.Parameters<[unknown]> {
  return {
    numRuns: n,
    ...(seed === undefined ? {} : { seed }),
    ...(path === undefined ? {} : { path }),
    interruptAfterTimeLimit: Number(process.env.SIM_TIME_LIMIT_MS ?? 0) || undefined,
    endOnFailure: process.env.SIM_NO_SHRINK === '1',
  };
}

async function property(featureSet: Set<Feature>, n: number, extra: Partial<fc.Parameters<[unknown]>> = {}): Promise<void> {
  await fc.assert(
    fc.asyncProperty(historyArb(featureSet), async (h) => {
      await runHistory(t.db, expand(h), featureSet);
    }),
    { ...params(n), ...extra } as fc.Parameters<[unknown]>,
  );
}

/**
 * Failures the simulation found on the engine before the lifecycle rewrite (FOUND.md), replayed
 * from their seed and shrink path: each must now pass.
 */
export const REGRESSIONS: Array<{ name: string; features: string; seed: number; path: string; long?: boolean }> = [
  // Shrunk to three silent learners and two rounds: a flag for two missed rounds while the second is still open.
  { name: 'seed 42: missed-rounds while the second round is open', features: 'legacy', seed: 42, path: '0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0' },
  // A 25-day outage over weeks 23 and 24: week 23 must not run, week 24 is posted and the program ends.
  { name: 'seed 42: week number after a 25-day outage', features: 'legacy', seed: 42, path: '2:0:0:0:0:0', long: true },
  // An edit that places the next week in the past (00:00 Sydney, minutes gone) is refused, and the calendar keeps its rule.
  // A mentor deactivated minutes after week 1 is posted, and the only one: the week's digest goes to the organizers, not to them.
  { name: 'seed 20261201: the only mentor deactivated in week 1', features: 'edit,unskip,awayBack,undoDone,erase,platform', seed: 20261201, path: '2:0:0:0:0:0:1:1:1:1:1:1:1:1:1:1:1:1:2:2:2' },
  // An alert re-sent at night to the organizer, its flag resolved before morning: the edit of it must not wait for ever.
  { name: 'seed 20261201: a re-sent alert resolved while it waits for the reader’s day', features: 'edit,unskip,awayBack,undoDone,erase,platform,ownTime', seed: 20261201, path: '3:0:0:0:0:0:0:0:1:0:3:1:4:4:4:4:4:4:4:4:4:4:4:4:4:4:4:4:4:4:4:4:4' },
  { name: 'seed 846384332: /cohort edit to a slot already passed this week', features: 'edit,unskip,awayBack,undoDone', seed: 846384332, path: '6:0:0:1:2:0:1:2:2:2:2:2:2:2:2:2:3:2:3:0:15:2:0:11:0:15:15:15:15:15:15' },
];

describe.skipIf(!enabled)('lifecycle simulation', () => {
  afterEach((ctx) => {
    if (ignoredHits.size === 0) return;
    const lines = [...ignoredHits].map(([name, hit]) => `■ ${name}: broken in ${hit.count} checks; first:\n${hit.first}\n  cases:\n  ${hit.cases.join('\n  ')}`);
    console.log(`${ctx.task.name}\nInvariants broken but not stopped at (SIM_SURVEY / SIM_ONLY / SIM_IGNORE):\n${lines.join('\n\n')}`);
    ignoredHits.clear();
  });

  it.skipIf(process.env.SIM_ONLY_EXAMPLES === '1')(`keeps every invariant over ${runs} random cohort histories (features: ${[...features].join(',') || 'legacy'})`, async () => {
    await property(features, runs);
  }, 3_600_000);

  // The failures found before the lifecycle rewrite, as small fixed histories judged by the whole spec.
  for (const ex of EXAMPLES) {
    it(`example: ${ex.name}`, async () => {
      await runHistory(t.db, expand(ex.history), featuresFrom('all'), { undoDone: true });
    }, 600_000);
  }

  for (const r of REGRESSIONS) {
    // A whole 24-week history takes several minutes on a busy 2-core machine: SIM_LONG=1 runs it.
    it.skipIf(r.long && process.env.SIM_LONG !== '1')(`regression: ${r.name}`, async () => {
      await fc.assert(
        // Histories drawn with the features of the engine they were found on, judged by the whole spec.
        fc.asyncProperty(historyArb(featuresFrom(r.features)), async (h) => {
          await runHistory(t.db, expand(h), featuresFrom(r.features), { undoDone: true });
        }),
        { seed: r.seed, path: r.path, numRuns: 1, endOnFailure: true },
      );
    }, 600_000);
  }
});

describe.skipIf(enabled)('lifecycle simulation (waiting for the lifecycle engine)', () => {
  it('is off until the engine parses /cohort unskip and /away back; SIM_FORCE=1 runs it anyway', () => {
    expect(engineHasLifecycleCommands()).toBe(false);
  });
});
