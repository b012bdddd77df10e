import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIfStale } from '../../scripts/build.js';
import { testDbKind } from '../helpers/db.js';
import { eventually, freePort, REPO_ROOT } from '../helpers/processes.js';

const MIGRATIONS = readdirSync(path.join(REPO_ROOT, 'migrations'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();

/** `node bin/mentorbot.js …` from `root`, with only the environment given (plus PATH). */
function mentorbot(root: string, args: string[], env: Record<string, string> = {}): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [path.join(root, 'bin/mentorbot.js'), ...args], { cwd: root, env: { PATH: process.env.PATH ?? '', ...env } });
}

function finished(child: ChildProcessWithoutNullStreams): Promise<{ code: number | null; out: string; err: string }> {
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, out, err })));
}

// What is built does not depend on the database the suite runs on: once is enough.
describe.skipIf(testDbKind !== 'pglite')('the compiled bot in dist/, as npm start, npx mentorbot and the image run it', () => {
  let scratch: string;

  beforeAll(async () => {
    // Built by npm install (prepare); here only when the sources changed since.
    await buildIfStale();
    scratch = await mkdtemp(path.join(tmpdir(), 'mentorbot-compiled-'));
  }, 300_000);
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('starts on an empty data directory from the build’s empty database, applies the compiled migrations, answers /healthz and draws a heatmap', async () => {
    const dataDir = path.join(scratch, 'data');
    const port = await freePort();
    const bot = mentorbot(REPO_ROOT, ['start'], { DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'info' });
    const done = finished(bot);
    let out = '';
    bot.stdout.on('data', (d: Buffer) => (out += d.toString()));
    // Its input is a pipe, not a terminal: up, and saying that no platform is connected.
    const health = await eventually(() => fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r, (): false => false), { timeoutMs: 60_000, describe: () => out });
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ database: 'reachable', cause: expect.stringContaining('no platform is connected') });
    const ready = out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string; created?: string; applied?: string[] })
      .find((l) => l.msg === 'database ready');
    expect(ready).toMatchObject({ created: 'template', applied: MIGRATIONS });

    // The picture needs the font package, sharp and resvg, found from dist/ as from src/.
    for (const line of [
      '/cohort create name:"Spring 2027" program:ds-to-mle start:2027-03-01 day:mon time:09:00 tz:Europe/Berlin',
      '/cohort mentor @dana',
      '/as maria',
      '/cohort join',
      '/clock 2027-03-01T09:00+01:00',
      'click 1',
      '/as dana',
      '/cohort report',
    ])
      bot.stdin.write(`${line}\n`);
    const png = path.join(dataDir, 'reports', 'spring-2027-week-01-report.png');
    await eventually(() => out.includes(`written to ${png}`), { timeoutMs: 60_000, describe: () => out });
    expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
    bot.stdin.end('/quit\n');
    expect((await done).code).toBe(0);
  }, 180_000);

  it('runs from bin/, dist/, content/ and node_modules alone, as the image lays them out (no sources, no build script)', async () => {
    const image = path.join(scratch, 'image');
    mkdirSync(path.join(image, 'bin'), { recursive: true });
    copyFileSync(path.join(REPO_ROOT, 'bin/mentorbot.js'), path.join(image, 'bin/mentorbot.js'));
    copyFileSync(path.join(REPO_ROOT, 'package.json'), path.join(image, 'package.json'));
    for (const dir of ['dist', 'content', 'node_modules']) symlinkSync(path.join(REPO_ROOT, dir), path.join(image, dir));
    const check = await finished(mentorbot(image, ['content', 'check']));
    expect(check).toMatchObject({ code: 0, err: '' });
    expect(check.out).toContain('content is valid: 1 program (ds-to-mle');
  }, 60_000);
});
