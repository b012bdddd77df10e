import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run as sessionsCli } from '../../src/cli/sessions.js';
import { listAudit } from '../../src/core/audit.js';
import { issueLink, LINKS_PER_PERSON } from '../../src/core/dashboard/signin.js';
import type { Dashboard } from '../../src/web/app.js';
import { Browser, csrfOf, startDashboard } from '../helpers/dashboard.js';
import { useTestDb } from '../helpers/db.js';
import { testEngine, textOf, type TestEngine } from '../helpers/engine.js';

const t = useTestDb();
let e: TestEngine;
let dash: Dashboard;
const olga = () => e.as('olga', { admin: true });
const dana = () => e.as('dana');
const maria = () => e.as('maria');

async function flagOnMaria(): Promise<number> {
  const flag = await t.db.selectFrom('stall_flags').select(['id', 'status']).executeTakeFirstOrThrow();
  return flag.id;
}

beforeEach(async () => {
  await t.reset();
  e = await testEngine(t.db, '2027-02-26T12:00:00Z');
  e.deps.publicUrl = () => 'http://127.0.0.1:3000';
  await e.run(olga(), '/cohort create name:"Spring 2027" program:ds-to-mle start:2027-03-01 day:mon time:09:00 tz:Europe/Berlin');
  await e.run(olga(), '/cohort mentor @dana');
  await e.run(maria(), '/cohort join');
  await e.at('2027-03-01T08:00:00Z');
  await e.run(maria(), '/checkin blocked <script>alert("maria")</script> & <b>docker</b>');
  await e.at('2027-03-08T08:00:00Z');
  await e.run(maria(), '/checkin blocked still stuck');
  await e.at('2027-03-08T09:00:00Z');
  dash = await startDashboard(e.core);
});
afterEach(() => dash?.close());

describe('signing in', () => {
  it('/dashboard answers privately with a one-time link; it signs in once, then says it was used', async () => {
    const reply = await e.run(maria(), '/dashboard');
    expect(reply.kind === 'message' && reply.message.private).toBe(true);
    const url = /http:\/\/127\.0\.0\.1:3000(\/signin\/[0-9a-f]{64})/.exec(textOf(reply));
    expect(url).not.toBeNull();
    // Only the hash is kept.
    const stored = await t.db.selectFrom('dashboard_links').select('token_hash').execute();
    expect(stored).toHaveLength(1);
    expect(url![1]).not.toContain(stored[0]!.token_hash);

    const b = new Browser(dash);
    const first = await b.get(url![1]!);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/');
    const cookie = String(first.headers['set-cookie']);
    expect(cookie).toMatch(/mentorbot_session=[0-9a-f]{64}; Max-Age=43200; Path=\/; HttpOnly; SameSite=Lax/);
    expect(cookie).not.toContain('Secure');
    const home = await b.get('/');
    expect(home.headers.location).toMatch(/^\/learners\/\d+$/);
    expect((await b.get(String(home.headers.location))).body).toContain('<h1>Your record</h1>');

    const again = await new Browser(dash).get(url![1]!);
    expect(again.status).toBe(410);
    expect(again.body).toContain('This sign-in link was already used');
    expect(again.body).toContain('type /dashboard');
  });

  it('a link opened after 10 minutes has expired and starts no session', async () => {
    const issued = await issueLink(t.db, maria(), e.clock.now());
    if ('tooMany' in issued) throw new Error('unexpected');
    e.clock.freeze(new Date(e.clock.now().getTime() + 10 * 60_000 + 1000));
    const b = new Browser(dash);
    const seen = await b.get(`/signin/${issued.token}`);
    expect(seen.status).toBe(410);
    expect(seen.body).toContain('This sign-in link has expired');
    expect(seen.headers['set-cookie']).toBeUndefined();
    expect((await b.get('/cohorts')).status).toBe(401);
    expect((await b.get(`/signin/${'0'.repeat(64)}`)).body).toContain('This sign-in link does not work');
  });

  it('a chat previewer fetching the link does not use it up', async () => {
    const issued = await issueLink(t.db, maria(), e.clock.now());
    if ('tooMany' in issued) throw new Error('unexpected');
    const bot = await new Browser(dash).get(`/signin/${issued.token}`, { 'user-agent': 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)' });
    expect(bot.status).toBe(200);
    expect((await new Browser(dash).get(`/signin/${issued.token}`)).status).toBe(303);
  });

  it('is rate-limited per person (links asked for) and per address (links opened)', async () => {
    for (let i = 0; i < LINKS_PER_PERSON; i++) expect(textOf(await e.run(maria(), '/dashboard'))).toContain('/signin/');
    const refused = textOf(await e.run(maria(), '/dashboard'));
    expect(refused).toContain(`You asked for ${LINKS_PER_PERSON} sign-in links in the last 10 minutes`);
    expect(await t.db.selectFrom('dashboard_links').select('token_hash').execute()).toHaveLength(LINKS_PER_PERSON);
    // Someone else is not held back by maria's links.
    expect(textOf(await e.run(dana(), '/dashboard'))).toContain('/signin/');

    const limited = await startDashboard(e.core, { perAddress: { max: 3, windowMs: 60_000 } });
    try {
      const b = new Browser(limited);
      for (let i = 0; i < 3; i++) expect((await b.get(`/signin/${'a'.repeat(64)}`)).status).toBe(404);
      const fourth = await b.get(`/signin/${'a'.repeat(64)}`);
      expect(fourth.status).toBe(429);
      expect(fourth.body).toContain('Too many sign-in attempts');
    } finally {
      await limited.close();
    }
  });

  it('a stranger gets no link; their reply says how to join', async () => {
    expect(textOf(await e.run(e.as('zed'), '/dashboard'))).toContain("you're not in one yet");
    expect(await t.db.selectFrom('dashboard_links').select('token_hash').execute()).toHaveLength(0);
  });

  it('the cookie is Secure and __Host- when PUBLIC_URL is https', async () => {
    const secure = await startDashboard(e.core, { publicUrl: 'https://mentorbot.example.org' });
    try {
      const seen = await new Browser(secure).signIn(e.core, maria());
      expect(String(seen.headers['set-cookie'])).toMatch(/^__Host-mentorbot_session=[0-9a-f]{64}; Max-Age=43200; Path=\/; HttpOnly; Secure; SameSite=Lax/);
      expect(String(seen.headers['strict-transport-security'])).toContain('max-age=');
    } finally {
      await secure.close();
    }
  });
});

describe('sessions', () => {
  it('Sign out ends the session on the server, not only in the browser', async () => {
    const b = new Browser(dash);
    await b.signIn(e.core, dana());
    const cookie = b.cookieHeader();
    const out = await b.post('/signout');
    expect(out.status).toBe(303);
    expect(out.headers.location).toBe('/signed-out');
    expect((await b.get('/cohorts')).status).toBe(401);
    // The old cookie, replayed, signs no one in.
    const replay = await dash.app.inject({ method: 'GET', url: '/cohorts', headers: { cookie } });
    expect(replay.statusCode).toBe(401);
    expect(await t.db.selectFrom('dashboard_sessions').select('id_hash').execute()).toHaveLength(0);
  });

  it('mentorbot sessions revoke [--user] ends one person’s sessions, or everyone’s', async () => {
    const danaBrowser = new Browser(dash);
    const olgaBrowser = new Browser(dash);
    await danaBrowser.signIn(e.core, dana());
    await olgaBrowser.signIn(e.core, olga());
    const out = new PassThrough();
    let printed = '';
    out.on('data', (d) => (printed += String(d)));
    expect(await sessionsCli(['revoke', '--user', 'local:dana'], { stdout: out, stderr: out, db: t.db })).toBe(0);
    expect(printed).toContain('Ended 1 dashboard session of local:dana');
    expect((await danaBrowser.get('/cohorts')).status).toBe(401);
    expect((await olgaBrowser.get('/cohorts')).status).toBe(200);
    expect(await sessionsCli(['revoke'], { stdout: out, stderr: out, db: t.db })).toBe(0);
    expect((await olgaBrowser.get('/cohorts')).status).toBe(401);
    expect(await sessionsCli(['revoke', '--user', 'dana'], { stdout: out, stderr: out, db: t.db })).toBe(2);
  });

  it('a session lasts 12 hours', async () => {
    const b = new Browser(dash);
    await b.signIn(e.core, dana());
    e.clock.freeze(new Date(e.clock.now().getTime() + 11 * 3_600_000));
    expect((await b.get('/cohorts')).status).toBe(200);
    e.clock.freeze(new Date(e.clock.now().getTime() + 3_600_000 + 1000));
    expect((await b.get('/cohorts')).status).toBe(401);
  });
});

describe('forms and pages', () => {
  it('a form without the page’s CSRF token changes nothing', async () => {
    const b = new Browser(dash);
    await b.signIn(e.core, dana());
    const flagId = await flagOnMaria();
    for (const form of [{}, { _csrf: 'forged-token' }] as Array<Record<string, string>>) {
      const seen = await b.request('POST', `/flags/${flagId}/acknowledge`, form);
      expect(seen.status).toBe(403);
      expect(seen.body).toContain('This form is out of date');
    }
    // A token from another browser's session is no good either.
    const other = new Browser(dash);
    await other.signIn(e.core, olga());
    const foreign = csrfOf((await other.get('/cohorts')).body)!;
    expect((await b.request('POST', `/flags/${flagId}/acknowledge`, { _csrf: foreign })).status).toBe(403);
    expect((await t.db.selectFrom('stall_flags').select('status').executeTakeFirstOrThrow()).status).toBe('open');
    expect((await b.request('POST', '/signout', {})).status).toBe(403);
    expect((await b.get('/cohorts')).status).toBe(200);
  });

  it('Acknowledge on the dashboard edits the chat alert and is on record as done on the dashboard', async () => {
    const b = new Browser(dash);
    await b.signIn(e.core, dana());
    const flagId = await flagOnMaria();
    const cohort = await t.db.selectFrom('cohorts').select('id').executeTakeFirstOrThrow();
    const done = await b.post(`/flags/${flagId}/acknowledge`, { back: `/cohorts/${cohort.id}` }, `/cohorts/${cohort.id}`);
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe(`/cohorts/${cohort.id}?flag=${flagId}#flag-${flagId}`);
    const page = await b.get(String(done.headers.location).replace(/#.*/, ''));
    expect(page.body).toMatch(/class="card highlight" id="flag-\d+"/);
    expect(page.body).toContain('acknowledged by dana');
    await e.deliver();
    const edits = e.port.sent.filter((s) => s.kind === 'update' && s.message.text.includes('Acknowledged by dana'));
    expect(edits.length).toBeGreaterThan(0);
    const record = (await listAudit(t.db)).filter((r) => r.action === 'flag.acknowledge');
    expect(record).toEqual([expect.objectContaining({ actor_id: 'dana', platform: 'local', via: 'dashboard', subject: 'maria' })]);
    // A form cannot send the browser elsewhere.
    const away = await b.post(`/flags/${flagId}/resolve`, { back: '//evil.example/x' }, `/cohorts/${cohort.id}`);
    expect(away.headers.location).toBe(`/cohorts/${cohort.id}?flag=${flagId}#flag-${flagId}`);
  });

  it('what learners typed shows as text, in pages and in the inline heatmap', async () => {
    await e.run(e.as('<img src=x onerror=alert(1)>'), '/cohort join');
    const b = new Browser(dash);
    await b.signIn(e.core, dana());
    const cohort = await t.db.selectFrom('cohorts').select('id').executeTakeFirstOrThrow();
    const member = await t.db.selectFrom('members').select('id').where('user_id', '=', 'maria').executeTakeFirstOrThrow();
    const learner = await b.get(`/learners/${member.id}`);
    expect(learner.body).toContain('&lt;script&gt;alert(&quot;maria&quot;)&lt;/script&gt; &amp; &lt;b&gt;docker&lt;/b&gt;');
    const cohortPage = await b.get(`/cohorts/${cohort.id}`);
    for (const body of [learner.body, cohortPage.body]) {
      expect(body).not.toMatch(/<script|<img|<b>docker/i);
    }
    expect(cohortPage.body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(cohortPage.body).toContain('<svg role="img"');
  });

  it('every page carries the security headers; nothing is cached', async () => {
    const b = new Browser(dash);
    await b.signIn(e.core, olga());
    for (const url of ['/cohorts', '/faq', '/audit', '/signed-out', '/nope']) {
      const seen = await b.get(url);
      const csp = String(seen.headers['content-security-policy']);
      expect(csp, url).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'none'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(seen.headers['referrer-policy']).toBe('same-origin');
      expect(seen.headers['x-content-type-options']).toBe('nosniff');
      expect(seen.headers['cache-control']).toBe('no-store');
    }
    const css = await b.get('/assets/app.css');
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
  });

  it('every table downloads as CSV, a cell that a spreadsheet would run as a formula as text', async () => {
    await e.run(maria(), '/checkin blocked =HYPERLINK("http://evil")');
    const b = new Browser(dash);
    await b.signIn(e.core, olga());
    const cohort = await t.db.selectFrom('cohorts').select('id').executeTakeFirstOrThrow();
    const page = (await b.get(`/cohorts/${cohort.id}`)).body;
    const links = [...page.matchAll(/href="([^"]+\.csv)"/g)].map((m) => m[1]!);
    expect(links).toEqual([
      `/cohorts/${cohort.id}/heatmap.csv`,
      `/cohorts/${cohort.id}/this-week.csv`,
      `/cohorts/${cohort.id}/flags.csv`,
      `/cohorts/${cohort.id}/schedule.csv`,
      `/cohorts/${cohort.id}/milestones.csv`,
      `/cohorts/${cohort.id}/learners.csv`,
      `/cohorts/${cohort.id}/answers.csv`,
    ]);
    for (const link of links) {
      const csv = await b.get(link);
      expect(csv.status, link).toBe(200);
      expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="spring-2027-[a-z-]+\.csv"$/);
    }
    const week = (await b.get(`/cohorts/${cohort.id}/this-week.csv`)).body;
    expect(week).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect((await b.get(`/cohorts/${cohort.id}/nope.csv`)).status).toBe(404);
  });
});
