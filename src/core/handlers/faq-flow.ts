import type { Actor, Button, OutMessage, Place, Reply } from '../chat.js';
import type { CoreDeps } from '../core.js';
import { liveIntent } from '../faq/live-intent.js';
import { askAndLog, recordFeedback } from '../faq/log.js';
import { mentorAnswerFor, storeAliasCandidate, storeMentorAnswer, type MentorAnswer } from '../faq/mentor-answers.js';
import { normalizeQuestion } from '../faq/normalize.js';
import { suggestionsFor, type Suggestion } from '../faq/suggest.js';
import type { FaqResult } from '../faq/types.js';
import type { FaqVia } from '../../db/types.js';
import { cohortByChannel, membershipsOf } from '../members.js';
import { enqueue } from '../outbox.js';
import { liveAnswer } from './live-answers.js';
import { privately, Refusal } from './reply.js';

/** What a question with nothing to go on gets: a nudge and an example, never a guess. */
export const FULLER_QUESTION = 'Ask me a fuller question, in a sentence, for example: _how long does the move from data science to ML engineering take?_';

export function answerMessage(result: FaqResult, logId: number | null, isPrivate: boolean, suggestions: Suggestion[] = []): OutMessage {
  if (result.tooVague) return { text: FULLER_QUESTION, private: isPrivate };
  if (!result.answered) {
    // The log id lets a choice teach the FAQ this phrasing (an alias candidate).
    const buttons: Button[] = suggestions.map((s) => ({ action: 'faq.show', label: truncate(s.question, 70), value: logId === null ? s.id : `${s.id}:${logId}` }));
    if (logId !== null) buttons.push({ action: 'faq.ping-mentor', label: 'Ask a mentor', value: String(logId) });
    return {
      text:
        "I don't have a curated answer for that yet. I've logged the question for the people who write the FAQ." +
        (suggestions.length > 0 ? ' Did you mean one of these? Or a mentor can pick it up.' : ' Want a mentor to pick it up?'),
      buttons,
      private: isPrivate,
    };
  }
  const lines = [`**${result.question}**`, '', result.answer!.trim()];
  if (result.sources.length > 0) lines.push('', `_Sources:_ ${result.sources.join('; ')}`);
  const buttons: Button[] = [];
  if (logId !== null) {
    buttons.push({ action: 'faq.helpful', label: 'Helpful', value: String(logId), style: 'primary' }, { action: 'faq.unhelpful', label: 'Not helpful', value: String(logId) });
  }
  result.relatedIds.forEach((id, i) => buttons.push({ action: 'faq.show', label: truncate(result.related[i] ?? id, 70), value: id }));
  return { text: lines.join('\n'), buttons, private: isPrivate };
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
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

export async function showEntry(deps: CoreDeps, value: string): Promise<Reply> {
  const [id, logId] = value.split(':');
  const result = deps.faq.byId(id!);
  if (!result) throw new Refusal('That FAQ entry is no longer there. Try `/faq` with your question.');
  const log = logId && /^\d+$/.test(logId) ? await deps.db.selectFrom('faq_questions').select('question').where('id', '=', Number(logId)).executeTakeFirst() : undefined;
  if (log) await storeAliasCandidate(deps.db, id!, log.question, deps.clock.now());
  return { kind: 'message', message: answerMessage(result, null, true) };
}

export async function feedback(deps: CoreDeps, value: string, helpful: boolean): Promise<Reply> {
  const ok = /^\d+$/.test(value) && (await recordFeedback(deps.db, Number(value), helpful ? 'helpful' : 'not_helpful', deps.clock.now()));
  if (!ok) throw new Refusal('I could not find that question any more; nothing was recorded.');
  return privately(helpful ? 'Thanks, glad it helped.' : "Thanks for telling me. I've flagged the answer for the curators; `Ask a mentor` is there if you still need help.", helpful ? [] : [{ action: 'faq.ping-mentor', label: 'Ask a mentor', value }]);
}

export async function pingMentor(deps: CoreDeps, actor: Actor, value: string): Promise<Reply> {
  const log = /^\d+$/.test(value) ? await deps.db.selectFrom('faq_questions').selectAll().where('id', '=', Number(value)).executeTakeFirst() : undefined;
  if (!log) throw new Refusal('I could not find that question any more.');
  const memberships = (await membershipsOf(deps.db, actor.platform, actor.userId)).filter((m) => m.member.role === 'learner');
  const cohort = memberships.find((m) => m.cohort.id === log.cohort_id)?.cohort ?? memberships[0]?.cohort;
  if (!cohort) return privately("You're not in a cohort, so there is no mentor to ask. The question stays logged for the curators.");
  const mentors = await deps.db.selectFrom('members').selectAll().where('cohort_id', '=', cohort.id).where('role', '=', 'mentor').where('removed_at', 'is', null).execute();
  if (mentors.length === 0) return privately(`**${cohort.name}** has no mentor yet. The question stays logged for the curators.`);
  const now = deps.clock.now();
  const seen = log.feedback === 'not_helpful' && log.matched_id ? deps.faq.byId(log.matched_id) : null;
  const text =
    `${actor.displayName} in **${cohort.name}** asked a question the FAQ could not answer:\n> ${log.question}` +
    (seen ? `\nThey marked this answer not helpful: **${seen.question}**` : '') +
    '\nAnswer it here: they get your answer by DM, and the next learner who asks gets it too.';
  await deps.db.transaction().execute(async (trx) => {
    for (const mentor of mentors) {
      await enqueue(trx, {
        key: `faq-ping:${log.id}:${mentor.id}`,
        kind: 'notice',
        platform: cohort.platform,
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
  const mentorOf = (await membershipsOf(deps.db, actor.platform, actor.userId)).some((m) => m.member.role === 'mentor' && m.cohort.id === log.cohort_id);
  if (!mentorOf && !actor.isAdmin) throw new Refusal("Only a mentor of the learner's cohort can answer this question.");
  return log;
}

/** `Answer` on a question passed to a mentor: the form to write the answer in. */
export async function openAnswerForm(deps: CoreDeps, actor: Actor, value: string): Promise<Reply> {
  const log = await answerableLog(deps, actor, value);
  return {
    kind: 'form',
    form: {
      id: 'faq-answer',
      title: 'Answer a question',
      submitLabel: 'Send',
      state: String(log.id),
      fields: [{ id: 'answer', label: truncate(log.question, 45), kind: 'textarea', optional: false, placeholder: 'Your answer, in a few sentences', maxLength: ANSWER_MAX }],
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
  await deps.db.transaction().execute(async (trx) => {
    await storeMentorAnswer(trx, { questionId: log.id, normalized: normalizeQuestion(log.question), answer: text, mentorUserId: actor.userId, mentorName: actor.displayName, now });
    if (log.user_id) {
      await enqueue(trx, {
        key: `faq-answer:${log.id}:${actor.userId}:${now.getTime()}`,
        kind: 'notice',
        platform: log.platform as Actor['platform'],
        targetKind: 'user',
        targetId: log.user_id,
        message: { text: `**${actor.displayName}** answered your question:\n> ${log.question}\n\n${text}` },
        availableAt: now,
      });
    }
  });
  return privately(log.user_id ? 'Sent, and stored: the next learner who asks this gets your answer too.' : 'Stored: the next learner who asks this gets your answer.');
}
