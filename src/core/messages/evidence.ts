import type { EvidenceCheckResult, EvidenceState } from '../../db/types.js';
import type { OutMessage } from '../chat.js';
import { dayText } from '../dates.js';
import type { RetryWhy } from '../evidence/retry.js';
import { formatWhen } from './progress.js';

export const EVIDENCE_USAGE = '`/evidence <url> [milestone:<id>]` links your work (a GitHub repository, pull request or commit, or an https URL of something deployed) · `/evidence` lists your links';

/** The mark a verified milestone carries wherever milestones are listed. */
export const VERIFIED_MARK = '✔ verified';

export function checkingText(url: string, milestoneTitle: string, hasChecks: boolean): string {
  if (!hasChecks) {
    return `Linked ${url} to **${milestoneTitle}**. This milestone has no automatic checks, so it stays self-reported; your mentors see the link.`;
  }
  return `Checking… ${url} for **${milestoneTitle}**. I'll message you what passed and what did not in a moment.`;
}

function resultLine(r: EvidenceCheckResult): string {
  return `${r.ok ? '✅' : '❌'} ${r.detail}`;
}

export function checkResultMessage(d: {
  url: string;
  milestoneTitle: string;
  verified: boolean;
  milestoneVerified: boolean;
  results: readonly EvidenceCheckResult[];
  /** What the milestone's checks look at, for a link none of them applies to. */
  checkedOn: Array<'github' | 'web'>;
}): OutMessage {
  const lines = [`**Evidence checked** · ${d.milestoneTitle}`, d.url, ...d.results.map(resultLine)];
  if (d.results.length === 0) {
    const on = d.checkedOn.map((k) => (k === 'github' ? 'a GitHub repository, pull request or commit' : 'the https URL of something deployed')).join(' and ');
    lines.push(`None of the checks of **${d.milestoneTitle}** applies to this link: they look at ${on}. Link that with \`/evidence <url>\`.`);
  } else if (d.milestoneVerified) lines.push('', `**${d.milestoneTitle}** is ${VERIFIED_MARK}: your mentors see it apart from self-reported milestones.`);
  else if (d.verified) lines.push('', `This link passed. **${d.milestoneTitle}** has more checks: link the rest of your work with \`/evidence <url>\`.`);
  else lines.push('', 'Not verified yet: fix what is marked ❌, then run `/evidence <url>` again (I also re-check linked work once a day).');
  return { text: lines.join('\n'), private: true };
}

/** What a check could not reach: GitHub for GitHub links, else the link's own host. */
function serviceOf(url: string): string {
  if (url.startsWith('https://github.com/')) return 'GitHub';
  try {
    return new URL(url).host;
  } catch {
    return 'that site';
  }
}

export function retryNoticeMessage(url: string, at: Date, zone: string): OutMessage {
  return {
    text: `I couldn't reach ${serviceOf(url)} to check ${url}. Nothing is lost: I'll try again at ${formatWhen(at, zone)}, keep trying for about a day, and message you the result.`,
    private: true,
  };
}

/** The one message after a day of failed tries: the link is kept, as self-reported work. */
export function gaveUpMessage(url: string, milestoneTitle: string, state: EvidenceState): OutMessage {
  const kept =
    state === 'pending'
      ? `The link stays on **${milestoneTitle}** as self-reported work: not verified, and nothing counts against you.`
      : `The link stays on **${milestoneTitle}** with the result of its last check.`;
  return {
    text:
      `I couldn't check ${url}: ${serviceOf(url)} could not be reached for about a day, so I've stopped retrying. ${kept} ` +
      `I'll look at it again in the daily re-check and message you if it passes; \`/evidence ${url}\` asks for a check now.`,
    private: true,
  };
}

export interface LinkLine {
  milestoneTitle: string;
  url: string;
  state: EvidenceState;
  hasChecks: boolean;
  milestoneVerified: boolean;
  checkedAt: Date | null;
  verifiedAt: Date | null;
  retrying: RetryWhy | null;
  nextCheckAt: Date | null;
  gaveUp: boolean;
  results: EvidenceCheckResult[];
}

type StateFacts = Pick<LinkLine, 'url' | 'state' | 'hasChecks' | 'verifiedAt' | 'retrying' | 'checkedAt' | 'nextCheckAt' | 'gaveUp'>;

function waitingText(l: StateFacts, zone: string): string {
  const service = serviceOf(l.url);
  if (l.gaveUp) return `not checked: ${service} could not be reached for about a day, so it counts as self-reported (I look again daily)`;
  const why = l.retrying === 'rate-limit' ? `${service}'s rate limit is spent` : `${service} could not be reached`;
  return `waiting to be checked (${why}; next try ${l.nextCheckAt ? formatWhen(l.nextCheckAt, zone) : 'soon'})`;
}

export function stateText(l: StateFacts, zone = 'UTC'): string {
  if (!l.hasChecks) return 'linked (no automatic checks)';
  if (l.state === 'pending') return l.retrying ? waitingText(l, zone) : 'being checked';
  if (l.state === 'verified') return `passed${l.checkedAt ? ` (checked ${dayText(l.checkedAt, zone)})` : ''}`;
  if (l.verifiedAt) return `passed on ${dayText(l.verifiedAt, zone)}, failing since`;
  return 'not verified yet';
}

export function linkListMessage(cohortName: string, links: readonly LinkLine[], zone: string): OutMessage {
  if (links.length === 0) return { text: `You have linked no work in **${cohortName}** yet.\n${EVIDENCE_USAGE}`, private: true };
  const lines = [`**Your linked work** · ${cohortName}`];
  for (const l of links) {
    lines.push('', `**${l.milestoneTitle}**${l.milestoneVerified ? ` · ${VERIFIED_MARK}` : ''}`, `${l.url}: ${stateText(l, zone)}`);
    if (l.state === 'not-verified') for (const r of l.results) lines.push(`  ${resultLine(r)}`);
  }
  return { text: lines.join('\n'), private: true };
}
