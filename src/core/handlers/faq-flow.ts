import type { Actor, Button, OutMessage, Place, Reply } from '../chat.js';
import type { CoreDeps } from '../core.js';
import { clipWords, excerpt } from '../faq/excerpt.js';
import { liveIntent } from '../faq/live-intent.js';
import { askAndLog, recordFeedback } from '../faq/log.js';
import { answerTo, mentorAnswerFor, storeAliasCandidate, storeMentorAnswer, type MentorAnswer } from '../faq/mentor-answers.js';
import { normalizeQuestion } from '../faq/normalize.js';
import { suggestionsFor, type Suggestion } from '../faq/suggest.js';
import type { FaqResult } from '../faq/types.js';
import type { FaqVia } from '../../db/types.js';
import { cohortByChannel, cohortById, membershipsOf } from '../members.js';
import { permits, standingIn } from '../permissions.js';
import { enqueue } from '../outbox.js';
import { liveAnswer } from './live-answers.js';
import { privately, Refusal } from './reply.js';

/** What a question with nothing to go on gets: a nudge and an example, never a guess. */
export const FULLER_QUESTION = 'Ask me a fuller question, in a sentence, for example: _how long does the move from data science to ML engineering take?_';

/** A chat reply shows this much of an answer; the rest is one click away. */
const SHORT_ANSWER = 400;
const LABEL = 40;

/**
 * An FAQ answer as a chat reply. By default it is skimmable: the first paragraph (cut at a sentence
 * when long) and a **More** button for the whole answer; `full` shows all of it.
 */
export function answerMessage(result: FaqResult, logId: number | null, isPrivate: boolean, suggestions: Suggestion[] = [], full = false): OutMessage {
  if (result.tooVague) return { text: FULLER_QUESTION, private: isPrivate };
  if (!result.answered) {
    // The log id lets a choice teach the FAQ this phrasing (an alias candidate).
    const buttons: Button[] = suggestions.map((s) => ({ action: 'faq.show', label: truncate(s.question, LABEL), value: logId === null ? s.id : `${s.id}:${logId}` }));
    if (logId !== null) buttons.push({ action: 'faq.ping-mentor', label: 'Ask a mentor', value: String(logId) });
    return {
      text:
        "I don't have a curated answer for that yet. I've logged the question for the people who write the FAQ." +
        (suggestions.length > 0 ? ' Did you mean one of these? Or a mentor can pick it up.' : ' Want a mentor to pick it up?'),
      buttons,
      private: isPrivate,
    };
  }
  const answer = result.answer!.trim();
  const shown = full ? answer : excerpt(answer, SHORT_ANSWER);
  const cut = shown.length < answer.length;
  const lines = [`**${result.question}**`, '', cut ? `${shown} …` : shown];
  if (result.sources.length > 0) {
    lines.push('', cut && result.sources.length > 1 ? `_Sources:_ ${result.sources[0]} and ${result.sources.length - 1} more` : `_Sources:_ ${result.sources.join('; ')}`);
  }
  const buttons: Button[] = [];
  if (logId !== null) {
    buttons.push({ action: 'faq.helpful', label: 'Helpful', value: String(logId), style: 'primary' }, { action: 'faq.unhelpful', label: 'Not helpful', value: String(logId) });
  }
  if (cut && result.id) buttons.push({ action: 'faq.show', label: 'More', value: `${result.id}:full` });
  result.relatedIds.forEach((id, i) => buttons.push({ action: 'faq.show', label: truncate(result.related[i] ?? id, LABEL), value: id }));
  return { text: lines.join('\n'), buttons, private: isPrivate };
}

/** Cut between words, so a label reads as words. */
function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${clipWords(text, max - 1)}…`;
}

export async function ask(deps: CoreDeps, actor: Actor, place: Place, question: string, via: FaqVia, isPrivate: boolean): Promise<Reply> {
  const intent = liveIntent(question);
  if (intent) return { kind: 'message', message: await liveAnswer(deps, actor, place, intent, isPrivate) };
  const taught = await mentorAnswerFor(deps.db, question);
  if (taught) return { kind: 'message', message: { text: mentorAnswerText(question, taught), private: isPrivate } };
  const cohort = await cohortByChannel(deps.db, actor.platform, place.channelId);
  const result = await askAndLog(deps.db, deps.faq, { question, platform: actor.platform, userId: actor.userId, cohortId: cohort?.id ?? null, via, now: deps.clock.now() });
  return { kind: 'message', message: answerMessage(result, result.logId, isPrivate, suggestionsFor(deps.faq, question, result)) };
}

/** The text of a mention without the bot's own `<@…>` tag. */
export function questionFromMention(text: string): string {
  return text.replace(/<@[!&]?[A-Z0-9]+(?:\|[^>]*)?>/gi, ' ').replace(/\s+/g, ' ').trim();
}

/** `value` is an entry id; `<id>:full` is the **More** of a shortened answer; `<id>:<logId>` a "did you mean" choice. */
export async function showEntry(deps: CoreDeps, value: string): Promise<Reply> {
  const [id, extra] = value.split(':');
  const full = extra === 'full';
  const result = deps.faq.byId(id!);
  if (!result) throw new Refusal('That FAQ entry is no longer there. Try `/faq` with your question.');
  const log = extra && /^\d+$/.test(extra) ? await deps.db.selectFrom('faq_questions').select('question').where('id', '=', Number(extra)).executeTakeFirst() : undefined;
  if (log) await storeAliasCandidate(deps.db, id!, log.question, deps.clock.now());
  return { kind: 'message', message: answerMessage(result, null, true, [], full) };
}

export async function feedback(deps: CoreDeps, value: string, helpful: boolean): Promise<Reply> {
  const ok = /^\d+$/.test(value) && (await recordFeedback(deps.db, Number(value), helpful ? 'helpful' : 'not_helpful', deps.clock.now()));
  if (!ok) throw new Refusal('I could not find that question any more; nothing was recorded.');
  return privately(helpful ? 'Thanks, glad it helped.' : "Thanks for telling me. I've flagged the answer for the curators; `Ask a mentor` is there if you still need help.", helpful ? [] : [{ action: 'faq.ping-mentor', label: 'Ask a mentor', value }]);
}

/** What the mentor is told about the FAQ's part: it had no answer, or its answer did not help. */
function whyAsked(deps: CoreDeps, log: { answered: boolean; matched_id: string | null; feedback: string | null }): string {
  if (!log.answered) return 'asked a question the FAQ could not answer';
  const entry = log.matched_id ? deps.faq.byId(log.matched_id) : null;
  const which = entry?.question ? ` (“${entry.question}”)` : '';
  return log.feedback === 'not_helpful' ? 'asked a question; the FAQ answered it, but not helpfully' : `asked a question the FAQ answered${which}, and would like a mentor too`;
}

export async function pingMentor(deps: CoreDeps, actor: Actor, value: string): Promise<Reply> {
  const log = /^\d+$/.test(value) ? await deps.db.selectFrom('faq_questions').selectAll().where('id', '=', Number(value)).executeTakeFirst() : undefined;
  if (!log) throw new Refusal('I could not find that question any more.');
  // The question goes to mentors under the clicker's name: only its asker may send it.
  if (log.platform !== actor.platform || log.user_id !== actor.userId) {
    throw new Refusal('Only the person who asked can pass this question to a mentor. Ask it yourself with `/faq`, then use `Ask a mentor` on your answer.');
  }
  const memberships = (await membershipsOf(deps.db, actor.platform, actor.userId)).filter((m) => m.member.role === 'learner');
  const cohort = memberships.find((m) => m.cohort.id === log.cohort_id)?.cohort ?? memberships[0]?.cohort;
  if (!cohort) return privately("You're not in a cohort, so there is no mentor to ask. The question stays logged for the curators.");
  const mentors = await deps.db.selectFrom('members').selectAll().where('cohort_id', '=', cohort.id).where('role', '=', 'mentor').where('removed_at', 'is', null).execute();
  if (mentors.length === 0) return privately(`**${cohort.name}** has no mentor yet. The question stays logged for the curators.`);
  const now = deps.clock.now();
  const seen = log.feedback === 'not_helpful' && log.matched_id ? deps.faq.byId(log.matched_id) : null;
  const text =
    `${actor.displayName} in **${cohort.name}** ${whyAsked(deps, log)}:\n> ${log.question}` +
    (seen ? `\nThey marked this answer not helpful: **${seen.question}**` : '') +
    '\nAnswer it here: they get your answer by DM, and the next learner who asks gets it too.';
  await deps.db.transaction().execute(async (trx) => {
    for (const mentor of mentors) {
      await enqueue(trx, {
        key: `faq-ping:${log.id}:${mentor.id}`,
        kind: 'notice',
        platform: cohort.platform,
        cohortId: cohort.id,
        targetKind: 'user',
        targetId: mentor.user_id,
        message: { text, buttons: [{ action: 'faq.answer', label: 'Answer', value: String(log.id), style: 'primary' }] },
        availableAt: now,
      });
    }
  });
  return privately(`I've passed your question to ${mentors.length === 1 ? 'your mentor' : `the ${mentors.length} mentors of **${cohort.name}**`}.`);
}

export const ANSWER_MAX = 3000;

function mentorAnswerText(question: string, a: MentorAnswer): string {
  return `_Answered by a mentor, not yet curated_ (${a.mentorName}, ${a.answeredAt.toISOString().slice(0, 10)})\n> ${question.trim()}\n\n${a.answer}`;
}

async function answerableLog(deps: CoreDeps, actor: Actor, value: string) {
  const log = /^\d+$/.test(value) ? await deps.db.selectFrom('faq_questions').selectAll().where('id', '=', Number(value)).executeTakeFirst() : undefined;
  if (!log) throw new Refusal('I could not find that question any more.');
  const cohort = log.cohort_id === null ? null : ((await cohortById(deps.db, log.cohort_id)) ?? null);
  if (!permits(await standingIn(deps.db, deps.admins, actor, cohort), 'see-cohort')) throw new Refusal("Only a mentor of the learner's cohort can answer this question.");
  return log;
}

/**
 * `Answer` on a question passed to a mentor: the form to write the answer in. Once answered (by
 * them or another mentor), the form holds that answer, to change rather than to answer twice.
 */
export async function openAnswerForm(deps: CoreDeps, actor: Actor, value: string): Promise<Reply> {
  const log = await answerableLog(deps, actor, value);
  const given = await answerTo(deps.db, log.id);
  const label = given ? `${given.mentorName} answered on ${given.answeredAt.toISOString().slice(0, 10)}; change it?` : log.question;
  return {
    kind: 'form',
    form: {
      id: 'faq-answer',
      title: given ? 'Change the answer' : 'Answer a question',
      submitLabel: 'Send',
      state: String(log.id),
      fields: [
        {
          id: 'answer',
          label: truncate(label, 45),
          kind: 'textarea',
          optional: false,
          placeholder: 'Your answer, in a few sentences',
          maxLength: ANSWER_MAX,
          ...(given ? { initial: given.answer } : {}),
        },
      ],
    },
  };
}

/** A mentor's answer: stored for the next asker, and sent to the learner by DM with the mentor's name. */
export async function submitMentorAnswer(deps: CoreDeps, actor: Actor, state: string, answer: string | undefined): Promise<Reply> {
  const log = await answerableLog(deps, actor, state);
  const text = (answer ?? '').trim();
  if (!text) return { kind: 'form-errors', errors: { answer: 'Write an answer before sending.' }, message: { text: 'Write an answer before sending.', private: true } };
  if (text.length > ANSWER_MAX) return { kind: 'form-errors', errors: { answer: `At most ${ANSWER_MAX} characters.` }, message: { text: `At most ${ANSWER_MAX} characters.`, private: true } };
  const now = deps.clock.now();
  const given = await answerTo(deps.db, log.id);
  if (given && given.answer === text) return privately(`${given.mentorName} already sent that answer on ${given.answeredAt.toISOString().slice(0, 10)}; nothing changed.`);
  await deps.db.transaction().execute(async (trx) => {
    const answerId = await storeMentorAnswer(trx, { questionId: log.id, normalized: normalizeQuestion(log.question), answer: text, mentorUserId: actor.userId, mentorName: actor.displayName, now });
    if (log.user_id) {
      const heading = given ? `**${actor.displayName}** changed the answer to your question (it replaces the one from ${given.mentorName}):` : `**${actor.displayName}** answered your question:`;
      await enqueue(trx, {
        key: `faq-answer:${log.id}:${answerId}`,
        kind: 'notice',
        platform: log.platform as Actor['platform'],
        ...(log.cohort_id !== null ? { cohortId: log.cohort_id } : {}),
        targetKind: 'user',
        targetId: log.user_id,
        message: { text: `${heading}\n> ${log.question}\n\n${text}` },
        availableAt: now,
      });
    }
  });
  if (given) return privately(log.user_id ? 'Changed, and sent: the learner gets your new answer, and so does the next learner who asks this.' : 'Changed: the next learner who asks this gets your new answer.');
  return privately(log.user_id ? 'Sent, and stored: the next learner who asks this gets your answer too.' : 'Stored: the next learner who asks this gets your answer.');
}
