import type { FastifyInstance } from 'fastify';
import { LINK_TTL_MS, redeemLink } from '../../core/dashboard/signin.js';
import { SIGN_IN_HOW } from '../errors.js';
import { notice } from '../views/layout.js';
import { sendPage } from './respond.js';

/** Link previewers (chat unfurlers) fetch what is posted; they must not use up a one-time link. */
const PREVIEWERS = /Slackbot|Discordbot|facebookexternalhit|Twitterbot|LinkedInBot|TelegramBot|WhatsApp/i;

export interface SigninOptions {
  /** Openings of sign-in links allowed per address in each window. */
  perAddress: { max: number; windowMs: number };
}

const PROBLEMS = {
  used: ['This sign-in link was already used', 'Each link works once.'],
  expired: ['This sign-in link has expired', `Links work for ${LINK_TTL_MS / 60_000} minutes.`],
  unknown: ['This sign-in link does not work', 'It may have been cut short when it was copied, or ended by an organizer.'],
} as const;

export async function signinRoutes(app: FastifyInstance, opts: SigninOptions): Promise<void> {
  app.get<{ Params: { token: string } }>(
    '/signin/:token',
    { config: { rateLimit: { max: opts.perAddress.max, timeWindow: opts.perAddress.windowMs } } },
    async (request, reply) => {
      if (PREVIEWERS.test(request.headers['user-agent'] ?? '')) {
        return sendPage(reply, notice({ title: 'Sign in to mentorbot', viewer: null, lines: ['Open this link in your browser to sign in.'] }));
      }
      const redeemed = await redeemLink(app.deps.db, request.params.token, app.deps.clock.now());
      if ('problem' in redeemed) {
        const [title, why] = PROBLEMS[redeemed.problem];
        return sendPage(reply, notice({ title, viewer: null, lines: [why, `For a new one: ${SIGN_IN_HOW.replace(/^Type/, 'type')}`] }), redeemed.problem === 'unknown' ? 404 : 410);
      }
      app.startSession(reply, redeemed);
      // The token leaves the address bar (and the history) at once.
      return reply.header('cache-control', 'no-store').redirect('/', 303);
    },
  );

  app.post('/signout', { preHandler: app.csrfProtection }, async (request, reply) => {
    await app.endSession(request, reply);
    return reply.redirect('/signed-out', 303);
  });

  app.get('/signed-out', async (_request, reply) => sendPage(reply, notice({ title: 'Signed out', viewer: null, lines: ['You are signed out of the dashboard.', `To sign in again: ${SIGN_IN_HOW.replace(/^Type/, 'type')}`] })));
}
