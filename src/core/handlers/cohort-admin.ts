import type { Cohort } from '../../db/types.js';
import type { Actor, Place, Reply } from '../chat.js';
import { USAGE, type ChannelRef, type Command, type UserRef } from '../commands.js';
import type { CoreDeps } from '../core.js';
import { activeMember, cohortByChannel, cohortById } from '../members.js';
import { cohortCalendar, type CohortCalendar } from '../calendar.js';
import { scheduleMessage } from '../messages/schedule.js';
import { ruleOf } from '../rounds.js';
import { canonicalZone, describeSlot, firstSlot, isValidDate, isValidTime, isValidZone, localDate, nextStartDate, nextWeekSlot, parseWeekday, WEEKDAY_NAMES } from '../schedule.js';
import { recordAudit, type AuditAction } from '../audit.js';
import { permits, standingIn } from '../permissions.js';
import { transact } from '../../db/transact.js';
import { latestPostedRoundIds, refreshRoundPosts } from '../round-post.js';
import { memberCameBack } from '../membership-changes.js';
import { scheduleForNewLearner } from '../reminder-schedule.js';
import { channelReachable } from '../channel-state.js';
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
  await audit(deps, actor, 'cohort.create', cohort, null, `${program!.id}, from ${cmd.start}, ${WEEKDAY_NAMES[cohort.weekday]} ${cohort.slot_time} ${cohort.timezone}`);
  const first = nextWeekSlot(ruleOf(cohort), null);
  return publicly(
    [
      `Cohort **${cohort.name}** is set up in this channel: ${program!.title}, ${program!.weeks.length} weeks.`,
      `Check-ins every ${WEEKDAY_NAMES[cohort.weekday]} at ${cohort.slot_time} ${cohort.timezone}; the first opens ${describeSlot(first.at, cohort.timezone)}.`,
      'Learners: type `/cohort join`. Organizers: `/cohort mentor @user` adds a mentor.',
    ].join('\n'),
  );
}

export async function joinCohort(deps: CoreDeps, actor: Actor, place: Place): Promise<Reply> {
  return join(deps, actor, await channelCohort(deps, actor, place));
}

/** The `Join` button of the hint sent to someone who joined a cohort's channel. */
export async function joinCohortById(deps: CoreDeps, actor: Actor, value: string): Promise<Reply> {
  const cohort = /^\d+$/.test(value) ? await cohortById(deps.db, Number(value)) : undefined;
  if (!cohort || cohort.platform !== actor.platform) throw new Refusal('That cohort no longer exists. Type `/cohort join` in a cohort\'s channel to join it.');
  return join(deps, actor, cohort);
}

async function join(deps: CoreDeps, actor: Actor, cohort: Cohort): Promise<Reply> {
  if (cohort.status === 'finished') throw new Refusal(`**${cohort.name}** has finished; it takes no new learners.`);
  const existing = await deps.db.selectFrom('members').selectAll().where('cohort_id', '=', cohort.id).where('user_id', '=', actor.userId).executeTakeFirst();
  if (existing && !existing.removed_at && existing.left_at) {
    // Typing in the channel again is coming back: the weeks away stay excused.
    await memberCameBack(deps, { platform: cohort.platform, userId: actor.userId, channelId: cohort.channel_id }, deps.clock.now());
    return privately(`Welcome back to **${cohort.name}**! You count again from today; the weeks you were gone count against nobody.`);
  }
  if (existing && !existing.removed_at) {
    return privately(existing.role === 'mentor' ? `You're a mentor of **${cohort.name}**; mentors don't check in.` : `You're already in **${cohort.name}**.`);
  }
  await upsertMember(deps, cohort, { id: actor.userId, name: actor.displayName }, 'learner');
  return privately(
    `Welcome to **${cohort.name}**! Every ${WEEKDAY_NAMES[cohort.weekday]} at ${cohort.slot_time} (${cohort.timezone}) I post the week's milestone here; click a button to check in. ` +
      'See where you stand any time with `/progress`; going away? `/away YYYY-MM-DD`.',
  );
}

/** Adds or brings back a member; the live round post counts them from now. Returns their member id. */
async function upsertMember(deps: CoreDeps, cohort: Cohort, user: UserRef, role: 'learner' | 'mentor'): Promise<number> {
  const now = deps.clock.now();
  return transact(deps.db, async (trx) => {
    const row = await trx
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
      .returning('id')
      .executeTakeFirstOrThrow();
    await refreshRoundPosts(trx, deps.content.programs, await latestPostedRoundIds(trx, [cohort.id]), now);
    if (role === 'learner') await scheduleForNewLearner(trx, cohort.id, row.id, deps.reminderAfterHours);
    return row.id;
  });
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
  const memberId = await upsertMember(deps, cohort, user, role);
  await audit(deps, actor, role === 'mentor' ? 'cohort.mentor' : 'cohort.add', cohort, who, null, memberId);
  if (existing?.role === 'learner') return publicly(`${who} is now a mentor of **${cohort.name}** (no longer a learner; their check-ins are kept).`);
  if (role === 'learner') return publicly(`${who} joined **${cohort.name}** as a learner.`);
  const mentors = await deps.db.selectFrom('members').select('display_name').where('cohort_id', '=', cohort.id).where('role', '=', 'mentor').where('removed_at', 'is', null).execute();
  const sharing =
    mentors.length > 1
      ? `Stall alerts are shared among the ${mentors.length} mentors: each new alert goes to the one with the fewest open alerts; one nobody answers is sent again after 48 hours, then to the organizers.`
      : 'Stall alerts go to them; one they do not answer is sent again after 48 hours, then to the organizers.';
  return publicly(`${who} is now a mentor of **${cohort.name}**. ${sharing} The weekly digest goes to every mentor.`);
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
    await refreshRoundPosts(trx, deps.content.programs, await latestPostedRoundIds(trx, [cohort.id]), now);
  });
  const who = mention(user, actor.platform);
  await audit(deps, actor, 'cohort.remove', cohort, who, member.role, member.id);
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
  const changed = await deps.db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('cohorts')
      .set(paused ? { status: 'paused' } : { status: 'active', resumed_at: now })
      .where('id', '=', cohort.id)
      .where('status', '=', paused ? 'active' : 'paused')
      .returning('id')
      .executeTakeFirst();
    if (!row) return false;
    if (paused) await trx.insertInto('cohort_pauses').values({ cohort_id: cohort.id, paused_at: now }).execute();
    else await trx.updateTable('cohort_pauses').set({ resumed_at: now }).where('cohort_id', '=', cohort.id).where('resumed_at', 'is', null).execute();
    return true;
  });
  if (!changed) return privately(`**${cohort.name}** changed just now; \`/cohort schedule\` shows where it stands.`);
  await audit(deps, actor, paused ? 'cohort.pause' : 'cohort.resume', cohort);
  if (paused) return publicly(`**${cohort.name}** is paused: no rounds, reminders or stall flags until an organizer runs \`/cohort resume\`. The weeks still to come move later by as long as the pause lasts.`);
  const calendar = await calendarOf(deps, { ...cohort, status: 'active', resumed_at: now });
  return publicly(`**${cohort.name}** is running again. ${nextLine(calendar, cohort.timezone)}`);
}

async function calendarOf(deps: CoreDeps, cohort: Cohort): Promise<CohortCalendar> {
  const program = deps.content.programs.get(cohort.program_id);
  if (!program) throw new Refusal(`The program "${cohort.program_id}" of **${cohort.name}** is missing from the content; tell an organizer.`);
  return cohortCalendar(deps.db, cohort, program, deps.clock.now());
}

function nextLine(calendar: CohortCalendar, zone: string): string {
  const last = calendar.weeks[calendar.weeks.length - 1]!;
  const ends = `the program ends ${describeSlot(calendar.endsAt, zone)} (week ${last.week} closes).`;
  return calendar.next ? `Week ${calendar.next.week} opens ${describeSlot(calendar.next.at, zone)}; ${ends}` : `Every week has gone out; ${ends}`;
}

/** A date given to skip or unskip: a real check-in day of this cohort, not yet past. */
function checkinDay(cohort: Cohort, date: string, verb: 'skip' | 'unskip', now: Date): void {
  if (!isValidDate(date)) throw new Refusal(`"${date}" is not a real date.`, `\`/cohort ${verb} YYYY-MM-DD\``);
  if (date < localDate(now, cohort.timezone)) throw new Refusal(`${date} is in the past; ${verb} a date that is still to come.`);
  const weekday = new Date(`${date}T12:00:00Z`).getUTCDay() || 7;
  if (weekday !== cohort.weekday) {
    throw new Refusal(`${date} is a ${WEEKDAY_NAMES[weekday]}; **${cohort.name}** checks in on ${WEEKDAY_NAMES[cohort.weekday]}s, so there is no round to ${verb} that day.`);
  }
}

export async function skipDate(deps: CoreDeps, actor: Actor, place: Place, date: string): Promise<Reply> {
  requireAdmin(deps, actor, 'skip a week');
  const cohort = await channelCohort(deps, actor, place);
  if (cohort.status === 'finished') throw new Refusal(`**${cohort.name}** has finished; there is nothing to skip.`);
  const now = deps.clock.now();
  checkinDay(cohort, date, 'skip', now);
  const before = await calendarOf(deps, cohort);
  if (before.skipped.includes(date)) return privately(`${date} is already skipped in **${cohort.name}**. \`/cohort unskip ${date}\` puts the round back.`);
  const recorded = before.weeks.find((w) => w.localDate === date && w.state !== 'upcoming');
  if (recorded) {
    throw new Refusal(
      `Week ${recorded.week} of **${cohort.name}** already ${recorded.state === 'posted' ? 'went out' : 'came'} on ${date}, so it can't be skipped now. Learners who are off can use \`/away\`; \`/cohort pause\` stops the rounds after it.`,
    );
  }
  const last = before.weeks[before.weeks.length - 1]!;
  if (date > last.localDate) {
    throw new Refusal(`${date} is after the program's last check-in (week ${last.week}, ${last.localDate}), so there is no round to skip.`);
  }
  const added = await deps.db.insertInto('skipped_dates').values({ cohort_id: cohort.id, date }).onConflict((oc) => oc.doNothing()).returning('date').executeTakeFirst();
  if (!added) return privately(`${date} is already skipped in **${cohort.name}**.`);
  await audit(deps, actor, 'cohort.skip', cohort, date);
  const after = await calendarOf(deps, cohort);
  return publicly(`No round on ${date} for **${cohort.name}**: the weeks after it move a week later. ${nextLine(after, cohort.timezone)}`);
}

export async function unskipDate(deps: CoreDeps, actor: Actor, place: Place, date: string): Promise<Reply> {
  requireAdmin(deps, actor, 'undo a skipped week');
  const cohort = await channelCohort(deps, actor, place);
  if (cohort.status === 'finished') throw new Refusal(`**${cohort.name}** has finished; there is nothing to change.`);
  const now = deps.clock.now();
  checkinDay(cohort, date, 'unskip', now);
  const removed = await deps.db.deleteFrom('skipped_dates').where('cohort_id', '=', cohort.id).where('date', '=', date).returning('date').executeTakeFirst();
  if (!removed) {
    const { skipped } = await calendarOf(deps, cohort);
    const list = skipped.length > 0 ? `Skipped now: ${skipped.join(', ')}.` : 'No date is skipped.';
    throw new Refusal(`${date} is not skipped in **${cohort.name}**. ${list}`);
  }
  await audit(deps, actor, 'cohort.unskip', cohort, date);
  const after = await calendarOf(deps, cohort);
  return publicly(`${date} is a check-in day again for **${cohort.name}**. ${nextLine(after, cohort.timezone)}`);
}

type EditCommand = Extract<Command, { name: 'cohort.edit' }>;

/** `/cohort edit`: a new weekday, time or zone for every week not yet posted. */
export async function editSchedule(deps: CoreDeps, actor: Actor, place: Place, cmd: EditCommand): Promise<Reply> {
  requireAdmin(deps, actor, cmd.channel ? 'move a cohort' : 'change the schedule');
  // A cohort whose channel was archived or deleted cannot be typed in: name it instead.
  const cohort = cmd.cohort ? await cohortNamed(deps, actor, cmd.cohort) : await channelCohort(deps, actor, place);
  if (cmd.channel) {
    const moved = await moveCohort(deps, actor, cohort, cmd.channel);
    if (cmd.day === undefined && cmd.time === undefined && cmd.tz === undefined) return moved;
    return editSchedule(deps, actor, place, { name: 'cohort.edit', day: cmd.day, time: cmd.time, tz: cmd.tz, cohort: cohort.name });
  }
  if (cohort.status === 'finished') throw new Refusal(`**${cohort.name}** has finished; its schedule can't change.`);
  const usage = USAGE.cohort.split('\n').find((l) => l.includes('/cohort edit'));
  const problems: string[] = [];
  const weekday = cmd.day === undefined ? cohort.weekday : parseWeekday(cmd.day);
  if (cmd.day !== undefined && (!weekday || !/^[a-z]{3,9}$/i.test(cmd.day))) problems.push(`\`day:${cmd.day}\` is not a weekday; use mon, tue, wed, thu, fri, sat or sun.`);
  if (cmd.time !== undefined && !isValidTime(cmd.time)) problems.push(`\`time:${cmd.time}\` is not a time; use 24-hour HH:MM, e.g. 09:00.`);
  if (cmd.tz !== undefined && !isValidZone(cmd.tz)) problems.push(`\`tz:${cmd.tz}\` is not an IANA time zone; use Area/City, e.g. Europe/Berlin or America/New_York.`);
  if (problems.length > 0) throw new Refusal(problems.join('\n'), usage);
  const changed = { weekday: weekday!, slot_time: cmd.time ?? cohort.slot_time, timezone: cmd.tz !== undefined ? canonicalZone(cmd.tz) : cohort.timezone };
  if (changed.weekday === cohort.weekday && changed.slot_time === cohort.slot_time && changed.timezone === cohort.timezone) {
    return privately(`**${cohort.name}** already checks in every ${WEEKDAY_NAMES[cohort.weekday]} at ${cohort.slot_time} ${cohort.timezone}.`);
  }
  const now = deps.clock.now();
  const edited: Cohort = { ...cohort, ...changed };
  const calendar = await calendarOf(deps, edited);
  if (calendar.next && calendar.next.at <= now) {
    throw new Refusal(
      `That would put week ${calendar.next.week} at ${describeSlot(calendar.next.at, edited.timezone)}, which has already passed. Pick a day or time still ahead this week, or change it after week ${calendar.next.week} has gone out.`,
    );
  }
  // Skipped dates on the old weekday would no longer match a check-in day.
  await deps.db.transaction().execute(async (trx) => {
    await trx.updateTable('cohorts').set(changed).where('id', '=', cohort.id).execute();
    if (changed.weekday !== cohort.weekday) await trx.deleteFrom('skipped_dates').where('cohort_id', '=', cohort.id).where('date', '>=', localDate(now, cohort.timezone)).execute();
    // A post marked late names its outage in the cohort's zone: its next edit is rendered afresh, not from its template.
    if (changed.timezone !== cohort.timezone) await trx.updateTable('rounds').set({ post_template: null }).where('cohort_id', '=', cohort.id).where('offline_since', 'is not', null).execute();
  });
  await audit(deps, actor, 'cohort.edit', cohort, null, `${WEEKDAY_NAMES[cohort.weekday]} ${cohort.slot_time} ${cohort.timezone} → ${WEEKDAY_NAMES[edited.weekday]} ${edited.slot_time} ${edited.timezone}`);
  const dropped = changed.weekday !== cohort.weekday ? calendar.skipped.filter((d) => d >= localDate(now, cohort.timezone)) : [];
  const after = await calendarOf(deps, edited);
  return publicly(
    [
      `**${cohort.name}** now checks in every ${WEEKDAY_NAMES[edited.weekday]} at ${edited.slot_time} ${edited.timezone}; weeks already posted stay as they were.`,
      nextLine(after, edited.timezone),
      dropped.length > 0 ? `Skipped ${dropped.join(', ')} no longer fall${dropped.length === 1 ? 's' : ''} on a check-in day and ${dropped.length === 1 ? 'was' : 'were'} cleared; skip the new day with \`/cohort skip\`.` : null,
    ]
      .filter((l) => l !== null)
      .join('\n'),
  );
}

async function cohortNamed(deps: CoreDeps, actor: Actor, name: string): Promise<Cohort> {
  const cohort = await deps.db.selectFrom('cohorts').selectAll().where('platform', '=', actor.platform).where('name', '=', name.trim()).executeTakeFirst();
  if (!cohort) throw new Refusal(`No cohort is named **${name.trim()}**. \`/cohort status\` in a cohort's channel names it.`);
  return cohort;
}

/**
 * `/cohort edit channel:#new`: the cohort posts in another channel from now on; rounds already
 * posted stay where they are, with their answers. Moving works the channel trouble away: rounds held
 * back follow the outage rule (the latest due week is posted there, marked late).
 */
async function moveCohort(deps: CoreDeps, actor: Actor, cohort: Cohort, to: ChannelRef): Promise<Reply> {
  if (cohort.status === 'finished') throw new Refusal(`**${cohort.name}** has finished; it posts nothing more, so there is nothing to move.`);
  const target = channelMention(to, actor.platform);
  if (to.id === cohort.channel_id) {
    if (cohort.unreachable_at) await channelReachable(deps.db, deps.admins, { platform: cohort.platform, channelId: cohort.channel_id }, deps.clock.now());
    return privately(`**${cohort.name}** already posts in ${target}.`);
  }
  const taken = await cohortByChannel(deps.db, actor.platform, to.id);
  if (taken) throw new Refusal(`${target} already runs the cohort **${taken.name}**. One channel holds one cohort.`);
  await deps.db.updateTable('cohorts').set({ channel_id: to.id, unreachable_at: null, unreachable_reason: null }).where('id', '=', cohort.id).execute();
  await audit(deps, actor, 'cohort.edit', cohort, null, `channel ${cohort.channel_id} → ${to.id}`);
  return publicly(`**${cohort.name}** now posts in ${target}: the next round goes out there${cohort.unreachable_at ? ', and any week held back while its old channel could not be used is posted there now, marked late' : ''}. Rounds already posted keep their answers.`);
}

/** `/cohort schedule`: anyone in the cohort (and organizers) may see the calendar. */
export async function showSchedule(deps: CoreDeps, actor: Actor, place: Place): Promise<Reply> {
  const cohort = await channelCohort(deps, actor, place);
  if (!permits(await standingIn(deps.db, deps.admins, actor, cohort), 'see-schedule')) requireAdmin(deps, actor, `see the schedule of ${cohort.name} without being in it`);
  const program = deps.content.programs.get(cohort.program_id);
  if (!program) throw new Refusal(`The program "${cohort.program_id}" of **${cohort.name}** is missing from the content; tell an organizer.`);
  const calendar = await cohortCalendar(deps.db, cohort, program, deps.clock.now());
  return privately(scheduleMessage({ cohort, program, calendar }).text);
}

/** Slack and Discord render `<#id>` as the channel's name; the terminal shows `#name`. */
export function channelMention(ref: ChannelRef, platform: Actor['platform']): string {
  return platform === 'local' ? `#${ref.name ?? ref.id}` : `<#${ref.id}>`;
}

/** Slack and Discord render `<@id>` as the person's name; the terminal shows the name as typed. */
export function mention(user: UserRef, platform: Actor['platform']): string {
  return platform === 'local' ? `@${user.name ?? user.id}` : `<@${user.id}>`;
}

function audit(deps: CoreDeps, actor: Actor, action: AuditAction, cohort: Cohort, subject?: string | null, detail?: string | null, subjectMemberId?: number): Promise<void> {
  return recordAudit(deps.db, { at: deps.clock.now(), actor, action, cohort, subject, detail, subjectMemberId });
}
