import { PassThrough } from 'node:stream';
import { Clock } from '../../src/core/clock.js';
import type { CoreDeps } from '../../src/core/core.js';
import { createCore } from '../../src/core/create-core.js';
import type { Db } from '../../src/db/connect.js';
import { createScheduler } from '../../src/jobs/scheduler.js';
import { createLogger } from '../../src/log.js';
import { LocalChat } from '../../src/platforms/local/port.js';
import { knownMembers } from '../../src/platforms/local/known-members.js';
import { Terminal } from '../../src/platforms/local/terminal.js';
import { realContent } from './engine.js';

export interface TerminalSessionOptions {
  /** The bot's clock; frozen at Monday 2 March 2026, 06:00 UTC when not given. */
  clock?: Clock;
  clockFile?: string;
  /** DATA_DIR, where files (pictures, data downloads) are written. */
  dataDir?: string;
  /** Where button numbers are kept across sessions, as `npm start` keeps them in DATA_DIR. */
  buttonsFile?: string;
  /** More of what `npm start` wires in (evidence ports, a renderer). */
  deps?: (clock: Clock) => Partial<CoreDeps>;
}

/** Types `lines` into a terminal session wired as `npm start` wires it; returns everything printed. */
export async function terminalSession(db: Db, lines: readonly string[], opts: TerminalSessionOptions = {}): Promise<string> {
  const { content, faq } = await realContent();
  const clock = opts.clock ?? new Clock();
  if (!opts.clock) clock.freeze(new Date('2026-03-02T06:00:00Z'));
  const deps: CoreDeps = { db, content, faq, clock, reminderAfterHours: 24, admins: [], ...opts.deps?.(clock) };
  const output: string[] = [];
  const chat = new LocalChat((s) => output.push(s), opts.dataDir ?? null, opts.buttonsFile ?? null);
  chat.knownIn = knownMembers(db);
  const scheduler = createScheduler({ deps, ports: new Map([['local', chat]]), log: createLogger('silent'), autoStart: false });
  const input = new PassThrough();
  const out = new PassThrough();
  out.on('data', (d: Buffer) => output.push(d.toString()));
  const done = new Terminal({ core: createCore(deps), scheduler, chat, input, output: out, clockFile: opts.clockFile }).run();
  for (const line of lines) input.write(`${line}\n`);
  input.end();
  await done;
  return output.join('\n');
}
