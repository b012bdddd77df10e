import { sql } from 'kysely';
import { accessLosses } from '../core/platform-access.js';
import type { Db } from '../db/connect.js';
import { sendJson, type RouteHandler } from './server.js';

export type PlatformState = () => Record<string, 'connected' | 'connecting' | 'disconnected' | 'standby'>;

async function databaseReachable(db: Db, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([sql`select 1`.execute(db).then(() => true as const), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export interface HealthOptions {
  timeoutMs?: number;
  /** Set when the bot has no platform and nobody can type to it: the bot serves no one, so 503 with this cause. */
  noPlatform?: string | null;
}

/**
 * 200 when the database answers and the bot can reach the people it serves; 503 naming the cause
 * otherwise: a dead database, a platform's access lost (a revoked token is as fatal to the bot's
 * work as a dead database), or no platform at all where nobody can type to the bot (a container
 * started without tokens must not look healthy). Gateway states are reported, not judged.
 */
export function healthRoute(db: Db, platforms: PlatformState = () => ({}), { timeoutMs = 2000, noPlatform = null }: HealthOptions = {}): RouteHandler {
  return async (_req, res) => {
    const reachable = await databaseReachable(db, timeoutMs);
    const lost = reachable ? await accessLosses(db).catch(() => []) : [];
    const ok = reachable && lost.length === 0 && !noPlatform;
    const body: Record<string, unknown> = { status: ok ? 'ok' : 'unavailable', database: reachable ? 'reachable' : 'unreachable', platforms: platforms() };
    if (lost.length > 0) body.access = Object.fromEntries(lost.map((l) => [l.platform, `lost since ${l.lostAt.toISOString()}: ${l.cause}`]));
    if (noPlatform) body.cause = noPlatform;
    sendJson(res, ok ? 200 : 503, body);
  };
}
