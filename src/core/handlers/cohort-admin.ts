import type { Cohort } from '../../db/types.js';
import type { Actor, Place, Reply } from '../chat.js';
import { USAGE, type Command, type UserRef } from '../commands.js';
import type { CoreDeps } from '../core.js';
import { activeMember, cohortByChannel } from '../members.js';
import { latestRound } from '../rounds.js';
import { canonicalZone, describeSlot, firstSlot, isValidDate, isValidTime, isValidZone, localDate, nextSlot, nextStartDate, parseWeekday, WEEKDAY_NAMES } from '../schedule.js';
import { channelCohort, requireAdmin } from './access.js';
import { privately, publicly, Refusal } from './reply.js';

type CreateCommand = Extract<Command, { name: 'cohort.create' }>;

export async function createCohort(deps: CoreDeps, actor: Actor, place: Place, cmd: CreateCommand): Promise<Reply> {
  requireAdmin(deps, actor, 'create cohorts');
  const problems: string[] = [];
  const name = cmd.cohortName.trim();
  if (name.length === 0 || name.length > 80) problems.push('`name` must be 1 to 80 characters.');
  const program = deps.content.programs.get(cmd.program);
  if (!program) problems.push(`\`program:${cmd.program}\` is not a program. Available: ${[...deps.content.programs.keys()].join(', ') || 'none'}.`);
  if (!isValidDate(cmd.start)) problems.push(`\`start:${cmd.start}\` is not a date; use YYYY-MM-DD, e.g. 2026-03-02.`);
  const weekday = parseWeekday(cmd.day);
  if (!weekday || !/^[a-z]{3,9}$/i.test(cmd.day)) problems.push(`\`day:${cmd.day}\` is not a weekday; use mon, tue, wed, thu, fri, sat or sun.`);
  if (!isValidTime(cmd.time)) problems.push(`\`time:${cmd.time}\` is not a time; use 24-hour HH:MM, e.g. 09:00.`);
  if (!isValidZone(cmd.tz)) problems.push(`\`tz:${cmd.tz}\` is not an IANA time zone; use Area/City, e.g. Europe/Berlin or America/New_York.`);
  if (problems.length > 0) throw new Refusal(problems.join('\n'), USAGE.cohort.split('\n')[0]);
  const tz = canonicalZone(cmd.tz);
  const now = deps.clock.now();
  const rule = { startDate: cmd.start, weekday: weekday!, slotTime: cmd.time, timezone: tz, skipped: new Set<string>() };
  const firstAt = firstSlot(rule).at;
  if (firstAt <= now) {
    throw new Refusal(
      `The first check-in of \`start:${cmd.start}\` (${describeSlot(firstAt, tz)}) has already passed, so week 1 would go out late. ` +
        `Start on or after ${nextStartDate(rule, now)}.`,
    );
  }

  const taken = await cohortByChannel(deps.db, actor.platform, place.channelId);
  if (taken) throw new Refusal(`This channel already runs the cohort **${taken.name}**. One channel holds one cohort.`);
  const sameName = await deps.db.selectFrom('cohorts').select('id').where('name', '=', name).executeTakeFirst();
  if (sameName) throw new Refusal(`A cohort named **${name}** already exists; pick another name.`);

  const cohort = await deps.db
    .insertInto('cohorts')
    .values({
      name,
      platform: actor.platform,
      workspace_id: actor.workspaceId ?? null,
      channel_id: place.channelId,
      program_id: program!.id,
      start_date: cmd.start,
      weekday: weekday!,
      slot_time: cmd.time,
      timezone: tz,
      created_by: actor.userId,
      created_at: now,
    })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!cohort) throw new Refusal('Another cohort was just created here or with that name; run `/cohort status` to see it.');
  const first = nextSlot(ruleOf(cohort, new Set()), null, { now });
  return publicly(
    [
      `Cohort **${cohort.name}** is set up in this channel: ${program!.title}, ${program!.weeks.length} weeks.`,
      `Check-ins every ${WEEKDAY_NAMES[cohort.weekday]} at ${cohort.slot_time} ${cohort.timezone}; the first opens ${describeSlot(first.at, cohort.timezone)}.`,
      'Learners: type `/cohort join`. Organizers: `/cohort mentor @user` adds a mentor.',
    ].join('\n'),
  );
}

export function ruleOf(cohort: Cohort, skipped: ReadonlySet<string>) {
  return { startDate: cohort.start_date, weekday: cohort.weekday, slotTime: cohort.slot_time, timezone: cohort.timezone, skipped };
}

export async function joinCohort(deps: CoreDeps, actor: Actor, place: Place): Promise<Reply> {
  const cohort = await channelCohort(deps, actor, place);
  if (cohort.status === 'finished') throw new Refusal(`**${cohort.name}** has finished; it takes no new learners.`);
  const existing = await deps.db.selectFrom('members').selectAll().where('cohort_id', '=', cohort.id).where('user_id', '=', actor.userId).executeTakeFirst();
  if (existing && !existing.removed_at) {
    return privately(existing.role === 'mentor' ? `You're a mentor of **${cohort.name}**; mentors don't check in.` : `You're already in **${cohort.name}**.`);
  }
  await upsertMember(deps, cohort, { id: actor.userId, name: actor.displayName }, 'learner');
  return privately(
    `Welcome to **${cohort.name}**! Every ${WEEKDAY_NAMES[cohort.weekday]} at ${cohort.slot_time} (${cohort.timezone}) I post the week's milestone here; click a button to check in. ` +
      'See where you stand any time with `/progress`; going away? `/away YYYY-MM-DD`.',
  );
}

async function upsertMember(deps: CoreDeps, cohort: Cohort, user: UserRef, role: 'learner' | 'mentor'): Promise<void> {
  const now = deps.clock.now();
  await deps.db
    .insertInto('members')
    .values({ cohort_id: cohort.id, user_id: user.id, display_name: user.name ?? user.id, role, away_until: null, joined_at: now })
    .onConflict((oc) =>
      oc.columns(['cohort_id', 'user_id']).doUpdateSet((eb) => ({
        role,
        removed_at: null,
        joined_at: eb.fn.coalesce(eb.ref('members.removed_at'), eb.ref('members.joined_at')) as never,
        display_name: user.name ?? eb.ref('members.display_name'),
      })),
    )
    .execute();
}

export async function addMember(deps: CoreDeps, actor: Actor, place: Place, user: UserRef, role: 'learner' | 'mentor'): Promise<Reply> {
  requireAdmin(deps, actor, role === 'mentor' ? 'assign mentors' : 'add learners');
  const cohort = await channelCohort(deps, actor, place);
  const existing = await activeMember(deps.db, cohort.id, user.id);
  const who = mention(user, actor.platform);
  if (existing?.role === role) return privately(`${who} is already a ${role} of **${cohort.name}**.`);
  if (existing?.role === 'mentor' && role === 'learner') {
    throw new Refusal(`${who} is a mentor of **${cohort.name}**. Remove them first with \`/cohort remove\` to add them as a learner.`);
  }
  await upsertMember(deps, cohort, user, role);
  if (existing?.role === 'learner') return publicly(`${who} is now a mentor of **${cohort.name}** (no longer a learner; their check-ins are kept).`);
  return publicly(role === 'mentor' ? `${who} is now a mentor of **${cohort.name}**: stall alerts and the weekly digest go to them.` : `${who} joined **${cohort.name}** as a learner.`);
}

export async function removeMember(deps: CoreDeps, actor: Actor, place: Place, user: UserRef): Promise<Reply> {
  requireAdmin(deps, actor, 'remove members');
  const cohort = await channelCohort(deps, actor, place);
  const member = await activeMember(deps.db, cohort.id, user.id);
  if (!member) throw new Refusal(`${mention(user, actor.platform)} is not in **${cohort.name}**.`);
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    await trx.updateTable('members').set({ removed_at: now }).where('id', '=', member.id).execute();
    await trx
      .updateTable('stall_flags')
      .set({ status: 'resolved', resolved_at: now, resolved_by: actor.userId, resolution: 'removed' })
      .where('member_id', '=', member.id)
      .where('status', '<>', 'resolved')
      .execute();
  });
  const who = mention(user, actor.platform);
  if (member.role === 'mentor') return publicly(`${who} is no longer a mentor of **${cohort.name}**; stall alerts and the weekly digest go to the other mentors.`);
  return publicly(`${who} was removed from **${cohort.name}**. Their past check-ins are kept.`);
}

export async function setPaused(deps: CoreDeps, actor: Actor, place: Place, paused: boolean): Promise<Reply> {
  requireAdmin(deps, actor, paused ? 'pause a cohort' : 'resume a cohort');
  const cohort = await channelCohort(deps, actor, place);
  if (cohort.status === 'finished') throw new Refusal(`**${cohort.name}** has finished; there is nothing to ${paused ? 'pause' : 'resume'}.`);
  if (paused && cohort.status === 'paused') return privately(`**${cohort.name}** is already paused. \`/cohort resume\` starts it again.`);
  if (!paused && cohort.status === 'active') return privately(`**${cohort.name}** is not paused.`);
  const now = deps.clock.now();
  await deps.db
    .updateTable('cohorts')
    .set(paused ? { status: 'paused' } : { status: 'active', resumed_at: now })
    .where('id', '=', cohort.id)
    .execute();
  if (paused) return publicly(`**${cohort.name}** is paused: no rounds, reminders or stall flags until an organizer runs \`/cohort resume\`.`);
  const skipped = await skippedDates(deps, cohort.id);
  const last = await latestRound(deps.db, cohort.id);
  const next = nextSlot(ruleOf(cohort, skipped), last ? { localDate: last.local_date } : null, { now, notBefore: now });
  return publicly(`**${cohort.name}** is running again. Week ${(last?.week ?? 0) + 1} opens ${describeSlot(next.at, cohort.timezone)}.`);
}

async function skippedDates(deps: CoreDeps, cohortId: number): Promise<Set<string>> {
  const rows = await deps.db.selectFrom('skipped_dates').select('date').where('cohort_id', '=', cohortId).execute();
  return new Set(rows.map((r) => r.date));
}

export async function skipDate(deps: CoreDeps, actor: Actor, place: Place, date: string): Promise<Reply> {
  requireAdmin(deps, actor, 'skip a week');
  const cohort = await channelCohort(deps, actor, place);
  if (!isValidDate(date)) throw new Refusal(`"${date}" is not a real date.`, '`/cohort skip YYYY-MM-DD`');
  const now = deps.clock.now();
  if (date < localDate(now, cohort.timezone)) throw new Refusal(`${date} is in the past; skip a date that is still to come.`);
  const weekday = new Date(`${date}T12:00:00Z`).getUTCDay() || 7;
  if (weekday !== cohort.weekday) {
    throw new Refusal(`${date} is a ${WEEKDAY_NAMES[weekday]}; **${cohort.name}** checks in on ${WEEKDAY_NAMES[cohort.weekday]}s, so there is no round to skip that day.`);
  }
  const posted = await deps.db.selectFrom('rounds').select('week').where('cohort_id', '=', cohort.id).where('local_date', '=', date).executeTakeFirst();
  if (posted) {
    throw new Refusal(
      `Week ${posted.week} of **${cohort.name}** already went out on ${date}, so it can't be skipped now. Learners who are off can use \`/away\`; \`/cohort pause\` stops the rounds after it.`,
    );
  }
  await deps.db.insertInto('skipped_dates').values({ cohort_id: cohort.id, date }).onConflict((oc) => oc.doNothing()).execute();
  const last = await latestRound(deps.db, cohort.id);
  const next = nextSlot(ruleOf(cohort, await skippedDates(deps, cohort.id)), last ? { localDate: last.local_date } : null, { now, notBefore: cohort.resumed_at });
  return publicly(`No round on ${date} for **${cohort.name}**. Week ${(last?.week ?? 0) + 1} opens ${describeSlot(next.at, cohort.timezone)}.`);
}

/** Slack and Discord render `<@id>` as the person's name; the terminal shows the name as typed. */
export function mention(user: UserRef, platform: Actor['platform']): string {
  return platform === 'local' ? `@${user.name ?? user.id}` : `<@${user.id}>`;
}
