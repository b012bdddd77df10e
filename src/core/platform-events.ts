import type { Platform } from '../db/types.js';
import type { ChannelTrouble } from './chat.js';
import { channelReachable, channelUnreachable } from './channel-state.js';
import type { CoreDeps } from './core.js';
import { memberCameBack, memberLeft } from './membership-changes.js';
import type { LeftReason } from './messages/platform.js';
import { accessLost, accessRestored } from './platform-access.js';
import { rememberProfileZone } from './reminder-schedule.js';

/**
 * What a platform tells the bot about itself, in neutral words: an adapter turns a Slack event or a
 * Discord gateway event (or a delivery error) into one of these, and the core decides what follows.
 */
export type PlatformEvent =
  /** Gone from the cohort's channel (`channelId`), or from the whole workspace or server. */
  | { kind: 'member-left'; platform: Platform; userId: string; channelId?: string; reason: LeftReason }
  /** Back in the channel, or reactivated; someone new in a cohort's channel is offered to join. */
  | { kind: 'member-joined'; platform: Platform; userId: string; channelId?: string; displayName?: string; zone?: string }
  | { kind: 'channel-unreachable'; platform: Platform; channelId: string; trouble: ChannelTrouble }
  | { kind: 'channel-reachable'; platform: Platform; channelId: string }
  | { kind: 'access-lost'; platform: Platform; cause: string }
  | { kind: 'access-restored'; platform: Platform };

export type PlatformEventResult = 'changed' | 'hinted' | 'nothing';

export async function handlePlatformEvent(deps: Pick<CoreDeps, 'db' | 'content' | 'admins' | 'clock' | 'reminderAfterHours'>, e: PlatformEvent): Promise<PlatformEventResult> {
  const now = deps.clock.now();
  switch (e.kind) {
    case 'member-left':
      return (await memberLeft(deps, e, now)) > 0 ? 'changed' : 'nothing';
    case 'member-joined': {
      // A profile change (Slack's user_change) may bring a new zone.
      const moved = e.zone !== undefined && (await rememberProfileZone(deps.db, e.platform, e.userId, e.zone, deps.reminderAfterHours, now));
      const outcome = await memberCameBack(deps, e, now);
      if (outcome === 'nothing' && moved) return 'changed';
      return outcome === 'returned' ? 'changed' : outcome;
    }
    case 'channel-unreachable':
      return (await channelUnreachable(deps.db, deps.admins, e, now)) ? 'changed' : 'nothing';
    case 'channel-reachable':
      return (await channelReachable(deps.db, deps.admins, e, now)) ? 'changed' : 'nothing';
    case 'access-lost':
      return (await accessLost(deps.db, e.platform, e.cause, now)) ? 'changed' : 'nothing';
    case 'access-restored':
      return (await accessRestored(deps.db, e.platform, now)) ? 'changed' : 'nothing';
  }
}
