import { existsSync } from 'node:fs';
import net from 'node:net';
import { hostname } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, type Config } from './config.js';
import { ContentError, formatIssues, loadContent } from './content/load.js';
import type { Content } from './content/types.js';
import type { ChatPort } from './core/chat.js';
import { Clock } from './core/clock.js';
import type { Core, CoreDeps } from './core/core.js';
import { createCore } from './core/create-core.js';
import { createFaqEngine } from './core/faq/engine.js';
import { createDb, type DbHandle } from './db/connect.js';
import { migrateToLatest } from './db/migrate.js';
import type { Platform } from './db/types.js';
import { healthRoute } from './http/health.js';
import { Metrics } from './http/metrics.js';
import { HttpServer } from './http/server.js';
import { testClockRoute } from './http/test-clock.js';
import { createEvidencePorts } from './evidence/ports.js';
import { createScheduler, type Scheduler } from './jobs/scheduler.js';
import { POST_EDIT_GAP_MS } from './jobs/deliver.js';
import { keepLease, type LeaseKeeper } from './jobs/lease.js';
import { createLogger, type Logger } from './log.js';
import { createLazyPngRenderer } from './render/lazy.js';
import { LocalChat } from './platforms/local/port.js';
import { knownMembers } from './platforms/local/known-members.js';
import { buttonsFile } from './platforms/local/saved-buttons.js';
import { clockFile, restoreClock } from './platforms/local/saved-clock.js';
import { DEFAULT_USER, Terminal } from './platforms/local/terminal.js';
import { noPlatformCause, whyUnattended } from './platforms/local/unattended.js';
import { issueLink } from './core/dashboard/signin.js';
import { signinUrl } from './core/handlers/dashboard.js';
import { buildDashboard, type Dashboard } from './web/app.js';

export interface PlatformRuntime {
  port: ChatPort;
  start(): Promise<void>;
  stop(): Promise<void>;
  state(): 'connected' | 'connecting' | 'disconnected' | 'standby';
}

export interface Bot {
  config: Config;
  log: Logger;
  handle: DbHandle;
  core: Core;
  clock: Clock;
  scheduler: Scheduler;
  http: HttpServer;
  port: number;
  platforms: Map<Platform, PlatformRuntime>;
  local: LocalChat | null;
  /** Where people reach the dashboard (PUBLIC_URL, or the loopback address and bound port). */
  publicUrl: string;
  stop(): Promise<void>;
}

/** Opens and migrates the database; a database that cannot be reached or opened is a configuration problem. */
export async function openDatabase(config: Config, log: Logger): Promise<DbHandle> {
  let handle: DbHandle | null = null;
  try {
    handle = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    const applied = await migrateToLatest(handle.db);
    log.info({ database: handle.kind === 'postgres' ? 'postgres' : `pglite at ${config.dataDir}`, created: handle.created, applied }, 'database ready');
    return handle;
  } catch (err) {
    await handle?.close().catch(() => undefined);
    if (err instanceof ConfigError) throw err;
    const reason = (err as Error).message.replace(/^migration failed[^:]*: /, '');
    // Kysely's word for a database whose applied migrations this version does not have in that order.
    if (/corrupted migrations/.test(reason)) {
      throw new ConfigError([
        `${config.databaseUrl ? 'DATABASE_URL' : `DATA_DIR=${config.dataDir}`}: the database was set up by a different version of mentorbot (${reason}). Run the version that created it, or start from an empty database.`,
      ]);
    }
    throw new ConfigError([
      config.databaseUrl
        ? `DATABASE_URL: the database cannot be used (${reason}). Check the host, port, credentials and database name.`
        : `DATA_DIR=${config.dataDir}: the embedded database cannot be opened there (${reason}). Point DATA_DIR at a writable directory.`,
    ]);
  }
}

async function loadConfiguredContent(config: Config): Promise<Content> {
  try {
    return await loadContent(config.contentDir);
  } catch (err) {
    if (err instanceof ContentError) {
      const more = err.issues.length > 1 ? ` (and ${err.issues.length - 1} more: run \`mentorbot content check\`)` : '';
      throw new ConfigError([`CONTENT_DIR=${config.contentDir}: ${formatIssues(err.issues.slice(0, 1))}${more}`]);
    }
    throw err;
  }
}

export const START_USAGE = `usage: mentorbot start

  runs the bot; configuration comes from the environment (see the README's table).
  With no Slack or Discord token it opens the terminal mode.`;
export const MIGRATE_USAGE = `usage: mentorbot migrate

  applies pending database migrations to DATABASE_URL, or to the embedded database in DATA_DIR`;

/** start and migrate take no options: a typo must not start a bot that ignores it. */
function noOptions(command: string, argv: string[]): number | null {
  if (argv.length === 0) return null;
  process.stderr.write(`mentorbot ${command}: unexpected "${argv[0]}"; it takes no options (configuration comes from the environment).\n`);
  return 2;
}

export interface StartOptions {
  log?: Logger;
  clock?: Clock;
  content?: Content;
  /** Where the terminal mode prints; defaults to stdout. */
  print?: (text: string) => void;
  /** false: no cron or polling (tests drive the scheduler themselves). */
  autoStart?: boolean;
  /** An already-migrated database (tests); otherwise opened from the config. */
  handle?: DbHandle;
  /** No platform and nobody at a terminal: why (see whyUnattended); /healthz answers 503 with the cause. */
  unattended?: string | null;
  /** The least time between two edits of one message; defaults to POST_EDIT_GAP_MS on a platform with a real clock, else 0. */
  editGapMs?: number;
}

export async function startBot(config: Config, options: StartOptions = {}): Promise<Bot> {
  const log = options.log ?? createLogger(config.logLevel);
  await checkPortFree(config);
  const content = options.content ?? (await loadConfiguredContent(config));
  const handle = options.handle ?? (await openDatabase(config, log));
  const clock = options.clock ?? new Clock();
  const faq = createFaqEngine(content.faq, content.thesaurus);
  const evidence = createEvidencePorts(config.evidence, handle.db, () => clock.now(), log);
  // PUBLIC_URL, or this machine's loopback on the port actually bound (PORT=0 picks one).
  let publicUrl: string | null = config.publicUrl ?? null;
  const deps: CoreDeps = {
    db: handle.db,
    content,
    faq,
    clock,
    reminderAfterHours: config.reminderAfterHours,
    admins: config.adminUserIds,
    evidence,
    retentionDays: config.retentionDays,
    renderer: createLazyPngRenderer(),
    publicUrl: () => publicUrl,
  };
  const core = createCore(deps);
  const metrics = new Metrics(handle.db);
  const http = new HttpServer(log, (route, seconds) => metrics.requestSeconds.observe({ route }, seconds));
  const platforms = new Map<Platform, PlatformRuntime>();
  let local: LocalChat | null = null;

  if (config.slack) {
    const { createSlackPlatform } = await import('./platforms/slack/index.js');
    platforms.set('slack', await createSlackPlatform({ config: config.slack, adminIds: config.adminUserIds, core, db: handle.db, http, log }));
  }
  if (config.discord) platforms.set('discord', await leasedDiscord(config, core, content, handle, log));
  const ports = new Map<Platform, ChatPort>();
  if (platforms.size === 0) {
    local = new LocalChat(options.print ?? ((text) => process.stdout.write(`${text}\n`)), config.dataDir, buttonsFile(config.dataDir));
    local.knownIn = knownMembers(handle.db);
    ports.set('local', local);
  }
  for (const [name, runtime] of platforms) ports.set(name, runtime.port);

  // On a platform, a burst of answers edits a round post once per gap (its rate limits); the terminal
  // and a test clock show each edit at once.
  const editGapMs = options.editGapMs ?? (platforms.size > 0 && !config.testClock ? POST_EDIT_GAP_MS : 0);
  const scheduler = createScheduler({ deps, ports, log, autoStart: options.autoStart, notifications: handle, editGapMs, onOutcome: (row, outcome) => metrics.onDelivery(row, outcome) });
  http.mount('GET', '/metrics', metrics.route());
  const noPlatform = platforms.size === 0 && options.unattended ? noPlatformCause(options.unattended) : null;
  http.mount('GET', '/healthz', healthRoute(handle.db, () => Object.fromEntries([...platforms].map(([name, p]) => [name, p.state()])), { noPlatform }));
  if (config.testClock) http.mount('POST', '/_test/clock', testClockRoute(clock, scheduler));
  let dashboard: Dashboard | null = null;
  let port: number;
  try {
    port = await http.listen(config.port, config.host);
    publicUrl ??= `http://127.0.0.1:${port}`;
    dashboard = await buildDashboard({ core, log, publicUrl });
    http.mountFallback(dashboard);
  } catch (err) {
    await http.close();
    await scheduler.stop();
    if (!options.handle) await handle.close();
    throw listenProblem(err, config);
  }
  log.info({ host: config.host, port, platforms: [...ports.keys()] }, 'listening');
  for (const runtime of platforms.values()) await runtime.start();

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      await scheduler.stop(IN_FLIGHT_DRAIN_MS);
      for (const runtime of platforms.values()) await runtime.stop();
      await http.close();
      await dashboard?.close();
      if (!options.handle) await handle.close();
      log.info('stopped');
    })());
  return { config, log, handle, core, clock, scheduler, http, port, platforms, local, publicUrl: publicUrl!, stop };
}

/** A taken PORT is told at once, not after the slow part of a start (content, database). */
async function checkPortFree(config: Config): Promise<void> {
  if (config.port === 0) return;
  const probe = net.createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(config.port, config.host, () => resolve());
    });
  } catch (err) {
    throw listenProblem(err, config);
  }
  await new Promise((resolve) => probe.close(resolve));
}

function listenProblem(err: unknown, config: Config): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  const at = `${config.host}:${config.port}`;
  if (code === 'EADDRINUSE') return new ConfigError([`PORT=${config.port}: another process already listens on ${at}. Stop it or choose another PORT.`]);
  if (code === 'EACCES') return new ConfigError([`PORT=${config.port}: not allowed to listen on ${at} (ports below 1024 need privileges). Choose a PORT from 1024 up.`]);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return new ConfigError([`HOST=${config.host}: not an address of this machine. Use 127.0.0.1, 0.0.0.0 or one of its interfaces.`]);
  return err;
}

/**
 * Every replica delivers Discord messages over REST, but only the one holding the
 * `discord-gateway` lease keeps a gateway session (and so answers interactions); when it dies,
 * another replica's lease attempt succeeds within the lease time and it connects.
 */
async function leasedDiscord(config: Config, core: Core, content: Content, handle: DbHandle, log: Logger): Promise<PlatformRuntime> {
  const { createDiscordPlatform } = await import('./platforms/discord/index.js');
  const options = { config: config.discord!, adminIds: config.adminUserIds, core, content, log };
  const rest = await createDiscordPlatform(options);
  let session: PlatformRuntime | null = null;
  let keeper: LeaseKeeper | null = null;
  return {
    port: rest.port,
    state: () => session?.state() ?? 'standby',
    async start() {
      keeper = keepLease({
        db: handle.db,
        name: 'discord-gateway',
        holder: `${hostname()}:${process.pid}`,
        now: () => new Date(),
        onGained: async () => {
          log.info('holding the discord gateway lease; connecting');
          session = await createDiscordPlatform(options);
          await session.start().catch((err) => log.error({ err }, 'discord gateway failed to start'));
        },
        onLost: async (why) => {
          if (why === 'released') log.info('releasing the discord gateway lease; disconnecting');
          else log.warn('lost the discord gateway lease; disconnecting');
          await session?.stop();
          session = null;
        },
        onError: (err) => log.warn({ err }, 'discord gateway lease check failed'),
      });
    },
    async stop() {
      await keeper?.stop();
    },
  };
}

// A supervisor kills what is still running some seconds after SIGTERM: Docker after 10 s unless told
// otherwise (compose.yaml gives 30 s), Kubernetes after 30 s. In-flight deliveries get part of that,
// and a stop that is still not done by the deadline exits anyway, before the kill, and says so.
const IN_FLIGHT_DRAIN_MS = 5_000;
const STOP_DEADLINE_MS = 8_000;

/** `mentorbot start`: runs until SIGTERM/SIGINT, then drains and closes. Returns -1: the process stays up. */
export async function runStart(argv: string[]): Promise<number> {
  const refused = noOptions('start', argv);
  if (refused !== null) return refused;
  const config = loadConfig();
  const terminalMode = !config.slack && !config.discord;
  const unattended = terminalMode ? whyUnattended({ env: process.env, stdinIsTTY: Boolean(process.stdin.isTTY) }) : null;
  // In terminal mode the log would interleave with the conversation; keep only warnings.
  const log = createLogger(terminalMode && process.stdin.isTTY ? 'warn' : config.logLevel);
  const clock = new Clock();
  const banner: string[] = [];
  let savedClock: string | undefined;
  if (terminalMode) {
    savedClock = clockFile(config.dataDir);
    if (restoreClock(clock, savedClock)) {
      banner.push(`The bot's clock resumes where the last session left it (kept in ${savedClock}).`);
    }
    const fresh = !config.databaseUrl && !existsSync(path.join(config.dataDir, 'PG_VERSION'));
    process.stdout.write(
      config.databaseUrl
        ? 'Starting mentorbot in terminal mode against DATABASE_URL…\n'
        : `Starting mentorbot in terminal mode; data in ${path.resolve(config.dataDir)}${fresh ? ' (a first start creates the database there)' : ''}…\n`,
    );
  }
  if (unattended) {
    // Said before the slow part of the start, at the top of what an operator reads in the container's log.
    process.stderr.write(`mentorbot: ${noPlatformCause(unattended)} /healthz answers 503 until then.\n`);
  }
  // Heard from the first moment: a SIGTERM while the bot starts (a supervisor giving up on it, a
  // replica scaled down) stops it as soon as it can be stopped, instead of killing it mid-migration.
  let bot: Bot | null = null;
  let stopAsked: string | null = null;
  const shutdown = (signal: string) => {
    if (stopAsked) return;
    stopAsked = signal;
    setTimeout(() => {
      (bot?.log ?? log).error(`the stop did not finish within ${STOP_DEADLINE_MS / 1000} s; exiting with it unfinished`);
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    if (bot) stopStarted(bot, signal);
  };
  const stopStarted = (started: Bot, signal: string) => {
    started.log.info({ signal }, 'shutting down');
    void started.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  const started = await startBot(config, { log, clock, unattended });
  bot = started;
  if (stopAsked) {
    stopStarted(started, stopAsked);
    return -1;
  }
  banner.unshift(`/healthz and /metrics answer on http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${started.port} (set PORT and HOST to change).`);
  if (terminalMode) banner.push(await organizerLink(started));
  // A fault nothing caught leaves the process in an unknown state: log it and exit non-zero so a supervisor restarts it.
  const fatal = (kind: string) => (err: unknown) => {
    started.log.fatal({ err }, `${kind}; exiting so a supervisor can restart the bot`);
    // The pretty log runs in a worker that may not flush before exit; stderr does.
    if (process.stdout.isTTY) process.stderr.write(`mentorbot: ${kind}: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(70);
  };
  process.on('uncaughtException', fatal('uncaught exception'));
  process.on('unhandledRejection', fatal('unhandled promise rejection'));
  if (terminalMode && started.local) {
    const terminal = new Terminal({ core: started.core, scheduler: started.scheduler, chat: started.local, input: process.stdin, output: process.stdout, banner, clockFile: savedClock });
    void terminal.run().then((how) => {
      if (how === 'quit' || process.stdin.isTTY) return shutdown(how === 'quit' ? '/quit' : 'end of input');
      // Piped input that ends without /quit leaves the bot running, as a bot with no one typing.
      process.stdout.write('Input ended; the bot keeps running (scheduler, /healthz). End the input with /quit to stop it, or send SIGTERM.\n');
    });
  }
  return -1;
}

/** The terminal's organizer gets a sign-in link at start, so the dashboard is one click away. */
export async function organizerLink(bot: Bot): Promise<string> {
  const organizer = { platform: 'local' as const, userId: DEFAULT_USER, displayName: DEFAULT_USER, isAdmin: true };
  const issued = await issueLink(bot.handle.db, organizer, bot.clock.now());
  if ('tooMany' in issued) return 'The web dashboard: type /dashboard for a sign-in link.';
  return `The web dashboard, signed in as ${DEFAULT_USER} (the link works once, for 10 minutes; /dashboard gives a new one to whoever you are):\n  ${signinUrl(bot.publicUrl, issued.token)}`;
}

export async function runMigrate(argv: string[]): Promise<number> {
  const refused = noOptions('migrate', argv);
  if (refused !== null) return refused;
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const handle = await openDatabase(config, log);
  await handle.close();
  return 0;
}
