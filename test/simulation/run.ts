import { DateTime } from 'luxon';
import type { Reply } from '../../src/core/chat.js';
import { CommandError } from '../../src/core/commands.js';
import type { Db } from '../../src/db/connect.js';
import { emptyAllTables } from '../helpers/db.js';
import { AccessLostError, ChannelUnreachableError, RecipientUnreachableError, type ChannelTrouble } from '../../src/core/chat.js';
import { probeAccess } from '../../src/jobs/access-probe.js';
import { reconcileMembers } from '../../src/jobs/reconcile.js';
import { createLogger } from '../../src/log.js';
import { CHANNEL, testEngine, textOf, type TestEngine } from '../helpers/engine.js';
import type { Sent } from '../helpers/recording-port.js';

const INCREMENTAL_ONLY = Number.POSITIVE_INFINITY;
import { addDays, DAY, HOUR, iso, MINUTE, WEEKDAY_KEYS } from '../model/calendar.js';
import { ORGANIZER, relative, type Feature, type Plan, type Step } from '../model/history.js';
import { CohortModel, countWords, type ReasonCode } from '../model/model.js';
import { digestMessage } from '../../src/core/messages/digest.js';

/** One broken rule: which invariant, what differed, and the history up to that moment. */
export class InvariantFailure extends Error {
  constructor(
    readonly invariant: string,
    readonly detail: string,
    readonly log: string[],
  ) {
    super(`[${invariant}] ${detail}\n\nHistory (times from the cohort's creation):\n${log.join('\n')}`);
    this.name = 'InvariantFailure';
  }
}

/** SIM_IGNORE: invariants not to stop at (to see what else fails behind the first one). */
const IGNORED = new Set((process.env.SIM_IGNORE ?? '').split(',').map((x) => x.trim()).filter(Boolean));
/** SIM_ONLY: stop only at these invariants. */
const ONLY = new Set((process.env.SIM_ONLY ?? '').split(',').map((x) => x.trim()).filter(Boolean));
/** SIM_SURVEY=1: stop at none; count every broken invariant and keep its first case (printed by the test). */
const SURVEY = process.env.SIM_SURVEY === '1';
/** Invariants that were broken but not stopped at, over the whole process: how often, and the first case. */
export const ignoredHits = new Map<string, { count: number; first: string; cases: string[] }>();

// Edits of what was already posted may follow the end: an erasure after it still takes the learner
// out of every digest and the final report (digest-update).
const AFTER_END_KINDS = new Set(['summary', 'report', 'alert-update', 'round-update', 'digest-update']);

interface OutboxRow {
  key: string;
  kind: string;
  target_id: string;
  created_at: Date;
}

interface FlagRow {
  id: number;
  member_id: number;
  reasons: unknown;
  status: string;
  opened_at: Date;
  resolved_at: Date | null;
  resolution: string | null;
}

function codesOf(reasons: unknown): string[] {
  const list = (typeof reasons === 'string' ? JSON.parse(reasons) : reasons) as Array<{ code: string }>;
  return [...new Set(list.map((r) => r.code))].sort();
}

/** A command as a platform delivers it: a line the parser refuses comes back as the private usage reply. */
async function send(e: TestEngine, actor: ReturnType<TestEngine['as']>, text: string): Promise<Reply> {
  try {
    return await e.run(actor, text);
  } catch (err) {
    if (err instanceof CommandError) return { kind: 'message', message: { text: err.message, private: true } };
    throw err;
  }
}

const ms = (d: Date | string | null) => (d === null ? null : new Date(d).getTime());

/** Runs one history against a real core on `db` and the reference model side by side; throws InvariantFailure. */
export async function runHistory(
  db: Db,
  plan: Plan,
  features: ReadonlySet<Feature>,
  options: { undoDone?: boolean } = {},
): Promise<{ ticks: number; log: string[] }> {
  const began = Date.now();
  await emptyAllTables(db);
  const h = plan.history;
  const log: string[] = [];
  const say = (at: number, who: string, text: string) => log.push(`${relative(at, plan.created).padEnd(12)} ${who}: ${text}`);
  const fail = (invariant: string, detail: string, kind?: string): void => {
    const only = ONLY.size > 0 && !ONLY.has(invariant);
    if (SURVEY || only || IGNORED.has(invariant)) {
      const key = kind ? `${invariant} (${kind})` : invariant;
      const hit = ignoredHits.get(key) ?? { count: 0, first: `${detail}\n${log.slice(-12).join('\n')}`, cases: [] };
      hit.count += 1;
      if (hit.cases.length < 10) hit.cases.push(`${relative(now, plan.created)} ${detail.slice(0, 160)}`);
      ignoredHits.set(key, hit);
      return;
    }
    throw new InvariantFailure(invariant, detail, log);
  };

  // Only the first tick scans everything: the rest of the program is judged on the incremental evaluation.
  let e: TestEngine = await testEngine(db, iso(plan.created), { stallFullScanMs: INCREMENTAL_ONLY });
  const admin = () => e.as(ORGANIZER, { admin: true });
  const place = { channelId: CHANNEL };
  let now = plan.created;
  const freeze = (at: number) => {
    now = at;
    e.clock.freeze(new Date(at));
  };

  const createText = `/cohort create name:Sim program:ds-to-mle start:${h.start} day:${WEEKDAY_KEYS[h.weekday]} time:${h.time} tz:${h.zone}`;
  say(now, ORGANIZER, createText);
  const created = await e.run(admin(), createText);
  if (!textOf(created).includes('is set up')) fail('setup', `cohort not created: ${textOf(created)}`);
  for (const who of plan.learners) await e.run(e.as(who), '/cohort join');
  for (const who of plan.mentors) await e.run(admin(), `/cohort mentor @${who}`);
  say(now, 'setup', `learners ${plan.learners.join(', ')}; mentors ${plan.mentors.join(', ') || '(none)'}`);
  const cohort = await db.selectFrom('cohorts').select(['id']).executeTakeFirstOrThrow();
  const members = await db.selectFrom('members').select(['id', 'user_id', 'role']).execute();
  const idOf = new Map(members.map((m) => [m.user_id, m.id]));
  const nameOf = new Map(members.map((m) => [m.id, m.user_id]));
  const mentorIds = plan.mentors.map((m) => idOf.get(m)!);

  const model = new CohortModel(h.start, { weekday: h.weekday, time: h.time, zone: h.zone }, plan.mentors, { undoDone: options.undoDone ?? features.has('undoDone') });
  for (const who of plan.learners) model.learners.set(who, { name: who, joinedAt: plan.created, removedAt: null, answers: new Map(), breaks: [], completed: new Map() });

  // Everyone's own time (feature 'ownTime'): a zone, then a slot, each kept only when the bot accepts it.
  const ownZones = new Map<string, string>();
  const people = [...plan.learners, ...plan.mentors];
  for (const [i, own] of (h.own ?? []).entries()) {
    const who = people[i];
    if (!who) break;
    if (own.zone) {
      const reply = textOf(await e.run(e.as(who), `/me tz:${own.zone}`));
      say(now, who, `/me tz:${own.zone}`);
      if (!reply.startsWith('Saved.')) fail('own time', `/me tz:${own.zone} refused: ${reply}`);
      ownZones.set(who, own.zone);
      const l = model.learners.get(who);
      if (l) l.zone = own.zone;
    }
    if (own.slot && model.learners.has(who)) {
      const text = `/me remind:${WEEKDAY_KEYS[own.slot.weekday]} ${own.slot.time}`;
      const reply = textOf(await e.run(e.as(who), text));
      say(now, who, text);
      const want = model.slotAccepted(who, own.slot, now);
      if (reply.startsWith('Saved.') !== want) fail('own time', `${text}: the bot ${reply.startsWith('Saved.') ? 'kept it' : `refused it (${reply.split('\n')[0]})`}; the model ${want ? 'keeps' : 'refuses'} it`);
      if (want) model.learners.get(who)!.slot = own.slot;
    }
  }

  const expectedReminders = new Map<number, Set<string>>();
  const quietChecked = new Set<string>();
  const erased = new Set<number>();

  // The platform as it changes under the bot (feature 'platform'): what the fake port refuses, who is
  // in the channel, and when the engine learns of it.
  const world = { channelHolds: 0, trouble: null as ChannelTrouble | null, accessHolds: 0, accessLost: false, dmsClosed: new Set<string>(), silentGone: new Set<string>(), reconciledSinceStart: false };
  const leftMentors = new Map<string, number>();
  /** Learners gone now, and since when the engine knows. */
  const leaves = new Map<string, number>();
  /** What earlier runs of the bot delivered (each restart has a fresh port). */
  const delivered: Sent[] = [];
  const arm = (engine: TestEngine) => {
    engine.port.refuse = (kind, target) => {
      if (world.accessHolds > 0) return new AccessLostError('token_revoked');
      if (kind === 'probe') return null;
      if (world.trouble && kind !== 'dm') return new ChannelUnreachableError(world.trouble, `#${CHANNEL}: ${world.trouble}`);
      if (kind === 'dm' && world.dmsClosed.has(target)) return new RecipientUnreachableError(`@${target} does not accept direct messages`);
      return null;
    };
    engine.port.membersOf = () => new Set([...idOf.keys()].filter((u) => !world.silentGone.has(u) && !leftMentors.has(u) && !(model.learners.get(u) && model.isLeft(model.learners.get(u)!))));
  };
  arm(e);
  const syncHold = (at: number) => {
    const held = world.channelHolds > 0 || world.accessLost;
    if (held && !model.held) model.holds.push({ from: at, to: null });
    if (!held && model.held) model.holds[model.holds.length - 1]!.to = at;
  };
  const seenFlags = new Set<number>();
  let lastTick = plan.created;
  let ticks = 0;
  let tickMs = 0;

  // ---------------- invariants, after every tick ----------------
  const check = async () => {
    if (process.env.SIM_CHECKS === '0') return;
    const [outbox, rounds, flags, cohortRow] = await Promise.all([
      db.selectFrom('outbox').select(['key', 'kind', 'target_id', 'created_at']).orderBy('created_at').execute() as Promise<OutboxRow[]>,
      db.selectFrom('rounds').select(['id', 'week', 'local_date', 'opens_at']).execute(),
      db.selectFrom('stall_flags').select(['id', 'member_id', 'reasons', 'status', 'opened_at', 'resolved_at', 'resolution']).orderBy('id').execute() as Promise<FlagRow[]>,
      db.selectFrom('cohorts').select(['status']).where('id', '=', cohort.id).executeTakeFirstOrThrow(),
    ]);
    const roundById = new Map(rounds.map((r) => [r.id, r]));

    // Posts: one per posted week, none for not-run or skipped weeks, on the calendar's date and week number.
    const posts = outbox.filter((o) => o.kind === 'round');
    const postedWeeks = new Map<number, { date: string; opens: number; at: number }>();
    for (const p of posts) {
      const r = roundById.get(Number(p.key.split(':')[1]));
      if (!r) {
        fail('round posts', `post ${p.key} names no round`);
        continue;
      }
      if (postedWeeks.has(r.week)) fail('round posts', `week ${r.week} was posted twice`);
      postedWeeks.set(r!.week, { date: r!.local_date, opens: ms(r!.opens_at)!, at: ms(p.created_at)! });
    }
    const want = model.posted();
    const got = [...postedWeeks.entries()].sort((a, b) => a[0] - b[0]);
    const show = (list: Array<{ week: number; date: string }>) => list.map((w) => `${w.week}@${w.date}`).join(' ') || '(none)';
    const gotList = got.map(([week, v]) => ({ week, date: v.date }));
    if (show(gotList) !== show(want)) {
      fail('round posts', `posted weeks ${show(gotList)}; the calendar says ${show(want)} (not run: ${show(model.weeks.filter((w) => w.status === 'not-run'))}; skipped ${[...model.skipped].join(' ') || 'none'})`);
    }
    for (const w of want) {
      const g = postedWeeks.get(w.week);
      if (!g) continue;
      if (g.opens !== w.slot) fail('round posts', `week ${w.week} opens at ${iso(g.opens)}; its slot is ${iso(w.slot)}`);
      if (g.at < w.slot) fail('round posts', `week ${w.week} posted at ${iso(g.at)}, before its slot ${iso(w.slot)}`);
    }

    // Quiet hours: nothing the bot starts reaches anyone between 21:00 and 09:00 their time.
    const started = await db
      .selectFrom('outbox')
      .select(['key', 'kind', 'target_id', 'sent_at'])
      .where('status', '=', 'sent')
      .where('target_kind', '=', 'user')
      .where('kind', 'in', ['reminder', 'alert', 'digest', 'notice', 'report', 'failures'])
      .where('key', 'not like', 'cohort-report:%')
      .execute();
    for (const o of started) {
      if (quietChecked.has(o.key)) continue;
      quietChecked.add(o.key);
      const zone = ownZones.get(o.target_id) ?? (model.rule.zone === h.zone ? h.zone : null);
      if (!zone || !o.sent_at) continue;
      const hour = DateTime.fromJSDate(new Date(o.sent_at)).setZone(zone).hour;
      if (hour < 9 || hour >= 21) fail('quiet hours', `${o.kind} ${o.key} reached ${o.target_id} at ${DateTime.fromJSDate(new Date(o.sent_at)).setZone(zone).toFormat('HH:mm')} their time (${zone})`);
    }

    // Reminders: one per learner and round, decided when the model's reminder for them falls due.
    if (!model.paused) {
      const due = model.reminderDue(now);
      if (due) {
        const set = expectedReminders.get(due.week) ?? new Set<string>();
        for (const who of due.to) set.add(who);
        expectedReminders.set(due.week, set);
      }
    }
    const reminded = new Map<number, Set<string>>();
    for (const o of outbox.filter((x) => x.kind === 'reminder')) {
      const [, roundId, memberId] = o.key.split(':');
      const r = roundById.get(Number(roundId));
      if (!r) {
        fail('reminders', `reminder ${o.key} names no round`);
        continue;
      }
      if (!model.posted().some((w) => w.week === r!.week)) fail('reminders', `reminder for week ${r!.week}, which was not posted`);
      const set = reminded.get(r!.week) ?? new Set();
      set.add(nameOf.get(Number(memberId)) ?? `member ${memberId}`);
      reminded.set(r!.week, set);
    }
    for (const [week, names] of reminded) {
      const exp = expectedReminders.get(week) ?? new Set<string>();
      for (const who of names) {
        if (exp.has(who)) continue;
        if (model.paused) continue;
        fail('reminders', `week ${week}: a reminder to ${who} before it was due (${iso(model.reminderDueAt(week, who))}) or for a round that was never the open latest one`);
      }
    }
    for (const [week, exp] of expectedReminders) {
      const got = reminded.get(week) ?? new Set<string>();
      const missing = [...exp].filter((who) => !got.has(who));
      if (missing.length > 0) fail('reminders', `week ${week}: no reminder sent to ${missing.join(', ')} (active, unanswered, not away when it fell due)`);
    }

    // Flags.
    const finished = model.finishedAt !== null;
    const unresolved = flags.filter((f) => f.status !== 'resolved');
    const byMember = new Map<number, FlagRow[]>();
    for (const f of unresolved) byMember.set(f.member_id, [...(byMember.get(f.member_id) ?? []), f]);
    for (const [memberId, list] of byMember) if (list.length > 1) fail('flags', `${nameOf.get(memberId)} has ${list.length} unresolved flags`);
    if (finished) {
      if (unresolved.length > 0) fail('end of program', `unresolved flags after the end: ${unresolved.map((f) => nameOf.get(f.member_id)).join(', ')}`);
    } else if (!model.paused && !model.held) {
      const today = model.today(now);
      for (const l of model.learners.values()) {
        const id = idOf.get(l.name)!;
        const open = byMember.get(id)?.[0];
        if (l.removedAt !== null) {
          if (open) fail('flags', `${l.name} was removed but still has flag ${open.id} unresolved`);
          continue;
        }
        if (model.isLeft(l)) {
          if (open) fail('left', `${l.name} left but still has flag ${open.id} unresolved`);
          continue;
        }
        const reasons = model.reasons(l.name, now);
        const codes = reasons.map((r) => r.code as string).sort();
        const away = model.isAway(l, today);
        const fmt = (list: string[]) => `[${list.join(', ') || 'none'}]`;
        if (open) {
          const have = codesOf(open.reasons);
          if (have.join() !== codes.join()) {
            fail(
              'flag reasons',
              `${l.name}${away ? ' (away)' : ''}: unresolved flag ${open.id} says ${fmt(have)}; the window says ${fmt(codes)}${describeWindow(model, l.name, now)}`,
              `${away ? 'away, ' : ''}extra ${have.filter((c) => !codes.includes(c)).join('+') || '-'}, missing ${codes.filter((c) => !have.includes(c)).join('+') || '-'}`,
            );
          }
        }
        const resolvedAts = flags.filter((f) => f.member_id === id && f.status === 'resolved').map((f) => ms(f.resolved_at)!);
        const lastResolved = resolvedAts.length > 0 ? Math.max(...resolvedAts) : null;
        if (open && !seenFlags.has(open.id)) {
          seenFlags.add(open.id);
          const before = flags.filter((f) => f.member_id === id && f.status === 'resolved' && ms(f.resolved_at)! <= ms(open.opened_at)!).map((f) => ms(f.resolved_at)!);
          const t = before.length > 0 ? Math.max(...before) : null;
          if (t !== null && reasons.length > 0 && !reasons.some((r) => r.factMax > t)) {
            fail('flag reopened', `${l.name}: flag ${open.id} opened ${iso(ms(open.opened_at)!)} on ${fmt(codes)} with no fact newer than the resolution at ${iso(t)} (newest facts: ${reasons.map((r) => `${r.code} ${iso(r.factMax)}`).join(', ')})`);
          }
        }
        if (!open && !away && reasons.length > 0 && (lastResolved === null || reasons.some((r) => r.factMin > lastResolved))) {
          fail('flag missing', `${l.name}: the window says ${fmt(codes)} and no flag is open${lastResolved ? ` (last resolution ${iso(lastResolved)}; newest facts ${reasons.map((r) => `${r.code} ${iso(r.factMin)}`).join(', ')})` : ''}${describeWindow(model, l.name, now)}`, `${codes.join('+')}${lastResolved ? ' after a resolution' : ''}`);
        }
      }
    }

    // Digests: every posted week once per mentor, once slot + 6 days has passed.
    const digestKeys = new Map<string, number>();
    for (const o of outbox.filter((x) => x.kind === 'digest')) {
      const [, cid, weekText, ...to] = o.key.split(':');
      const mentorText = to.join(':');
      const week = Number(weekText);
      const w = model.posted().find((p) => p.week === week);
      if (Number(cid) !== cohort.id) continue;
      if (!w) {
        fail('digests', `digest for week ${week}, which was ${model.weeks.some((x) => x.week === week) ? 'not run' : 'never posted'}`);
        continue;
      }
      if (ms(o.created_at)! < w.slot + 6 * DAY) fail('digests', `digest for week ${week} at ${iso(ms(o.created_at)!)}, before slot + 6 days`);
      // With every mentor gone, the organizers get it (`org:<user>`).
      const toOrganizers = mentorText?.startsWith('org:') && plan.mentors.length > 0 && plan.mentors.every((m) => leftMentors.has(m));
      if (!mentorIds.includes(Number(mentorText)) && !toOrganizers) fail('digests', `digest to member ${mentorText}, not a mentor`);
      const left = leftMentors.get(nameOf.get(Number(mentorText)) ?? '');
      if (left !== undefined && ms(o.created_at)! > left) fail('left', `digest ${o.key} went to ${nameOf.get(Number(mentorText))} after they left`);
      digestKeys.set(o.key, (digestKeys.get(o.key) ?? 0) + 1);
    }
    for (const [key, n] of digestKeys) if (n > 1) fail('digests', `${key} sent ${n} times`);
    // A pause holds back weeks to come, never the digest of a week already posted.
    for (const w of model.posted()) {
      const dueAt = w.slot + 6 * DAY;
      if (dueAt > now) continue;
      // A week whose digest fell due only at the tick that ended the program may or may not get one.
      if (model.finishedAt !== null && dueAt > tickBeforeEnd) continue;
      for (const m of mentorIds) {
        if (leftMentors.has(nameOf.get(m)!)) continue;
        if (!digestKeys.has(`digest:${cohort.id}:${w.week}:${m}`)) fail('digests', `no digest for week ${w.week} to ${nameOf.get(m)} (due ${iso(dueAt)})`);
      }
    }

    // Every view tells the same truth: the round post, /cohort status, each digest (its count and its
    // picture) and the final report count the same people, as the model's one definition does.
    await checkViews();

    // Nothing is sent to a person who left: no alert, digest or notice to a mentor gone, no reminder to a learner gone.
    for (const [mentor, at] of leftMentors) {
      const after = outbox.filter((o) => o.target_id === mentor && ms(o.created_at)! > at);
      if (after.length > 0) fail('left', `${mentor} left at ${iso(at)} but was sent ${after.map((o) => o.key).join(', ')}`);
    }
    for (const o of outbox.filter((x) => x.kind === 'reminder' && /^reminder:\d+:\d+$/.test(x.key))) {
      const who = nameOf.get(Number(o.key.split(':')[2])) ?? '';
      const since = leaves.get(who);
      if (since !== undefined && ms(o.created_at)! >= since) fail('left', `${who} was reminded (${o.key}) at ${iso(ms(o.created_at)!)}, gone from the channel since ${iso(since)}`);
    }

    // An erased learner is named nowhere: not in a kept digest, its picture, nor the audit log.
    if (erased.size > 0) {
      const [kept, audit] = await Promise.all([
        db.selectFrom('digests').innerJoin('rounds', 'rounds.id', 'digests.round_id').select(['rounds.week', 'digests.data', 'digests.heatmap']).where('rounds.cohort_id', '=', cohort.id).execute(),
        db.selectFrom('audit_log').select(['action', 'subject', 'subject_member_id']).execute(),
      ]);
      for (const d of kept) {
        const text = JSON.stringify([d.data, d.heatmap]);
        for (const id of erased) if (text.includes(`"id":${id},`) || text.includes(`"memberId":${id},`)) fail('erasure', `week ${d.week}'s kept digest still holds member ${id} (${nameOf.get(id)}), erased`);
      }
      for (const a of audit) if (a.subject_member_id !== null && erased.has(a.subject_member_id) && a.subject !== 'a learner') fail('erasure', `the audit log still names ${a.subject} (${a.action}) after the erasure`);
    }

    // What learners said stays as they said it: completions and ratings, as the model recorded them.
    const [completions, ratings] = await Promise.all([
      db.selectFrom('milestone_completions').select(['member_id', 'milestone_id']).execute(),
      db
        .selectFrom('checkins')
        .innerJoin('rounds', 'rounds.id', 'checkins.round_id')
        .select(['checkins.member_id', 'rounds.week', 'checkins.status', 'checkins.confidence'])
        .where('rounds.cohort_id', '=', cohort.id)
        .execute(),
    ]);
    for (const l of model.learners.values()) {
      if (l.removedAt !== null) continue;
      const id = idOf.get(l.name)!;
      const got = completions.filter((c) => c.member_id === id).map((c) => c.milestone_id).sort().join(' ') || '(none)';
      const wantDone = [...l.completed.keys()].sort().join(' ') || '(none)';
      if (got !== wantDone) fail('answers kept', `${l.name} has completed ${got}; the answers say ${wantDone}`);
      for (const a of l.answers.values()) {
        const row = ratings.find((r) => r.member_id === id && r.week === a.week);
        if (!row) fail('answers kept', `${l.name}'s week ${a.week} answer is missing`);
        else if (row.status !== a.status || (row.confidence ?? null) !== a.confidence) {
          fail('answers kept', `${l.name}'s week ${a.week} answer is ${row.status}/${row.confidence ?? '-'}; it should be ${a.status}/${a.confidence ?? '-'}`);
        }
      }
    }

    // End of program.
    if (finished) {
      if (cohortRow.status !== 'finished') fail('end of program', `week ${WEEKS_LAST} closed at ${iso(model.finishedAt!)} but the cohort is ${cohortRow.status}`);
      const after = outbox.filter((o) => ms(o.created_at)! > model.finishedAt! && !AFTER_END_KINDS.has(o.kind));
      if (after.length > 0) fail('end of program', `after the end: ${after.map((o) => `${o.kind} ${o.key} at ${iso(ms(o.created_at)!)}`).join('; ')}`);
      const summaries = outbox.filter((o) => o.kind === 'summary').length;
      if (summaries !== 1) fail('end of program', `${summaries} end summaries`);
      // Mentors gone before the end get no report; with all of them gone the organizers get it.
      const readers = plan.mentors.filter((m) => (leftMentors.get(m) ?? Infinity) > model.finishedAt!);
      if (readers.length === 0 && plan.mentors.length > 0) readers.push(ORGANIZER);
      for (const m of readers) {
        const n = outbox.filter((o) => o.kind === 'report' && o.target_id === m).length;
        if (n !== 1) fail('end of program', `${n} final reports to ${m}`);
      }
    } else if (cohortRow.status === 'finished') {
      fail('end of program', `the cohort finished at ${iso(now)}, before week ${WEEKS_LAST} closed`);
    }
  };

  const checkViews = async () => {
    const capital = (t: string) => t.charAt(0).toUpperCase() + t.slice(1);
    const latest = model.latestPosted();
    const roundRows = await db.selectFrom('rounds').select(['id', 'week']).where('cohort_id', '=', cohort.id).execute();
    const roundId = new Map(roundRows.map((r) => [r.week, r.id]));
    if (latest) {
      const want = countWords(model.tally(latest.week, now));
      const id = roundId.get(latest.week)!;
      const post = await db
        .selectFrom('outbox')
        .select(['key', 'payload'])
        .where((eb) => eb.or([eb('key', '=', `round:${id}`), eb('key', 'like', `round-update:${id}:%`)]))
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      const payload = (typeof post?.payload === 'string' ? JSON.parse(post.payload) : post?.payload) as { text: string } | undefined;
      const shown = payload?.text.trim().split('\n').at(-1)?.replace(/^_|_$/g, '');
      if (shown !== want) fail('views agree', `week ${latest.week}'s round post says "${shown}"; the model counts "${want}"`, 'round post');
      if (model.finishedAt === null) {
        const status = textOf(await send(e, admin(), '/cohort status'));
        if (!status.includes(`${capital(want)}.`)) fail('views agree', `/cohort status for week ${latest.week} says "${status.split('\n')[1]}"; the model counts "${want}"`, 'status');
      }
    }
    const fresh = await db
      .selectFrom('digests')
      .innerJoin('rounds', 'rounds.id', 'digests.round_id')
      .select(['rounds.week', 'digests.data', 'digests.heatmap'])
      .where('rounds.cohort_id', '=', cohort.id)
      .where('digests.built_at', '=', new Date(now))
      .execute();
    for (const d of fresh) {
      const want = model.tally(d.week, now);
      const data = (typeof d.data === 'string' ? JSON.parse(d.data) : d.data) as { grid: Array<{ id: number; cells: string[] }>; closed: boolean };
      const text = digestMessage(data as never).text;
      if (!text.split('\n')[1]!.startsWith(`${capital(countWords(want))}:`)) fail('views agree', `week ${d.week}'s digest says "${text.split('\n')[1]}"; the model counts "${countWords(want)}"`, 'digest');
      const heatmap = (typeof d.heatmap === 'string' ? JSON.parse(d.heatmap) : d.heatmap) as { columns: Array<{ kind: string; week?: number }>; rows: Array<{ memberId: number; cells: Array<{ state: string }> }> };
      for (const l of model.activeLearners()) {
        const id = idOf.get(l.name)!;
        const row = data.grid.find((r) => r.id === id);
        const pic = heatmap.rows.find((r) => r.memberId === id);
        for (let w = 1; w <= d.week; w++) {
          const cell = model.cell(l.name, w, now);
          if (row?.cells[w - 1] !== cell) fail('views agree', `week ${d.week}'s digest grid shows ${l.name}'s week ${w} as ${row?.cells[w - 1]}; the model says ${cell}`, 'digest grid');
          const col = heatmap.columns.findIndex((c) => c.kind === 'week' && c.week === w);
          if (pic?.cells[col]?.state !== cell) fail('views agree', `week ${d.week}'s picture shows ${l.name}'s week ${w} as ${pic?.cells[col]?.state}; the model says ${cell}`, 'picture');
        }
      }
    }
    if (model.finishedAt !== null && plan.mentors.length > 0) {
      const report = await db.selectFrom('outbox').select('payload').where('kind', '=', 'report').where('key', 'like', `final-report:${cohort.id}:%`).limit(1).executeTakeFirst();
      const text = ((typeof report?.payload === 'string' ? JSON.parse(report.payload) : report?.payload) as { text: string } | undefined)?.text ?? '';
      const line = text.split('\n').find((l) => l.startsWith('**Answers per week:**')) ?? '';
      const want = model.posted().map((w) => {
        const t = model.tally(w.week, model.finishedAt!);
        return `${w.week}: ${t.answered}/${t.expected}${t.away > 0 ? ` +${t.away} away` : ''}${t.left > 0 ? ` +${t.left} left` : ''}`;
      });
      if (line !== `**Answers per week:** ${want.join(' · ') || '—'}`) fail('views agree', `the final report says "${line}"; the model counts ${want.join(' · ')}`, 'final report');
    }
  };

  let tickBeforeEnd = plan.created;
  const WEEKS_LAST = 24;

  const tick = async (at: number, why = 'tick') => {
    freeze(at);
    const t0 = Date.now();
    // As the scheduler does: a probe for lost access, the tick and its deliveries, then the members check.
    const ports = new Map([['local' as const, e.port]]);
    if ((await probeAccess(e.deps, ports, createLogger('silent'))).length > 0) {
      world.accessLost = false;
      say(at, 'bot', 'finds its access back');
      syncHold(at);
    }
    const reconciled = await reconcileMembers(e.deps, ports, { force: !world.reconciledSinceStart, everyMs: DAY });
    if (reconciled.mode === 'done') {
      world.reconciledSinceStart = true;
      for (const who of world.silentGone) {
        const l = model.learners.get(who);
        if (l && l.removedAt === null && model.finishedAt === null && model.leave(who, at)) {
          say(at, 'bot', `the members check finds ${who} gone`);
          leaves.set(who, at);
        }
      }
    }
    await e.tick();
    tickMs += Date.now() - t0;
    ticks += 1;
    const { recorded, finished } = model.tick(at);
    if (finished) tickBeforeEnd = lastTick;
    const notes = recorded.map((r) => `${r.status === 'posted' ? 'posts' : 'does not run'} week ${r.week} (${r.date})`);
    if (finished) notes.push('program ends');
    say(at, why, notes.join(', ') || '-');
    await check();
    lastTick = at;
  };

  const orgCommand = async (at: number, text: string, expectAccepted: boolean): Promise<boolean> => {
    say(at, ORGANIZER, text);
    const reply = await send(e, admin(), text);
    const accepted = reply.kind === 'message' && !reply.message.private;
    if (accepted !== expectAccepted) fail('command acceptance', `"${text}" was ${accepted ? 'accepted' : 'refused'}, expected ${expectAccepted ? 'accepted' : 'refused'}: ${textOf(reply)}`);
    return accepted;
  };

  const runStep = async (s: Step) => {
    if (s.kind === 'tick') return tick(s.at);
    // The bot ticks every minute while it is up: a week that fell due is recorded before anyone acts.
    if (s.kind !== 'restart' && model.nextScheduledMoment() <= s.at) await tick(s.at, 'tick (catch-up)');
    freeze(s.at);
    switch (s.kind) {
      case 'restart':
        delivered.push(...e.port.sent);
        e = await testEngine(db, iso(s.at), { stallFullScanMs: INCREMENTAL_ONLY });
        arm(e);
        world.reconciledSinceStart = false;
        say(s.at, 'bot', 'restarts (fresh core on the same database)');
        return;
      case 'leave': {
        const l = model.learners.get(s.who)!;
        if (l.removedAt !== null) return;
        if (s.how === 'silent') {
          world.silentGone.add(s.who);
          say(s.at, s.who, 'leaves the channel (the bot is not told)');
          return;
        }
        say(s.at, s.who, s.how === 'channel' ? 'leaves the channel' : 'has their account deactivated');
        await e.core.platformEvent({ kind: 'member-left', platform: 'local', userId: s.who, ...(s.how === 'channel' ? { channelId: CHANNEL } : {}), reason: s.how === 'channel' ? 'left-channel' : 'deactivated' });
        if (model.finishedAt === null && model.leave(s.who, s.at)) leaves.set(s.who, s.at);
        return;
      }
      case 'rejoin': {
        const l = model.learners.get(s.who)!;
        if (l.removedAt !== null) return;
        world.silentGone.delete(s.who);
        say(s.at, s.who, 'comes back to the channel');
        await e.core.platformEvent({ kind: 'member-joined', platform: 'local', userId: s.who, channelId: CHANNEL });
        if (model.finishedAt === null && model.rejoin(s.who, s.at)) leaves.delete(s.who);
        return;
      }
      case 'dms':
        if (s.open) world.dmsClosed.delete(s.who);
        else world.dmsClosed.add(s.who);
        say(s.at, s.who, s.open ? 'accepts direct messages again' : 'closes their direct messages');
        return;
      case 'mentor-leave':
        if (leftMentors.has(s.who)) return;
        say(s.at, s.who, "(mentor) has their account deactivated");
        await e.core.platformEvent({ kind: 'member-left', platform: 'local', userId: s.who, reason: 'deactivated' });
        leftMentors.set(s.who, s.at);
        return;
      case 'hold':
        if (s.cause === 'revoked') {
          world.accessHolds += 1;
          say(s.at, 'platform', "revokes the bot's token");
          await e.core.platformEvent({ kind: 'access-lost', platform: 'local', cause: 'token_revoked' });
          world.accessLost = true;
        } else {
          world.channelHolds += 1;
          world.trouble = s.cause;
          say(s.at, 'platform', s.cause === 'archived' ? 'the channel is archived' : 'the bot is removed from the channel');
          await e.core.platformEvent({ kind: 'channel-unreachable', platform: 'local', channelId: CHANNEL, trouble: s.cause });
        }
        if (model.finishedAt === null) syncHold(s.at);
        return;
      case 'unhold':
        if (s.cause === 'revoked') {
          world.accessHolds -= 1;
          say(s.at, 'platform', "gives the bot its access back (a probe will find it)");
        } else {
          world.channelHolds -= 1;
          if (world.channelHolds > 0) return;
          world.trouble = null;
          say(s.at, 'platform', 'the channel works again');
          await e.core.platformEvent({ kind: 'channel-reachable', platform: 'local', channelId: CHANNEL });
          syncHold(s.at);
        }
        return;
      case 'answer': {
        const l = model.learners.get(s.who)!;
        if (l.removedAt !== null) return;
        const posted = model.posted();
        // After the end the spec only says the last week is closed: a change to an answer must be refused; a first answer is left unspecified.
        if (model.finishedAt !== null && !l.answers.has(posted[posted.length - (s.target === 'latest' ? 1 : 2)]?.week ?? -1)) return;
        const target = s.target === 'latest' ? posted[posted.length - 1] : posted[posted.length - 2];
        if (!target) return;
        const round = await db.selectFrom('rounds').select('id').where('cohort_id', '=', cohort.id).where('week', '=', target.week).executeTakeFirst();
        if (!round) return;
        const actor = e.as(s.who);
        let reply: Reply;
        let text: string;
        if (s.via === 'quick' && s.target === 'latest') {
          text = `/checkin ${s.status}`;
          reply = await send(e, actor, text);
        } else if (s.via === 'form') {
          text = `/checkin form (week ${target.week}): ${s.status}${s.confidence ? `, confidence ${s.confidence}` : ''}${s.ticks ? `, ticks ${s.ticks.join(' ')}` : ''}`;
          reply = await e.core.submitForm(actor, place, 'checkin', String(round.id), { status: s.status, ...(s.confidence ? { confidence: String(s.confidence) } : {}), milestones: s.ticks ?? [] });
        } else {
          text = `clicks ${s.status} on week ${target.week}`;
          reply = await e.core.action(actor, place, 'checkin.status', `${round.id}:${s.status}`);
        }
        const expect = model.acceptsAnswer(s.who, target.week, s.at);
        const replyText = textOf(reply);
        // What was kept, read from the database rather than the wording of the reply.
        const saved = await db
          .selectFrom('checkins')
          .innerJoin('rounds', 'rounds.id', 'checkins.round_id')
          .select('rounds.week')
          .where('checkins.member_id', '=', idOf.get(s.who)!)
          .where('checkins.updated_at', '=', new Date(s.at))
          .execute();
        const accepted = saved.length > 0 || /^(Recorded|Updated|Already recorded)/.test(replyText);
        say(s.at, s.who, `${text}${accepted ? (expect.late ? ' (late)' : '') : ' (refused)'}`);
        if (accepted !== expect.accepted) fail('answer acceptance', `${s.who}'s answer to week ${target.week} was ${accepted ? 'accepted' : 'refused'}; the round ${model.closeTime(target.week) <= s.at ? 'closed' : 'closes'} at ${iso(model.closeTime(target.week))}: ${replyText}`);
        const week = saved[0]?.week ?? target.week;
        if (accepted && week !== target.week) fail('answer target', `${s.who}'s ${text} went to week ${week}; the latest posted week is ${target.week}`);
        if (accepted) model.answer(s.who, target.week, s.at, { status: s.status, via: s.via === 'quick' && s.target !== 'latest' ? 'click' : s.via, confidence: s.confidence ?? null, ...(s.ticks ? { ticks: s.ticks } : {}) });
        return;
      }
      case 'away': {
        if (model.learners.get(s.who)!.removedAt !== null) return;
        const until = addDays(model.today(s.at), s.days);
        say(s.at, s.who, `/away ${until}`);
        await send(e, e.as(s.who), `/away ${until}`);
        model.away(s.who, s.at, until);
        return;
      }
      case 'away-back':
        if (model.learners.get(s.who)!.removedAt !== null) return;
        say(s.at, s.who, '/away back');
        await send(e, e.as(s.who), '/away back');
        model.awayBack(s.who, s.at);
        return;
      case 'pause':
        if (model.finishedAt !== null || model.paused) return;
        await orgCommand(s.at, '/cohort pause', true);
        model.pauses.push({ from: s.at, to: null });
        return;
      case 'resume':
        if (model.finishedAt !== null || !model.paused) return;
        await orgCommand(s.at, '/cohort resume', true);
        model.pauses[model.pauses.length - 1]!.to = s.at;
        return;
      case 'skip': {
        if (model.finishedAt !== null || model.paused) return;
        const date = model.projected(s.ahead)[s.ahead - 1]?.date;
        if (!date) return;
        await orgCommand(s.at, `/cohort skip ${date}`, true);
        model.skipped.add(date);
        return;
      }
      case 'unskip': {
        if (model.finishedAt !== null) return;
        const date = [...model.skipped].reverse().find((d) => model.slot(d) > s.at && !model.weeks.some((w) => w.date === d));
        if (!date) return;
        await orgCommand(s.at, `/cohort unskip ${date}`, true);
        model.skipped.delete(date);
        return;
      }
      case 'edit': {
        if (model.finishedAt !== null) return;
        const parts = [s.day ? `day:${WEEKDAY_KEYS[s.day]}` : '', s.time ? `time:${s.time}` : '', s.tz ? `tz:${s.tz}` : ''].filter(Boolean);
        if (parts.length === 0) return;
        const rule = { weekday: s.day ?? model.rule.weekday, time: s.time ?? model.rule.time, zone: s.tz ?? model.rule.zone };
        if (await orgCommand(s.at, `/cohort edit ${parts.join(' ')}`, model.acceptsEdit(rule, s.at))) model.rule = rule;
        return;
      }
      case 'erase': {
        if (model.learners.get(s.who)!.removedAt !== null) return;
        say(s.at, s.who, '/mydata delete → Yes, delete my data');
        const reply = await e.core.action(e.as(s.who), place, 'mydata.delete', s.who);
        if (!/^Deleted: /.test(textOf(reply))) fail('erasure', `${s.who}'s erasure answered: ${textOf(reply)}`);
        model.remove(s.who, s.at);
        erased.add(idOf.get(s.who)!);
        return;
      }
      case 'remove':
        if (model.learners.get(s.who)!.removedAt !== null || model.finishedAt !== null) return;
        await orgCommand(s.at, `/cohort remove @${s.who}`, true);
        model.remove(s.who, s.at);
        return;
      case 'flag': {
        const flag = await db.selectFrom('stall_flags').select('id').where('member_id', '=', idOf.get(s.who)!).where('status', '<>', 'resolved').executeTakeFirst();
        if (!flag) return;
        const mentor = plan.mentors[0];
        const actor = mentor ? e.as(mentor) : admin();
        say(s.at, actor.userId, `${s.verb === 'ack' ? 'Acknowledge' : 'Resolve'} on ${s.who}'s alert (flag ${flag.id})`);
        const reply = await e.core.action(actor, place, s.verb === 'ack' ? 'flag.ack' : 'flag.resolve', String(flag.id));
        if (reply.kind !== 'update') fail('flag buttons', `${s.verb} on flag ${flag.id} answered ${reply.kind}: ${textOf(reply)}`);
        return;
      }
    }
  };

  for (const s of plan.steps) await runStep(s);

  if (h.toEnd === false) return { ticks, log };
  // After the history: a resumed cohort runs to its end, ticking as the bot would around each slot.
  let t = Math.max(now, lastTick);
  if (model.paused && model.finishedAt === null) await runStep({ at: t + HOUR, kind: 'resume' });
  t = Math.max(now, lastTick);
  const cap = plan.created + 120 * 7 * DAY;
  while (model.finishedAt === null && t < cap) {
    const next = model.nextScheduledMoment();
    if (next === Infinity) break;
    for (const off of [0, 25 * HOUR, 37 * HOUR, 6 * DAY + HOUR]) {
      const at = Math.max(next + off, t + MINUTE);
      if (model.finishedAt !== null && off > 0) break;
      await tick(at);
      t = at;
    }
  }
  if (model.finishedAt === null) fail('end of program', `the program never ended (last recorded week ${model.lastRecorded()?.week ?? 0})`);
  await tick(t + 3 * DAY, 'tick (after the end)');
  // Twelve hours on, it is day for whoever it was night for.
  await tick(t + 3 * DAY + 12 * HOUR, 'tick (after the end)');
  // Every message went out exactly once, or is listed as failed with its reason.
  await e.deliver();
  const rows = await db.selectFrom('outbox').select(['key', 'status', 'last_error']).execute();
  const stuck = rows.filter((r) => r.status === 'pending');
  if (stuck.length > 0 && world.accessHolds === 0) fail('delivery', `still pending after the end: ${stuck.map((r) => r.key).join(', ')}`);
  const silent = rows.filter((r) => (r.status === 'dead' || r.status === 'dropped') && !r.last_error);
  if (silent.length > 0) fail('delivery', `given up without a reason: ${silent.map((r) => r.key).join(', ')}`);
  const times = new Map<string, number>();
  for (const x of [...delivered, ...e.port.sent]) if (x.kind !== 'update' && x.kind !== 'probe' && x.key) times.set(x.key, (times.get(x.key) ?? 0) + 1);
  const twice = [...times].filter(([, n]) => n > 1).map(([k]) => k);
  if (twice.length > 0) fail('delivery', `delivered more than once: ${twice.join(', ')}`);
  if (process.env.SIM_VERBOSE === '1') console.log(`history: ${ticks} ticks, ${plan.steps.length} steps, ${Date.now() - began} ms, ticks ${tickMs} ms`);
  return { ticks, log };
}

function describeWindow(model: CohortModel, name: string, now: number): string {
  const l = model.learners.get(name)!;
  const weeks = model.posted().slice(-4);
  const parts = weeks.map((w) => {
    const a = l.answers.get(w.week);
    const closed = model.closeTime(w.week) <= now ? 'closed' : 'open';
    return `w${w.week} ${closed} ${a ? `${a.status}${a.confidence ? `/${a.confidence}` : ''}` : '-'}${model.excused(l, w.week) ? ' (excused)' : ''}`;
  });
  return ` — window: ${parts.join('; ')}; completed ${[...l.completed.keys()].join(' ') || 'none'}; breaks ${l.breaks.map((b) => `${b.from}..${b.to}`).join(' ') || 'none'}`;
}

export type { ReasonCode };
