import { expect } from 'vitest';
import type { Db } from '../../../src/db/connect.js';

/**
 * Who may do what, walked through a platform's own payloads. The same cohort, people and steps on
 * Slack and Discord: every command and button, tried by a learner, a mentor of this cohort, a
 * mentor of another cohort, an organizer and a stranger.
 */
export type Role = 'learner' | 'mentor' | 'otherMentor' | 'organizer' | 'stranger';
export const ROLES: readonly Role[] = ['learner', 'mentor', 'otherMentor', 'organizer', 'stranger'];
/** Everyone the walk needs: the five roles, li (another learner of cohort A), pat (a learner of B), kim (added and removed). */
export type Person = Role | 'li' | 'pat' | 'kim';

/** What the person who acted saw. `ref` is whatever the driver needs to click a button on it later. */
export interface Seen {
  text: string;
  form: boolean;
  buttons: string[];
  ref: unknown;
}

export type Channel = 'A' | 'B' | 'NEW';

export interface CommandStep {
  kind: 'command';
  what: string;
  /** Slack's command and text; mentions written `@kim`. */
  slack: [string, string];
  /** Discord's command, subcommand and options; a user option names a person. */
  discord: { name: string; sub?: string; options?: Record<string, string | { person: Person }> };
  channel?: Channel;
  allowed: readonly Role[];
}

export interface ClickStep {
  kind: 'click';
  what: string;
  /** round: the week's post · alert: li's stall alert in the mentor's DMs · mydata: the learner's own /mydata reply · faq: an answer to li's /faq. */
  on: 'round' | 'alert' | 'mydata' | 'faq' | 'unanswered' | 'ping';
  label: string;
  allowed: readonly Role[];
}

export type Step = CommandStep | ClickStep;

export interface Driver {
  command(by: Person, step: Pick<CommandStep, 'slack' | 'discord' | 'channel'>): Promise<Seen>;
  click(by: Person, on: Seen, label: string): Promise<Seen>;
  /** The round post of cohort A and the alert about li in the mentor's DMs, as clickable messages. */
  roundPost(): Promise<Seen>;
  alert(): Promise<Seen>;
  /** The latest question passed to the mentor (`Ask a mentor`), in their DMs, after delivering what is due. */
  ping(): Promise<Seen>;
  /** Runs the scheduler at that moment and delivers what it queued. */
  at(iso: string): Promise<void>;
}

const cmd = (what: string, slack: [string, string], discord: CommandStep['discord'], allowed: readonly Role[], channel?: Channel): CommandStep => ({
  kind: 'command',
  what,
  slack,
  discord,
  allowed,
  channel,
});
const everyone = ROLES;
const staff: readonly Role[] = ['mentor', 'organizer'];
const org: readonly Role[] = ['organizer'];

/** Week 5's check-in day of cohort A: still ahead during the walk, so it can be skipped. */
const SKIPPABLE = '2026-03-30';

/** Read-only steps first, then the changes (each refused for everyone but the organizer before they make it). */
export const STEPS: readonly Step[] = [
  cmd('/checkin (the form)', ['/checkin', ''], { name: 'checkin' }, ['learner']),
  cmd('/progress', ['/progress', ''], { name: 'progress' }, ['learner']),
  cmd('/progress @li', ['/progress', '@li'], { name: 'progress', options: { user: { person: 'li' } } }, staff),
  cmd('/faq', ['/faq', 'how long does the move to ML engineering take?'], { name: 'faq', options: { question: 'how long does the move to ML engineering take?' } }, everyone),
  cmd('/away (show)', ['/away', ''], { name: 'away' }, ['learner']),
  cmd('/cohort status', ['/cohort', 'status'], { name: 'cohort', sub: 'status' }, staff),
  cmd('/cohort schedule', ['/cohort', 'schedule'], { name: 'cohort', sub: 'schedule' }, ['learner', 'mentor', 'organizer']),
  cmd('/cohort report', ['/cohort', 'report'], { name: 'cohort', sub: 'report' }, staff),
  cmd('/stalled', ['/stalled', ''], { name: 'stalled' }, ['mentor', 'otherMentor', 'organizer']),
  cmd('/evidence (list)', ['/evidence', ''], { name: 'evidence' }, ['learner']),
  cmd('/mydata', ['/mydata', ''], { name: 'mydata' }, everyone),
  cmd('/mydata delete (asks first)', ['/mydata', 'delete'], { name: 'mydata', options: { action: 'delete' } }, everyone),
  { kind: 'click', what: 'Download (on the learner’s /mydata)', on: 'mydata', label: 'Download', allowed: ['learner'] },
  { kind: 'click', what: 'Delete my data… (on the learner’s /mydata)', on: 'mydata', label: 'Delete my data…', allowed: ['learner'] },
  { kind: 'click', what: 'Helpful (an FAQ answer)', on: 'faq', label: 'Helpful', allowed: everyone },
  { kind: 'click', what: 'Ask a mentor (the learner’s unanswered question)', on: 'unanswered', label: 'Ask a mentor', allowed: ['learner'] },
  { kind: 'click', what: 'Answer (the question passed to the mentor)', on: 'ping', label: 'Answer', allowed: staff },
  { kind: 'click', what: 'Details… (round post)', on: 'round', label: 'Details…', allowed: ['learner'] },
  { kind: 'click', what: 'Acknowledge (li’s alert)', on: 'alert', label: 'Acknowledge', allowed: staff },
  cmd('/cohort create', ['/cohort', 'create name:Autumn program:ds-to-mle start:2026-09-07 day:mon time:09:00 tz:Europe/Berlin'], { name: 'cohort-admin', sub: 'create', options: { name: 'Autumn', program: 'ds-to-mle', start: '2026-09-07', day: 'mon', time: '09:00', tz: 'Europe/Berlin' } }, org, 'NEW'),
  cmd('/cohort add @kim', ['/cohort', 'add @kim'], { name: 'cohort-admin', sub: 'add', options: { user: { person: 'kim' } } }, org),
  cmd('/cohort remove @kim', ['/cohort', 'remove @kim'], { name: 'cohort-admin', sub: 'remove', options: { user: { person: 'kim' } } }, org),
  cmd('/cohort mentor @kim', ['/cohort', 'mentor @kim'], { name: 'cohort-admin', sub: 'mentor', options: { user: { person: 'kim' } } }, org),
  cmd('/cohort skip', ['/cohort', `skip ${SKIPPABLE}`], { name: 'cohort-admin', sub: 'skip', options: { date: SKIPPABLE } }, org),
  cmd('/cohort unskip', ['/cohort', `unskip ${SKIPPABLE}`], { name: 'cohort-admin', sub: 'unskip', options: { date: SKIPPABLE } }, org),
  cmd('/cohort edit', ['/cohort', 'edit time:10:00'], { name: 'cohort-admin', sub: 'edit', options: { time: '10:00' } }, org),
  cmd('/cohort pause', ['/cohort', 'pause'], { name: 'cohort-admin', sub: 'pause' }, org),
  cmd('/cohort resume', ['/cohort', 'resume'], { name: 'cohort-admin', sub: 'resume' }, org),
  { kind: 'click', what: 'Resolve (li’s alert)', on: 'alert', label: 'Resolve', allowed: staff },
  cmd('/away (set)', ['/away', '2026-04-20'], { name: 'away', options: { date: '2026-04-20' } }, ['learner']),
  cmd('/evidence <url>', ['/evidence', 'https://github.com/learner/churn-model'], { name: 'evidence', options: { url: 'https://github.com/learner/churn-model' } }, ['learner']),
  { kind: 'click', what: 'On track (round post)', on: 'round', label: 'On track', allowed: ['learner'] },
  cmd('/checkin on-track', ['/checkin', 'on-track learner note'], { name: 'checkin', options: { status: 'on-track', note: 'learner note' } }, ['learner']),
];

/** How a refusal starts or reads; anything else is the thing done or shown. */
const REFUSAL =
  /Only the person who asked|Only a mentor of the learner's cohort|Only organizers can|Only mentors of|You're not a learner|You're not in|You're a mentor of|You can see only your own|is not a learner in any cohort you mentor|belongs to someone else's|This channel has no cohort|You can’t (acknowledge|resolve) this stall flag|You are not a mentor of any cohort/;

export function refused(seen: Seen): boolean {
  return !seen.form && REFUSAL.test(seen.text);
}

/** Secrets of li that no learner, other mentor or stranger may ever see. */
export const LI_SECRETS = ['li-secret-blocker-one', 'li-secret-blocker-two'];

/** What a refused step must leave alone. */
async function fingerprint(db: Db): Promise<string> {
  const [cohorts, members, skipped, flags, checkins, away, audit] = await Promise.all([
    db.selectFrom('cohorts').select(['name', 'status', 'weekday', 'slot_time']).orderBy('id').execute(),
    db.selectFrom('members').select(['user_id', 'role', 'removed_at', 'erased_at']).orderBy('id').execute(),
    db.selectFrom('skipped_dates').selectAll().orderBy('date').execute(),
    db.selectFrom('stall_flags').select(['status', 'acknowledged_by']).orderBy('id').execute(),
    db.selectFrom('checkins').select(['member_id', 'status', 'note']).orderBy('id').execute(),
    db.selectFrom('away_periods').select(['member_id', 'ends_on']).orderBy('id').execute(),
    db.selectFrom('audit_log').select(['action']).orderBy('id').execute(),
  ]);
  return JSON.stringify({ cohorts, members, skipped, flags, checkins, away, audit });
}

/** Cohort A (learner, li; mentor) and B (pat; otherMentor), weeks 1 and 2 answered, li flagged. */
export async function setUp(d: Driver): Promise<void> {
  const create = (name: string, channel: Channel) =>
    d.command('organizer', {
      slack: ['/cohort', `create name:${name} program:ds-to-mle start:2026-03-02 day:mon time:09:00 tz:Europe/Berlin`],
      discord: { name: 'cohort-admin', sub: 'create', options: { name, program: 'ds-to-mle', start: '2026-03-02', day: 'mon', time: '09:00', tz: 'Europe/Berlin' } },
      channel,
    });
  expect((await create('Spring', 'A')).text).toContain('is set up');
  expect((await create('Other', 'B')).text).toContain('is set up');
  const mentorOf = (who: Person, channel: Channel) =>
    d.command('organizer', { slack: ['/cohort', `mentor @${who}`], discord: { name: 'cohort-admin', sub: 'mentor', options: { user: { person: who } } }, channel });
  await mentorOf('mentor', 'A');
  await mentorOf('otherMentor', 'B');
  const join = (who: Person, channel: Channel) => d.command(who, { slack: ['/cohort', 'join'], discord: { name: 'cohort', sub: 'join' }, channel });
  await join('learner', 'A');
  await join('li', 'A');
  await join('pat', 'B');
  const checkin = (who: Person, status: string, note: string, channel: Channel = 'A') =>
    d.command(who, { slack: ['/checkin', `${status} ${note}`], discord: { name: 'checkin', options: { status, note } }, channel });
  await d.at('2026-03-02T08:00:00Z');
  await checkin('li', 'blocked', LI_SECRETS[0]!);
  await checkin('learner', 'on-track', 'learner week one');
  await checkin('pat', 'behind', 'pat week one', 'B');
  await d.at('2026-03-09T08:00:00Z');
  await checkin('li', 'blocked', LI_SECRETS[1]!);
  await d.at('2026-03-09T09:00:00Z');
}

/** Walks every step as every role; returns every text each role saw, for the privacy checks. */
export async function walk(d: Driver, db: Db): Promise<Map<Role, string[]>> {
  const seenBy = new Map<Role, string[]>(ROLES.map((r) => [r, []]));
  const mydata = await d.command('learner', { slack: ['/mydata', ''], discord: { name: 'mydata' } });
  // As first shown: a later click by someone else may change the message, not the buttons people already have.
  const round = await d.roundPost();
  const alert = await d.alert();
  const faq = await d.command('li', { slack: ['/faq', 'how long does the move to ML engineering take?'], discord: { name: 'faq', options: { question: 'how long does the move to ML engineering take?' } } });
  expect(faq.buttons).toContain('Helpful');
  const unanswered = await d.command('learner', { slack: ['/faq', 'what is the best pizza topping in Naples?'], discord: { name: 'faq', options: { question: 'what is the best pizza topping in Naples?' } } });
  expect(unanswered.buttons).toContain('Ask a mentor');
  let ping: Seen | null = null;
  const targetOf = async (on: ClickStep['on']): Promise<Seen> => {
    if (on === 'ping') return (ping ??= await d.ping());
    return { round, alert, faq, unanswered, mydata }[on];
  };
  const problems: string[] = [];
  for (const step of STEPS) {
    // Those refused go first, so each step's change is made once, by the last allowed role.
    const order = [...ROLES].sort((a, b) => Number(step.allowed.includes(a)) - Number(step.allowed.includes(b)));
    for (const role of order) {
      const before = await fingerprint(db);
      const target = step.kind === 'command' ? null : await targetOf(step.on);
      const seen = step.kind === 'command' ? await d.command(role, step) : await d.click(role, target!, step.label);
      seenBy.get(role)!.push(seen.text);
      const may = step.allowed.includes(role);
      if (refused(seen) === may) problems.push(`${step.what} as ${role}: expected ${may ? 'allowed' : 'refused'}, saw: ${seen.form ? '(a form)' : seen.text.slice(0, 160)}`);
      if (!may && (await fingerprint(db)) !== before) problems.push(`${step.what} as ${role}: refused, yet something changed`);
    }
  }
  expect(problems).toEqual([]);
  // What was allowed is on record, each by whoever did it; what was refused is not.
  const record = await db.selectFrom('audit_log').select(['action', 'actor_id', 'subject']).where('at', '>', new Date('2026-03-09T08:30:00Z')).orderBy('id').execute();
  expect(record.map((r) => r.action)).toEqual([
    'flag.acknowledge',
    'cohort.create',
    'cohort.add',
    'cohort.remove',
    'cohort.mentor',
    'cohort.skip',
    'cohort.unskip',
    'cohort.edit',
    'cohort.pause',
    'cohort.resume',
    'flag.resolve',
  ]);
  return seenBy;
}

/** A learner, another cohort's mentor and a stranger never see li's answers; her mentor does. */
export function expectPrivacy(seenBy: Map<Role, string[]>): void {
  for (const role of ['learner', 'otherMentor', 'stranger'] as const) {
    const all = seenBy.get(role)!.join('\n');
    for (const secret of LI_SECRETS) expect(all, `${role} saw ${secret}`).not.toContain(secret);
  }
  expect(seenBy.get('mentor')!.join('\n')).toContain(LI_SECRETS[1]);
}

// ---------------------------------------------------------------------------------------------
// The web dashboard: every route, as every role and signed out.

export type Visitor = Role | 'signedOut';
export const VISITORS: readonly Visitor[] = [...ROLES, 'signedOut'];

/** The ids the dashboard's addresses name: cohorts A and B, the learner's and li's records, an open flag on li. */
export interface PageIds {
  cohortA: number;
  cohortB: number;
  learner: number;
  li: number;
  flag: number;
}

export interface PageStep {
  method: 'GET' | 'POST';
  path: (ids: PageIds) => string;
  /** Signed out is never allowed. */
  allowed: readonly Role[];
}

const signedIn = ROLES;
const page = (path: (ids: PageIds) => string, allowed: readonly Role[]): PageStep => ({ method: 'GET', path, allowed });
const COHORT_TABLES = ['heatmap', 'this-week', 'flags', 'schedule', 'milestones', 'learners', 'answers'];
const LEARNER_TABLES = ['checkins', 'versions', 'milestones', 'evidence', 'breaks', 'flags'];

/** Every route of the dashboard, with whom it serves. Reads first; the two actions last, refused ones before allowed ones. */
export const PAGES: readonly PageStep[] = [
  page(() => '/', signedIn),
  page(() => '/cohorts', signedIn),
  page(() => '/cohorts.csv', signedIn),
  page((i) => `/cohorts/${i.cohortA}`, staff),
  ...COHORT_TABLES.map((t) => page((i) => `/cohorts/${i.cohortA}/${t}.csv`, staff)),
  page((i) => `/cohorts/${i.cohortB}`, ['otherMentor', 'organizer']),
  page((i) => `/learners/${i.li}`, staff),
  ...LEARNER_TABLES.map((t) => page((i) => `/learners/${i.li}/${t}.csv`, staff)),
  page((i) => `/learners/${i.learner}`, ['learner', 'mentor', 'organizer']),
  page((i) => `/learners/${i.learner}/checkins.csv`, ['learner', 'mentor', 'organizer']),
  page(() => '/faq', org),
  ...['unanswered', 'mentor-answers', 'not-helpful'].map((t) => page(() => `/faq/${t}.csv`, org)),
  page(() => '/audit', org),
  page(() => '/audit.csv', org),
  { method: 'POST', path: (i) => `/flags/${i.flag}/acknowledge`, allowed: staff },
  { method: 'POST', path: (i) => `/flags/${i.flag}/resolve`, allowed: staff },
];

export interface WebDriver {
  /** What one visitor got: a status and a body. POSTs carry the CSRF token of a page the visitor can see. */
  request(who: Visitor, method: 'GET' | 'POST', path: string): Promise<{ status: number; body: string }>;
}

/** Walks every route as every visitor; returns every body each saw, for the privacy checks. */
export async function walkPages(d: WebDriver, db: Db, ids: PageIds): Promise<Map<Visitor, string[]>> {
  const seenBy = new Map<Visitor, string[]>(VISITORS.map((v) => [v, []]));
  const problems: string[] = [];
  for (const step of PAGES) {
    const order = [...VISITORS].sort((a, b) => Number(step.allowed.includes(a as Role)) - Number(step.allowed.includes(b as Role)));
    for (const who of order) {
      const path = step.path(ids);
      const before = await fingerprint(db);
      const seen = await d.request(who, step.method, path);
      seenBy.get(who)!.push(seen.body);
      const may = who !== 'signedOut' && step.allowed.includes(who);
      const expected = may ? (step.method === 'POST' || path === '/' ? [303] : [200]) : who === 'signedOut' ? (step.method === 'POST' ? [401, 403] : [401]) : [403];
      if (!expected.includes(seen.status)) problems.push(`${step.method} ${path} as ${who}: expected ${expected.join(' or ')}, got ${seen.status}: ${seen.body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 160)}`);
      if (!may && (await fingerprint(db)) !== before) problems.push(`${step.method} ${path} as ${who}: refused, yet something changed`);
    }
  }
  expect(problems).toEqual([]);
  return seenBy;
}

/** On the dashboard too, only li's mentor and the organizers ever see her answers. */
export function expectPagePrivacy(seenBy: Map<Visitor, string[]>): void {
  for (const who of ['learner', 'otherMentor', 'stranger', 'signedOut'] as const) {
    const all = seenBy.get(who)!.join('\n');
    for (const secret of LI_SECRETS) expect(all, `${who} saw ${secret}`).not.toContain(secret);
  }
  for (const who of ['mentor', 'organizer'] as const) expect(seenBy.get(who)!.join('\n')).toContain(LI_SECRETS[1]);
}
