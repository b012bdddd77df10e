import type { Milestone, Program } from '../../content/types.js';
import type { Actor, Place, Reply } from '../chat.js';
import type { CoreDeps } from '../core.js';
import { linksOf, verifiedMilestones } from '../evidence/links.js';
import { BadEvidenceUrl, parseEvidenceUrl, type EvidenceUrl } from '../evidence/url.js';
import { checkingText, EVIDENCE_USAGE, linkListMessage } from '../messages/evidence.js';
import type { Executor } from '../outbox.js';
import { learnerMembership } from './access.js';
import { privately, Refusal } from './reply.js';

/** The milestone a learner is on: this week's round's, or the program's first before any round. */
async function currentMilestone(db: Executor, cohortId: number, program: Program): Promise<Milestone> {
  const round = await db
    .selectFrom('rounds')
    .select('milestone_id')
    .where('cohort_id', '=', cohortId)
    .where('state', '=', 'posted')
    .orderBy('week', 'desc')
    .limit(1)
    .executeTakeFirst();
  const ordered = [...program.milestones].sort((a, b) => a.week - b.week);
  return ordered.find((m) => m.id === round?.milestone_id) ?? ordered[0]!;
}

function programOf(deps: CoreDeps, programId: string): Program {
  const program = deps.content.programs.get(programId);
  if (!program) throw new Refusal(`Your cohort's program "${programId}" is no longer in the bot's content. Ask an organizer.`);
  return program;
}

/** Records a link (or asks for a fresh check of one already there) and queues its check; the result comes by DM. */
export async function linkEvidence(deps: CoreDeps, actor: Actor, place: Place, url: string, milestoneId?: string): Promise<Reply> {
  const now = deps.clock.now();
  const { cohort, member } = await learnerMembership(deps, actor, place);
  const program = programOf(deps, cohort.program_id);
  let link;
  try {
    link = parseEvidenceUrl(url);
  } catch (err) {
    if (err instanceof BadEvidenceUrl) throw new Refusal(err.message, EVIDENCE_USAGE);
    throw err;
  }
  let milestone: Milestone;
  if (milestoneId !== undefined) {
    const found = program.milestones.find((m) => m.id === milestoneId);
    if (!found) throw new Refusal(`"${milestoneId}" is not a milestone of ${program.title}. The milestones are ${program.milestones.map((m) => `\`${m.id}\``).join(', ')}.`, EVIDENCE_USAGE);
    milestone = found;
  } else {
    milestone = await currentMilestone(deps.db, cohort.id, program);
  }
  await recordLink(deps.db, member.id, milestone, link, actor, now);
  return privately(checkingText(link.url, milestone.title, (milestone.evidence ?? []).length > 0));
}

/**
 * A link given in the check-in form goes with the milestones ticked in that same form (the work
 * that finished them), else with the milestone the answer was about. Returns the reply's lines.
 */
export async function linkFromForm(
  db: Executor,
  memberId: number,
  program: Program,
  form: { ticked: readonly string[]; answeredFor: string },
  link: EvidenceUrl,
  actor: Actor,
  now: Date,
): Promise<string | null> {
  const ticked = program.milestones.filter((m) => form.ticked.includes(m.id));
  const milestones = ticked.length > 0 ? ticked : program.milestones.filter((m) => m.id === form.answeredFor);
  const lines: string[] = [];
  for (const milestone of milestones) {
    await recordLink(db, memberId, milestone, link, actor, now);
    lines.push(checkingText(link.url, milestone.title, (milestone.evidence ?? []).length > 0));
  }
  return lines.length > 0 ? lines.join('\n') : null;
}

/** Stores a link (or asks for a fresh check of one already there) and makes its check due now. */
export async function recordLink(db: Executor, memberId: number, milestone: Milestone, link: EvidenceUrl, actor: Actor, now: Date): Promise<void> {
  const hasChecks = (milestone.evidence ?? []).length > 0;
  // A repository link is checked even without checks: its commits feed the no-commits stall reason.
  const due = hasChecks || link.kind === 'repo' ? now : null;
  const notify = hasChecks ? JSON.stringify({ platform: actor.platform, userId: actor.userId }) : null;
  const member = { id: memberId };
  await db
    .insertInto('evidence_links')
    .values({
      member_id: member.id,
      milestone_id: milestone.id,
      url: link.url,
      kind: link.kind,
      owner: link.owner ?? null,
      repo: link.repo ?? null,
      check_due_at: due,
      notify,
      created_at: now,
    })
    .onConflict((oc) =>
      oc.columns(['member_id', 'milestone_id', 'url']).doUpdateSet({ check_due_at: due, notify, claimed_until: null, attempts: 0, retry_told: false }),
    )
    .execute();
}

/** `/evidence` alone: every link of the learner in this cohort, and where its checks stand. */
export async function listEvidence(deps: CoreDeps, actor: Actor, place: Place): Promise<Reply> {
  const { cohort, member } = await learnerMembership(deps, actor, place);
  const program = programOf(deps, cohort.program_id);
  const links = await linksOf(deps.db, [member.id]);
  const verified = verifiedMilestones(program.milestones, links).get(member.id) ?? new Set<string>();
  const title = (id: string) => program.milestones.find((m) => m.id === id)?.title ?? id;
  const checksOf = (id: string) => program.milestones.find((m) => m.id === id)?.evidence ?? [];
  return {
    kind: 'message',
    message: linkListMessage(
      cohort.name,
      links.map((l) => ({
        milestoneTitle: title(l.milestoneId),
        url: l.url,
        state: l.state,
        hasChecks: checksOf(l.milestoneId).length > 0,
        milestoneVerified: verified.has(l.milestoneId),
        checkedAt: l.checkedAt,
        verifiedAt: l.verifiedAt,
        retrying: l.retrying,
        nextCheckAt: l.nextCheckAt,
        gaveUp: l.gaveUp,
        results: l.results,
      })),
      cohort.timezone,
    ),
  };
}
