import type { Cohort } from '../../db/types.js';
import type { Actor, Place } from '../chat.js';
import type { CoreDeps } from '../core.js';
import { cohortByChannel, membershipsOf, type Membership } from '../members.js';
import { USAGE } from '../commands.js';
import { isOrganizer, permits, standingIn, type Standing } from '../permissions.js';
import { Refusal } from './reply.js';

export function isAdmin(deps: CoreDeps, actor: Actor): boolean {
  return isOrganizer(actor, deps.admins);
}

export function requireAdmin(deps: CoreDeps, actor: Actor, what: string): void {
  if (!permits({ organizer: isAdmin(deps, actor), member: null }, 'manage-cohort')) throw new Refusal(`Only organizers can ${what}. Ask an organizer of this ${actor.platform === 'discord' ? 'server' : 'workspace'}.`);
}

export async function channelCohort(deps: CoreDeps, actor: Actor, place: Place): Promise<Cohort> {
  const cohort = await cohortByChannel(deps.db, actor.platform, place.channelId);
  if (!cohort) {
    throw new Refusal('This channel has no cohort. Run the command in your cohort\'s channel, or an organizer can create one here.', USAGE.cohort.split('\n')[0]);
  }
  return cohort;
}

/** The learner membership a learner command applies to: this channel's cohort, or their only one. */
export async function learnerMembership(deps: CoreDeps, actor: Actor, place: Place): Promise<Membership> {
  const memberships = await membershipsOf(deps.db, actor.platform, actor.userId);
  const all = memberships.filter((m) => m.member.role === 'learner');
  const here = all.find((m) => m.cohort.channel_id === place.channelId);
  if (here) return here;
  if (all.length === 1) return all[0]!;
  const mentoring = memberships.filter((m) => m.member.role === 'mentor');
  if (all.length === 0 && mentoring.length > 0) {
    throw new Refusal(
      `You're a mentor of ${mentoring.map((m) => `**${m.cohort.name}**`).join(', ')}, and mentors don't check in. ` +
        '`/progress @learner` shows where a learner stands; `/stalled` lists the learners who are stuck.',
    );
  }
  if (all.length === 0) throw new Refusal("You're not a learner in any cohort yet. Join from your cohort's channel with `/cohort join`.");
  throw new Refusal(`You're in ${all.length} cohorts (${all.map((m) => m.cohort.name).join(', ')}). Run this in the cohort's channel.`);
}

/** Mentors of the cohort and organizers may see and act on everyone in it. */
export async function requireMentorOf(deps: CoreDeps, actor: Actor, cohort: Cohort, what: string): Promise<Standing> {
  const standing = await standingIn(deps.db, deps.admins, actor, cohort);
  if (permits(standing, 'see-cohort')) return standing;
  throw new Refusal(`Only mentors of ${cohort.name} can ${what}.`);
}
