import type { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import pg from 'pg';
import type { Db } from './connect.js';

/** Sent by the outbox trigger (migration 2026-12-06T2000) when a transaction that wrote outbox rows commits. */
export const OUTBOX_CHANNEL = 'mentorbot_outbox';

/**
 * Wake-ups for the delivery worker: `onWrite` runs when outbox rows were written (by this process or
 * another) and once each time listening (re)starts, since what was written while not listening is
 * unknown. A hint, never a fact: the worker still claims what is due from the table, and a missed
 * notification only waits for the next poll.
 */
export interface OutboxWatch {
  /** Settles once notifications are heard for the first time (or the watch was closed first). */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

export interface WatchOptions {
  onWrite: () => void;
  /** The connection was lost or could not be made; the watch reconnects by itself. */
  onError?: (err: Error) => void;
}

const RECONNECT_FIRST_MS = 500;
const RECONNECT_MAX_MS = 30_000;

/**
 * A connection of its own, outside the pool: a notification reaches it while every pooled connection
 * is busy, and LISTEN belongs to one session. When it drops (the database restarting), it reconnects
 * with a growing pause; until then the worker's poll is all there is.
 */
export function watchOutboxPostgres(config: pg.ClientConfig, opts: WatchOptions): OutboxWatch {
  let closed = false;
  let client: pg.Client | null = null;
  let retry: NodeJS.Timeout | null = null;
  let pause = RECONNECT_FIRST_MS;
  let attempt: Promise<void> = Promise.resolve();
  let heard: () => void = () => {};
  const ready = new Promise<void>((resolve) => (heard = resolve));

  const connect = async (): Promise<void> => {
    retry = null;
    if (closed) return;
    const c = new pg.Client(config);
    client = c;
    let down = false;
    const lost = (err: Error) => {
      if (down) return;
      down = true;
      if (client === c) client = null;
      void c.end().catch(() => {});
      if (closed) return;
      opts.onError?.(err);
      retry = setTimeout(() => (attempt = connect()), pause);
      pause = Math.min(pause * 2, RECONNECT_MAX_MS);
    };
    c.on('error', lost);
    c.on('end', () => lost(new Error('the notification connection ended')));
    try {
      await c.connect();
      // The trigger names the schema it wrote in; this session's search path names ours.
      const { rows } = await c.query<{ schema: string }>('select current_schema() as schema');
      const schema = rows[0]?.schema ?? 'public';
      c.on('notification', (n) => {
        if (n.channel === OUTBOX_CHANNEL && n.payload === schema) opts.onWrite();
      });
      await c.query(`LISTEN ${OUTBOX_CHANNEL}`);
    } catch (err) {
      lost(err as Error);
      return;
    }
    if (closed || down) return;
    pause = RECONNECT_FIRST_MS;
    heard();
    opts.onWrite();
  };
  attempt = connect();

  return {
    ready,
    async close() {
      closed = true;
      heard();
      if (retry) clearTimeout(retry);
      // Ending the client also cuts short a connection attempt in progress.
      const c = client;
      client = null;
      await c?.end().catch(() => {});
      await attempt;
    },
  };
}

/**
 * Embedded PGlite is one connection: LISTEN and UNLISTEN go through kysely's hold on it, so they
 * never land inside a transaction another caller has open (a rollback would undo them).
 */
export async function watchOutboxPglite(db: Db, pglite: PGlite, opts: WatchOptions): Promise<OutboxWatch> {
  const unlisten = await db.connection().execute(async (conn) => {
    const r = await sql<{ schema: string }>`select current_schema() as schema`.execute(conn);
    const schema = r.rows[0]?.schema ?? 'public';
    return pglite.listen(OUTBOX_CHANNEL, (payload) => {
      if (payload === schema) opts.onWrite();
    });
  });
  opts.onWrite();
  let closed = false;
  return {
    ready: Promise.resolve(),
    async close() {
      if (closed || pglite.closed) return;
      closed = true;
      await db.connection().execute(() => unlisten());
    },
  };
}
