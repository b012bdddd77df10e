/**
 * Memory of the embedded setup: the resident set (VmRSS of the node process) of `mentorbot start` in
 * terminal mode on an empty data directory, read once /healthz answers; and the peak resident set
 * (VmHWM) of `mentorbot demo`, which runs six weeks of a cohort on PGlite, so it bounds the resident
 * set after them. Baseline: a bare `node -e` process, measured in the same run; for scale, a node
 * process that only opens PGlite with its default options on an empty data directory, and one that
 * opens it as the bot does (through tsx, on the data directory the bot left) and nothing else.
 *
 * Run: npx tsx bench/memory.ts
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { figure, heading, machineLine, ms, pollUntil, sleep, summarize, table } from './lib/report.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const START_TARGET_MB = 300;
const DEMO_TARGET_MB = 350;
// Once the process is up, memory still moves a little (the first GCs, timers); this is long enough
// for the figure to settle, short enough not to count a tick of the scheduler.
const SETTLE_MS = 1500;

/** VmRSS and VmHWM of a live process, in MB; null once it has gone. */
function memoryOf(pid: number): { rss: number; peak: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function child(args: string[], env: Record<string, string> = {}): ChildProcess {
  // Embedded database, terminal mode: whatever this shell has configured must not leak in.
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DATABASE_URL|DATA_DIR|PORT|SLACK_|DISCORD_)/.test(k)));
  // `node` itself, not a wrapper such as npx or the tsx binary: the pid read is the process that runs the code.
  return spawn(process.execPath, args, { cwd: root, env: { ...base, LOG_LEVEL: 'warn', ...env }, stdio: ['pipe', 'pipe', 'inherit'] });
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  proc.kill('SIGTERM');
  await Promise.race([exited, sleep(10_000)]);
  if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
}

/** Starts a process that prints `ready` once it is set up, and reads its memory after it settles. */
async function residentWhenReady(args: string[]): Promise<{ rss: number; ms: number }> {
  const t = performance.now();
  const proc = child(args);
  try {
    await new Promise<void>((resolve, reject) => {
      let out = '';
      proc.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        if (out.includes('ready')) resolve();
      });
      proc.once('exit', (code) => reject(new Error(`${args.join(' ')} exited (${code}) before it was ready`)));
    });
    const took = performance.now() - t;
    await sleep(SETTLE_MS);
    return { rss: memoryOf(proc.pid!)?.rss ?? Number.NaN, ms: took };
  } finally {
    await stop(proc);
  }
}

const bareNode = () => residentWhenReady(['-e', "process.stdout.write('ready\\n'); setInterval(() => {}, 1000);"]);

function pgliteDefaults(dataDir: string) {
  const script = `
    const { PGlite } = await import('@electric-sql/pglite');
    const db = await PGlite.create({ dataDir: ${JSON.stringify(dataDir)} });
    await db.query('select 1');
    process.stdout.write('ready\\n');
    setInterval(() => {}, 1000);`;
  return residentWhenReady(['--input-type=module', '-e', script]);
}

/** PGlite opened the way the bot opens it, on a data directory that exists, and nothing else of the bot. */
function pgliteAsTheBotOpensIt(dataDir: string) {
  const script = `
    const { createDb } = await import('./src/db/connect.ts');
    const handle = await createDb({ databaseUrl: null, dataDir: ${JSON.stringify(dataDir)} });
    await handle.pglite.query('select 1');
    process.stdout.write('ready\\n');
    setInterval(() => {}, 1000);`;
  return residentWhenReady(['--import', 'tsx', '--input-type=module', '-e', script]);
}

/** `mentorbot start` in terminal mode (no tokens): stdin stays open, or the terminal would end at once. */
async function startEmpty(dataDir: string): Promise<{ rss: number; ms: number }> {
  const port = await freePort();
  const t = performance.now();
  const proc = child(['--import', 'tsx', 'src/cli.ts', 'start'], { DATA_DIR: dataDir, PORT: String(port) });
  proc.stdout!.resume();
  try {
    const healthy = await pollUntil(
      async () => {
        if (proc.exitCode !== null) throw new Error(`mentorbot start exited (${proc.exitCode})`);
        return fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
      },
      180_000,
      200,
    );
    if (!healthy) throw new Error('mentorbot start did not answer /healthz within 180 s');
    const took = performance.now() - t;
    await sleep(SETTLE_MS);
    return { rss: memoryOf(proc.pid!)?.rss ?? Number.NaN, ms: took };
  } finally {
    await stop(proc);
  }
}

/** `mentorbot demo` to its end, sampling its memory; the last sample before it exits holds its peak. */
async function demo(): Promise<{ peak: number; ms: number; code: number | null }> {
  const t = performance.now();
  const proc = child(['--import', 'tsx', 'src/cli.ts', 'demo']);
  proc.stdin!.end();
  proc.stdout!.resume();
  const exited = new Promise<number | null>((resolve) => proc.once('exit', resolve));
  let peak = Number.NaN;
  let done = false;
  void exited.then(() => (done = true));
  while (!done) {
    const m = memoryOf(proc.pid!);
    if (m) peak = Number.isNaN(peak) ? m.peak : Math.max(peak, m.peak);
    await sleep(100);
  }
  return { peak, ms: performance.now() - t, code: await exited };
}

function mb(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(0)} MB` : '-';
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mentorbot-memory-'));
  try {
    console.log(`memory bench: resident set of node processes read from /proc/<pid>/status; ${machineLine()}`);
    const node = await bareNode();
    const defaults = await pgliteDefaults(path.join(dir, 'pglite-defaults'));
    const start = await startEmpty(path.join(dir, 'start'));
    const opened = await pgliteAsTheBotOpensIt(path.join(dir, 'start'));
    const demoRun = await demo();
    if (demoRun.code !== 0) throw new Error(`mentorbot demo exited with ${demoRun.code}`);

    heading(`resident set (VmRSS ${SETTLE_MS / 1000} s after ready; the demo: its peak, VmHWM)`);
    console.log(
      table(
        ['process', 'resident', 'over bare node', 'ready after'],
        [
          ['bare node -e', mb(node.rss), '-', ms(node.ms)],
          ['PGlite with its defaults, empty data directory', mb(defaults.rss), mb(defaults.rss - node.rss), ms(defaults.ms)],
          ['mentorbot start, empty data directory', mb(start.rss), mb(start.rss - node.rss), ms(start.ms)],
          ['  of which PGlite as the bot opens it (its data directory, alone)', mb(opened.rss), mb(opened.rss - node.rss), ms(opened.ms)],
          ['mentorbot demo (six weeks), peak', mb(demoRun.peak), mb(demoRun.peak - node.rss), `${ms(demoRun.ms)} to its end`],
        ],
      ),
    );

    summarize(
      [
        { bench: 'memory', what: 'RSS after start, empty data directory', value: mb(start.rss), baseline: `bare node ${mb(node.rss)}; PGlite defaults ${mb(defaults.rss)}`, target: `≤ ${START_TARGET_MB} MB`, ok: start.rss <= START_TARGET_MB },
        { bench: 'memory', what: 'peak RSS of the six-week demo', value: mb(demoRun.peak), baseline: `bare node ${mb(node.rss)}`, target: `≤ ${DEMO_TARGET_MB} MB`, ok: demoRun.peak <= DEMO_TARGET_MB },
      ],
      [
        figure('memory', 'rss-start-empty', start.rss, 'MB', ['memory/bare-node', node.rss]),
        figure('memory', 'rss-after-demo', demoRun.peak, 'MB', ['memory/bare-node', node.rss]),
        figure('memory', 'pglite-defaults-empty', defaults.rss, 'MB', ['memory/bare-node', node.rss]),
        figure('memory', 'pglite-as-opened', opened.rss, 'MB', ['memory/bare-node', node.rss]),
      ],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
