import type { Program } from '../content/types.js';
import { countSentence, roundTallies } from './attendance.js';
import { roundPost, type LateWindow } from './messages/rounds.js';
import { enqueueMany, type Executor, type Outgoing } from './outbox.js';
import type { Round } from '../db/types.js';

/**
 * Brings round posts' counts up to date after anything that changes who counts (an answer, a
 * break, someone joining, leaving or being removed, an erasure): each post whose count sentence
 * changed is queued for an edit, numbered so the last change is the one that shows. Call it in the
 * transaction of the change.
 */
export async function refreshRoundPosts(trx: Executor, programs: ReadonlyMap<string, Program>, roundIds: readonly number[], now: Date): Promise<void> {
  const ids = [...new Set(roundIds)];
  if (ids.length === 0) return;
  const [rounds, tallies] = await Promise.all([
    trx
      .selectFrom('rounds')
      .innerJoin('cohorts', 'cohorts.id', 'rounds.cohort_id')
      .selectAll('rounds')
      .select(['cohorts.platform', 'cohorts.program_id', 'cohorts.timezone'])
      .where('rounds.id', 'in', ids)
      .where('rounds.state', '=', 'posted')
      .execute(),
    roundTallies(trx, ids),
  ]);
  const outs: Outgoing[] = [];
  for (const round of rounds) {
    const program = programs.get(round.program_id);
    const tally = tallies.get(round.id);
    if (!program || !tally) continue;
    const count = countSentence(tally);
    if (count === round.post_count) continue;
    const post = { program, roundId: round.id, week: round.week, milestoneId: round.milestone_id, late: postedLate(round, round.timezone) };
    const bumped = await trx
      .updateTable('rounds')
      .set((eb) => ({ post_version: eb('post_version', '+', 1), post_count: count, post_template: postTemplate(post) }))
      .where('id', '=', round.id)
      .returning('post_version')
      .executeTakeFirstOrThrow();
    outs.push({
      key: `round-update:${round.id}:v${bumped.post_version}`,
      kind: 'round-update',
      platform: round.platform,
      cohortId: round.cohort_id,
      targetKind: 'message',
      targetId: `round:${round.id}`,
      message: roundPost({ ...post, count }),
      availableAt: now,
    });
  }
  await enqueueMany(trx, outs);
}

/**
 * Where the count goes in a round post's template: the database writes a one-click check-in's edit
 * of the post itself (record_click), from the post as last rendered with this in place of the count.
 */
export const COUNT_MARKER = '⟦count⟧';

/** The round post without its count, as the database keeps it (rounds.post_template). */
export function postTemplate(post: Omit<Parameters<typeof roundPost>[0], 'count'>): string {
  return JSON.stringify(roundPost({ ...post, count: COUNT_MARKER }));
}

/** The cohort's latest posted round, the one whose post is live: what membership changes refresh. */
export async function latestPostedRoundIds(trx: Executor, cohortIds: readonly number[]): Promise<number[]> {
  if (cohortIds.length === 0) return [];
  const rows = await trx
    .selectFrom('rounds')
    .select(['id', 'cohort_id'])
    .distinctOn('cohort_id')
    .where('cohort_id', 'in', [...cohortIds])
    .where('state', '=', 'posted')
    .orderBy('cohort_id')
    .orderBy('week', 'desc')
    .execute();
  return rows.map((r) => r.id);
}

/** The "posted late" window of a round posted after an outage, for every later edit of its post. */
export function postedLate(round: Round, timezone: string): LateWindow | null {
  return round.offline_since ? { from: new Date(round.offline_since), to: new Date(round.created_at), timezone, cause: round.late_cause } : null;
}
