import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Actor, Reply } from '../../src/core/chat.js';
import { Clock } from '../../src/core/clock.js';
import { parseCommand } from '../../src/core/commands.js';
import { createLogger } from '../../src/log.js';
import { organizerLink, startBot, type Bot } from '../../src/main.js';
import { useTestDb } from '../helpers/db.js';
import { realContent } from '../helpers/engine.js';

/**
 * The dashboard in a real browser: Debian's Chromium driven by playwright-core, against the whole
 * bot (terminal mode) on a real port. Sign in by link, every page, Acknowledge, Sign out; axe on
 * every page; a run with JavaScript off; a 390-px phone.
 */
const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
/** Set MENTORBOT_SCREENSHOTS=1 to refresh the README's picture of the cohort page. */
const SCREENSHOT = process.env.MENTORBOT_SCREENSHOTS === '1' ? path.resolve('docs/dashboard-cohort.png') : null;

const t = useTestDb();
let bot: Bot;
const dirs: string[] = [];
const contexts: BrowserContext[] = [];

const organizer: Actor = { platform: 'local', userId: 'organizer', displayName: 'organizer', isAdmin: true };
const person = (name: string): Actor => ({ platform: 'local', userId: name, displayName: name, isAdmin: false });

async function say(actor: Actor, line: string): Promise<Reply> {
  const [head, ...rest] = line.split(' ');
  return bot.core.command(actor, { channelId: 'cohort' }, parseCommand(head!, rest.join(' ')));
}

async function linkFor(actor: Actor): Promise<string> {
  const reply = await say(actor, '/dashboard');
  const url = reply.kind === 'message' ? /http:\/\/\S+\/signin\/[0-9a-f]{64}/.exec(reply.message.text)?.[0] : undefined;
  if (!url) throw new Error(`no link for ${actor.userId}: ${JSON.stringify(reply)}`);
  return url;
}

async function at(iso: string): Promise<void> {
  bot.clock.freeze(new Date(iso));
  await bot.scheduler.runNow();
}

/** A fresh profile (user-data dir) per context, as a person opening the link for the first time. */
async function browserContext(options: { javaScriptEnabled?: boolean; viewport?: { width: number; height: number } } = {}): Promise<BrowserContext> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mentorbot-chromium-'));
  dirs.push(dir);
  const context = await chromium.launchPersistentContext(dir, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: options.viewport ?? { width: 1280, height: 900 }, javaScriptEnabled: options.javaScriptEnabled ?? true });
  contexts.push(context);
  return context;
}

/** axe-core, evaluated in the page (the page's own policy allows no script), must find nothing serious or critical. */
async function expectAccessible(page: Page): Promise<void> {
  await page.evaluate(AXE);
  // A string, run in the page: the test's TypeScript knows no DOM.
  const violations = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) =>
    r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, where: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })))`)) as Array<{ id: string; impact: string; help: string; where: string[] }>;
  expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'), page.url()).toEqual([]);
}

/** What the browser refused under the page's policy (an inline style or script would show here), and script errors. */
function watchPolicy(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !/^Failed to load resource: the server responded with a status of (401|403|404|410)\b/.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  return problems;
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}: run apt-get install -y chromium (.ci/run does)`);
  const clock = new Clock();
  clock.freeze(new Date('2027-02-26T12:00:00Z'));
  bot = await startBot(loadConfig({ PORT: '0' }), { handle: t.handle, clock, content: (await realContent()).content, log: createLogger('silent', false), autoStart: false, print: () => undefined });
  await say(organizer, '/cohort create name:"Spring 2027" program:ds-to-mle start:2027-03-01 day:mon time:09:00 tz:Europe/Berlin');
  await say(organizer, '/cohort mentor @dana');
  for (const name of ['maria', 'li', 'sam']) await say(person(name), '/cohort join');
  await at('2027-03-01T08:00:00Z');
  await say(person('maria'), '/checkin blocked <script>alert("maria")</script> docker networking');
  await say(person('li'), '/checkin on-track packaged the model');
  await say(person('li'), '/checkin done packaged and tested');
  await at('2027-03-08T08:00:00Z');
  await say(person('maria'), '/checkin blocked compose will not start');
  await say(person('li'), '/checkin behind');
  await at('2027-03-08T09:00:00Z');
  await bot.core.command(person('sam'), { channelId: 'cohort' }, { name: 'faq', question: 'what is the best pizza topping in Naples?' });
}, 120_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await bot?.stop();
});

describe('the dashboard in Chromium', () => {
  it('organizer: signs in by link, uses every page, passes axe; the used link says so; signs out', async () => {
    const page = (await browserContext()).pages()[0]!;
    const problems = watchPolicy(page);
    // The link `npm start` prints in terminal mode.
    const banner = await organizerLink(bot);
    expect(banner).toContain('The web dashboard, signed in as organizer');
    const link = /http:\/\/127\.0\.0\.1:\d+\/signin\/[0-9a-f]{64}/.exec(banner)![0];
    await page.goto(link);
    expect(new URL(page.url()).pathname).toBe('/cohorts');
    expect(page.url()).not.toContain('/signin/');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Cohorts');
    await expectAccessible(page);

    await page.getByRole('link', { name: 'Spring 2027' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Spring 2027');
    expect(await page.locator('figure.heatmap svg[role="img"]').count()).toBe(1);
    expect(await page.getByRole('heading', { name: /Open flags \(1\)/ }).count()).toBe(1);
    await expectAccessible(page);
    if (SCREENSHOT) {
      mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: false });
    }

    await page.getByRole('link', { name: 'maria' }).first().click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('maria');
    // A learner's markup is text on the page, never an element.
    expect(await page.getByText('<script>alert("maria")</script> docker networking').count()).toBeGreaterThan(0);
    expect(await page.locator('main script').count()).toBe(0);
    await expectAccessible(page);

    await page.getByRole('link', { name: 'FAQ' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('FAQ');
    expect(await page.getByText('what is the best pizza topping in Naples?').count()).toBe(1);
    await expectAccessible(page);

    await page.getByRole('link', { name: 'Audit' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Audit');
    expect(await page.getByRole('cell', { name: 'cohort.mentor' }).count()).toBe(1);
    await expectAccessible(page);

    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: /Download CSV/ }).click();
    expect((await download).suggestedFilename()).toBe('audit.csv');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Signed out');
    await expectAccessible(page);
    await page.goto(link);
    await expect.poll(() => page.locator('h1').textContent()).toBe('This sign-in link was already used');
    await expectAccessible(page);
    await page.goto(new URL('/cohorts', link).href);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Sign in');
    expect(problems).toEqual([]);
  });

  it('mentor: acknowledges a flag on the dashboard; the chat alert is edited', async () => {
    const page = (await browserContext()).pages()[0]!;
    const problems = watchPolicy(page);
    await page.goto(await linkFor(person('dana')));
    await page.getByRole('link', { name: 'Spring 2027' }).click();
    const card = page.locator('li.card', { hasText: 'maria' });
    await card.getByRole('button', { name: 'Acknowledge' }).click();
    await expect.poll(() => page.locator('li.card.highlight .badge').textContent()).toBe('acknowledged');
    expect(await page.locator('li.card.highlight').textContent()).toContain('acknowledged by dana');
    await expectAccessible(page);
    await bot.scheduler.drain();
    const edits = bot.local!.shown.filter((m) => m.header.endsWith('(edited)') && m.message.text.includes('Acknowledged by dana'));
    expect(edits.length).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });

  it('learner: sees their own record only', async () => {
    const page = (await browserContext()).pages()[0]!;
    await page.goto(await linkFor(person('maria')));
    await expect.poll(() => page.locator('h1').textContent()).toBe('Your record');
    expect(await page.getByText('compose will not start').count()).toBeGreaterThan(0);
    await expectAccessible(page);
    await page.goto(new URL('/cohorts/1', page.url()).href);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Not yours to see');
    expect(await page.content()).not.toContain('packaged the model');
    await expectAccessible(page);
  });

  it('works with JavaScript off: sign in, read, resolve a flag', async () => {
    const page = (await browserContext({ javaScriptEnabled: false })).pages()[0]!;
    await page.goto(await linkFor(organizer));
    await page.getByRole('link', { name: 'Spring 2027' }).click();
    await page.locator('li.card', { hasText: 'maria' }).getByRole('button', { name: 'Resolve' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Spring 2027');
    expect(await page.getByRole('heading', { name: /Open flags \(0\)/ }).count()).toBe(1);
    const flag = await t.db.selectFrom('stall_flags').select(['status', 'resolved_by']).executeTakeFirstOrThrow();
    expect(flag).toEqual({ status: 'resolved', resolved_by: 'organizer' });
  });

  it('reads on a 390-px phone with no sideways scrolling', async () => {
    const page = (await browserContext({ viewport: { width: 390, height: 844 } })).pages()[0]!;
    await page.goto(await linkFor(organizer));
    const paths = ['/cohorts', '/cohorts/1', '/learners/2', '/faq', '/audit'];
    for (const p of paths) {
      await page.goto(new URL(p, page.url()).href);
      const widths = (await page.evaluate('({ page: document.documentElement.scrollWidth, view: window.innerWidth })')) as { page: number; view: number };
      expect(widths.page, p).toBeLessThanOrEqual(widths.view);
    }
  });

  it('is measured by route in /metrics, never by an address that holds a token or an id', async () => {
    const text = await (await fetch(`${bot.publicUrl}/metrics`)).text();
    const routes = [...text.matchAll(/^mentorbot_http_request_duration_seconds_count\{route="([^"]+)"\}/gm)].map((m) => m[1]);
    expect(routes).toEqual(expect.arrayContaining(['/signin/:token', '/cohorts', '/cohorts/:id', '/learners/:id', '/flags/:id/:verb', '/assets/*']));
    expect(routes.filter((r) => /[0-9a-f]{64}|\/\d+/.test(r!))).toEqual([]);
  });
});
