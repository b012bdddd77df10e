import type { Actor, Reply } from '../chat.js';
import type { CoreDeps } from '../core.js';
import { issueLink, LINK_TTL_MS, LINKS_PER_PERSON } from '../dashboard/signin.js';
import { cohortsPermitting, isOrganizer } from '../permissions.js';
import { privately, Refusal } from './reply.js';

export const SIGNIN_PATH = '/signin/';

/** The address of a sign-in link: PUBLIC_URL, then the token. */
export function signinUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}${SIGNIN_PATH}${token}`;
}

/** `/dashboard`: a private one-time sign-in link, for anyone in a cohort and for organizers. */
export async function dashboardLink(deps: CoreDeps, actor: Actor): Promise<Reply> {
  const publicUrl = deps.publicUrl?.() ?? null;
  if (!publicUrl) throw new Refusal('This bot does not serve the web dashboard here. Ask the person who runs it.');
  if (!isOrganizer(actor, deps.admins) && (await cohortsPermitting(deps.db, deps.admins, actor, 'see-learner')).length === 0) {
    throw new Refusal("The dashboard shows your cohorts, and you're not in one yet. Join from your cohort's channel with `/cohort join`, then type `/dashboard` again.");
  }
  const now = deps.clock.now();
  const issued = await issueLink(deps.db, actor, now);
  if ('tooMany' in issued) {
    const minutes = Math.max(1, Math.ceil((issued.tooMany.retryAt.getTime() - now.getTime()) / 60_000));
    throw new Refusal(
      `You asked for ${LINKS_PER_PERSON} sign-in links in the last ${LINK_TTL_MS / 60_000} minutes. Use the latest one, or type \`/dashboard\` again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
    );
  }
  return privately(
    [
      `Your sign-in link to the dashboard: ${signinUrl(publicUrl, issued.token)}`,
      `It works once, for the next ${LINK_TTL_MS / 60_000} minutes, and signs in as you: don't share it. \`/dashboard\` gives you a new one.`,
    ].join('\n'),
  );
}
