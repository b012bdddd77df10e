import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadContent } from '../content/load.js';
import type { Content } from '../content/types.js';
import type { Actor, Reply } from '../core/chat.js';
import { Clock } from '../core/clock.js';
import { parseCommand } from '../core/commands.js';
import type { CoreDeps } from '../core/core.js';
import { createCore } from '../core/create-core.js';
import { createFaqEngine } from '../core/faq/engine.js';
import { cohortCalendar } from '../core/calendar.js';
import { describeSlot } from '../core/schedule.js';
import { createDb, type Db } from '../db/connect.js';
import { migrateToLatest } from '../db/migrate.js';
import { createScheduler } from '../jobs/scheduler.js';
import { createLogger } from '../log.js';
import { LocalChat } from '../platforms/local/port.js';
import { createPngRenderer } from '../render/png.js';

const ZONE = 'Europe/Berlin';
const CHANNEL = 'spring-cohort';
const START = '2026-03-02';

type Step =
  | { at: number; who: string; text: string }
  | { at: number; who: string; click: 'On track' | 'Behind' | 'Blocked' | 'Done'; onReminderOf?: number }
  | { at: number; who: string; form: { status: string; confidence: string; note: string } };

/**
 * Six learners who behave differently, in hours after each week's round opens.
 * maria is steady; li keeps hitting blockers; sam goes quiet after week 2 and answers week 4 late;
 * aisha loses confidence; tom takes a break and then corrects its end; jun always answers late,
 * after the reminder. The organizer skips a holiday and pauses the cohort for a few days.
 */
function weekScript(week: number): Step[] {
  const steps: Step[] = [{ at: 1, who: 'maria', click: week % 3 === 0 ? 'Done' : 'On track' }];
  if (week === 2 || week === 3) steps.push({ at: 3, who: 'li', text: `/checkin blocked ${week === 2 ? 'stuck on docker networking between containers' : 'kubernetes or docker first? lost'}` });
  else steps.push({ at: 3, who: 'li', click: 'On track' });
  if (week <= 2) steps.push({ at: 5, who: 'sam', click: 'Behind' });
  // A late answer to week 4, from its reminder: "missed" clears at once.
  if (week === 5) steps.push({ at: 2, who: 'sam', click: 'Behind', onReminderOf: 4 });
  const confidence = [5, 4, 3, 2, 2, 2][week - 1] ?? 2;
  steps.push({ at: 6, who: 'aisha', form: { status: 'behind', confidence: String(confidence), note: 'still reading about this' } });
  if (week === 2) steps.push({ at: 7, who: 'tom', text: '/away 2026-04-06' });
  else if (week === 3) steps.push({ at: 7, who: 'tom', text: '/away 2026-03-23' }, { at: 8, who: 'tom', text: '/away' });
  else if (week !== 3) steps.push({ at: 7, who: 'tom', click: 'On track' });
  steps.push({ at: 30, who: 'jun', click: 'On track' });
  if (week === 1) steps.push({ at: 9, who: 'olga', text: '/cohort skip 2026-04-13' });
  if (week === 4) steps.push({ at: 72, who: 'olga', text: '/cohort pause' }, { at: 200, who: 'olga', text: '/cohort resume' }, { at: 201, who: 'maria', text: '/cohort schedule' });
  return steps;
}

export const USAGE = `usage: mentorbot demo [--weeks N] [--out DIR]

  a simulated cohort (six learners who behave differently) in a throwaway embedded database;
  prints every round, reminder, stall alert, escalation and digest
  --weeks   how many weeks to simulate, 1 to 24 (default 6)
  --out     also draw the images the bot would send (each week's digest heatmap, a mentor's
            /cohort report, the final report) and write them under DIR/reports/`;

export async function run(argv: string[]): Promise<number> {
  let weeks = 6;
  let outDir: string | null = null;
  try {
    const { values } = parseArgs({ args: argv, options: { weeks: { type: 'string' }, out: { type: 'string' } } });
    if (values.out !== undefined) {
      if (!values.out.trim()) throw new Error('--out needs a directory to write the images to');
      outDir = path.resolve(values.out);
    }
    if (values.weeks !== undefined) {
      weeks = Number(values.weeks);
      if (!Number.isInteger(weeks) || weeks < 1 || weeks > 24) throw new Error('--weeks must be a whole number from 1 to 24');
    }
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const out = (text: string) => process.stdout.write(`${text}\n`);
  const content = await loadContent(process.env.CONTENT_DIR ?? './content');
  // A directory rather than memory: its files are created in a short-lived process (see
  // db/init-pglite.ts), so the demo's own footprint is the bot's.
  const dir = mkdtempSync(path.join(tmpdir(), 'mentorbot-demo-'));
  const handle = await createDb({ databaseUrl: null, dataDir: dir });
  try {
    return await play(handle.db, content, weeks, out, outDir);
  } finally {
    await handle.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function play(db: Db, content: Content, weeks: number, print: (text: string) => void, outDir: string | null): Promise<number> {
  // The fast weeks print one line each; what the bot sends in them is not shown.
  let quiet = false;
  const out = (text: string) => {
    if (!quiet) print(text);
  };
  await migrateToLatest(db);
  const clock = new Clock();
  clock.freeze(new Date('2026-03-01T12:00:00Z'));
  const deps: CoreDeps = { db, content, faq: createFaqEngine(content.faq, content.thesaurus), clock, reminderAfterHours: 24, admins: [{ platform: 'local', userId: 'olga' }], ...(outDir ? { renderer: createPngRenderer() } : {}) };
  const core = createCore(deps);
  // Images are written even in the fast weeks, whose messages are not printed.
  const chat = new LocalChat((text) => (text.startsWith('   📎 ') ? print(text) : out(text)), outDir);
  const scheduler = createScheduler({ deps, ports: new Map([['local', chat]]), log: createLogger('warn'), autoStart: false });
  const actor = (who: string): Actor => ({ platform: 'local', userId: who, displayName: who, isAdmin: who === 'olga' });
  const show = (who: string, what: string, reply: Reply) => {
    out(`\n> @${who}: ${what}`);
    if (reply.kind === 'form') out(`(a form opens: ${reply.form.title})`);
    else chat.show(reply.kind === 'message' && !reply.message.private ? `#${CHANNEL}` : `only @${who} sees this`, CHANNEL, reply.kind === 'update' ? (reply.notice ?? reply.message) : reply.message);
  };
  const type = async (who: string, text: string) => {
    const [head, ...rest] = text.split(' ');
    show(who, text, await core.command(actor(who), { channelId: CHANNEL }, parseCommand(head!, rest.join(' '))));
    await scheduler.drain();
  };
  const advanceTo = async (at: Date) => {
    while (clock.now() < at) {
      clock.freeze(new Date(Math.min(at.getTime(), clock.now().getTime() + 3_600_000)));
      await scheduler.runNow();
    }
  };

  out(`mentorbot demo: one cohort, six learners, ${weeks} weeks, in a throwaway database. The clock is simulated.\n`);
  await type('olga', `/cohort create name:"Spring 2026" program:ds-to-mle start:${START} day:mon time:09:00 tz:${ZONE}`);
  for (const who of ['maria', 'li', 'sam', 'aisha', 'tom', 'jun']) await type(who, '/cohort join');
  await type('olga', '/cohort mentor @dana');

  const roundPosts = () => chat.shown.filter((s) => s.header === `#${CHANNEL}` && s.message.roundId);
  const nextOpening = async (): Promise<Date | null> => {
    const cohort = await db.selectFrom('cohorts').selectAll().where('channel_id', '=', CHANNEL).executeTakeFirstOrThrow();
    return (await cohortCalendar(db, cohort, content.programs.get(cohort.program_id)!, clock.now())).next?.at ?? null;
  };
  const click = async (who: string, label: string, message: { buttons?: Array<{ label: string; action: string; value: string }> }) => {
    const button = message.buttons!.find((b) => b.label === label)!;
    show(who, `clicks ${label}`, await core.action(actor(who), { channelId: CHANNEL }, button.action as never, button.value));
    await scheduler.drain();
  };

  let opens = (await nextOpening())!;
  for (let week = 1; week <= weeks; week++) {
    out(`\n════ Week ${week} · ${describeSlot(opens, ZONE)} ════`);
    const steps = weekScript(week).sort((a, b) => a.at - b.at);
    for (const step of steps) {
      await advanceTo(new Date(opens.getTime() + step.at * 3_600_000));
      if ('form' in step) {
        const form = await core.command(actor(step.who), { channelId: CHANNEL }, { name: 'checkin' });
        if (form.kind !== 'form') throw new Error('expected the check-in form');
        const { status, confidence, note } = step.form;
        show(step.who, `fills in the form: ${status}, confidence ${confidence}, “${note}”`, await core.submitForm(actor(step.who), { channelId: CHANNEL }, 'checkin', form.form.state, step.form));
        await scheduler.drain();
      } else if ('click' in step) {
        const on = step.onReminderOf
          ? chat.shown.find((s) => s.header === `DM to @${step.who}` && s.message.text.startsWith(`Reminder: week ${step.onReminderOf} `))!.message
          : roundPosts().at(-1)!.message;
        await click(step.who, step.click, on);
      } else {
        await type(step.who, step.text);
      }
    }
    if (week === 3) {
      const alert = chat.shown.filter((s) => s.header === 'DM to @dana' && s.message.buttons?.some((b) => b.action === 'flag.ack')).at(0);
      if (alert) {
        await advanceTo(new Date(opens.getTime() + 40 * 3_600_000));
        await click('dana', 'Acknowledge', alert.message);
      }
    }
    if (week === 4) {
      await advanceTo(new Date(opens.getTime() + 50 * 3_600_000));
      await type('dana', '/stalled');
      await type('dana', '/cohort status');
      if (outDir) await type('dana', '/cohort report');
    }
    const next = await nextOpening();
    if (!next) break;
    await advanceTo(new Date(next.getTime() - 60_000));
    opens = next;
  }

  out(`\n════ Weeks ${weeks + 1} to 24, fast: maria, li and jun answer; the rest go quiet ════`);
  // Ticks only at the moments that matter (post, reminder, digest): an always-on bot would do the same.
  const tickAt = async (at: Date) => {
    clock.freeze(at);
    await scheduler.runNow();
  };
  for (let next = await nextOpening(); next; next = await nextOpening()) {
    quiet = true;
    await tickAt(new Date(next.getTime() + 3_600_000));
    const round = roundPosts().at(-1)!;
    for (const who of ['maria', 'li', 'jun']) await click(who, 'On track', round.message);
    const open = await db.selectFrom('stall_flags').select(({ fn }) => fn.countAll<number>().as('n')).where('status', '<>', 'resolved').executeTakeFirstOrThrow();
    await tickAt(new Date(next.getTime() + 25 * 3_600_000));
    await tickAt(new Date(next.getTime() + (6 * 24 + 1) * 3_600_000));
    quiet = false;
    out(`${round.message.text.split('\n')[0]!.replace(/\*\*/g, '')} · ${describeSlot(next, ZONE)} · open stall flags: ${open.n}`);
    if (/^\*\*Week 12 /.test(round.message.text)) await type('dana', '/stalled');
  }

  out('\n════ The end of the program ════');
  const last = await db.selectFrom('rounds').select('opens_at').orderBy('week', 'desc').limit(1).executeTakeFirstOrThrow();
  await tickAt(new Date(new Date(last.opens_at).getTime() + 7 * 86_400_000 + 3_600_000));
  await type('maria', '/progress');
  return 0;
}
