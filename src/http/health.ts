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

export interface HealthOptions {
  timeoutMs?: number;
  /** Set when the bot has no platform and nobody can type to it: the bot serves no one, so 503 with this cause. */
  noPlatform?: string | null;
}

/**
 * 200 when the database answers, 503 when it does not or when no platform is connected and nobody
 * can type to the bot (a container started without tokens must not look healthy); the states of
 * configured platforms are reported, not judged.
 */
export function healthRoute(db: Db, platforms: PlatformState = () => ({}), { timeoutMs = 2000, noPlatform = null }: HealthOptions = {}): RouteHandler {
  return async (_req, res) => {
    const reachable = await databaseReachable(db, timeoutMs);
    const ok = reachable && !noPlatform;
    sendJson(res, ok ? 200 : 503, {
      status: ok ? 'ok' : 'unavailable',
      database: reachable ? 'reachable' : 'unreachable',
      platforms: platforms(),
      ...(noPlatform ? { cause: noPlatform } : {}),
    });
  };
}
