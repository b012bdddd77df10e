/**
 * Memory of the embedded setup, as the compiled bot runs (dist/): the resident set (VmRSS of the node
 * process) of `mentorbot start` in terminal mode on an empty data directory, read once /healthz
 * answers; and the peak resident set (VmHWM) of `mentorbot demo`, which runs six weeks of a cohort
 * on PGlite, so it bounds the resident set after them. Baseline: a bare `node -e` process, measured
 * in the same run; for scale, a node process that only opens PGlite with its default options on an
 * empty data directory, and one that opens it as the bot does (on the data directory the bot left)
 * and nothing else. bench/start.ts compares the compiled start with the tsx one.
 *
 * Run: npx tsx bench/memory.ts
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildIfStale } from '../scripts/build.js';
import { child, COMPILED, memoryOf, SETTLE_MS, stop, timeStart } from './lib/processes.js';
import { figure, heading, machineLine, ms, sleep, summarize, table } from './lib/report.js';

const START_TARGET_MB = 300;
const DEMO_TARGET_MB = 350;

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
    const memory = memoryOf(proc.pid!);
    if (!memory) throw new Error(`${args.join(' ')}: its memory could not be read`);
    return { rss: memory.rss, ms: took };
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

/** PGlite opened the way the bot opens it (the compiled code), on a data directory that exists, and nothing else of the bot. */
function pgliteAsTheBotOpensIt(dataDir: string) {
  const script = `
    const { createDb } = await import('./dist/src/db/connect.js');
    const handle = await createDb({ databaseUrl: null, dataDir: ${JSON.stringify(dataDir)} });
    await handle.pglite.query('select 1');
    process.stdout.write('ready\\n');
    setInterval(() => {}, 1000);`;
  return residentWhenReady(['--input-type=module', '-e', script]);
}

// Written by the demo process itself as it exits: its peak (getrusage's maxRSS, the VmHWM the kernel
// kept), which no sample taken from outside can miss.
const REPORT_PEAK_AT_EXIT =
  'data:text/javascript,import { writeFileSync } from "node:fs"; process.on("exit", () => writeFileSync(process.env.BENCH_PEAK_FILE, String(process.resourceUsage().maxRSS)));';

/** `mentorbot demo` (compiled, as `npx mentorbot demo` runs it) to its end, and its peak resident set. */
async function demo(dir: string): Promise<{ peak: number; ms: number; code: number | null }> {
  const peakFile = path.join(dir, 'demo-peak-kb');
  const t = performance.now();
  const proc = child(['--import', REPORT_PEAK_AT_EXIT, ...COMPILED, 'demo'], { BENCH_PEAK_FILE: peakFile });
  proc.stdin!.end();
  proc.stdout!.resume();
  const exited = new Promise<number | null>((resolve) => proc.once('exit', resolve));
  let sampled = 0;
  let done = false;
  void exited.then(() => (done = true));
  while (!done) {
    const m = memoryOf(proc.pid!);
    if (m) sampled = Math.max(sampled, m.peak);
    await sleep(100);
  }
  const code = await exited;
  let reported = 0;
  try {
    reported = Number(readFileSync(peakFile, 'utf8')) / 1024;
  } catch {
    // The process died before its exit handler ran; the samples are all there is.
  }
  const peak = Math.max(sampled, Number.isFinite(reported) ? reported : 0);
  if (peak <= 0) throw new Error('mentorbot demo: no reading of its memory, neither sampled nor reported at exit');
  return { peak, ms: performance.now() - t, code };
}

function mb(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(0)} MB` : '-';
}

async function main(): Promise<void> {
  await buildIfStale();
  const dir = mkdtempSync(path.join(tmpdir(), 'mentorbot-memory-'));
  try {
    console.log(`memory bench: resident set of node processes read from /proc/<pid>/status; ${machineLine()}`);
    const node = await bareNode();
    const defaults = await pgliteDefaults(path.join(dir, 'pglite-defaults'));
    const start = await timeStart(COMPILED, { DATA_DIR: path.join(dir, 'start') });
    const opened = await pgliteAsTheBotOpensIt(path.join(dir, 'start'));
    const demoRun = await demo(dir);
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
