import type { FastifyInstance } from 'fastify';
import type { Core } from '../../core/core.js';
import { loadFlagCard } from '../../core/stalls/load.js';
import { plainText } from '../format.js';
import { notFound, PageError } from '../errors.js';
import { idParam } from './respond.js';

const VERBS = { acknowledge: 'flag.ack', resolve: 'flag.resolve' } as const;

/** Only a path of this site: a form cannot send the browser anywhere else. */
export function localPath(back: unknown, fallback: string): string {
  return typeof back === 'string' && /^\/(?![/\\])[\w\-/]*$/.test(back) ? back : fallback;
}

/**
 * Acknowledge and Resolve: the same core action as the chat alert's buttons, so every copy of the
 * alert in chat is edited and the audit record names who did it, on the dashboard.
 */
export async function flagRoutes(app: FastifyInstance, opts: { core: Core }): Promise<void> {
  app.post<{ Params: { id: string; verb: string }; Body: { back?: string } }>('/flags/:id/:verb', { preHandler: app.csrfProtection }, async (request, reply) => {
    const action = VERBS[request.params.verb as keyof typeof VERBS];
    if (!action) throw notFound('such action');
    const card = await loadFlagCard(app.deps.db, idParam(request.params.id, 'flag'));
    if (!card) throw notFound('flag');
    const { actor } = await app.authorize(request, { permission: 'act-on-flags', cohort: { id: card.cohortId, platform: card.platform } });
    const done = await opts.core.action(actor, { channelId: '', via: 'dashboard' }, action, String(card.id));
    if (done.kind === 'update') {
      const back = localPath(request.body?.back, `/cohorts/${card.cohortId}`);
      return reply.redirect(`${back}?flag=${card.id}#flag-${card.id}`, 303);
    }
    throw new PageError(409, 'Nothing changed', [done.kind === 'form' ? '' : plainText(done.message.text), 'Go back and reload the page to see the flag as it is now.']);
  });
}
