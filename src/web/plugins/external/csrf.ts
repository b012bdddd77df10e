import csrf from '@fastify/csrf-protection';
import type { FastifyInstance } from 'fastify';

/**
 * CSRF tokens for every form (@fastify/csrf-protection): the secret sits in its own HttpOnly
 * cookie, `__Host-` over https so no other host can plant one, and each form carries a token
 * derived from it; a POST without a matching token is refused before its handler runs.
 */
export async function csrfTokens(app: FastifyInstance, opts: { https: boolean }): Promise<void> {
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: opts.https ? '__Host-mentorbot_csrf' : 'mentorbot_csrf',
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'lax', secure: opts.https },
  });
}
