import http from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { Core } from '../core/core.js';
import type { Logger } from '../log.js';
import { PageError } from './errors.js';
import { authorize } from './plugins/app/authorize.js';
import { session } from './plugins/app/session.js';
import { assets } from './plugins/external/assets.js';
import { cookies } from './plugins/external/cookie.js';
import { csrfTokens } from './plugins/external/csrf.js';
import { forms } from './plugins/external/forms.js';
import { securityHeaders } from './plugins/external/helmet.js';
import { rateLimits } from './plugins/external/rate-limit.js';
import { cohortRoutes } from './routes/cohorts.js';
import { flagRoutes } from './routes/flags.js';
import { learnerRoutes } from './routes/learners.js';
import { organizerRoutes } from './routes/organizers.js';
import { sendPage } from './routes/respond.js';
import { signinRoutes, type SigninOptions } from './routes/signin.js';
import { notice } from './views/layout.js';

export interface DashboardOptions {
  core: Core;
  log: Logger;
  /** PUBLIC_URL: https turns on Secure `__Host-` cookies and HSTS. */
  publicUrl: string;
  perAddress?: SigninOptions['perAddress'];
}

export interface Dashboard {
  app: FastifyInstance;
  /** Answers a request the bot's own HTTP server did not route (it owns /slack/events, /healthz, /metrics). */
  handle(req: http.IncomingMessage, res: http.ServerResponse): void;
  /** The route a request matched, for the request-duration metric ('unmatched' otherwise). */
  routeOf(req: http.IncomingMessage): string;
  close(): Promise<void>;
}

/** 20 sign-in link openings per address per 10 minutes: far more than a person needs, far too few to try tokens. */
export const SIGNIN_PER_ADDRESS = { max: 20, windowMs: 10 * 60_000 };

/**
 * The web dashboard: Fastify with its official plugins for what they do (headers, cookies, CSRF
 * tokens, rate limits, form bodies, the stylesheet), then our own rules (who is signed in, the
 * permission check), then the pages. It does not listen: the bot's server hands it requests.
 */
export async function buildDashboard(o: DashboardOptions): Promise<Dashboard> {
  const https = new URL(o.publicUrl).protocol === 'https:';
  let route: ((req: http.IncomingMessage, res: http.ServerResponse) => void) | null = null;
  const labels = new WeakMap<http.IncomingMessage, string>();
  const app: FastifyInstance = Fastify({
    loggerInstance: o.log.child({ part: 'dashboard' }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
    serverFactory: (handler) => {
      route = handler;
      return http.createServer();
    },
  });

  await securityHeaders(app, { https });
  await cookies(app);
  await csrfTokens(app, { https });
  await rateLimits(app);
  await forms(app);
  await assets(app);

  await app.register(session, { deps: o.core.deps, https });
  await app.register(authorize);

  app.addHook('onRequest', async (request) => {
    labels.set(request.raw, request.routeOptions.url ?? 'unmatched');
  });

  app.setNotFoundHandler((_request, reply) => sendPage(reply, notice({ title: 'Not found', viewer: null, lines: ['There is no page at this address.', 'Start from the Cohorts page: /cohorts.'] }), 404));
  app.setErrorHandler((err: FastifyError | PageError, request, reply) => {
    if (err instanceof PageError) return sendPage(reply, notice({ title: err.title, viewer: null, lines: err.lines }), err.status);
    if (err.code?.startsWith('FST_CSRF_')) {
      return sendPage(reply, notice({ title: 'This form is out of date', viewer: null, lines: ['Nothing was changed: the form did not carry this page’s security token (it is older than your sign-in, or it came from another site).', 'Go back, reload the page and try again.'] }), 403);
    }
    if (err.statusCode === 429) {
      const after = reply.getHeader('retry-after');
      return sendPage(reply, notice({ title: 'Too many sign-in attempts', viewer: null, lines: [`Too many sign-in links were opened from your address. Wait ${after ? `${Math.ceil(Number(after) / 60)} minutes` : 'a few minutes'} and open your link again.`] }), 429);
    }
    if (err.statusCode && err.statusCode < 500) return sendPage(reply, notice({ title: 'Bad request', viewer: null, lines: [err.message] }), err.statusCode);
    request.log.error({ err }, 'dashboard request failed');
    return sendPage(reply, notice({ title: 'Something went wrong', viewer: null, lines: ['Something went wrong on our side; nothing you did caused it. Try again in a minute.'] }), 500);
  });

  await app.register(signinRoutes, { perAddress: o.perAddress ?? SIGNIN_PER_ADDRESS });
  await app.register(cohortRoutes);
  await app.register(learnerRoutes);
  await app.register(flagRoutes, { core: o.core });
  await app.register(organizerRoutes);
  await app.ready();

  return {
    app,
    handle: (req, res) => route!(req, res),
    routeOf: (req) => labels.get(req) ?? 'unmatched',
    close: () => app.close(),
  };
}
