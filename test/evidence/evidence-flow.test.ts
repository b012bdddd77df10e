import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/core/commands.js';
import { exportCheckins, formatCheckins } from '../../src/core/export.js';
import { createGitHubPort } from '../../src/evidence/github.js';
import { createSafeFetcher } from '../../src/evidence/safe-fetch.js';
import { useTestDb } from '../helpers/db.js';
import { CHANNEL, testEngine, textOf, type TestEngine } from '../helpers/engine.js';
import { FakeGitHub } from '../helpers/fake-github.js';

const t = useTestDb();
const DAY = 86_400_000;
// Monday 1 March 2027, 09:00 in Berlin is week 1.
const WEEK1 = Date.parse('2027-03-01T08:00:00Z');
const slot = (week: number, hours = 0) => new Date(WEEK1 + (week - 1) * 7 * DAY + hours * 3_600_000).toISOString();
const daysBefore = (iso: string, days: number) => new Date(Date.parse(iso) - days * DAY).toISOString();

const REPO = 'https://github.com/maria/churn-model';

let gh: FakeGitHub;
let e: TestEngine;
const maria = () => e.as('maria');

beforeAll(async () => {
  gh = new FakeGitHub();
  await gh.start();
});
afterAll(async () => {
  await gh.stop();
});

function goodRepo(lastCommit = slot(1, -24)) {
  gh.setRepo('maria/churn-model', {
    files: ['README.md', 'pyproject.toml', 'tests/test_model.py', 'src/churn/model.py'],
    commits: [
      { sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678', date: lastCommit },
      { sha: 'b1b2c3d4e5f60718293a4b5c6d7e8f9012345678', date: daysBefore(lastCommit, 3) },
    ],
    pulls: [3],
  });
}

beforeEach(async () => {
  await t.reset();
  gh.calls.length = 0;
  gh.offline = false;
  gh.remaining = 60;
  goodRepo();
  e = await testEngine(t.db, '2027-02-26T12:00:00Z');
  e.deps.evidence = { github: createGitHubPort({ db: t.db, baseUrl: gh.url, now: () => e.clock.now() }), web: createSafeFetcher() };
  const olga = e.as('olga', { admin: true });
  await e.run(olga, '/cohort create name:"Spring 2027" program:ds-to-mle start:2027-03-01 day:mon time:09:00 tz:Europe/Berlin');
  await e.run(maria(), '/cohort join');
  await e.run(e.as('li'), '/cohort join');
  await e.run(olga, '/cohort mentor @dana');
  await e.at(slot(1));
});

const dms = (who: string) => e.port.dmsTo(who).map((d) => d.message.text);
const evidenceDms = (who: string) => dms(who).filter((t) => t.startsWith('**Evidence checked**') || t.startsWith("I couldn't"));

/** Runs the scheduler at each time the link's check falls due, until the next one falls after `until`. */
async function retryUntil(until: string): Promise<void> {
  for (;;) {
    const row = await t.db.selectFrom('evidence_links').select('check_due_at').executeTakeFirstOrThrow();
    if (!row.check_due_at || new Date(row.check_due_at).getTime() > Date.parse(until)) return;
    await e.at(new Date(row.check_due_at).toISOString());
  }
}

describe('/evidence links work to a milestone and checks it as a job', () => {
  it('answers "Checking…" at once, then DMs what passed; the milestone shows as verified in /progress, /evidence and the digest', async () => {
    const reply = textOf(await e.run(maria(), `/evidence ${REPO}`));
    expect(reply).toBe(`Checking… ${REPO} for **Production code baseline**. I'll message you what passed and what did not in a moment.`);
    // Nothing was fetched inside the command.
    expect(gh.calls).toHaveLength(0);
    await e.tick();
    const [result] = evidenceDms('maria');
    expect(result).toContain('**Evidence checked** · Production code baseline');
    expect(result).toContain('✅ maria/churn-model is public.');
    expect(result).toContain('✅ README.md is on main.');
    expect(result).toContain('✅ pyproject.toml is on main.');
    expect(result).toContain('✅ tests/ is on main.');
    expect(result).toContain('**Production code baseline** is ✔ verified');

    expect(textOf(await e.run(maria(), '/progress'))).toContain('⬜ Production code baseline: due week 4 · ✔ verified');
    // The App Home shows the same mark.
    expect((await e.core.home(maria())).text).toContain('⬜ Production code baseline: due week 4 · ✔ verified');
    expect(textOf(await e.run(maria(), '/evidence'))).toContain(`**Production code baseline** · ✔ verified\n${REPO}: passed`);
    // Mentors see the link with the mark.
    expect(textOf(await e.run(e.as('dana'), '/progress @maria'))).toContain(`Production code baseline: due week 4 · ✔ verified · ${REPO}`);
    expect(textOf(await e.run(e.as('dana'), '/cohort status'))).toContain(`• maria: Production code baseline ✔ verified (${REPO})`);

    await e.at(slot(1, 6 * 24 + 1));
    const digest = dms('dana').find((t) => t.startsWith('**Weekly digest'))!;
    expect(digest).toContain(`• maria: Production code baseline ✔ (${REPO})`);
    expect(digest).toMatch(/maria +✅? ?[^\n]*0\/7 ✔1/);
    expect(digest).toContain('✔n: milestones verified by linked work');
    expect(digest).not.toMatch(/li +[^\n]*✔/);
  });

  it('says what failed in words the learner can act on, and nothing is verified', async () => {
    gh.setRepo('maria/churn-model', { files: ['README.md'], commits: [{ sha: 'c'.repeat(40), date: slot(1, -24) }] });
    await e.run(maria(), `/evidence ${REPO}`);
    await e.tick();
    const [result] = evidenceDms('maria');
    expect(result).toContain('✅ README.md is on main.');
    expect(result).toContain('❌ pyproject.toml or requirements.txt is not on main of maria/churn-model; commit it and push to main.');
    expect(result).toContain('❌ tests/ is not on main of maria/churn-model; commit it and push to main.');
    expect(result).toContain('Not verified yet: fix what is marked ❌');
    expect(textOf(await e.run(maria(), '/progress'))).not.toContain('✔ verified');
  });

  it('a private or missing repository (GitHub answers 404) is named as such', async () => {
    gh.setRepo('maria/secret', { private: true, files: ['README.md'] });
    await e.run(maria(), '/evidence https://github.com/maria/secret');
    await e.tick();
    expect(evidenceDms('maria')[0]).toContain('❌ github.com/maria/secret is private or does not exist; make it public');
    expect(gh.callsTo('/repos/maria/secret').map((c) => c.status)).toEqual([404]);
  });

  it('links a pull request to a named milestone and checks that it exists', async () => {
    gh.setRepo('maria/churn-model', {
      files: ['.github/workflows/ci.yml'],
      commits: [{ sha: 'd'.repeat(40), date: slot(1, -2) }],
      pulls: [3],
      runs: [
        { name: 'CI', path: '.github/workflows/ci.yml', branch: 'main', conclusion: 'failure', createdAt: slot(1, -30) },
        { name: 'CI', path: '.github/workflows/ci.yml', branch: 'main', conclusion: 'success', createdAt: slot(1, -3) },
      ],
    });
    expect(textOf(await e.run(maria(), `/evidence ${REPO}/pull/3 milestone:ci-cd`))).toContain('for **CI/CD pipeline**');
    await e.tick();
    const [result] = evidenceDms('maria');
    expect(result).toContain('✅ Pull request #3 exists.');
    expect(result).toContain('✅ .github/workflows/ is on main.');
    expect(result).toContain('✅ The latest run of "CI" on main succeeded.');
    expect(result).toContain('**CI/CD pipeline** is ✔ verified');
  });

  it('a deployed URL on a milestone checked only on GitHub is told which link to give', async () => {
    await e.run(maria(), '/evidence https://churn.example.com/predict');
    await e.tick();
    expect(evidenceDms('maria')[0]).toContain(
      'None of the checks of **Production code baseline** applies to this link: they look at a GitHub repository, pull request or commit. Link that with `/evidence <url>`.',
    );
  });

  it('refuses bad links and unknown milestones with a specific reply, storing nothing', async () => {
    const cases: Array<[string, string]> = [
      ['/evidence ftp://example.com/x', 'is not an https:// link'],
      ['/evidence github.com/maria/churn-model', 'is not a web address. Paste the full link, starting with https://.'],
      ['/evidence https://github.com/maria', 'That GitHub link names no repository'],
      ['/evidence https://github.com/maria/churn-model/issues/4', 'I can check a GitHub repository, pull request or commit, but not "/maria/churn-model/issues/4"'],
      ['/evidence https://localhost/app', '"localhost" is not a public host name'],
      [`/evidence ${REPO} milestone:kubernetes`, '"kubernetes" is not a milestone of Data scientist to ML engineer. The milestones are `production-code`'],
    ];
    for (const [cmd, expected] of cases) {
      const text = textOf(await e.run(maria(), cmd));
      expect(text, cmd).toContain(expected);
      expect(text, cmd).toContain('Usage: `/evidence <url> [milestone:<id>]`');
    }
    expect(() => parseCommand('/evidence', `${REPO} ${REPO}/pull/3`)).toThrow('Give one link at a time');
    expect(() => parseCommand('/evidence', `${REPO} milestone:`)).toThrow('Name the milestone after milestone:');
    expect(await t.db.selectFrom('evidence_links').selectAll().execute()).toHaveLength(0);
    expect(textOf(await e.run(e.as('dana'), `/evidence ${REPO}`))).toContain("mentors don't check in");
  });
});

describe('checks cost no rate limit when nothing changed, and limits never fail a learner', () => {
  it('re-checks daily with If-None-Match: an unchanged repository answers 304 and spends nothing', async () => {
    await e.run(maria(), `/evidence ${REPO}`);
    await e.tick();
    const first = gh.calls.length;
    const spent = 60 - gh.remaining;
    expect(gh.calls.every((c) => c.status === 200 && c.ifNoneMatch === null)).toBe(true);
    await e.at(new Date(Date.parse(slot(1)) + DAY + 60_000).toISOString());
    const again = gh.calls.slice(first);
    expect(again.length).toBe(first);
    expect(again.every((c) => c.status === 304 && c.ifNoneMatch !== null)).toBe(true);
    expect(60 - gh.remaining).toBe(spent);
    // Still verified, and no second DM: only an asked-for check is reported.
    expect(textOf(await e.run(maria(), '/progress'))).toContain('✔ verified');
    expect(evidenceDms('maria')).toHaveLength(1);
  });

  it('a 403 with the limit spent is rescheduled for x-ratelimit-reset, then checked', async () => {
    gh.resetAt = Math.floor(Date.parse(slot(1, 1)) / 1000);
    gh.limitNext({ status: 403 });
    await e.run(maria(), `/evidence ${REPO}`);
    await e.tick();
    expect(evidenceDms('maria')).toHaveLength(0);
    const row = await t.db.selectFrom('evidence_links').selectAll().executeTakeFirstOrThrow();
    expect(row.state).toBe('pending');
    expect(new Date(row.check_due_at!).toISOString()).toBe(slot(1, 1));
    expect(textOf(await e.run(maria(), '/evidence'))).toContain('waiting to be checked');
    await e.at(slot(1, 0.5));
    expect(evidenceDms('maria')).toHaveLength(0);
    await e.at(slot(1, 1));
    expect(evidenceDms('maria')[0]).toContain('is ✔ verified');
  });

  it('a 429 with Retry-After is rescheduled that many seconds later', async () => {
    gh.limitNext({ status: 429, retryAfter: 120 });
    await e.run(maria(), `/evidence ${REPO}`);
    await e.tick();
    const row = await t.db.selectFrom('evidence_links').select(['check_due_at', 'retry_reason']).executeTakeFirstOrThrow();
    expect(new Date(row.check_due_at!).getTime()).toBe(Date.parse(slot(1)) + 120_000);
    expect(row.retry_reason).toContain('rate-limit');
    await e.at(new Date(Date.parse(slot(1)) + 120_000).toISOString());
    expect(evidenceDms('maria')[0]).toContain('is ✔ verified');
  });

  it('with GitHub unreachable the learner is told it will be retried, at a time in the cohort\'s zone, once, and it is', async () => {
    gh.offline = true;
    await e.run(maria(), `/evidence ${REPO}`);
    await e.tick();
    expect(evidenceDms('maria')).toEqual([
      `I couldn't reach GitHub to check ${REPO}. Nothing is lost: I'll try again at Mon 1 Mar 2027, 09:05 (Europe/Berlin), keep trying for about a day, and message you the result.`,
    ]);
    expect(textOf(await e.run(maria(), '/evidence'))).toContain(`${REPO}: waiting to be checked (GitHub could not be reached; next try Mon 1 Mar 2027, 09:05 (Europe/Berlin))`);
    await e.at(slot(1, 5 / 60));
    expect(evidenceDms('maria')).toHaveLength(1);
    gh.offline = false;
    await e.at(slot(1, 1));
    const all = evidenceDms('maria');
    expect(all).toHaveLength(2);
    expect(all[1]).toContain('is ✔ verified');
  });
});

describe('evidence that cannot be checked', () => {
  it('after a day of tries GitHub still unreachable: one DM says it could not be checked, the link stays self-reported, only the daily re-check tries again', async () => {
    gh.offline = true;
    await e.run(maria(), `/evidence ${REPO}`);
    await e.tick();
    await retryUntil(slot(1, 22));
    let row = await t.db.selectFrom('evidence_links').selectAll().executeTakeFirstOrThrow();
    expect(row.attempts).toBe(9);
    expect(evidenceDms('maria')).toHaveLength(1);
    // The tenth try, about 23 hours after the first, is the last.
    await retryUntil(slot(1, 23));
    row = await t.db.selectFrom('evidence_links').selectAll().executeTakeFirstOrThrow();
    expect(row.attempts).toBe(10);
    expect(row.state).toBe('pending');
    const lastTry = Date.parse(slot(1)) + (5 + 10 + 20 + 40 + 80 + 160 + 320 + 360 + 360) * 60_000;
    expect(new Date(row.check_due_at!).getTime()).toBe(lastTry + DAY);
    const told = evidenceDms('maria');
    expect(told).toHaveLength(2);
    expect(told[1]).toBe(
      `I couldn't check ${REPO}: GitHub could not be reached for about a day, so I've stopped retrying. ` +
        'The link stays on **Production code baseline** as self-reported work: not verified, and nothing counts against you. ' +
        `I'll look at it again in the daily re-check and message you if it passes; \`/evidence ${REPO}\` asks for a check now.`,
    );
    const list = textOf(await e.run(maria(), '/evidence'));
    expect(list).toContain(`${REPO}: not checked: GitHub could not be reached for about a day, so it counts as self-reported (I look again daily)`);
    expect(list).not.toContain('retrying');
    expect(textOf(await e.run(maria(), '/progress'))).not.toContain('✔ verified');

    // Still down: the daily re-checks say nothing more.
    await retryUntil(new Date(lastTry + 3 * DAY + 60_000).toISOString());
    expect(evidenceDms('maria')).toHaveLength(2);
    row = await t.db.selectFrom('evidence_links').selectAll().executeTakeFirstOrThrow();
    expect(new Date(row.check_due_at!).getTime()).toBe(lastTry + 4 * DAY);

    // Back: the next daily re-check verifies it and says so.
    gh.offline = false;
    await retryUntil(new Date(lastTry + 4 * DAY).toISOString());
    const all = evidenceDms('maria');
    expect(all).toHaveLength(3);
    expect(all[2]).toContain('**Production code baseline** is ✔ verified');
    expect(textOf(await e.run(maria(), '/evidence'))).toContain(`${REPO}: passed`);
  });

  it('a GitHub outage (5xx) is "could not reach GitHub", not an answer, and is retried like a lost network', async () => {
    gh.failing = 503;
    try {
      await e.run(maria(), `/evidence ${REPO}`);
      await e.tick();
      expect(evidenceDms('maria')[0]).toContain(`I couldn't reach GitHub to check ${REPO}.`);
      const row = await t.db.selectFrom('evidence_links').select(['state', 'retry_reason', 'attempts']).executeTakeFirstOrThrow();
      expect(row).toEqual({ state: 'pending', retry_reason: 'unreachable: could not reach GitHub (it is failing: server error 503)', attempts: 1 });
    } finally {
      gh.failing = null;
    }
  });

  it('a spent rate limit is no failed try: it never counts towards giving up', async () => {
    for (let i = 0; i < 12; i++) gh.limitNext({ status: 429, retryAfter: 60 });
    await e.run(maria(), `/evidence ${REPO}`);
    await retryUntil(slot(1, 1));
    expect(evidenceDms('maria')).toHaveLength(1);
    expect(evidenceDms('maria')[0]).toContain('is ✔ verified');
  });

  it('a commit GitHub does not know (422) is named as missing, not retried', async () => {
    await e.run(maria(), `/evidence ${REPO}/commit/${'f'.repeat(40)}`);
    await e.tick();
    expect(evidenceDms('maria')[0]).toContain(`❌ maria/churn-model has no commit ${'f'.repeat(40)}; push it, then link it again.`);
    expect((await t.db.selectFrom('evidence_links').select('attempts').executeTakeFirstOrThrow()).attempts).toBe(0);
  });
});

describe('a link in the check-in form', () => {
  it('files under the milestone ticked in that same form, not the week\'s', async () => {
    const form = await e.run(maria(), '/checkin');
    if (form.kind !== 'form') throw new Error('expected the form');
    const saved = await e.core.submitForm(maria(), { channelId: CHANNEL }, 'checkin', form.form.state, { status: 'on-track', milestones: ['ci-cd'], link: `${REPO}/pull/3` });
    expect(textOf(saved)).toContain(`Checking… ${REPO}/pull/3 for **CI/CD pipeline**.`);
    const links = await t.db.selectFrom('evidence_links').select(['milestone_id', 'url']).execute();
    expect(links).toEqual([{ milestone_id: 'ci-cd', url: `${REPO}/pull/3` }]);
  });

  it('with nothing ticked, files under the milestone the answer was about', async () => {
    const form = await e.run(maria(), '/checkin');
    if (form.kind !== 'form') throw new Error('expected the form');
    await e.core.submitForm(maria(), { channelId: CHANNEL }, 'checkin', form.form.state, { status: 'on-track', milestones: [], link: REPO });
    const links = await t.db.selectFrom('evidence_links').select(['milestone_id', 'url']).execute();
    expect(links).toEqual([{ milestone_id: 'production-code', url: REPO }]);
  });
});

describe('export checkins', () => {
  it('carries each check-in\'s evidence: the links for its milestone and how their checks stand', async () => {
    await e.run(maria(), '/checkin on-track');
    await e.run(e.as('li'), '/checkin behind');
    await e.run(maria(), `/evidence ${REPO}`);
    await e.tick();
    const rows = await exportCheckins(t.db);
    expect(rows.map((r) => [r.name, r.evidence_state, r.evidence_links])).toEqual([
      ['li', '', []],
      ['maria', 'verified', [REPO]],
    ]);
    const csv = formatCheckins(rows, 'csv').trim().split('\n');
    expect(csv[0]!.endsWith(',evidence_state,evidence_links')).toBe(true);
    expect(csv[2]!.endsWith(`,verified,${REPO}`)).toBe(true);
  });
});

describe('what happens later', () => {
  it('work that passed and fails later is shown, not flagged', async () => {
    await e.run(maria(), `/evidence ${REPO}`);
    await e.tick();
    gh.repo('maria/churn-model').files = ['README.md', 'pyproject.toml'];
    await e.at(new Date(Date.parse(slot(1)) + DAY + 60_000).toISOString());
    const list = textOf(await e.run(maria(), '/evidence'));
    expect(list).toContain(`${REPO}: passed on Mon 1 Mar 2027, failing since`);
    expect(list).toContain('❌ tests/ is not on main');
    expect(textOf(await e.run(maria(), '/progress'))).toContain('⚠ linked work passed its checks before and fails them now');
    expect(await t.db.selectFrom('stall_flags').selectAll().execute()).toHaveLength(0);
  });

  it('a silent linked repository raises "no commits in 14 days"; a learner with no repository never gets it', async () => {
    goodRepo(slot(1, -24));
    await e.run(maria(), `/evidence ${REPO}`);
    await e.tick();
    // Thirteen days after the last commit: not yet.
    await e.at(new Date(Date.parse(slot(1, -24)) + 13 * DAY).toISOString());
    expect(await t.db.selectFrom('stall_flags').selectAll().execute()).toHaveLength(0);
    await e.at(new Date(Date.parse(slot(1, -24)) + 14 * DAY + 3_600_000).toISOString());
    const flags = await t.db.selectFrom('stall_flags as f').innerJoin('members as m', 'm.id', 'f.member_id').select(['m.user_id', 'f.reasons']).execute();
    // li linked nothing and is not flagged; maria only for the silence.
    expect(flags.map((f) => [f.user_id, f.reasons.map((r) => r.text)])).toEqual([['maria', ['no commits in 14 days on maria/churn-model']]]);
    expect(dms('dana').some((t) => t.includes('no commits in 14 days on maria/churn-model'))).toBe(true);
  });
});
