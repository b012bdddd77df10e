import type { Content, Milestone } from '../../content/types.js';
import type { Db } from '../../db/connect.js';
import { transact } from '../../db/transact.js';
import type { EvidenceNotify, EvidenceState } from '../../db/types.js';
import { checkResultMessage, gaveUpMessage, retryNoticeMessage } from '../messages/evidence.js';
import { enqueue } from '../outbox.js';
import { milestoneVerified, runChecks } from './run-checks.js';
import { RetryLater, type EvidencePorts } from './ports.js';
import { parseEvidenceUrl } from './url.js';
import { linkedWork } from './links.js';
import { MAX_TRIES, retryDelayMs } from './retry.js';

const MINUTE = 60_000;
/** Linked work is checked again this long after its last check: daily, so the stall scan reads fresh activity. */
export const RECHECK_MS = 24 * 60 * MINUTE;
/** A claimed check that its worker never finished is taken up again after this. */
const CLAIM_MS = 2 * MINUTE;

export interface EvidenceJobResult {
  checked: number;
  retried: number;
}

interface Claimed {
  id: number;
  member_id: number;
  milestone_id: string;
  url: string;
  state: EvidenceState;
  attempts: number;
  notify: EvidenceNotify | null;
  retry_told: boolean;
  program_id: string;
  timezone: string;
}

async function claim(db: Db, now: Date, limit: number): Promise<Claimed[]> {
  return db.transaction().execute(async (trx) => {
    const due = await trx
      .selectFrom('evidence_links')
      .select('id')
      .where('check_due_at', '<=', now)
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
      .orderBy('check_due_at')
      .orderBy('id')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
    if (due.length === 0) return [];
    await trx
      .updateTable('evidence_links')
      .set({ claimed_until: new Date(now.getTime() + CLAIM_MS) })
      .where('id', 'in', due.map((r) => r.id))
      .execute();
    return trx
      .selectFrom('evidence_links as e')
      .innerJoin('members as m', 'm.id', 'e.member_id')
      .innerJoin('cohorts as c', 'c.id', 'm.cohort_id')
      .select(['e.id', 'e.member_id', 'e.milestone_id', 'e.url', 'e.state', 'e.attempts', 'e.notify', 'e.retry_told', 'c.program_id', 'c.timezone'])
      .where('e.id', 'in', due.map((r) => r.id))
      .orderBy('e.id')
      .execute();
  });
}

function milestoneOf(content: Content, programId: string, milestoneId: string): Milestone | undefined {
  return content.programs.get(programId)?.milestones.find((m) => m.id === milestoneId);
}

async function checkOne(db: Db, content: Content, ports: EvidencePorts, row: Claimed, now: Date): Promise<'checked' | 'retried'> {
  const milestone = milestoneOf(content, row.program_id, row.milestone_id);
  const checks = milestone?.evidence ?? [];
  const title = milestone?.title ?? row.milestone_id;
  try {
    const outcome = await runChecks(ports, checks, parseEvidenceUrl(row.url), now);
    const state: EvidenceState = checks.length === 0 ? 'pending' : outcome.verified ? 'verified' : 'not-verified';
    await transact(db, async (trx) => {
      await trx
        .updateTable('evidence_links')
        .set({
          state,
          results: JSON.stringify(outcome.results),
          checked_at: now,
          ...(state === 'verified' ? { verified_at: now } : {}),
          last_commit_at: outcome.lastCommitAt,
          check_due_at: new Date(now.getTime() + RECHECK_MS),
          claimed_until: null,
          attempts: 0,
          retry_reason: null,
          notify: null,
          retry_told: false,
        })
        .where('id', '=', row.id)
        .execute();
      if (row.notify && checks.length > 0) {
        const links = await linkedWork(trx, row.member_id, row.milestone_id);
        await enqueue(trx, {
          key: `evidence:${row.id}:${now.getTime()}`,
          kind: 'evidence',
          platform: row.notify.platform,
          targetKind: 'user',
          targetId: row.notify.userId,
          message: checkResultMessage({
            url: row.url,
            milestoneTitle: title,
            verified: outcome.verified,
            milestoneVerified: milestoneVerified(checks, links),
            results: outcome.results,
            checkedOn: [...new Set(checks.map((c) => (c.type === 'http.get' ? 'web' : 'github') as 'web' | 'github'))],
          }),
          availableAt: now,
        });
      }
    });
    return 'checked';
  } catch (err) {
    const retry = err instanceof RetryLater ? err : new RetryLater('unreachable', null, err instanceof Error ? err.message : String(err));
    // A spent rate limit is GitHub's word on when to come back (never sooner than a minute from now),
    // not a failed try; an unreachable service is, and after MAX_TRIES of them the link waits for the daily re-check.
    const limited = retry.why === 'rate-limit';
    const tries = limited ? row.attempts : row.attempts + 1;
    const exhausted = tries >= MAX_TRIES;
    const at = limited
      ? retry.at && retry.at.getTime() > now.getTime() + MINUTE
        ? retry.at
        : new Date(now.getTime() + MINUTE)
      : new Date(now.getTime() + (exhausted ? RECHECK_MS : retryDelayMs(row.attempts)));
    const asked = row.notify !== null;
    const message = limited
      ? null
      : tries === MAX_TRIES && asked
        ? gaveUpMessage(row.url, title, row.state)
        : !row.retry_told && asked
          ? retryNoticeMessage(row.url, at, row.timezone)
          : null;
    await transact(db, async (trx) => {
      await trx
        .updateTable('evidence_links')
        .set({ check_due_at: at, claimed_until: null, attempts: tries, retry_reason: `${retry.why}: ${retry.message}`.slice(0, 500), ...(message ? { retry_told: true } : {}) })
        .where('id', '=', row.id)
        .execute();
      if (message) {
        await enqueue(trx, {
          key: `evidence-retry:${row.id}:${now.getTime()}`,
          kind: 'evidence',
          platform: row.notify!.platform,
          targetKind: 'user',
          targetId: row.notify!.userId,
          message,
          availableAt: now,
        });
      }
    });
    return 'retried';
  }
}

/**
 * Runs the evidence checks that are due: new links, links asked to be checked again, and the daily
 * re-check. Each link is claimed with FOR UPDATE SKIP LOCKED, so replicas never check one twice at
 * once; the result and its message commit together.
 */
export async function runEvidenceJobs(db: Db, content: Content, ports: EvidencePorts, now: Date, limit = 20): Promise<EvidenceJobResult> {
  const result: EvidenceJobResult = { checked: 0, retried: 0 };
  const rows = await claim(db, now, limit);
  for (const row of rows) result[await checkOne(db, content, ports, row, now)]++;
  return result;
}
