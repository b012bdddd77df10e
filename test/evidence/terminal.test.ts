import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { Clock } from '../../src/core/clock.js';
import { createCore } from '../../src/core/create-core.js';
import { createEvidencePorts } from '../../src/evidence/ports.js';
import { createScheduler } from '../../src/jobs/scheduler.js';
import { createLogger } from '../../src/log.js';
import { LocalChat } from '../../src/platforms/local/port.js';
import { Terminal } from '../../src/platforms/local/terminal.js';
import { useTestDb } from '../helpers/db.js';
import { realContent } from '../helpers/engine.js';
import { FakeGitHub } from '../helpers/fake-github.js';

const t = useTestDb();
let gh: FakeGitHub;

beforeAll(async () => {
  gh = new FakeGitHub();
  await gh.start();
  gh.setRepo('o/r', {
    files: ['README.md', 'requirements.txt', 'tests/test_model.py'],
    commits: [{ sha: '1'.repeat(40), date: '2026-03-01T18:00:00Z' }],
  });
});
afterAll(async () => {
  await gh.stop();
});
beforeEach(async () => {
  await t.reset();
});

/** A terminal session wired as `npm start` wires it, with GITHUB_API_URL pointing at the fake. */
async function session(lines: string[]): Promise<string> {
  const { content, faq } = await realContent();
  const clock = new Clock();
  clock.freeze(new Date('2026-03-02T06:00:00Z'));
  const config = loadConfig({ GITHUB_API_URL: gh.url });
  const evidence = createEvidencePorts(config.evidence, t.db, () => clock.now());
  const deps = { db: t.db, content, faq, clock, reminderAfterHours: 24, admins: [], evidence };
  const output: string[] = [];
  const chat = new LocalChat((s) => output.push(s));
  const scheduler = createScheduler({ deps, ports: new Map([['local', chat]]), log: createLogger('silent'), autoStart: false });
  const input = new PassThrough();
  const out = new PassThrough();
  out.on('data', (d: Buffer) => output.push(d.toString()));
  const done = new Terminal({ core: createCore(deps), scheduler, chat, input, output: out }).run();
  for (const line of lines) input.write(`${line}\n`);
  input.end();
  await done;
  return output.join('\n');
}

describe('terminal mode with GITHUB_API_URL at a fake GitHub', () => {
  it('/evidence verifies the current milestone, /progress and the weekly digest show it', async () => {
    const out = await session([
      '/cohort create name:Hands-on program:ds-to-mle start:2026-03-02 day:mon time:09:00 tz:Europe/Berlin',
      '/cohort mentor @dana',
      '/as maria',
      '/cohort join',
      '/clock +3h',
      '/evidence https://github.com/o/r',
      '/progress',
      '/clock +7d',
      '/quit',
    ]);
    // The terminal shows Markdown as plain text.
    expect(out).toContain('── only @maria sees this ───────────────────────────────────────\nChecking… https://github.com/o/r for Production code baseline.');
    expect(out).toContain('── DM to @maria ────────────────────────────────────────────────\nEvidence checked · Production code baseline');
    expect(out).toContain('✅ requirements.txt is on main.');
    expect(out).toContain('⬜ Production code baseline: due week 4 · ✔ verified');
    const digest = out.slice(out.indexOf('── DM to @dana'));
    expect(digest).toContain('Weekly digest · Hands-on · week 1');
    expect(digest).toContain('Verified by linked work (1)\n• maria: Production code baseline ✔ (https://github.com/o/r)');
    expect(digest).toContain('maria        ·  0/7 ✔1');
    expect(gh.calls.length).toBeGreaterThan(0);
  });
});

describe('the Details form takes a link to the work', () => {
  it('a link in the form is checked for the week\'s milestone; with a bad one the answer is saved and the reply says why the link was not', async () => {
    const out = await session([
      '/cohort create name:Formed program:ds-to-mle start:2026-03-02 day:mon time:09:00 tz:Europe/Berlin',
      '/as maria',
      '/cohort join',
      '/clock +3h',
      '/checkin',
      'on-track',
      '',
      '4',
      '',
      '',
      'ftp://example.com/model',
      '/checkin',
      'on-track',
      '',
      '4',
      '',
      '',
      'https://github.com/o/r',
      '/quit',
    ]);
    expect(out).toContain(
      'Recorded: On track for week 1 (Production code baseline).\nYou can change it until week 2 opens.\nYour link was not attached: "ftp://example.com/model" is not an https:// link. Only https links can be checked; GitHub and most hosts serve one. Link your work with `/evidence <url>`.',
    );
    expect(out).toContain('Updated: On track for week 1 (Production code baseline).\nYou can change it until week 2 opens.\nChecking… https://github.com/o/r for Production code baseline.');
    expect(out).toContain('Production code baseline is ✔ verified');
  });
});
