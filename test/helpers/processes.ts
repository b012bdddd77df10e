import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

/** The repository root: bot processes run from here so `content/` and `migrations/` resolve. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * `node` arguments that run the compiled command line, what `npm start` and the image run. The
 * suite's global setup builds dist/ when the sources changed since the last build; a process started
 * through tsx spent a second or two of CPU compiling before it did anything.
 */
export const CLI = ['dist/src/cli.js'];

/** A port nothing listens on right now (the bot's PORT=0 would not tell us which one it took). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface BotProcess {
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  readonly baseUrl: string;
  /** The last part of what the process printed, for failure messages. */
  output(): string;
  /** Resolves with the exit code or signal once the process is gone. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
  /** Polls /healthz until it answers 200. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** Polls /healthz until it answers at all (a bot with no platform and no terminal answers 503); returns the answer. */
  waitAnswering(timeoutMs?: number): Promise<{ status: number; body: unknown }>;
  /** Sends the signal and waits for the process to be gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Whatever happens to the test, no bot outlives the test worker. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

/**
 * Starts `mentorbot start` as its own process, with exactly `env` on top of PATH and HOME;
 * `wrapper` runs it under another command (e.g. `unshare --pid --fork`), in a process group of
 * its own so that kill() signals the bot and not only the wrapper (unshare ignores SIGTERM).
 */
export async function spawnBot(name: string, env: Record<string, string>, wrapper: string[] = []): Promise<BotProcess> {
  installExitHook();
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const command = [...wrapper, process.execPath, ...CLI, 'start'];
  const child = spawn(command[0]!, command.slice(1), {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: wrapper.length > 0,
  });
  if (child.pid === undefined) throw new Error(`${name}: could not start the bot process`);
  running.add(child);
  let out = '';
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let gone = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      gone = true;
      running.delete(child);
      resolve({ code, signal });
    });
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const pid = child.pid;
  const pollHealth = async (timeoutMs: number, good: (status: number) => boolean, what: string) => {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer';
    while (Date.now() < deadline) {
      if (gone) throw new Error(`${name} exited before it was ${what}:\n${out}`);
      try {
        const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
        if (good(res.status)) return { status: res.status, body: (await res.json()) as unknown };
        last = `HTTP ${res.status}`;
      } catch (err) {
        last = (err as Error).message;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${name} was not ${what} within ${timeoutMs} ms (${last}):\n${out}`);
  };

  return {
    name,
    pid,
    port,
    baseUrl,
    output: () => out,
    exited,
    alive: () => !gone,
    async waitHealthy(timeoutMs = 30_000) {
      await pollHealth(timeoutMs, (status) => status === 200, 'healthy');
    },
    async waitAnswering(timeoutMs = 30_000) {
      return pollHealth(timeoutMs, () => true, 'answering');
    },
    async kill(signal = 'SIGKILL') {
      if (gone) return;
      if (wrapper.length > 0) process.kill(-pid, signal);
      else child.kill(signal);
      await exited;
    },
  };
}

/** Kills every bot process this worker started that is still running (afterAll, also after a failure). */
export async function killAllBots(): Promise<void> {
  const children = [...running];
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

/** Polls `check` until it returns a value other than undefined/false, or throws with `describe()` after the timeout. */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, opts: { timeoutMs: number; intervalMs?: number; describe: () => string | Promise<string> }): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`not within ${opts.timeoutMs} ms: ${await opts.describe()}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 50));
  }
}
