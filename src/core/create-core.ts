import pLimit from 'p-limit';
import type { ActionId, Actor, FormValues, OutMessage, Place, Reply } from './chat.js';
import { CommandError, type Command, type UserRef } from './commands.js';
import type { Core, CoreDeps } from './core.js';
import { cohortStatusView, progressView } from './progress.js';
import { acknowledgeFlag, resolveFlag } from './stalls/actions.js';
import { stalledView } from './stalls/view.js';
import { channelCohort, learnerMembership, requireMentorOf } from './handlers/access.js';
import { endAway, setAway, showAway } from './handlers/away.js';
import { dashboardLink } from './handlers/dashboard.js';
import { setMe, showMe } from './handlers/me.js';
import { linkEvidence, listEvidence } from './handlers/evidence.js';
import { buttonCheckin, FormInvalid, openForm, quickCheckin, submitCheckinForm } from './handlers/checkin-flow.js';
import { sendCohortReport } from './handlers/cohort-report.js';
import { addMember, createCohort, editSchedule, joinCohort, joinCohortById, mention, removeMember, setPaused, showSchedule, skipDate, unskipDate } from './handlers/cohort-admin.js';
import { ask, feedback, openAnswerForm, pingMentor, questionFromMention, showEntry, submitMentorAnswer } from './handlers/faq-flow.js';
import { askDelete, deleteMyData, downloadMyData, showMyData } from './handlers/mydata.js';
import { privately, Refusal, refusalReply } from './handlers/reply.js';
import { membershipsOf } from './members.js';
import { handlePlatformEvent } from './platform-events.js';
import { rememberProfileZone } from './reminder-schedule.js';
import { isConnectionError } from '../db/errors.js';
import { UncertainCommitError } from '../db/transact.js';

export const MAYBE_SAVED =
  "The database stopped answering just as I was saving that, so I can't confirm it was kept. Send it again once things are back: that is safe, it replaces the same answer rather than adding one.";
export const DATABASE_DOWN = "I couldn't save that right now: the database is not reachable. Nothing was recorded; please try again in a minute.";

/** Turns refusals into the private "what was wrong, how to do it" reply; anything else is a bug and propagates. */
async function guarded(run: () => Promise<Reply>): Promise<Reply> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof FormInvalid) return { kind: 'form-errors', errors: err.fieldErrors, message: { text: err.message, private: true } };
    if (err instanceof Refusal || err instanceof CommandError) return refusalReply(err);
    if (err instanceof UncertainCommitError) return privately(MAYBE_SAVED);
    if (isConnectionError(err)) return privately(DATABASE_DOWN);
    throw err;
  }
}

async function runCommand(deps: CoreDeps, actor: Actor, place: Place, cmd: Command): Promise<Reply> {
  switch (cmd.name) {
    case 'checkin':
      return cmd.status ? quickCheckin(deps, actor, place, cmd.status, cmd.note) : openForm(deps, actor, place);
    case 'faq':
      return ask(deps, actor, place, cmd.question, 'command', true);
    case 'away':
      return setAway(deps, actor, cmd.until);
    case 'away.back':
      return endAway(deps, actor);
    case 'away.show':
      return showAway(deps, actor);
    case 'evidence':
      return linkEvidence(deps, actor, place, cmd.url, cmd.milestone);
    case 'evidence.list':
      return listEvidence(deps, actor, place);
    case 'progress':
      return progress(deps, actor, place, cmd.user);
    case 'stalled':
      return stalledView(deps.db, actor, deps.clock.now(), { admins: deps.admins });
    case 'cohort.create':
      return createCohort(deps, actor, place, cmd);
    case 'cohort.join':
      return joinCohort(deps, actor, place);
    case 'cohort.add':
      return addMember(deps, actor, place, cmd.user, 'learner');
    case 'cohort.mentor':
      return addMember(deps, actor, place, cmd.user, 'mentor');
    case 'cohort.remove':
      return removeMember(deps, actor, place, cmd.user);
    case 'cohort.pause':
      return setPaused(deps, actor, place, true);
    case 'cohort.resume':
      return setPaused(deps, actor, place, false);
    case 'cohort.skip':
      return skipDate(deps, actor, place, cmd.date);
    case 'cohort.unskip':
      return unskipDate(deps, actor, place, cmd.date);
    case 'cohort.edit':
      return editSchedule(deps, actor, place, cmd);
    case 'cohort.schedule':
      return showSchedule(deps, actor, place);
    case 'mydata':
      return showMyData(deps, actor);
    case 'dashboard':
      return dashboardLink(deps, actor);
    case 'me':
      return showMe(deps, actor);
    case 'me.set':
      return setMe(deps, actor, cmd);
    case 'mydata.delete':
      return askDelete(deps, actor);
    case 'cohort.report':
      return sendCohortReport(deps, actor, place);
    case 'cohort.status': {
      const cohort = await channelCohort(deps, actor, place);
      await requireMentorOf(deps, actor, cohort, 'see who has checked in');
      return { kind: 'message', message: await cohortStatusView(deps.db, deps.content, cohort.id, deps.clock.now()) };
    }
  }
}

async function progress(deps: CoreDeps, actor: Actor, place: Place, user: UserRef | undefined): Promise<Reply> {
  const now = deps.clock.now();
  const userId = user?.id;
  if (!userId || userId === actor.userId) {
    const { cohort, member } = await learnerMembership(deps, actor, place);
    return { kind: 'message', message: await progressView(deps.db, deps.content, { cohortId: cohort.id, memberId: member.id, self: true }, now) };
  }
  // A mentor may look at any learner of a cohort they mentor; a learner only at themselves.
  const theirs = (await membershipsOf(deps.db, actor.platform, userId)).filter((m) => m.member.role === 'learner');
  for (const m of theirs) {
    try {
      await requireMentorOf(deps, actor, m.cohort, 'see it');
      return { kind: 'message', message: await progressView(deps.db, deps.content, { cohortId: m.cohort.id, memberId: m.member.id }, now) };
    } catch (err) {
      if (!(err instanceof Refusal)) throw err;
    }
  }
  const mine = await membershipsOf(deps.db, actor.platform, actor.userId);
  if (mine.some((m) => m.member.role === 'mentor')) throw new Refusal(`${mention(user!, actor.platform)} is not a learner in any cohort you mentor.`);
  throw new Refusal('You can see only your own progress: `/progress`. Mentors can look at learners in their cohorts.');
}

async function runAction(deps: CoreDeps, actor: Actor, place: Place, action: ActionId, value: string): Promise<Reply> {
  const now = deps.clock.now();
  switch (action) {
    case 'checkin.status':
      return buttonCheckin(deps, actor, value);
    case 'checkin.details':
      if (!/^\d+$/.test(value)) throw new Refusal('That button is out of date. Use `/checkin` instead.');
      return openForm(deps, actor, place, Number(value));
    case 'flag.ack':
    case 'flag.resolve': {
      const [flagId, origin] = value.split(':');
      const act = action === 'flag.ack' ? acknowledgeFlag : resolveFlag;
      // The clicked alert is updated by the reply itself; the outbox edits only the other copies.
      const clicked = origin === 'list' ? undefined : place.messageId;
      const reply = await act(deps.db, Number(flagId), actor, now, { admins: deps.admins, clickedMessageId: clicked, via: place.via ?? 'chat' });
      if (origin !== 'list' || reply.kind !== 'update') return reply;
      // Clicked in the /stalled list: the list stays, brought up to date, rather than becoming one alert.
      const list = await stalledView(deps.db, actor, now, { admins: deps.admins });
      return list.kind === 'message' ? { kind: 'update', message: list.message, notice: reply.notice } : reply;
    }
    case 'faq.helpful':
      return feedback(deps, value, true);
    case 'faq.unhelpful':
      return feedback(deps, value, false);
    case 'faq.ping-mentor':
      return pingMentor(deps, actor, value);
    case 'faq.show':
      return showEntry(deps, value);
    case 'faq.answer':
      return openAnswerForm(deps, actor, value);
    case 'mydata.download':
      return downloadMyData(deps, actor, place, value);
    case 'mydata.delete':
      return deleteMyData(deps, actor, value);
    case 'cohort.join':
      return joinCohortById(deps, actor, value);
  }
}

async function home(deps: CoreDeps, actor: Actor): Promise<OutMessage> {
  const now = deps.clock.now();
  const memberships = await membershipsOf(deps.db, actor.platform, actor.userId);
  const parts: string[] = [];
  for (const m of memberships.filter((x) => x.member.role === 'learner')) {
    parts.push((await progressView(deps.db, deps.content, { cohortId: m.cohort.id, memberId: m.member.id, self: true }, now)).text);
  }
  const mentoring = memberships.filter((m) => m.member.role === 'mentor');
  if (mentoring.length > 0) {
    const stalled = await stalledView(deps.db, actor, now, { admins: deps.admins });
    if (stalled.kind === 'message') parts.push(stalled.message.text);
    parts.push(`📊 The heatmap of ${mentoring.map((m) => `**${m.cohort.name}**`).join(', ')} comes with every weekly digest; \`/cohort report\` in the cohort's channel sends it to you now.`);
  }
  if (parts.length === 0) parts.push("You're not in a cohort yet. Type `/cohort join` in your cohort's channel, or ask anything with `/faq`.");
  return { text: parts.join('\n\n———\n\n'), private: true };
}

/**
 * Gestures run at most this many at a time: a burst of clicks waits its turn here, with no
 * deadline, instead of in the connection pool, whose wait would time out and tell a learner
 * their check-in failed while the database is fine. Below the pool size, so the scheduler keeps
 * connections of its own.
 */
export const GESTURES_AT_ONCE = 8;

export function createCore(deps: CoreDeps): Core {
  const turn = pLimit(deps.gesturesAtOnce ?? GESTURES_AT_ONCE);
  const gesture = (run: () => Promise<Reply>) => turn(() => guarded(run));
  return {
    deps,
    command: (actor, place, cmd) =>
      gesture(async () => {
        if (actor.profileZone) await rememberProfileZone(deps.db, actor.platform, actor.userId, actor.profileZone, deps.reminderAfterHours, deps.clock.now());
        return runCommand(deps, actor, place, cmd);
      }),
    action: (actor, place, action, value) => gesture(() => runAction(deps, actor, place, action, value)),
    submitForm: (actor, _place, formId, state, values: FormValues) =>
      gesture(() => (formId === 'faq-answer' ? submitMentorAnswer(deps, actor, state, values.answer) : submitCheckinForm(deps, actor, state, values))),
    mention: (actor, place, text) =>
      gesture(async () => {
        const question = questionFromMention(text);
        if (!question) return privately('Ask me a question after the mention, e.g. “@mentorbot how long does the move to ML engineering take?”');
        return ask(deps, actor, place, question, 'mention', false);
      }),
    home: (actor) => turn(() => home(deps, actor)),
    platformEvent: (event) => turn(() => handlePlatformEvent(deps, event)),
  };
}
