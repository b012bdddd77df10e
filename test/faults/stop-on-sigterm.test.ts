import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueue } from '../../src/core/outbox.js';
import { testDbKind } from '../helpers/db.js';
import { eventually, killAllBots, spawnBot } from '../helpers/processes.js';
import { createScratchDatabase, type ScratchDatabase } from './scratch-db.js';

const APP = 'mentorbot-sigterm-test';

/**
 * A real `mentorbot start` (no platform, nobody at a terminal: the scheduler and the local port
 * still run) listening for outbox writes is stopped with SIGTERM: it finishes its stop in time
 * (exit 0, not the deadline's exit 1) and, on Postgres, leaves no connection behind, the listening
 * one included.
 */
describe(`SIGTERM while listening for outbox writes (${testDbKind})`, () => {
  let scratch: ScratchDatabase | null = null;
  let dataDir: string | null = null;
  let env: Record<string, string>;

  beforeAll(async () => {
    if (testDbKind === 'postgres') {
      scratch = await createScratchDatabase(process.env.TEST_DATABASE_URL!);
      const url = new URL(scratch.url);
      url.searchParams.set('application_name', APP);
      env = { DATABASE_URL: url.toString() };
    } else {
      dataDir = mkdtempSync(path.join(tmpdir(), 'mentorbot-sigterm-'));
      env = { DATA_DIR: dataDir };
    }
  }, 60_000);

  afterAll(async () => {
    await killAllBots();
    await scratch?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const botConnections = async (): Promise<Array<{ query: string }>> =>
    (await sql<{ query: string }>`select query from pg_stat_activity where datname = current_database() and application_name = ${APP}`.execute(scratch!.handle.db)).rows;

  it('hears a write from elsewhere, then finishes its stop in time (exit 0) and leaves no connection behind', async () => {
    const bot = await spawnBot('bot', env);
    await bot.waitAnswering(120_000);
    if (scratch) {
      await eventually(async () => (await botConnections()).some((c) => /^listen/i.test(c.query)), {
        timeoutMs: 10_000,
        describe: async () => `no listening connection: ${JSON.stringify(await botConnections())}\n${bot.output()}`,
      });
      // A write from elsewhere reaches it (and is delivered to the local port, which prints it).
      await enqueue(scratch.handle.db, { key: 'sigterm:hello', kind: 'notice', platform: 'local', targetKind: 'channel', targetId: 'C-x', message: { text: 'written by another replica' }, availableAt: new Date() });
      await eventually(() => bot.output().includes('written by another replica'), { timeoutMs: 10_000, describe: () => bot.output() });
    }
    const asked = Date.now();
    await bot.kill('SIGTERM');
    expect(await bot.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - asked).toBeLessThan(8_000);
    if (scratch) expect(await botConnections()).toEqual([]);
  }, 180_000);
});
