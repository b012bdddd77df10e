import type { Program } from '../../content/types.js';
import type { Cohort, Member } from '../../db/types.js';
import type { CoreDeps } from '../core.js';
import { recordsOf } from '../learner-data.js';

export interface LearnerPage {
  member: Member;
  cohort: Cohort;
  program: Program | null;
  record: Awaited<ReturnType<typeof recordsOf>>;
}

/** The member a learner page is about, with their cohort: what the caller authorizes against. */
export async function learnerOf(deps: Pick<CoreDeps, 'db'>, memberId: number): Promise<{ member: Member; cohort: Cohort } | null> {
  if (!Number.isSafeInteger(memberId)) return null;
  const member = await deps.db.selectFrom('members').selectAll().where('id', '=', memberId).where('role', '=', 'learner').executeTakeFirst();
  if (!member) return null;
  const cohort = await deps.db.selectFrom('cohorts').selectAll().where('id', '=', member.cohort_id).executeTakeFirstOrThrow();
  return { member, cohort };
}

/** One learner's whole story in a cohort, as `/mydata` keeps it: every check-in and its edits, breaks, linked work, flags. */
export async function learnerPage(deps: CoreDeps, found: { member: Member; cohort: Cohort }): Promise<LearnerPage> {
  return { ...found, program: deps.content.programs.get(found.cohort.program_id) ?? null, record: await recordsOf(deps.db, [found.member.id]) };
}
