import { SocketModeReceiver, webApi, type Receiver } from '@slack/bolt';
import type { AdminId, Config } from '../../config.js';
import type { ChatPort } from '../../core/chat.js';
import type { Core } from '../../core/core.js';
import type { Db } from '../../db/connect.js';
import type { HttpServer } from '../../http/server.js';
import type { Logger } from '../../log.js';
import { ActorResolver } from './actor.js';
import { botClient, botIdentity, boltLogger, createSlackApp, SLACK_FETCH, slackApiBase } from './app.js';
import { registerActions } from './listeners/actions.js';
import { registerCommands } from './listeners/commands.js';
import { dedupeEvents } from './listeners/dedupe.js';
import { registerEvents } from './listeners/events.js';
import { registerViews } from './listeners/views.js';
import { createSlackPort } from './port.js';
import { SlackHttpReceiver } from './receiver.js';

export const SLACK_EVENTS_PATH = '/slack/events';

export type SlackState = 'connected' | 'connecting' | 'disconnected';

export interface SlackPlatform {
  port: ChatPort;
  start(): Promise<void>;
  stop(): Promise<void>;
  state(): SlackState;
}

export interface SlackPlatformOptions {
  config: NonNullable<Config['slack']>;
  adminIds: AdminId[];
  core: Core;
  db: Db;
  http: HttpServer;
  log: Logger;
}

/**
 * Slack over HTTP (POST /slack/events on our server) or, with an app token, Socket Mode.
 * The returned port is what the outbox worker posts through.
 */
export async function createSlackPlatform(opts: SlackPlatformOptions): Promise<SlackPlatform> {
  const { config, core, db, http } = opts;
  const log = opts.log.child({ platform: 'slack' });
  let state: SlackState = 'disconnected';

  const apiUrl = slackApiBase(config.apiUrl);
  let receiver: Receiver;
  const socketMode = Boolean(config.appToken);
  if (config.appToken) {
    // The socket client asks apps.connections.open for its WebSocket URL: it must ask the same API.
    const clientOptions = apiUrl ? { slackApiUrl: apiUrl } : undefined;
    const socket = new SocketModeReceiver({ appToken: config.appToken, logger: boltLogger(log), installerOptions: { clientOptions } });
    socket.client.on('connecting', () => (state = 'connecting'));
    socket.client.on('reconnecting', () => (state = 'connecting'));
    socket.client.on('connected', () => (state = 'connected'));
    socket.client.on('disconnected', () => (state = 'disconnected'));
    receiver = socket;
  } else {
    if (!config.signingSecret) throw new Error('SLACK_SIGNING_SECRET is required for Slack over HTTP (or set SLACK_APP_TOKEN for Socket Mode)');
    receiver = new SlackHttpReceiver({ http, path: SLACK_EVENTS_PATH, signingSecret: config.signingSecret, log });
  }

  const client = botClient({ botToken: config.botToken, apiUrl, log });
  const whoAmI = botIdentity(client);
  // Over HTTP "connected" means Slack accepts our token; it can turn true later if Slack was unreachable at start.
  const identity = () =>
    whoAmI().then((id) => {
      if (!socketMode && started) state = 'connected';
      return id;
    });
  let started = false;
  const app = createSlackApp({ botToken: config.botToken, apiUrl, receiver, identity, log });
  const actors = new ActorResolver({ client, adminIds: opts.adminIds, log });
  const deps = { core, log, actors };
  registerCommands(app, deps);
  registerActions(app, deps);
  registerViews(app, deps);
  registerEvents(app, deps, dedupeEvents(db, () => core.deps.clock.now(), log));
  app.error(async (err) => {
    log.error({ err }, 'unhandled Slack listener error');
  });

  const portClient = new webApi.WebClient(config.botToken, {
    ...(apiUrl ? { slackApiUrl: apiUrl } : {}),
    logger: boltLogger(log),
    rejectRateLimitedCalls: true,
    fetch: SLACK_FETCH,
    // The outbox retries with backoff; a call here fails fast and lets other targets go ahead.
    retryConfig: { retries: 0 },
  });
  const port = createSlackPort({ client: portClient, patientClient: client, log });

  return {
    port,
    async start() {
      started = true;
      if (!socketMode) {
        try {
          const who = await identity();
          log.info({ botUserId: who.botUserId }, 'Slack token accepted; listening on POST /slack/events');
          state = 'connected';
        } catch (err) {
          log.error({ err: (err as Error).message }, 'Slack auth.test failed: check SLACK_BOT_TOKEN and SLACK_API_URL');
        }
      } else {
        state = 'connecting';
      }
      await app.start();
    },
    async stop() {
      started = false;
      await app.stop();
      state = 'disconnected';
    },
    state: () => state,
  };
}
