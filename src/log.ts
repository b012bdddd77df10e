import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string = 'info', pretty = Boolean(process.stdout.isTTY)): Logger {
  return pino({
    level,
    base: { app: 'mentorbot' },
    transport: pretty ? { target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname,app' } } : undefined,
  });
}
