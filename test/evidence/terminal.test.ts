import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createEvidencePorts } from '../../src/evidence/ports.js';
import { useTestDb } from '../helpers/db.js';
import { terminalSession } from '../helpers/terminal-session.js';
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
function session(lines: string[]): Promise<string> {
  const config = loadConfig({ GITHUB_API_URL: gh.url });
  return terminalSession(t.db, lines, { deps: (clock) => ({ evidence: createEvidencePorts(config.evidence, t.db, () => clock.now()) }) });
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
    // Week 1 is still open when its digest goes out: not answered yet.
    expect(digest).toContain('maria        ?  0/7 ✔1');
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
    // The same answer again changes nothing; its link is still taken.
    expect(out).toContain('Already recorded: On track for week 1 (Production code baseline). Nothing changed.\nChecking… https://github.com/o/r for Production code baseline.');
    expect(out).toContain('Production code baseline is ✔ verified');
  });
});
