import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../../src/db/embedded-lock.js';
import { testDbKind } from '../helpers/db.js';
import { CLI, killAllBots, REPO_ROOT, spawnBot } from '../helpers/processes.js';

/** `mentorbot migrate` on the data directory, as its own process: the quickest command that opens the database. */
function migrate(dataDir: string, wrapper: string[] = []): Promise<{ code: number; stderr: string }> {
  const command = [...wrapper, process.execPath, ...CLI, 'migrate'];
  return new Promise((resolve) => {
    execFile(command[0]!, command.slice(1), { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, LOG_LEVEL: 'warn' }, timeout: 60_000 }, (err, _stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }),
    );
  });
}

/** A PID namespace of its own, as a container has: the bot in it is pid 1. Needs root (or user namespaces). */
const OWN_PID_NAMESPACE = ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child'];
const canUnshare = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'sh', '-c', 'test $$ -eq 1']).status === 0;

// The lock is about processes and files, not the database the suite runs on: once is enough.
describe.skipIf(testDbKind !== 'pglite')('one process at a time on an embedded database', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'mentorbot-lock-'));
  });
  afterEach(async () => {
    await killAllBots();
    await rm(dataDir, { recursive: true, force: true });
  });
  afterAll(killAllBots);

  it('refuses a second process while the bot runs, names the holder, leaves the holder its lock, and is free once the holder is killed', async () => {
    // Left by an earlier holder, claiming pid 1, which is alive: the text decides nothing.
    await writeFile(path.join(dataDir, LOCK_FILE), `${JSON.stringify({ pid: 1, host: hostname(), since: '2026-01-01T00:00:00.000Z' })}\n`);
    const bot = await spawnBot('bot', { DATA_DIR: dataDir });
    // No token and no terminal: up, holding the database, and saying that no platform is connected.
    const health = await bot.waitAnswering(120_000);
    expect(health).toMatchObject({ status: 503, body: { database: 'reachable', cause: expect.stringMatching(/^no platform is connected: .* \((it runs in a container with no terminal attached|its input is not a terminal)\)\./) } });

    const second = await migrate(dataDir);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`DATA_DIR=${dataDir}: the embedded database is in use by another mentorbot process (pid ${bot.pid} on host ${hostname()}, since `);
    expect(second.stderr).toContain('only one process may open it. Stop that one first, or run the bot and this command against Postgres (DATABASE_URL).');

    // The refused process took nothing away: the lock file is there, still names the bot, and holds.
    expect(JSON.parse(await readFile(path.join(dataDir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: bot.pid, host: hostname() });
    expect((await migrate(dataDir)).code).toBe(1);
    expect((await fetch(`${bot.baseUrl}/healthz`)).status).toBe(503);

    // However the holder ends (kill -9 here, SIGTERM below), the lock goes with it: no file to clean up.
    await bot.kill('SIGKILL');
    expect(await migrate(dataDir)).toEqual({ code: 0, stderr: '' });
    expect(existsSync(path.join(dataDir, LOCK_FILE))).toBe(true);
  }, 240_000);

  it.skipIf(process.getuid?.() !== 0)('tells a process that may not write the data directory which user it runs as (a root-owned host directory mounted at /data)', async () => {
    // The image runs as uid 1000; here root owns the directory, as a host directory made by root would be.
    const asUid1000 = ['setpriv', '--reuid=1000', '--regid=1000', '--clear-groups'];
    const r = await migrate(dataDir, asUid1000);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `DATA_DIR=${dataDir}: cannot open ${LOCK_FILE} there (EACCES: permission denied, open '${path.join(dataDir, LOCK_FILE)}'). This process runs as uid 1000: give the directory to that user, or point DATA_DIR at a writable directory.`,
    );
  }, 60_000);

  it.skipIf(!canUnshare)('refuses a second bot when both are pid 1 in PID namespaces of their own, as two containers on one volume', async () => {
    const first = await spawnBot('first', { DATA_DIR: dataDir }, OWN_PID_NAMESPACE);
    await first.waitAnswering(120_000);
    expect(JSON.parse(await readFile(path.join(dataDir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: 1 });

    const second = await spawnBot('second', { DATA_DIR: dataDir }, OWN_PID_NAMESPACE);
    const { code } = await second.exited;
    expect(code).toBe(1);
    expect(second.output()).toContain(`DATA_DIR=${dataDir}: the embedded database is in use by another mentorbot process (pid 1 on host ${hostname()}, since `);

    expect((await fetch(`${first.baseUrl}/healthz`)).status).toBe(503);
    expect((await migrate(dataDir, OWN_PID_NAMESPACE)).code).toBe(1);
    await first.kill('SIGTERM');
    expect((await migrate(dataDir, OWN_PID_NAMESPACE)).code).toBe(0);
  }, 240_000);
});
