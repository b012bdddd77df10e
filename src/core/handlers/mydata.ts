import type { Actor, Place, Reply } from '../chat.js';
import type { CoreDeps } from '../core.js';
import { dayText } from '../dates.js';
import { describeErasure, eraseLearner, nothingErased } from '../erase-learner.js';
import { enqueueWithFiles } from '../attachments.js';
import { plural } from '../messages/progress.js';
import { collectLearnerData, isEmpty, learnerDataFiles, type LearnerData } from '../learner-data.js';
import { privately, Refusal } from './reply.js';

/** Lines of each kind shown in chat; Download has all of them. */
const SHOWN = 8;

function listed<T>(title: string, items: readonly T[], line: (item: T) => string): string[] {
  if (items.length === 0) return [];
  const shown = items.slice(-SHOWN).map((i) => `• ${line(i)}`);
  const more = items.length > SHOWN ? [`• …and ${items.length - SHOWN} earlier, in the download`] : [];
  return [`**${title}** (${items.length})`, ...more, ...shown];
}

const quote = (text: string) => `“${text.length > 120 ? `${text.slice(0, 117)}…` : text}”`;

export function myDataText(data: LearnerData): string {
  const lines = [
    '**What I keep about you** (only you see this)',
    ...listed('Cohorts', data.cohorts, (c) => `${c.cohort}: ${c.role} since ${dayText(c.joined_at)}${c.left_at ? `, left ${dayText(c.left_at)}` : ''}`),
    ...listed('Check-ins', data.checkins, (c) =>
      [
        `${c.cohort}, week ${c.week}: ${c.status}`,
        c.confidence !== null ? `confidence ${c.confidence}` : null,
        c.blocker ? `blocker ${quote(c.blocker)}` : null,
        c.note ? `note ${quote(c.note)}` : null,
        c.late ? 'late' : null,
        c.versions.length > 1 ? `edited ${c.versions.length - 1}×` : null,
      ]
        .filter(Boolean)
        .join(' · '),
    ),
    ...listed('Milestones completed', data.milestones_completed, (m) => `${m.cohort}: ${m.milestone}, ${dayText(m.completed_at)}`),
    ...listed('Breaks', data.breaks, (b) => `${b.cohort}: from ${dayText(b.from)}, back ${dayText(b.back_on)}`),
    ...listed('Linked work', data.evidence, (l) => `${l.cohort}: ${l.milestone} · ${l.url} · ${l.state}`),
    ...listed('Stall flags about you', data.flags, (f) =>
      `${f.cohort}: raised ${dayText(f.opened_at)}, ${f.resolved_at ? `resolved${f.resolution ? ` (${f.resolution})` : ''} ${dayText(f.resolved_at)}` : f.state}${f.reasons.length ? `: ${f.reasons.join('; ')}` : ''}`,
    ),
    ...listed('FAQ questions you asked', data.faq_questions, (q) => `${quote(q.question)}, ${dayText(q.asked_at)}${q.answered ? '' : ' (no curated answer)'}`),
    '',
    '`Download` sends you all of it by DM as a JSON and a CSV file (every edit of every check-in). `/mydata delete` erases it.',
  ];
  return lines.join('\n');
}

/** `/mydata`: the learner's own data, privately, with Download and Delete. */
export async function showMyData(deps: CoreDeps, actor: Actor): Promise<Reply> {
  const data = await collectLearnerData(deps.db, actor, deps.clock.now());
  if (isEmpty(data)) return privately("I keep nothing about you: you're in no cohort and have asked no FAQ question.");
  return privately(myDataText(data), [
    { action: 'mydata.download', label: 'Download', value: actor.userId, style: 'primary' },
    { action: 'mydata.delete', label: 'Delete my data…', value: `${actor.userId}:ask`, style: 'danger' },
  ]);
}

/** `/mydata delete`: what will go, and the one button that does it. */
export async function askDelete(deps: CoreDeps, actor: Actor): Promise<Reply> {
  const data = await collectLearnerData(deps.db, actor, deps.clock.now());
  if (isEmpty(data)) return privately('I keep nothing about you, so there is nothing to delete.');
  const learnerIn = data.cohorts.filter((c) => c.role === 'learner' && !c.left_at).map((c) => `**${c.cohort}**`);
  return privately(
    [
      `This erases your ${plural(data.checkins.length, 'check-in')} (notes, blockers, confidence and every edit), ${plural(data.breaks.length, 'break')}, ${plural(data.evidence.length, 'evidence link')} and ${plural(data.faq_questions.length, 'FAQ question')}, and closes the stall flags about you.`,
      learnerIn.length > 0 ? `You also leave ${learnerIn.join(', ')}; \`/cohort join\` would start afresh.` : null,
      'The cohort keeps only anonymous counts (how many answered each week). Nobody, organizers included, can undo this. `Download` first if you want a copy.',
    ]
      .filter(Boolean)
      .join('\n'),
    [
      { action: 'mydata.delete', label: 'Yes, delete my data', value: actor.userId, style: 'danger' },
      { action: 'mydata.download', label: 'Download', value: actor.userId },
    ],
  );
}

function ownButton(actor: Actor, value: string): void {
  if (value.split(':')[0] !== actor.userId) throw new Refusal('That button belongs to someone else\'s `/mydata`. Type `/mydata` to see your own.');
}

/** The `Delete my data…` and `Yes, delete my data` buttons. */
export async function deleteMyData(deps: CoreDeps, actor: Actor, value: string): Promise<Reply> {
  ownButton(actor, value);
  if (value.endsWith(':ask')) return askDelete(deps, actor);
  const summary = await eraseLearner(deps.db, deps.content, actor, deps.clock.now(), { platform: actor.platform, userId: 'self', displayName: 'the learner themselves' }, { renderer: deps.renderer });
  if (nothingErased(summary)) return privately('Your data is already deleted: I keep nothing about you.');
  const lines = [
    `Deleted: ${describeErasure(summary)}.`,
    summary.cohorts.length > 0 ? `You have left ${summary.cohorts.map((c) => `**${c}**`).join(', ')}; its figures keep only anonymous counts.` : null,
    summary.mentoring.length > 0 ? `You are still a mentor of ${summary.mentoring.map((c) => `**${c}**`).join(', ')}; an organizer can remove you.` : null,
  ];
  return privately(lines.filter(Boolean).join('\n'));
}

/** The `Download` button: one DM per click, carrying the two files of `learnerDataFiles` through the outbox. */
export async function downloadMyData(deps: CoreDeps, actor: Actor, place: Place, value: string): Promise<Reply> {
  ownButton(actor, value);
  const now = deps.clock.now();
  // One DM per click: a double click on the same message within a minute sends one.
  const click = `${place.messageId ?? place.channelId}:${Math.floor(now.getTime() / 60_000)}`;
  const files = (await learnerDataFiles(deps.db, actor, now)).map((f) => ({ name: f.name, contentType: f.contentType, bytes: f.data }));
  const queued = await enqueueWithFiles(deps.db, [
    {
      key: `mydata:${actor.platform}:${actor.userId}:${click}`,
      kind: 'mydata',
      platform: actor.platform,
      targetKind: 'user',
      targetId: actor.userId,
      message: { text: `Everything I keep about you, as of ${dayText(now)}: a JSON file with all of it and a CSV of your check-ins with every edit.` },
      availableAt: now,
      files,
    },
  ]);
  return privately(queued.size > 0 ? 'On its way: I’m sending you a DM with two files (JSON and CSV).' : 'Already on its way: check your DMs.');
}
