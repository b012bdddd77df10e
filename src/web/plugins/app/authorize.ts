import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Actor } from '../../../core/chat.js';
import { permits, standingIn, type Permission, type Standing } from '../../../core/permissions.js';
import type { Cohort } from '../../../db/types.js';
import { PageError, signedOut } from '../../errors.js';

const REFUSALS: Record<Permission, string> = {
  'see-schedule': 'This page is for the members of this cohort and organizers.',
  'see-cohort': 'This page is for the mentors of this cohort and organizers.',
  'act-on-flags': 'Only the mentors of this cohort and organizers can acknowledge or resolve its flags.',
  'manage-cohort': 'Only organizers can change a cohort.',
  'see-learner': 'A learner’s record is for that learner, the mentors of their cohort and organizers.',
  curate: 'The FAQ page is for organizers.',
  'see-audit': 'The audit record is for organizers.',
};

export interface Need {
  permission: Permission;
  /** The cohort it is about; null for what is not about one cohort (the FAQ, the audit record). */
  cohort: Pick<Cohort, 'id' | 'platform'> | null;
  /** For see-learner: whose record. */
  learnerId?: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The one check every route makes: the signed-in person, allowed `need` by the rules the chat
     * commands use (core/permissions.ts). Throws the page to answer with otherwise.
     */
    authorize(request: FastifyRequest, need: Need | 'signed-in'): Promise<{ actor: Actor; standing: Standing | null }>;
  }
}

export const authorize = fp(async (app: FastifyInstance) => {
  app.decorate('authorize', async (request: FastifyRequest, need: Need | 'signed-in') => {
    const actor = request.actor;
    if (!actor) throw signedOut();
    if (need === 'signed-in') return { actor, standing: null };
    const standing = await standingIn(app.deps.db, app.deps.admins, actor, need.cohort);
    if (!permits(standing, need.permission, need.learnerId)) throw new PageError(403, 'Not yours to see', [REFUSALS[need.permission], 'The Cohorts page lists what you can see.']);
    return { actor, standing };
  });
});
