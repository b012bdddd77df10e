import type { Program } from '../../content/types.js';
import type { CheckinStatus, Cohort, Member, Platform, Round } from '../../db/types.js';
import { BadEvidenceUrl, parseEvidenceUrl, type EvidenceUrl } from '../evidence/url.js';
import { linkFromForm } from './evidence.js';
import { CHECKIN_STATUSES, type Actor, type FormSpec, type FormValues, type Place, type Reply } from '../chat.js';
import { completedMilestones, currentCheckin, recordCheckin, recordClick, type CheckinInput, type CheckinOutcome } from '../checkins.js';
import type { CoreDeps } from '../core.js';
import { askAndLog } from '../faq/log.js';
import { milestoneOf, STATUS_LABEL } from '../messages/rounds.js';
import { latestPostedRound, learnerMilestone } from '../rounds.js';
import { learnerMembership } from './access.js';
import { privately, Refusal } from './reply.js';

interface Target {
  cohort: Cohort;
  member: Member;
  round: Round;
  program: Program;
}

function programOf(deps: CoreDeps, cohort: Cohort): Program {
  const program = deps.content.programs.get(cohort.program_id);
  if (!program) throw new Refusal(`The program "${cohort.program_id}" of **${cohort.name}** is missing from the content; tell an organizer.`);
  return program;
}

/** The round a learner answers from a command: their cohort's latest. */
async function currentTarget(deps: CoreDeps, actor: Actor, place: Place): Promise<Target> {
  const { cohort, member } = await learnerMembership(deps, actor, place);
  const round = await latestPostedRound(deps.db, cohort.id);
  if (!round) {
    const when = cohort.status === 'active' ? ' It opens at the first check-in slot; I will post it in the channel.' : '';
    throw new Refusal(`**${cohort.name}** has no open round yet, so there is nothing to check in to.${when}`);
  }
  return { cohort, member, round, program: programOf(deps, cohort) };
}

const NO_ROUND = 'That check-in no longer exists. Use `/checkin` for the current one.';
const notAMember = (cohort: string) => `You're not in **${cohort}**. Join with \`/cohort join\` in its channel to check in.`;
const aMentor = (cohort: string) => `You're a mentor of **${cohort}**; only learners check in. \`/cohort status\` shows who has.`;

/** The round a button or form names; the clicker must be a learner of its cohort. */
/** A button's round with its cohort and the clicker's membership, in one query: clicks are the hot path. */
async function roundTarget(deps: CoreDeps, actor: Actor, roundId: number): Promise<Target> {
  const row = await deps.db
    .selectFrom('rounds as r')
    .innerJoin('cohorts as c', 'c.id', 'r.cohort_id')
    .leftJoin('members as m', (join) => join.onRef('m.cohort_id', '=', 'c.id').on('m.user_id', '=', actor.userId).on('m.removed_at', 'is', null))
    .selectAll('c')
    .select([
      'r.id as r_id',
      'r.week as r_week',
      'r.milestone_id as r_milestone_id',
      'r.local_date as r_local_date',
      'r.opens_at as r_opens_at',
      'r.created_at as r_created_at',
      'r.reminded_at as r_reminded_at',
      'r.channel_id as r_channel_id',
      'r.message_id as r_message_id',
      'r.state as r_state',
      'r.not_run_reason as r_not_run_reason',
      'r.offline_since as r_offline_since',
      'r.digest_at as r_digest_at',
      'r.post_version as r_post_version',
      'r.post_count as r_post_count',
      'r.late_cause as r_late_cause',
      'm.id as m_id',
      'm.display_name as m_display_name',
      'm.role as m_role',
      'm.away_until as m_away_until',
      'm.joined_at as m_joined_at',
      'm.left_at as m_left_at',
    ])
    .where('r.id', '=', roundId)
    .executeTakeFirst();
  if (!row) throw new Refusal(NO_ROUND);
  const { r_id, r_week, r_milestone_id, r_local_date, r_opens_at, r_created_at, r_reminded_at, r_channel_id, r_message_id, r_state, r_not_run_reason, r_offline_since, r_digest_at, r_post_version, r_post_count, r_late_cause, m_id, m_display_name, m_role, m_away_until, m_joined_at, m_left_at, ...cohort } = row;
  const round: Round = {
    id: r_id,
    cohort_id: cohort.id,
    week: r_week,
    milestone_id: r_milestone_id,
    local_date: r_local_date,
    opens_at: r_opens_at,
    created_at: r_created_at,
    reminded_at: r_reminded_at,
    channel_id: r_channel_id,
    message_id: r_message_id,
    state: r_state,
    not_run_reason: r_not_run_reason,
    offline_since: r_offline_since,
    digest_at: r_digest_at,
    post_version: r_post_version,
    post_count: r_post_count,
    late_cause: r_late_cause,
  };
  const member: Member | undefined =
    m_id === null
      ? undefined
      : { id: m_id, cohort_id: cohort.id, user_id: actor.userId, display_name: m_display_name!, role: m_role!, away_until: m_away_until, joined_at: m_joined_at!, removed_at: null, erased_at: null, left_at: m_left_at, left_reason: null };
  if (!member) throw new Refusal(notAMember(cohort.name));
  if (member.role !== 'learner') throw new Refusal(aMentor(cohort.name));
  return { cohort, member, round, program: programOf(deps, cohort) };
}

export async function quickCheckin(deps: CoreDeps, actor: Actor, place: Place, status: CheckinStatus, note?: string): Promise<Reply> {
  const target = await currentTarget(deps, actor, place);
  const text = note?.trim();
  // Only what the command names changes: its text is the blocker of a blocked answer, else the note.
  const reply = await save(deps, target, { status, source: 'quick', ...(text ? (status === 'blocked' ? { blocker: text } : { note: text }) : {}) });
  if (status !== 'blocked' || text || reply.kind !== 'message' || !/^(Recorded|Updated):/.test(reply.message.text)) return reply;
  // A blocker is matched against the FAQ and shown to mentors, so one unnamed is worth asking about, once.
  return privately(
    `${reply.message.text}\nWhat is blocking you? Tell me with \`/checkin blocked <what blocks you>\`, or use **Describe the blocker**: I will look for an answer in the FAQ, and your mentor will see it.`,
    [...(reply.message.buttons ?? []), { action: 'checkin.details', label: 'Describe the blocker', value: String(target.round.id) }],
  );
}

export async function buttonCheckin(deps: CoreDeps, actor: Actor, value: string): Promise<Reply> {
  const m = /^(\d+):(on-track|behind|blocked|done)$/.exec(value);
  if (!m) throw new Refusal('That button is out of date. Use `/checkin` instead.');
  const roundId = Number(m[1]);
  const status = m[2] as CheckinStatus;
  // The hot path: one statement reads the round and the membership, records the answer and queues the post's edit.
  const outcome = await recordClick(deps.db, deps.content.programs, { roundId, userId: actor.userId, status }, deps.clock.now());
  switch (outcome.kind) {
    case 'no-round':
      throw new Refusal(NO_ROUND);
    case 'not-member':
      throw new Refusal(notAMember(outcome.cohortName));
    case 'mentor':
      throw new Refusal(aMentor(outcome.cohortName));
    case 'slow':
      return save(deps, await roundTarget(deps, actor, roundId), { status, source: 'button' });
    default: {
      const program = deps.content.programs.get(outcome.programId)!;
      const answered = { week: outcome.week, program, cohortId: outcome.cohortId, cohortName: outcome.cohortName, platform: outcome.platform, userId: actor.userId };
      return (await answerReply(deps, answered, outcome)).reply;
    }
  }
}

const finishedText = (cohort: string) => `**${cohort}** has finished, so check-ins are closed. \`/progress\` still shows your record.`;

export async function openForm(deps: CoreDeps, actor: Actor, place: Place, roundId?: number): Promise<Reply> {
  const target = roundId === undefined ? await currentTarget(deps, actor, place) : await roundTarget(deps, actor, roundId);
  if (target.cohort.status === 'finished') return privately(finishedText(target.cohort.name));
  const { round, program, member } = target;
  const existing = await currentCheckin(deps.db, round.id, member.id);
  const completions = await completedMilestones(deps.db, member.id);
  // Milestones this answer ticked stay in the form, ticked, so they can be unticked.
  const mine = new Set(completions.filter((c) => existing && c.checkinId === existing.id).map((c) => c.milestoneId));
  const done = new Set(completions.filter((c) => !mine.has(c.milestoneId)).map((c) => c.milestoneId));
  const milestone = milestoneOf(program, learnerMilestone(program, round.milestone_id, done));
  const form: FormSpec = {
    id: 'checkin',
    title: `Week ${round.week} check-in`,
    submitLabel: 'Save',
    state: String(round.id),
    fields: [
      {
        id: 'status',
        label: `How is ${milestone?.title ?? 'this week'} going?`,
        kind: 'select',
        options: CHECKIN_STATUSES.map((s) => ({ value: s, label: STATUS_LABEL[s] })),
        initial: existing?.status,
        optional: false,
      },
      {
        id: 'milestones',
        label: 'Milestones completed',
        kind: 'multiselect',
        options: program.milestones.filter((m) => !done.has(m.id)).map((m) => ({ value: m.id, label: `${m.title} (due week ${m.week})` })),
        initial: mine.size > 0 ? [...mine] : undefined,
        optional: true,
      },
      {
        id: 'confidence',
        label: 'Confidence (1 = lost, 5 = could teach it)',
        kind: 'select',
        options: ['1', '2', '3', '4', '5'].map((v) => ({ value: v, label: v })),
        initial: existing?.confidence ? String(existing.confidence) : undefined,
        optional: true,
      },
      { id: 'blocker', label: 'Blocker', kind: 'text', initial: existing?.blocker ?? undefined, optional: true, placeholder: 'What is stopping you, if anything?', maxLength: 500 },
      { id: 'note', label: 'Note', kind: 'textarea', initial: existing?.note ?? undefined, optional: true, placeholder: 'Anything your mentor should know', maxLength: 2000 },
      { id: 'link', label: 'Link to your work (checked as evidence)', kind: 'text', optional: true, placeholder: 'https://github.com/you/your-repo', maxLength: 500 },
    ],
  };
  if (form.fields[1]!.options!.length === 0) form.fields.splice(1, 1);
  return { kind: 'form', form };
}

export class FormInvalid extends Refusal {
  constructor(readonly fieldErrors: Partial<Record<keyof FormValues, string>>) {
    super(Object.values(fieldErrors).join('\n'));
  }
}

export async function submitCheckinForm(deps: CoreDeps, actor: Actor, state: string, values: FormValues): Promise<Reply> {
  if (!/^\d+$/.test(state)) throw new Refusal('That form is out of date. Use `/checkin` to open a fresh one.');
  const target = await roundTarget(deps, actor, Number(state));
  const errors: Partial<Record<keyof FormValues, string>> = {};
  const status = values.status?.trim().toLowerCase();
  if (!status || !(CHECKIN_STATUSES as readonly string[]).includes(status)) errors.status = 'Status must be one of on-track, behind, blocked or done.';
  const confidenceText = values.confidence?.trim();
  const confidence = confidenceText ? Number(confidenceText) : null;
  if (confidenceText && !(Number.isInteger(confidence) && confidence! >= 1 && confidence! <= 5)) errors.confidence = 'Confidence must be a whole number from 1 to 5.';
  const known = new Set(target.program.milestones.map((m) => m.id));
  const unknown = (values.milestones ?? []).filter((m) => !known.has(m));
  if (unknown.length > 0) errors.milestones = `Unknown milestone${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}.`;
  if (Object.keys(errors).length > 0) throw new FormInvalid(errors);
  // A bad link never costs the learner their answer: the check-in is saved and the reply says why the link was not.
  let link: EvidenceUrl | null = null;
  let linkProblem: string | null = null;
  if (values.link?.trim()) {
    try {
      link = parseEvidenceUrl(values.link);
    } catch (err) {
      if (!(err instanceof BadEvidenceUrl)) throw err;
      linkProblem = err.message;
    }
  }
  const { reply, milestoneId } = await saveAnswer(deps, target, { status: status as CheckinStatus, confidence, blocker: values.blocker ?? null, note: values.note ?? null, milestones: values.milestones ?? [], source: 'form' });
  if (reply.kind !== 'message') return reply;
  let checking: string | null = null;
  if (linkProblem) checking = `Your link was not attached: ${linkProblem} Link your work with \`/evidence <url>\`.`;
  else if (link) {
    const form = { ticked: values.milestones ?? [], answeredFor: milestoneId ?? target.round.milestone_id };
    checking = await linkFromForm(deps.db, target.member.id, target.program, form, link, actor, deps.clock.now());
  }
  if (!checking) return reply;
  return { ...reply, message: { ...reply.message, text: `${reply.message.text}\n${checking}` } };
}

async function save(deps: CoreDeps, target: Target, input: CheckinInput): Promise<Reply> {
  return (await saveAnswer(deps, target, input)).reply;
}

/** The reply, and the milestone the answer was about when it was recorded. */
async function saveAnswer(deps: CoreDeps, target: Target, input: CheckinInput): Promise<{ reply: Reply; milestoneId: string | null }> {
  const { round, program, cohort, member } = target;
  const outcome = await recordCheckin(deps.db, target, input, deps.clock.now());
  return answerReply(deps, { week: round.week, program, cohortId: cohort.id, cohortName: cohort.name, platform: cohort.platform, userId: member.user_id }, outcome);
}

/** What an answer was given to: enough to word the reply. */
interface Answered {
  week: number;
  program: Program;
  cohortId: number;
  cohortName: string;
  platform: Platform;
  userId: string;
}

async function answerReply(deps: CoreDeps, answered: Answered, outcome: CheckinOutcome): Promise<{ reply: Reply; milestoneId: string | null }> {
  const now = deps.clock.now();
  const { program } = answered;
  const round = { week: answered.week };
  const cohort = { id: answered.cohortId, name: answered.cohortName, platform: answered.platform };
  if (outcome.kind === 'finished') return { reply: privately(finishedText(cohort.name)), milestoneId: null };
  if (outcome.kind === 'closed') {
    const closed =
      `Week ${round.week} closed ${outcome.nextWeek === null ? 'when the program ended' : `when week ${outcome.nextWeek} opened`}, so your answer (**${STATUS_LABEL[outcome.existing.status]}**) stays as it was.` +
      (outcome.nextWeek === null ? '' : ' Use `/checkin` for this week.');
    return { reply: privately(closed), milestoneId: null };
  }
  const milestone = milestoneOf(program, outcome.milestoneId);
  if (outcome.kind === 'unchanged') {
    return {
      milestoneId: outcome.milestoneId,
      reply: privately(`Already recorded: **${STATUS_LABEL[outcome.checkin.status]}** for week ${round.week} (${milestone?.title ?? outcome.milestoneId}). Nothing changed.`),
    };
  }
  const lines = [
    `${outcome.edited ? 'Updated' : 'Recorded'}: **${STATUS_LABEL[outcome.checkin.status]}** for week ${round.week} (${milestone?.title ?? outcome.milestoneId})` +
      (outcome.late ? ', marked late because the next round had already opened.' : '.'),
  ];
  if (outcome.completed.length > 0) {
    lines.push(`Milestone done: ${outcome.completed.map((id) => `**${milestoneOf(program, id)?.title ?? id}**`).join(', ')}. Well done!`);
  }
  if (outcome.undone.length > 0) {
    lines.push(`No longer marked done: ${outcome.undone.map((id) => `**${milestoneOf(program, id)?.title ?? id}**`).join(', ')}.`);
  }
  if (!outcome.late) {
    if (outcome.nextWeek === null) lines.push(round.week >= program.weeks.length ? 'This is the last week of the program; you can still change this answer with `/checkin`.' : `You can change it until week ${round.week + 1} opens.`);
  }
  const blocker = outcome.checkin.blocker;
  if (blocker) {
    const match = await askAndLog(deps.db, deps.faq, { question: blocker, platform: cohort.platform, userId: answered.userId, cohortId: cohort.id, via: 'checkin', now });
    if (match.answered && match.id) {
      lines.push(`Your mentor can see your blocker. Meanwhile this might help: **${match.question}**`);
      return { milestoneId: outcome.milestoneId, reply: privately(lines.join('\n'), [{ action: 'faq.show', label: 'Show the answer', value: match.id }]) };
    }
    lines.push('Your mentor can see your blocker.');
  }
  return { milestoneId: outcome.milestoneId, reply: privately(lines.join('\n')) };
}
