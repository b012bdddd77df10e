import { App, LogLevel, webApi, type Logger as BoltLogger, type Receiver } from '@slack/bolt';
import type { Logger } from '../../log.js';
import { leanFetch } from './lean-fetch.js';

/** One for every Slack client in the process (see leanFetch). */
export const SLACK_FETCH = leanFetch();

/** Bolt and the Web API client log through pino, at pino's level. */
export function boltLogger(log: Logger): BoltLogger {
  const text = (msg: unknown[]) => msg.map((m) => (m instanceof Error ? m.message : typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
  const level = (): LogLevel => {
    switch (log.level) {
      case 'debug':
      case 'trace':
        return LogLevel.DEBUG;
      case 'info':
        return LogLevel.INFO;
      case 'warn':
        return LogLevel.WARN;
      default:
        return LogLevel.ERROR;
    }
  };
  return {
    debug: (...msg) => log.debug(text(msg)),
    info: (...msg) => log.info(text(msg)),
    warn: (...msg) => log.warn(text(msg)),
    error: (...msg) => log.error(text(msg)),
    // Levels are pino's to decide; Bolt must not change them.
    setLevel: () => undefined,
    getLevel: level,
    setName: () => undefined,
  };
}

/** Interactive calls have a trigger that dies in 3 s: retry briefly, never for half an hour. */
export const INTERACTIVE_RETRY: webApi.RetryOptions = { retries: 2, factor: 2, minTimeout: 250, maxTimeout: 2000 };

/**
 * SLACK_API_URL as the Web API client wants it: method names are appended to it, so it must end in
 * a slash, and a bare host means Slack's own layout, `<host>/api/`.
 */
export function slackApiBase(url: string | null): string | undefined {
  if (!url) return undefined;
  const parsed = new URL(url);
  if (parsed.pathname === '/' || parsed.pathname === '') parsed.pathname = '/api/';
  else if (!parsed.pathname.endsWith('/')) parsed.pathname = `${parsed.pathname}/`;
  return parsed.toString();
}

export interface BotIdentity {
  botUserId: string;
  botId: string;
}

/** The bot's own ids from auth.test: asked once, cached on success, asked again after a failure. */
export function botIdentity(client: webApi.WebClient): () => Promise<BotIdentity> {
  let pending: Promise<BotIdentity> | null = null;
  return () =>
    (pending ??= client.auth
      .test()
      .then((r) => ({ botUserId: r.user_id ?? '', botId: r.bot_id ?? '' }))
      .catch((err: unknown) => {
        pending = null;
        throw err;
      }));
}

export function botClient(opts: { botToken: string; apiUrl: string | undefined; log: Logger }): webApi.WebClient {
  return new webApi.WebClient(opts.botToken, { ...(opts.apiUrl ? { slackApiUrl: opts.apiUrl } : {}), logger: boltLogger(opts.log), retryConfig: INTERACTIVE_RETRY, fetch: SLACK_FETCH });
}

export interface SlackAppOptions {
  botToken: string;
  apiUrl: string | undefined;
  receiver: Receiver;
  identity: () => Promise<BotIdentity>;
  log: Logger;
}

export function createSlackApp(opts: SlackAppOptions): App {
  return new App({
    // Bolt's own single-token setup caches a failed auth.test forever; this one retries.
    authorize: async () => ({ botToken: opts.botToken, ...(await opts.identity()) }),
    receiver: opts.receiver,
    logger: boltLogger(opts.log),
    // Also what respond() posts to response_url with.
    clientOptions: { ...(opts.apiUrl ? { slackApiUrl: opts.apiUrl } : {}), retryConfig: INTERACTIVE_RETRY, fetch: SLACK_FETCH },
    // Conversation state is not used; events are deduplicated in the database.
    convoStore: false,
    ignoreSelf: true,
  });
}
