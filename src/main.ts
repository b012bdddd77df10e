import { loadConfig, type Config } from './config.js';
import { createDb, type DbHandle } from './db/connect.js';
import { migrateToLatest } from './db/migrate.js';
import { healthRoute } from './http/health.js';
import { HttpServer } from './http/server.js';
import { createLogger, type Logger } from './log.js';

export interface Bot {
  config: Config;
  log: Logger;
  handle: DbHandle;
  http: HttpServer;
  port: number;
  stop(): Promise<void>;
}

export async function openDatabase(config: Config, log: Logger): Promise<DbHandle> {
  const handle = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const applied = await migrateToLatest(handle.db);
  log.info({ database: handle.kind === 'postgres' ? 'postgres' : `pglite at ${config.dataDir}`, applied }, 'database ready');
  return handle;
}

export async function startBot(config: Config, log: Logger = createLogger(config.logLevel)): Promise<Bot> {
  const handle = await openDatabase(config, log);
  const http = new HttpServer(log);
  http.mount('GET', '/healthz', healthRoute(handle.db));
  const port = await http.listen(config.port);
  log.info({ port }, 'listening for /healthz');
  if (!config.slack && !config.discord) log.info('no platform configured (set SLACK_BOT_TOKEN or DISCORD_TOKEN)');

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      await http.close();
      await handle.close();
      log.info('stopped');
    })());
  return { config, log, handle, http, port, stop };
}

/** `mentorbot start`: runs until SIGTERM/SIGINT, then drains and closes. Returns -1: the process stays up. */
export async function runStart(_argv: string[]): Promise<number> {
  const config = loadConfig();
  const bot = await startBot(config);
  const shutdown = (signal: string) => {
    bot.log.info({ signal }, 'shutting down');
    void bot.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  return -1;
}

export async function runMigrate(_argv: string[]): Promise<number> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const handle = await openDatabase(config, log);
  await handle.close();
  return 0;
}
