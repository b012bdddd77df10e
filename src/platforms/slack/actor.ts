import type { webApi } from '@slack/bolt';
import type { AdminId } from '../../config.js';
import type { Actor } from '../../core/chat.js';
import type { Logger } from '../../log.js';

interface Profile {
  displayName: string | null;
  workspaceAdmin: boolean;
  zone: string | null;
  at: number;
}

export interface ActorResolverOptions {
  client: webApi.WebClient;
  adminIds: AdminId[];
  log: Logger;
  ttlMs?: number;
  now?: () => number;
}

/**
 * Who is acting: the name to show and whether they may run admin commands. Workspace admins and
 * owners count as organizers; `users.info` is cached for a few minutes because every click needs it.
 */
export class ActorResolver {
  private readonly cache = new Map<string, Profile>();
  private readonly admins: Set<string>;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: ActorResolverOptions) {
    this.admins = new Set(opts.adminIds.filter((a) => a.platform === 'slack').map((a) => a.userId));
    this.ttlMs = opts.ttlMs ?? 5 * 60_000;
    this.now = opts.now ?? Date.now;
  }

  forget(userId: string): void {
    this.cache.delete(userId);
  }

  async resolve(userId: string, workspaceId: string | null, fallbackName?: string): Promise<Actor> {
    return this.actor(userId, workspaceId, fallbackName, await this.profile(userId));
  }

  /**
   * The actor without a users.info call when the profile is not cached: for gestures that need
   * neither a name nor admin rights (a one-click check-in), where the call would be most of the cost.
   */
  known(userId: string, workspaceId: string | null, fallbackName?: string): Actor {
    return this.actor(userId, workspaceId, fallbackName, this.fresh(userId));
  }

  private fresh(userId: string): Profile | null {
    const cached = this.cache.get(userId);
    return cached && this.now() - cached.at < this.ttlMs ? cached : null;
  }

  private actor(userId: string, workspaceId: string | null, fallbackName: string | undefined, profile: Profile | null): Actor {
    return {
      platform: 'slack',
      userId,
      displayName: profile?.displayName || fallbackName || userId,
      isAdmin: this.admins.has(userId) || Boolean(profile?.workspaceAdmin),
      workspaceId,
      ...(profile?.zone ? { profileZone: profile.zone } : {}),
    };
  }

  private async profile(userId: string): Promise<Profile | null> {
    const fresh = this.fresh(userId);
    if (fresh) return fresh;
    const cached = this.cache.get(userId);
    try {
      const res = await this.opts.client.users.info({ user: userId });
      const u = res.user;
      const profile: Profile = {
        displayName: u?.profile?.display_name || u?.profile?.real_name || u?.real_name || u?.name || null,
        workspaceAdmin: Boolean(u?.is_admin || u?.is_owner || u?.is_primary_owner),
        zone: u?.tz || null,
        at: this.now(),
      };
      this.cache.set(userId, profile);
      return profile;
    } catch (err) {
      // Without users.info the person still acts, with ADMIN_USER_IDS as the only source of admin rights.
      this.opts.log.warn({ err: (err as Error).message, userId }, 'users.info failed');
      return cached ?? null;
    }
  }
}
