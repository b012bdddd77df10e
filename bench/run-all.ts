/**
 * `npm run bench`: every benchmark in turn, each in a process of its own (so one's memory and
 * connections do not colour the next), then one table of the figures and their baselines.
 * `--quick` shortens the ingest run to 10 s. The FAQ bench runs last, as it is.
 * `--only memory,ingest` runs those steps alone.
 * `--json`: stdout carries only the figures, one JSON object per line (see Figure in lib/report.ts);
 * everything a person reads goes to stderr.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { figureLines, machineLine, ms, summaryTable, table, type Figure, type SummaryRow } from './lib/report.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const quick = process.argv.includes('--quick');
const json = process.argv.includes('--json');
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt > 0 ? (process.argv[onlyAt + 1] ?? '').split(',') : null;
/** Where people read: stdout, or stderr when stdout is for the figures. */
const say = (text: string) => (json ? process.stderr : process.stdout).write(`${text}\n`);

interface Step {
  name: string;
  file: string;
  args: string[];
}

const steps: Step[] = [
  { name: 'fanout', file: 'bench/fanout.ts', args: [] },
  { name: 'ingest', file: 'bench/ingest.ts', args: quick ? ['--quick'] : [] },
  { name: 'stall-scan', file: 'bench/stall-scan.ts', args: [] },
  { name: 'reconcile', file: 'bench/reconcile.ts', args: [] },
  { name: 'reminders', file: 'bench/reminders.ts', args: [] },
  { name: 'start', file: 'bench/start.ts', args: [] },
  { name: 'memory', file: 'bench/memory.ts', args: [] },
  { name: 'render', file: 'bench/render.ts', args: [] },
  { name: 'dashboard', file: 'bench/dashboard.ts', args: [] },
  { name: 'faq', file: 'bench/faq.ts', args: [] },
];

function run(step: Step, summaryFile: string, figuresFile: string): Promise<{ code: number; ms: number; stdout: string }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', step.file, ...step.args], {
      cwd: root,
      env: { ...process.env, BENCH_SUMMARY_FILE: summaryFile, BENCH_FIGURES_FILE: figuresFile },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      (json ? process.stderr : process.stdout).write(chunk);
    });
    child.on('close', (code) => resolve({ code: code ?? 1, ms: performance.now() - started, stdout }));
  });
}

function readLines<T>(file: string): T[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as T);
  } catch {
    return [];
  }
}

async function main(): Promise<number> {
  const unknown = (only ?? []).filter((name) => !steps.some((s) => s.name === name));
  if (only && (only.length === 0 || unknown.length > 0)) {
    process.stderr.write(`--only expects names from ${steps.map((s) => s.name).join(', ')}, separated by commas; got "${only.join(',')}"\n`);
    return 2;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'mentorbot-bench-'));
  const summaryFile = path.join(dir, 'summary.jsonl');
  const figuresFile = path.join(dir, 'figures.jsonl');
  const times: Array<[string, string, string]> = [];
  let failed = 0;
  say(`mentorbot benchmarks${quick ? ' (quick)' : ''}; ${machineLine()}`);
  try {
    for (const step of steps.filter((s) => !only || only.includes(s.name))) {
      say(`\n######## ${step.name}: ${step.file} ${step.args.join(' ')}`);
      const result = await run(step, summaryFile, figuresFile);
      times.push([step.name, ms(result.ms), result.code === 0 ? 'ok' : `exit ${result.code}`]);
      if (result.code !== 0) failed++;
    }
    say(`\n== all benchmarks (${machineLine()}) ==`);
    say(summaryTable(readLines<SummaryRow>(summaryFile)));
    say(`\n${table(['script', 'took', 'status'], times)}`);
    if (json) process.stdout.write(figureLines(readLines<Figure>(figuresFile)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main();
