import type { Db } from '../db/connect.js';

/**
 * Takes or renews a named lease: true when `holder` holds it until `now + ttlMs`. A lease whose
 * holder stopped renewing expires, and the next replica to ask takes it over.
 */
export async function acquireLease(db: Db, name: string, holder: string, now: Date, ttlMs: number): Promise<boolean> {
  const expires = new Date(now.getTime() + ttlMs);
  const row = await db
    .insertInto('leases')
    .values({ name, holder, expires_at: expires })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet({ holder, expires_at: expires })
        .where((eb) => eb.or([eb('leases.holder', '=', holder), eb('leases.expires_at', '<', now)])),
    )
    .returning('holder')
    .executeTakeFirst();
  return row?.holder === holder;
}

export async function releaseLease(db: Db, name: string, holder: string): Promise<void> {
  await db.deleteFrom('leases').where('name', '=', name).where('holder', '=', holder).execute();
}

export interface LeaseKeeper {
  holds(): boolean;
  stop(): Promise<void>;
}

/**
 * Keeps trying for a lease; calls `onGained` when this replica takes it and `onLost` when it can
 * no longer renew it (`'lost'`: another replica took over, or the database is unreachable) or
 * gives it up on stop (`'released'`).
 */
export function keepLease(opts: {
  db: Db;
  name: string;
  holder: string;
  now: () => Date;
  ttlMs?: number;
  everyMs?: number;
  onGained: () => Promise<void>;
  onLost: (why: 'lost' | 'released') => Promise<void>;
  onError?: (err: unknown) => void;
}): LeaseKeeper {
  const ttlMs = opts.ttlMs ?? 30_000;
  let held = false;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const round = async () => {
    let ok = false;
    try {
      ok = await acquireLease(opts.db, opts.name, opts.holder, opts.now(), ttlMs);
    } catch (err) {
      opts.onError?.(err);
    }
    if (stopped) return;
    if (ok && !held) {
      held = true;
      await opts.onGained();
    } else if (!ok && held) {
      held = false;
      await opts.onLost('lost');
    }
  };
  const timer = setInterval(() => {
    running = running.then(round).catch((err) => opts.onError?.(err));
  }, opts.everyMs ?? Math.floor(ttlMs / 3));
  running = round().catch((err) => opts.onError?.(err));
  return {
    holds: () => held,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      if (held) {
        held = false;
        await opts.onLost('released');
        await releaseLease(opts.db, opts.name, opts.holder).catch(() => {});
      }
    },
  };
}
