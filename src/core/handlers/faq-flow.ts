import type { Actor, Button, OutMessage, Place, Reply } from '../chat.js';
import type { CoreDeps } from '../core.js';
import { liveIntent } from '../faq/live-intent.js';
import { askAndLog, recordFeedback } from '../faq/log.js';
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
    const buttons: Button[] = suggestions.map((s) => ({ action: 'faq.show', label: truncate(s.question, 70), value: s.id }));
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
  const cohort = await cohortByChannel(deps.db, actor.platform, place.channelId);
  const result = await askAndLog(deps.db, deps.faq, { question, platform: actor.platform, userId: actor.userId, cohortId: cohort?.id ?? null, via, now: deps.clock.now() });
  return { kind: 'message', message: answerMessage(result, result.logId, isPrivate, suggestionsFor(deps.faq, question, result)) };
}

/** The text of a mention without the bot's own `<@…>` tag. */
export function questionFromMention(text: string): string {
  return text.replace(/<@[!&]?[A-Z0-9]+(?:\|[^>]*)?>/gi, ' ').replace(/\s+/g, ' ').trim();
}

export async function showEntry(deps: CoreDeps, id: string): Promise<Reply> {
  const result = deps.faq.byId(id);
  if (!result) throw new Refusal('That FAQ entry is no longer there. Try `/faq` with your question.');
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
  await deps.db.transaction().execute(async (trx) => {
    for (const mentor of mentors) {
      await enqueue(trx, {
        key: `faq-ping:${log.id}:${mentor.id}`,
        kind: 'notice',
        platform: cohort.platform,
        targetKind: 'user',
        targetId: mentor.user_id,
        message: { text: `${actor.displayName} in **${cohort.name}** asked a question the FAQ could not answer:\n> ${log.question}\nReply to them directly when you can.` },
        availableAt: now,
      });
    }
  });
  return privately(`I've passed your question to ${mentors.length === 1 ? 'your mentor' : `the ${mentors.length} mentors of **${cohort.name}**`}.`);
}
