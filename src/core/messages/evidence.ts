import type { EvidenceCheckResult, EvidenceState } from '../../db/types.js';
import type { OutMessage } from '../chat.js';
import { dayText, momentText } from '../dates.js';

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

export function retryNoticeMessage(url: string, at: Date, zone: string): OutMessage {
  return {
    text: `I couldn't reach ${url.startsWith('https://github.com/') ? 'GitHub' : 'that site'} to check ${url}. Nothing is lost: I'll try again at ${momentText(at, zone)} and message you the result.`,
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
  retrying: boolean;
  results: EvidenceCheckResult[];
}

export function stateText(l: Pick<LinkLine, 'state' | 'hasChecks' | 'verifiedAt' | 'retrying' | 'checkedAt'>): string {
  if (!l.hasChecks) return 'linked (no automatic checks)';
  if (l.state === 'pending') return l.retrying ? 'waiting to be checked (GitHub could not be reached; retrying)' : 'being checked';
  if (l.state === 'verified') return `passed${l.checkedAt ? ` (checked ${dayText(l.checkedAt)})` : ''}`;
  if (l.verifiedAt) return `passed on ${dayText(l.verifiedAt)}, failing since`;
  return 'not verified yet';
}

export function linkListMessage(cohortName: string, links: readonly LinkLine[]): OutMessage {
  if (links.length === 0) return { text: `You have linked no work in **${cohortName}** yet.\n${EVIDENCE_USAGE}`, private: true };
  const lines = [`**Your linked work** · ${cohortName}`];
  for (const l of links) {
    lines.push('', `**${l.milestoneTitle}**${l.milestoneVerified ? ` · ${VERIFIED_MARK}` : ''}`, `${l.url}: ${stateText(l)}`);
    if (l.state === 'not-verified') for (const r of l.results) lines.push(`  ${resultLine(r)}`);
  }
  return { text: lines.join('\n'), private: true };
}
