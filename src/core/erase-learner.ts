import { sql } from 'kysely';
import type { Content } from '../content/types.js';
import type { Db } from '../db/connect.js';
import { transact } from '../db/transact.js';
import { recordAudit, type AuditEntry } from './audit.js';
import { buildDigest } from './digest.js';
import { currentFinalReport } from './program-end.js';
import { plural } from './messages/progress.js';
import { roundPost } from './messages/rounds.js';
import { membershipRows, type UserKey } from './learner-data.js';
import { enqueueMany, type Executor, type Outgoing } from './outbox.js';
import { latestPostedRound, postedLate } from './rounds.js';
import { refreshAlerts } from './stalls/refresh.js';

/** How an erased learner's membership reads wherever the cohort's history still counts it. */
export const ERASED_NAME = 'former learner';
const ERASED_PAYLOAD = JSON.stringify({ text: '(erased at the request of the person it was about)' });
const WEEK_MS = 7 * 86_400_000;

export interface ErasureSummary {
  /** Cohorts in which a learner membership was erased. */
  cohorts: string[];
  checkins: number;
  versions: number;
  notes: number;
  blockers: number;
  breaks: number;
  /** Links to their work (evidence), with what the checks found. */
  links: number;
  questions: number;
  flagsClosed: number;
  /** Cohorts they mentor: a mentor role is the organizers' to change, so it is left alone. */
  mentoring: string[];
}

export function nothingErased(s: ErasureSummary): boolean {
  return s.cohorts.length === 0 && s.questions === 0;
}

/**
 * Erases what the bot keeps about a learner: every check-in's content and its edits, breaks, FAQ
 * questions and what their flags said. Their learner memberships become anonymous rows that leave
 * the cohort, so every count (round posts, digests, the final report) reads as if they had left,
 * and exports show only "former learner" answers. Open flags close and the alerts mentors hold are
 * rewritten without them. One transaction; running it again finds nothing and changes nothing.
 */
export async function eraseLearner(db: Db, content: Content, user: UserKey, now: Date, requestedBy: AuditEntry['actor']): Promise<ErasureSummary> {
  return transact(db, async (trx) => {
    const rows = await membershipRows(trx, user);
    const learnerRows = rows.filter((r) => r.role === 'learner');
    const ids = learnerRows.map((r) => r.id);
    const summary: ErasureSummary = {
      cohorts: learnerRows.map((r) => r.cohort),
      checkins: 0,
      versions: 0,
      notes: 0,
      blockers: 0,
      breaks: 0,
      links: 0,
      questions: 0,
      flagsClosed: 0,
      mentoring: rows.filter((r) => r.role === 'mentor').map((r) => r.cohort),
    };
    const outs: Outgoing[] = [];
    const flagIds: number[] = [];

    if (ids.length > 0) {
      const counted = await trx
        .selectFrom('checkins')
        .select([
          sql<number>`count(*)::int`.as('checkins'),
          sql<number>`count(note)::int`.as('notes'),
          sql<number>`count(blocker)::int`.as('blockers'),
        ])
        .where('member_id', 'in', ids)
        .executeTakeFirstOrThrow();
      Object.assign(summary, counted);
      const versions = await trx
        .deleteFrom('checkin_history')
        .where('checkin_id', 'in', trx.selectFrom('checkins').select('id').where('member_id', 'in', ids))
        .executeTakeFirst();
      summary.versions = Number(versions.numDeletedRows);
      // The answer itself stays, stripped to "someone answered week N": the cohort's counts keep it.
      await trx.updateTable('checkins').set({ note: null, blocker: null, confidence: null }).where('member_id', 'in', ids).execute();
      const breaks = await trx.deleteFrom('away_periods').where('member_id', 'in', ids).executeTakeFirst();
      summary.breaks = Number(breaks.numDeletedRows);
      const links = await trx.deleteFrom('evidence_links').where('member_id', 'in', ids).executeTakeFirst();
      summary.links = Number(links.numDeletedRows);

      const closed = await trx
        .updateTable('stall_flags')
        .set({ status: 'resolved', resolution: 'removed', resolved_at: now, resolved_by: null })
        .where('member_id', 'in', ids)
        .where('status', '<>', 'resolved')
        .returning('id')
        .execute();
      summary.flagsClosed = closed.length;
      const flags = await trx
        .updateTable('stall_flags')
        .set((eb) => ({ reasons: JSON.stringify([]), version: eb('version', '+', 1) }))
        .where('member_id', 'in', ids)
        .returning('id')
        .execute();
      flagIds.push(...flags.map((f) => f.id));

      await trx
        .updateTable('members')
        .set((eb) => ({
          user_id: sql<string>`'erased:' || ${eb.ref('id')}`,
          display_name: ERASED_NAME,
          away_until: null,
          removed_at: eb.fn.coalesce('removed_at', sql<Date>`${now}`),
          erased_at: now,
        }))
        .where('id', 'in', ids)
        .execute();

      // Alerts in mentors' DMs are rewritten without the learner, and their stored copies with them.
      for (const f of flags) {
        const refreshed = await refreshAlerts(trx, f.id, now);
        if (!refreshed) continue;
        outs.push(...refreshed.edits);
        await trx
          .updateTable('outbox')
          .set({ payload: JSON.stringify(refreshed.message) })
          .where('kind', 'in', ['alert', 'alert-update'])
          .where((eb) => eb.or([eb('key', '=', `alert:${f.id}`), eb('key', 'like', `alert:${f.id}:%`), eb('key', 'like', `alert-update:alert:${f.id}%`)]))
          .execute();
      }
      outs.push(...(await roundCountUpdates(trx, content, learnerRows, now)));
      outs.push(...(await rewriteDigests(trx, content, learnerRows, now)));
    }

    const questionIds = (await trx.selectFrom('faq_questions').select('id').where('platform', '=', user.platform).where('user_id', '=', user.userId).execute()).map((q) => q.id);
    // A question a mentor answered stays, without its asker, so the answer keeps its question.
    const answered = trx.selectFrom('faq_mentor_answers').select('question_id');
    const kept = await trx
      .updateTable('faq_questions')
      .set({ user_id: null, cohort_id: null })
      .where('platform', '=', user.platform)
      .where('user_id', '=', user.userId)
      .where('id', 'in', answered)
      .executeTakeFirst();
    const dropped = await trx.deleteFrom('faq_questions').where('platform', '=', user.platform).where('user_id', '=', user.userId).executeTakeFirst();
    summary.questions = Number(kept.numUpdatedRows) + Number(dropped.numDeletedRows);

    if (nothingErased(summary)) return summary;

    // Messages to them as a learner: those not yet sent are dropped, those sent keep no copy. What
    // they get as a mentor is left alone.
    const dms = trx
      .updateTable('outbox')
      .where('platform', '=', user.platform)
      .where('target_kind', '=', 'user')
      .where('target_id', '=', user.userId)
      .where((eb) => eb.or(['reminder:%', 'mydata:%', 'faq-answer:%'].map((k) => eb('key', 'like', k))));
    await dms.set({ status: 'dead', last_error: 'the recipient erased their data', payload: ERASED_PAYLOAD }).where('status', '=', 'pending').execute();
    await dms.set({ payload: ERASED_PAYLOAD }).where('status', '<>', 'pending').execute();
    // The files a Download carried (their data, as JSON and CSV) go with them.
    await trx.deleteFrom('outbox_files').where('outbox_key', 'like', `mydata:${user.platform}:${user.userId}:%`).execute();
    // Notices to mentors about them (a flag's new reason or its end, a question passed on) keep no copy either.
    const about = [...flagIds.flatMap((id) => [`flag-reason:${id}:%`, `flag-resolved:${id}`, `flag-resolved:${id}:%`]), ...questionIds.map((id) => `faq-ping:${id}:%`)];
    if (about.length > 0) await trx.updateTable('outbox').set({ payload: ERASED_PAYLOAD }).where((eb) => eb.or(about.map((k) => eb('key', 'like', k)))).execute();

    await enqueueMany(trx, outs);
    const detail = describeErasure(summary);
    const cohorts = await trx.selectFrom('cohorts').select(['id', 'name']).where('id', 'in', learnerRows.length ? learnerRows.map((r) => r.cohort_id) : [-1]).execute();
    // The record says that a learner's data was erased and by whom, never whose.
    for (const cohort of cohorts.length > 0 ? cohorts : [null]) {
      await recordAudit(trx, { at: now, actor: requestedBy, action: 'data.delete', cohort, subject: 'a learner', detail });
    }
    return summary;
  });
}

/**
 * Digests and final reports already sent named the learner (missing, blockers, grid, per-learner
 * lines): each is rebuilt without them, its stored copy replaced and every mentor's copy edited.
 */
async function rewriteDigests(trx: Executor, content: Content, erased: ReadonlyArray<{ id: number; cohort_id: number }>, now: Date): Promise<Outgoing[]> {
  const outs: Outgoing[] = [];
  for (const cohortId of new Set(erased.map((m) => m.cohort_id))) {
    const weeks = await trx.selectFrom('rounds').select('week').where('cohort_id', '=', cohortId).where('digest_at', 'is not', null).orderBy('week').execute();
    for (const { week } of weeks) {
      const copies = await trx.selectFrom('outbox').select(['key', 'status', 'platform']).where('kind', '=', 'digest').where('key', 'like', `digest:${cohortId}:${week}:%`).execute();
      if (copies.length === 0) continue;
      const message = await buildDigest(trx, content, cohortId, week);
      await trx.updateTable('outbox').set({ payload: JSON.stringify(message) }).where('key', 'in', copies.map((c) => c.key)).execute();
      for (const copy of copies.filter((c) => c.status === 'sent')) {
        outs.push({ key: `digest-update:${copy.key}:erased:${erased[0]!.id}`, kind: 'digest-update', platform: copy.platform, targetKind: 'message', targetId: `sent:${copy.key}`, message, availableAt: now });
      }
    }
    const reports = await trx.selectFrom('outbox').select(['key', 'status', 'platform']).where('kind', '=', 'report').where('key', 'like', `final-report:${cohortId}:%`).execute();
    const cohort = await trx.selectFrom('cohorts').selectAll().where('id', '=', cohortId).executeTakeFirstOrThrow();
    const program = content.programs.get(cohort.program_id);
    if (reports.length === 0 || !program) continue;
    const report = await currentFinalReport(trx, cohort, program);
    await trx.updateTable('outbox').set({ payload: JSON.stringify(report) }).where('key', 'in', reports.map((r) => r.key)).execute();
    for (const copy of reports.filter((r) => r.status === 'sent')) {
      outs.push({ key: `digest-update:${copy.key}:erased:${erased[0]!.id}`, kind: 'digest-update', platform: copy.platform, targetKind: 'message', targetId: `sent:${copy.key}`, message: report, availableAt: now });
    }
  }
  return outs;
}

/** Open round posts count the erased learner out, as they would anyone who left. */
async function roundCountUpdates(trx: Executor, content: Content, erased: ReadonlyArray<{ id: number; cohort_id: number; removed_at: Date | null }>, now: Date): Promise<Outgoing[]> {
  const outs: Outgoing[] = [];
  for (const m of erased.filter((r) => r.removed_at === null)) {
    const cohort = await trx.selectFrom('cohorts').selectAll().where('id', '=', m.cohort_id).executeTakeFirstOrThrow();
    const program = content.programs.get(cohort.program_id);
    const round = await latestPostedRound(trx, cohort.id);
    if (!program || !round || cohort.status === 'finished' || new Date(round.opens_at).getTime() + WEEK_MS <= now.getTime()) continue;
    const counts = await trx
      .selectFrom('members as m')
      .leftJoin('checkins as c', (join) => join.onRef('c.member_id', '=', 'm.id').on('c.round_id', '=', round.id))
      .select([sql<number>`count(*)::int`.as('learners'), sql<number>`count(c.id)::int`.as('answered')])
      .where('m.cohort_id', '=', cohort.id)
      .where('m.role', '=', 'learner')
      .where('m.removed_at', 'is', null)
      .executeTakeFirstOrThrow();
    outs.push({
      key: `round-update:${round.id}:erased:${m.id}`,
      kind: 'round-update',
      platform: cohort.platform,
      targetKind: 'message',
      targetId: `round:${round.id}`,
      message: roundPost({
        program,
        roundId: round.id,
        week: round.week,
        milestoneId: round.milestone_id,
        answered: counts.answered,
        learners: counts.learners,
        late: postedLate(round, cohort.timezone),
      }),
      availableAt: now,
    });
  }
  return outs;
}


/** "3 check-ins (5 versions, 2 notes, 1 blocker), 1 break, 2 FAQ questions, 1 flag closed". */
export function describeErasure(s: ErasureSummary): string {
  const parts = [
    `${plural(s.checkins, 'check-in')} (${plural(s.versions, 'version')}, ${plural(s.notes, 'note')}, ${plural(s.blockers, 'blocker')})`,
    plural(s.breaks, 'break'),
    plural(s.links, 'evidence link'),
    plural(s.questions, 'FAQ question'),
    `${plural(s.flagsClosed, 'open flag')} closed`,
  ];
  return parts.join(', ');
}
