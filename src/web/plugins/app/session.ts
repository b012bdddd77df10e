import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Actor } from '../../../core/chat.js';
import type { CoreDeps } from '../../../core/core.js';
import { actorOf, endSession, SESSION_TTL_MS, sessionIdentity, type Redeemed } from '../../../core/dashboard/signin.js';
import { isOrganizer } from '../../../core/permissions.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in person, or null. */
    actor: Actor | null;
  }
  interface FastifyInstance {
    deps: CoreDeps;
    /** Sends a session cookie for a link just opened. */
    startSession(reply: FastifyReply, redeemed: Extract<Redeemed, { session: string }>): void;
    endSession(request: FastifyRequest, reply: FastifyReply): Promise<void>;
    isOrganizer(actor: Actor): boolean;
  }
}

export interface SessionOptions {
  deps: CoreDeps;
  https: boolean;
}

/**
 * Who is asking: the session cookie (HttpOnly, SameSite=Lax, Secure and `__Host-` over https,
 * 12 hours) names a row of dashboard_sessions by its sha256; an unknown, expired or revoked one
 * signs no one in.
 */
export const session = fp(async (app: FastifyInstance, opts: SessionOptions) => {
  const name = opts.https ? '__Host-mentorbot_session' : 'mentorbot_session';
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: opts.https };
  app.decorate('deps', opts.deps);
  app.decorate('isOrganizer', (actor: Actor) => isOrganizer(actor, opts.deps.admins));
  app.decorateRequest('actor', null);
  app.addHook('onRequest', async (request) => {
    const value = request.cookies[name];
    if (!value) return;
    const identity = await sessionIdentity(opts.deps.db, value, opts.deps.clock.now());
    request.actor = identity ? actorOf(identity) : null;
  });
  app.decorate('startSession', (reply: FastifyReply, redeemed: Extract<Redeemed, { session: string }>) => {
    reply.setCookie(name, redeemed.session, { ...cookieOptions, maxAge: SESSION_TTL_MS / 1000 });
  });
  app.decorate('endSession', async (request: FastifyRequest, reply: FastifyReply) => {
    const value = request.cookies[name];
    if (value) await endSession(opts.deps.db, value);
    reply.clearCookie(name, cookieOptions);
  });
});
