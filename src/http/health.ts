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

/**
 * 200 when the database answers and no platform's access is lost; 503 naming the cause otherwise (a
 * revoked token is as fatal to the bot's work as a dead database). Gateway states are reported, not judged.
 */
export function healthRoute(db: Db, platforms: PlatformState = () => ({}), timeoutMs = 2000): RouteHandler {
  return async (_req, res) => {
    const reachable = await databaseReachable(db, timeoutMs);
    const lost = reachable ? await accessLosses(db).catch(() => []) : [];
    const ok = reachable && lost.length === 0;
    const body: Record<string, unknown> = { status: ok ? 'ok' : 'unavailable', database: reachable ? 'reachable' : 'unreachable', platforms: platforms() };
    if (lost.length > 0) body.access = Object.fromEntries(lost.map((l) => [l.platform, `lost since ${l.lostAt.toISOString()}: ${l.cause}`]));
    sendJson(res, ok ? 200 : 503, body);
  };
}
