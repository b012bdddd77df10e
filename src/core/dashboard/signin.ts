import { createHash, randomBytes } from 'node:crypto';
import type { Platform } from '../../db/types.js';
import type { Actor } from '../chat.js';
import type { UserKey } from '../learner-data.js';
import type { Executor } from '../outbox.js';

/** A sign-in link works once, for this long. */
export const LINK_TTL_MS = 10 * 60_000;
/** A session lasts this long from sign-in, however active. */
export const SESSION_TTL_MS = 12 * 3_600_000;
/** At most this many links per person per LINK_TTL_MS: more is someone fishing, or a loop. */
export const LINKS_PER_PERSON = 5;

/** Secrets are 32 random bytes in hex (no character any chat's markdown reads as markup). */
export function newSecret(): string {
  return randomBytes(32).toString('hex');
}

/** What the database keeps of a secret: its sha256, so a copy of the tables signs no one in. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Who a session signs in as: the person as their platform named them when they asked for the link. */
export interface DashboardIdentity {
  platform: Platform;
  userId: string;
  displayName: string;
  isAdmin: boolean;
}

export function actorOf(identity: DashboardIdentity): Actor {
  return { platform: identity.platform, userId: identity.userId, displayName: identity.displayName, isAdmin: identity.isAdmin };
}

export type IssuedLink = { token: string; expiresAt: Date } | { tooMany: { retryAt: Date } };

/** A new one-time link for this person, unless they asked for LINKS_PER_PERSON already in the last LINK_TTL_MS. */
export async function issueLink(db: Executor, actor: Actor, now: Date): Promise<IssuedLink> {
  const since = new Date(now.getTime() - LINK_TTL_MS);
  const recent = await db
    .selectFrom('dashboard_links')
    .select('created_at')
    .where('platform', '=', actor.platform)
    .where('user_id', '=', actor.userId)
    .where('created_at', '>', since)
    .orderBy('created_at')
    .execute();
  if (recent.length >= LINKS_PER_PERSON) {
    return { tooMany: { retryAt: new Date(new Date(recent[recent.length - LINKS_PER_PERSON]!.created_at).getTime() + LINK_TTL_MS) } };
  }
  const token = newSecret();
  const expiresAt = new Date(now.getTime() + LINK_TTL_MS);
  await db
    .insertInto('dashboard_links')
    .values({
      token_hash: hashSecret(token),
      platform: actor.platform,
      user_id: actor.userId,
      display_name: actor.displayName,
      is_admin: actor.isAdmin,
      created_at: now,
      expires_at: expiresAt,
    })
    .execute();
  // Links past their time are of no use to anyone; the person's own are the ones worth sweeping.
  await db.deleteFrom('dashboard_links').where('expires_at', '<', since).execute();
  return { token, expiresAt };
}

export type Redeemed = { session: string; expiresAt: Date; identity: DashboardIdentity } | { problem: 'unknown' | 'used' | 'expired' };

/**
 * Opens a link: marks it used (only the first opening wins, even with two at once) and starts a
 * session. A link used, expired or never issued starts nothing.
 */
export async function redeemLink(db: Executor, token: string, now: Date): Promise<Redeemed> {
  if (!/^[0-9a-f]{64}$/.test(token)) return { problem: 'unknown' };
  const hash = hashSecret(token);
  const claimed = await db
    .updateTable('dashboard_links')
    .set({ used_at: now })
    .where('token_hash', '=', hash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning(['platform', 'user_id', 'display_name', 'is_admin'])
    .executeTakeFirst();
  if (!claimed) {
    const link = await db.selectFrom('dashboard_links').select(['used_at', 'expires_at']).where('token_hash', '=', hash).executeTakeFirst();
    if (!link) return { problem: 'unknown' };
    return { problem: link.used_at ? 'used' : 'expired' };
  }
  const identity: DashboardIdentity = { platform: claimed.platform, userId: claimed.user_id, displayName: claimed.display_name, isAdmin: claimed.is_admin };
  const session = newSecret();
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  await db
    .insertInto('dashboard_sessions')
    .values({ id_hash: hashSecret(session), platform: identity.platform, user_id: identity.userId, display_name: identity.displayName, is_admin: identity.isAdmin, created_at: now, expires_at: expiresAt })
    .execute();
  await db.deleteFrom('dashboard_sessions').where('expires_at', '<', now).execute();
  return { session, expiresAt, identity };
}

/** The person a session cookie signs in as; null when it is unknown, expired or revoked. */
export async function sessionIdentity(db: Executor, session: string, now: Date): Promise<(DashboardIdentity & { expiresAt: Date }) | null> {
  if (!/^[0-9a-f]{64}$/.test(session)) return null;
  const row = await db
    .selectFrom('dashboard_sessions')
    .select(['platform', 'user_id', 'display_name', 'is_admin', 'expires_at'])
    .where('id_hash', '=', hashSecret(session))
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row ? { platform: row.platform, userId: row.user_id, displayName: row.display_name, isAdmin: row.is_admin, expiresAt: new Date(row.expires_at) } : null;
}

/** Sign out: this session ends. */
export async function endSession(db: Executor, session: string): Promise<void> {
  if (/^[0-9a-f]{64}$/.test(session)) await db.deleteFrom('dashboard_sessions').where('id_hash', '=', hashSecret(session)).execute();
}

/** Ends every session, or one person's, and voids their unused links; returns how many sessions ended. */
export async function revokeSessions(db: Executor, user?: UserKey): Promise<number> {
  let sessions = db.deleteFrom('dashboard_sessions');
  let links = db.deleteFrom('dashboard_links');
  if (user) {
    sessions = sessions.where('platform', '=', user.platform).where('user_id', '=', user.userId);
    links = links.where('platform', '=', user.platform).where('user_id', '=', user.userId);
  }
  const ended = await sessions.executeTakeFirst();
  await links.execute();
  return Number(ended.numDeletedRows);
}
