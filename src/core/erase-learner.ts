import { sql } from 'kysely';
import type { Content } from '../content/types.js';
import type { Platform } from '../db/types.js';
import type { Db } from '../db/connect.js';
import { transact } from '../db/transact.js';
import { anonymizeAudit, ERASED_SUBJECT, recordAudit, type AuditEntry } from './audit.js';
import { enqueueWithFiles, type OutFile, type OutgoingWithFiles } from './attachments.js';
import type { OutMessage } from './chat.js';
import { buildDigest, digestCopy } from './digest.js';
import { digestWithout, type DigestData } from './messages/digest.js';
import { ownTimes } from './own-time.js';
import type { HeatmapData, HeatmapRenderer } from './report/heatmap.js';
import { heatmapWithout } from './report/heatmap.js';
import { drawHeatmap, HEATMAP_ATTACHED } from './report/heatmap-file.js';
import { finalReportNow } from './program-end.js';
import { plural } from './messages/progress.js';
import { membershipRows, type UserKey } from './learner-data.js';
import { enqueueMany, type Executor, type Outgoing } from './outbox.js';
import { latestPostedRoundIds, refreshRoundPosts } from './round-post.js';
import { refreshAlerts } from './stalls/refresh.js';

/** How an erased learner's membership reads wherever the cohort's history still counts it. */
export const ERASED_NAME = 'former learner';
const ERASED_PAYLOAD = JSON.stringify({ text: '(erased at the request of the person it was about)' });

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
export async function eraseLearner(db: Db, content: Content, user: UserKey, now: Date, requestedBy: AuditEntry['actor'], options: { renderer?: HeatmapRenderer } = {}): Promise<ErasureSummary> {
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
    const reports: OutgoingWithFiles[] = [];
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
      await anonymizeAudit(trx, ids);
      await refreshRoundPosts(trx, content.programs, await latestPostedRoundIds(trx, learnerRows.map((r) => r.cohort_id)), now);
      reports.push(...(await rewriteReports(trx, content, options.renderer, learnerRows, now)));
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
    await enqueueWithFiles(trx, reports);
    const detail = describeErasure(summary);
    const cohorts = await trx.selectFrom('cohorts').select(['id', 'name']).where('id', 'in', learnerRows.length ? learnerRows.map((r) => r.cohort_id) : [-1]).execute();
    // The record says that a learner's data was erased and by whom, never whose.
    for (const cohort of cohorts.length > 0 ? cohorts : [null]) {
      await recordAudit(trx, { at: now, actor: requestedBy, action: 'data.delete', cohort, subject: ERASED_SUBJECT, detail });
    }
    return summary;
  });
}

/** Where an erased learner's row was in a picture the bot sent, now gone from it. */
const PICTURE_REMOVED = "_The picture was removed: a learner's data was erased. `/cohort report` draws a new one._";

interface ReportCopy {
  key: string;
  status: string;
  platform: Platform;
  payload: unknown;
}

/**
 * Every copy of a report: its stored payload and files are replaced, and each copy already sent is
 * edited in the chat, its picture replaced (or, with none, removed). The files of sent copies are
 * kept no longer: the chat has them.
 */
async function rewriteCopies(trx: Executor, copies: readonly ReportCopy[], message: OutMessage, image: OutFile | null, tag: string, now: Date): Promise<OutgoingWithFiles[]> {
  if (copies.length === 0) return [];
  const keys = copies.map((c) => c.key);
  // Whether a copy carried a picture is in its text: its stored file may have gone a week after it was sent.
  const hadPicture = new Set(copies.filter((c) => parseJson<OutMessage>(c.payload).text.includes(HEATMAP_ATTACHED)).map((c) => c.key));
  await trx.updateTable('outbox').set({ payload: JSON.stringify(message) }).where('key', 'in', keys).execute();
  await trx.deleteFrom('outbox_files').where('outbox_key', 'in', keys).execute();
  const outs: OutgoingWithFiles[] = [];
  for (const copy of copies) {
    const files = hadPicture.has(copy.key) && image ? [image] : [];
    if (copy.status === 'pending') {
      for (const [position, f] of files.entries()) {
        await trx.insertInto('outbox_files').values({ outbox_key: copy.key, position, name: f.name, content_type: f.contentType, bytes: f.bytes }).execute();
      }
      continue;
    }
    if (copy.status !== 'sent') continue;
    const edit = hadPicture.has(copy.key) ? { ...message, replaceFiles: true } : message;
    outs.push({ key: `digest-update:${copy.key}:${tag}`, kind: 'digest-update', platform: copy.platform, targetKind: 'message', targetId: `sent:${copy.key}`, message: edit, availableAt: now, files });
  }
  return outs;
}

/**
 * Digests, final reports and on-demand reports already sent named the learner (missing, blockers,
 * grid, per-learner lines, a row of the picture). A digest is rebuilt from what it reported that
 * week, without them; the final report from the end of the program (nothing changes after it but
 * erasures); an on-demand report loses its picture, which `/cohort report` can draw again.
 */
async function rewriteReports(trx: Executor, content: Content, renderer: HeatmapRenderer | undefined, erased: ReadonlyArray<{ id: number; cohort_id: number }>, now: Date): Promise<OutgoingWithFiles[]> {
  const outs: OutgoingWithFiles[] = [];
  const ids = new Set(erased.map((m) => m.id));
  const tag = `erased:${erased[0]!.id}`;
  for (const cohortId of new Set(erased.map((m) => m.cohort_id))) {
    const cohort = await trx.selectFrom('cohorts').selectAll().where('id', '=', cohortId).executeTakeFirstOrThrow();
    const program = content.programs.get(cohort.program_id);
    const weeks = await trx
      .selectFrom('rounds')
      .leftJoin('digests', 'digests.round_id', 'rounds.id')
      .select(['rounds.id', 'rounds.week', 'digests.data', 'digests.heatmap'])
      .where('rounds.cohort_id', '=', cohortId)
      .where('rounds.digest_at', 'is not', null)
      .orderBy('rounds.week')
      .execute();
    for (const w of weeks) {
      const copies = await trx.selectFrom('outbox').select(['key', 'status', 'platform', 'payload', 'target_id']).where('kind', '=', 'digest').where('key', 'like', `digest:${cohortId}:${w.week}:%`).execute();
      if (copies.length === 0) continue;
      if (w.data) {
        const data = digestWithout(parseJson<DigestData>(w.data), ids);
        const heatmap = w.heatmap ? heatmapWithout(parseJson<HeatmapData>(w.heatmap), ids) : null;
        await trx.updateTable('digests').set({ data: JSON.stringify(data), heatmap: heatmap ? JSON.stringify(heatmap) : null }).where('round_id', '=', w.id).execute();
        const image = renderer && heatmap ? await drawHeatmap(renderer, heatmap, cohort.name, w.week) : null;
        // Each copy as its reader got it: times in their own zone.
        const zones = await ownTimes(trx, cohort.platform, copies.map((c) => c.target_id), cohort.timezone);
        for (const copy of copies) outs.push(...(await rewriteCopies(trx, [copy], digestCopy(data, zones.get(copy.target_id)?.zone, image !== null), image, tag, now)));
      } else {
        // A digest sent before digests were kept: rebuilt from what is known now.
        outs.push(...(await rewriteCopies(trx, copies, await buildDigest(trx, content, cohortId, w.week, now), null, tag, now)));
      }
    }
    const reports = await trx.selectFrom('outbox').select(['key', 'status', 'platform', 'payload']).where('kind', '=', 'report').where('key', 'like', `final-report:${cohortId}:%`).execute();
    if (reports.length > 0 && program) {
      const { message, image } = await finalReportNow(trx, content, cohort, program, now, renderer);
      outs.push(...(await rewriteCopies(trx, reports, message, image, tag, now)));
    }
    const onDemand = await trx.selectFrom('outbox').select(['key', 'status', 'platform', 'payload']).where('kind', '=', 'report').where('key', 'like', `cohort-report:${cohortId}:%`).execute();
    for (const r of onDemand) {
      const before = parseJson<OutMessage>(r.payload);
      const text = before.text.replace(HEATMAP_ATTACHED, PICTURE_REMOVED);
      outs.push(...(await rewriteCopies(trx, [r], { ...before, text }, null, tag, now)));
    }
  }
  return outs;
}

function parseJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
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
