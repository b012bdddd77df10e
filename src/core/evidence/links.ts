import type { EvidenceCheck } from '../../content/types.js';
import type { EvidenceCheckResult, EvidenceState } from '../../db/types.js';
import type { Executor } from '../outbox.js';
import { MAX_TRIES, retryWhy, type RetryWhy } from './retry.js';

export interface LinkRow {
  id: number;
  memberId: number;
  milestoneId: string;
  url: string;
  kind: string;
  state: EvidenceState;
  results: EvidenceCheckResult[];
  checkedAt: Date | null;
  verifiedAt: Date | null;
  lastCommitAt: Date | null;
  /** Why the last check could not be made, while it waits for another try; null once one was made. */
  retrying: RetryWhy | null;
  /** When the next check is due. */
  nextCheckAt: Date | null;
  /** The check found the service unreachable MAX_TRIES times: the link counts as self-reported. */
  gaveUp: boolean;
}

/** Every link of some members (or one member's links for one milestone), oldest first. */
export async function linksOf(db: Executor, memberIds: readonly number[], milestoneId?: string): Promise<LinkRow[]> {
  if (memberIds.length === 0) return [];
  let q = db
    .selectFrom('evidence_links')
    .select(['id', 'member_id', 'milestone_id', 'url', 'kind', 'state', 'results', 'checked_at', 'verified_at', 'last_commit_at', 'attempts', 'retry_reason', 'check_due_at'])
    .where('member_id', 'in', [...memberIds]);
  if (milestoneId !== undefined) q = q.where('milestone_id', '=', milestoneId);
  const rows = await q.orderBy('id').execute();
  return rows.map((r) => ({
    id: r.id,
    memberId: r.member_id,
    milestoneId: r.milestone_id,
    url: r.url,
    kind: r.kind,
    state: r.state,
    results: r.results,
    checkedAt: r.checked_at ? new Date(r.checked_at) : null,
    verifiedAt: r.verified_at ? new Date(r.verified_at) : null,
    lastCommitAt: r.last_commit_at ? new Date(r.last_commit_at) : null,
    retrying: retryWhy(r.retry_reason),
    nextCheckAt: r.check_due_at ? new Date(r.check_due_at) : null,
    gaveUp: r.attempts >= MAX_TRIES,
  }));
}

export async function linkedWork(db: Executor, memberId: number, milestoneId: string): Promise<LinkRow[]> {
  return linksOf(db, [memberId], milestoneId);
}

/** Which milestones each member has verified: every check of the milestone passed on one of its links. */
export function verifiedMilestones(
  milestones: ReadonlyArray<{ id: string; evidence?: readonly EvidenceCheck[] }>,
  links: readonly LinkRow[],
): Map<number, Set<string>> {
  const out = new Map<number, Set<string>>();
  for (const m of milestones) {
    const checks = m.evidence ?? [];
    if (checks.length === 0) continue;
    const byMember = new Map<number, LinkRow[]>();
    for (const l of links) {
      if (l.milestoneId !== m.id) continue;
      if (!byMember.has(l.memberId)) byMember.set(l.memberId, []);
      byMember.get(l.memberId)!.push(l);
    }
    for (const [memberId, own] of byMember) {
      if (!milestoneVerifiedBy(checks.length, own)) continue;
      if (!out.has(memberId)) out.set(memberId, new Set());
      out.get(memberId)!.add(m.id);
    }
  }
  return out;
}

function milestoneVerifiedBy(count: number, links: readonly LinkRow[]): boolean {
  const passed = new Set<number>();
  for (const l of links) if (l.state === 'verified') for (const r of l.results) if (r.ok && r.index !== undefined) passed.add(r.index);
  for (let i = 0; i < count; i++) if (!passed.has(i)) return false;
  return true;
}
