import { DateTime } from 'luxon';
import { transact } from '../../db/transact.js';
import { dayText } from '../dates.js';
import type { Actor, Reply } from '../chat.js';
import type { CoreDeps } from '../core.js';
import type { Executor } from '../outbox.js';
import { localDate } from '../schedule.js';
import { privately, Refusal } from './reply.js';
import { latestPostedRoundIds, refreshRoundPosts } from '../round-post.js';

interface Membership {
  id: number;
  name: string;
  today: string;
  /** The break in force or still to come: the one `/away` replaces and `/away back` ends. */
  current: { id: number; starts_on: string; ends_on: string } | null;
}

async function learnerMemberships(db: Executor, actor: Actor, now: Date): Promise<Membership[]> {
  const rows = await db
    .selectFrom('members')
    .innerJoin('cohorts', 'cohorts.id', 'members.cohort_id')
    .select(['members.id', 'cohorts.timezone', 'cohorts.name'])
    .where('cohorts.platform', '=', actor.platform)
    .where('cohorts.status', '<>', 'finished')
    .where('members.user_id', '=', actor.userId)
    .where('members.role', '=', 'learner')
    .where('members.removed_at', 'is', null)
    .orderBy('members.id')
    .execute();
  if (rows.length === 0) return [];
  const periods = await db
    .selectFrom('away_periods')
    .select(['id', 'member_id', 'starts_on', 'ends_on'])
    .where('member_id', 'in', rows.map((r) => r.id))
    .orderBy('ends_on', 'desc')
    .execute();
  return rows.map((r) => {
    const today = localDate(now, r.timezone);
    const current = periods.find((p) => p.member_id === r.id && p.ends_on > today) ?? null;
    return { id: r.id, name: r.name, today, current };
  });
}

/** A break changes who the live round posts count. */
async function refreshCounts(deps: CoreDeps, trx: Executor, memberships: readonly Membership[], now: Date): Promise<void> {
  const cohortIds = await trx.selectFrom('members').select('cohort_id').where('id', 'in', memberships.map((m) => m.id)).execute();
  await refreshRoundPosts(trx, deps.content.programs, await latestPostedRoundIds(trx, cohortIds.map((c) => c.cohort_id)), now);
}

function cohorts(list: readonly Membership[]): string {
  return list.map((m) => `**${m.name}**`).join(', ');
}

/** `/away <date>`: a break from today until that date (the first day back), replacing one already set. */
export async function setAway(deps: CoreDeps, actor: Actor, until: string): Promise<Reply> {
  const now = deps.clock.now();
  const memberships = await learnerMemberships(deps.db, actor, now);
  if (memberships.length === 0) throw new Refusal("You're not a learner in any running cohort, so there are no reminders to pause.");
  if (!DateTime.fromISO(until).isValid || DateTime.fromISO(until).toISODate() !== until) {
    throw new Refusal(`"${until}" is not a real date.`, '`/away YYYY-MM-DD` · `/away back` · `/away`');
  }
  const today = memberships[0]!.today;
  if (until <= today) {
    const example = DateTime.fromISO(today).plus({ weeks: 1 }).toISODate();
    throw new Refusal(`${until} is not in the future. Give the first day you are back, e.g. \`/away ${example}\`; \`/away back\` ends a break now.`);
  }
  const replaced = memberships.find((m) => m.current)?.current ?? null;
  await transact(deps.db, async (trx) => {
    for (const m of memberships) {
      if (m.current) await trx.updateTable('away_periods').set({ ends_on: until }).where('id', '=', m.current.id).execute();
      else await trx.insertInto('away_periods').values({ member_id: m.id, starts_on: m.today, ends_on: until, created_at: now }).execute();
    }
    await trx.updateTable('members').set({ away_until: until }).where('id', 'in', memberships.map((m) => m.id)).execute();
    await refreshCounts(deps, trx, memberships, now);
  });
  const back = dayText(until);
  if (replaced) {
    return privately(`Your break in ${cohorts(memberships)} now ends ${back} (it was ${dayText(replaced.ends_on)}). No reminders or stall flags until then; \`/away back\` ends it early.`);
  }
  return privately(
    `Enjoy the break. No reminders or stall flags in ${cohorts(memberships)} until ${back}; check-ins stay open if you want to answer anyway. \`/away back\` ends it early.`,
  );
}

/** `/away back`: the break ends today; the days already away stay excused. */
export async function endAway(deps: CoreDeps, actor: Actor): Promise<Reply> {
  const now = deps.clock.now();
  const memberships = await learnerMemberships(deps.db, actor, now);
  if (memberships.length === 0) throw new Refusal("You're not a learner in any running cohort, so there is no break to end.");
  const away = memberships.filter((m) => m.current);
  if (away.length === 0) return privately("You're not away: reminders and check-ins run as usual. `/away YYYY-MM-DD` sets a break.");
  await transact(deps.db, async (trx) => {
    for (const m of away) {
      const p = m.current!;
      // A break that starts today never happened; one already under way keeps its past days.
      if (p.starts_on >= m.today) await trx.deleteFrom('away_periods').where('id', '=', p.id).execute();
      else await trx.updateTable('away_periods').set({ ends_on: m.today }).where('id', '=', p.id).execute();
    }
    await trx.updateTable('members').set({ away_until: null }).where('id', 'in', away.map((m) => m.id)).execute();
    await refreshCounts(deps, trx, away, now);
  });
  return privately(`Welcome back! Reminders and stall flags in ${cohorts(away)} run again from today.`);
}

/** `/away` alone: what is set. */
export async function showAway(deps: CoreDeps, actor: Actor): Promise<Reply> {
  const now = deps.clock.now();
  const memberships = await learnerMemberships(deps.db, actor, now);
  if (memberships.length === 0) throw new Refusal("You're not a learner in any running cohort.", '`/away YYYY-MM-DD` · `/away back` · `/away`');
  const lines = memberships.map((m) =>
    m.current ? `${cohorts([m])}: away until ${dayText(m.current.ends_on)} (back that day).` : `${cohorts([m])}: no break set.`,
  );
  lines.push('`/away YYYY-MM-DD` sets or replaces a break · `/away back` ends it now.');
  return privately(lines.join('\n'));
}
