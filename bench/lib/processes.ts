import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { pollUntil, sleep } from './report.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** How `npm start` and `npx mentorbot` run the bot now: the compiled code in dist/. */
export const COMPILED = ['bin/mentorbot.js'];
/** How they ran it before the build: TypeScript compiled by tsx at every start. */
export const THROUGH_TSX = ['--import', 'tsx', 'src/cli.ts'];

// Once the process is up, memory still moves a little (the first GCs, timers); this is long enough
// for the figure to settle, short enough not to count a tick of the scheduler.
export const SETTLE_MS = 1500;

/** VmRSS and VmHWM of a live process, in MB; null once it has gone or before the kernel lists them. */
export function memoryOf(pid: number): { rss: number; peak: number } | null {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  const rss = kb('VmRSS') / 1024;
  const peak = kb('VmHWM') / 1024;
  // A process caught between fork and exec, or exiting, may list neither.
  return Number.isFinite(rss) && Number.isFinite(peak) ? { rss, peak } : null;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `node` itself, not a wrapper such as npx or the tsx binary: the pid read is the process that runs the code. */
export function child(args: string[], env: Record<string, string> = {}): ChildProcess {
  // The embedded database and terminal mode unless `env` says otherwise: whatever this shell has configured must not leak in.
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DATABASE_URL|DATA_DIR|PORT|SLACK_|DISCORD_|NODE_ENV$)/.test(k)));
  return spawn(process.execPath, args, { cwd: ROOT, env: { ...base, LOG_LEVEL: 'warn', ...env }, stdio: ['pipe', 'pipe', 'inherit'] });
}

export async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  proc.kill('SIGTERM');
  await Promise.race([exited, sleep(10_000)]);
  if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
}

/**
 * `mentorbot start` (terminal mode unless `env` configures a platform; stdin stays open), timed
 * from the spawn to the first /healthz answer that finds the database reachable (a bot with no
 * platform and no terminal answers 503 for that reason alone), then its resident set once settled.
 */
export async function timeStart(runner: string[], env: Record<string, string>): Promise<{ ms: number; rss: number }> {
  const port = await freePort();
  const t = performance.now();
  const proc = child([...runner, 'start'], { ...env, PORT: String(port) });
  proc.stdout!.resume();
  try {
    const ready = await pollUntil(
      async () => {
        if (proc.exitCode !== null) throw new Error(`mentorbot start exited (${proc.exitCode})`);
        const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null);
        return res && ((await res.json()) as { database?: string }).database === 'reachable';
      },
      180_000,
      20,
    );
    if (!ready) throw new Error('mentorbot start did not answer /healthz within 180 s');
    const took = performance.now() - t;
    await sleep(SETTLE_MS);
    const memory = memoryOf(proc.pid!);
    if (!memory) throw new Error('mentorbot start: its memory could not be read');
    return { ms: took, rss: memory.rss };
  } finally {
    await stop(proc);
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
