import { sql } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import { acquireLease, keepLease } from '../../src/jobs/lease.js';
import { useTestDb } from '../helpers/db.js';

const t = useTestDb();
const at = (s: number) => new Date(Date.UTC(2026, 2, 2, 9, 0, s));

describe('leases', () => {
  beforeEach(() => t.reset());

  it('let one replica hold the gateway and another take over when it stops renewing', async () => {
    expect(await acquireLease(t.db, 'discord-gateway', 'a', at(0), 30_000)).toBe(true);
    expect(await acquireLease(t.db, 'discord-gateway', 'b', at(1), 30_000)).toBe(false);
    expect(await acquireLease(t.db, 'discord-gateway', 'a', at(20), 30_000)).toBe(true);
    expect(await acquireLease(t.db, 'discord-gateway', 'b', at(45), 30_000)).toBe(false);
    expect(await acquireLease(t.db, 'discord-gateway', 'b', at(51), 30_000)).toBe(true);
    expect(await acquireLease(t.db, 'discord-gateway', 'a', at(52), 30_000)).toBe(false);
  });

  it('give the lease to exactly one of many replicas asking at once', async () => {
    const other = await t.connectAgain();
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((h, i) => acquireLease(i % 2 ? other : t.db, 'discord-gateway', h, at(0), 30_000)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('start the platform on gaining the lease and stop it on release', async () => {
    const events: string[] = [];
    const keeper = keepLease({ db: t.db, name: 'discord-gateway', holder: 'a', now: () => new Date(), everyMs: 20, onGained: async () => void events.push('gained'), onLost: async (why) => void events.push(why) });
    await expect.poll(() => events).toEqual(['gained']);
    expect(keeper.holds()).toBe(true);
    await keeper.stop();
    expect(events).toEqual(['gained', 'released']);
    const left = await sql<{ n: number }>`select count(*)::int as n from leases`.execute(t.db);
    expect(left.rows[0]!.n).toBe(0);
  });
});
