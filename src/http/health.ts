import { sql } from 'kysely';
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

/** 200 when the database answers, 503 when it does not; platform states are reported, not judged. */
export function healthRoute(db: Db, platforms: PlatformState = () => ({}), timeoutMs = 2000): RouteHandler {
  return async (_req, res) => {
    const ok = await databaseReachable(db, timeoutMs);
    sendJson(res, ok ? 200 : 503, { status: ok ? 'ok' : 'unavailable', database: ok ? 'reachable' : 'unreachable', platforms: platforms() });
  };
}
