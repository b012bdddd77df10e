/**
 * `npm run bench`: every benchmark in turn, each in a process of its own (so one's memory and
 * connections do not colour the next), then one table of the figures and their baselines.
 * `--quick` shortens the ingest run to 10 s. The FAQ bench runs last, as it is.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { heading, machineLine, ms, summaryTable, table, type SummaryRow } from './lib/report.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const quick = process.argv.includes('--quick');

interface Step {
  name: string;
  file: string;
  args: string[];
  /** Pulls summary rows out of a script that does not write them itself. */
  parse?: (stdout: string) => SummaryRow[];
}

const steps: Step[] = [
  { name: 'fanout', file: 'bench/fanout.ts', args: [] },
  { name: 'ingest', file: 'bench/ingest.ts', args: quick ? ['--quick'] : [] },
  { name: 'stall-scan', file: 'bench/stall-scan.ts', args: [] },
  {
    name: 'faq',
    file: 'bench/faq.ts',
    args: [],
    parse(stdout) {
      const m = /p95 latency of ask\(\) at (\d+) entries: ([\d.]+) ms \(target ([\d.]+) ms\)/.exec(stdout);
      if (!m) return [];
      return [{ bench: 'faq', what: `ask() p95 at ${m[1]} entries`, value: `${m[2]} ms`, baseline: 'see its table', target: `≤ ${m[3]} ms`, ok: Number(m[2]) <= Number(m[3]) }];
    },
  },
];

function run(step: Step, summaryFile: string): Promise<{ code: number; ms: number; stdout: string }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', step.file, ...step.args], {
      cwd: root,
      env: { ...process.env, BENCH_SUMMARY_FILE: summaryFile },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      process.stdout.write(chunk);
    });
    child.on('close', (code) => resolve({ code: code ?? 1, ms: performance.now() - started, stdout }));
  });
}

async function main(): Promise<number> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mentorbot-bench-'));
  const summaryFile = path.join(dir, 'summary.jsonl');
  const times: Array<[string, string, string]> = [];
  let failed = 0;
  console.log(`mentorbot benchmarks${quick ? ' (quick)' : ''}; ${machineLine()}`);
  try {
    for (const step of steps) {
      console.log(`\n######## ${step.name}: ${step.file} ${step.args.join(' ')}`);
      const result = await run(step, summaryFile);
      if (step.parse) {
        for (const row of step.parse(result.stdout)) appendFileSync(summaryFile, `${JSON.stringify(row)}\n`);
      }
      times.push([step.name, ms(result.ms), result.code === 0 ? 'ok' : `exit ${result.code}`]);
      if (result.code !== 0) failed++;
    }
    let rows: SummaryRow[] = [];
    try {
      rows = readFileSync(summaryFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as SummaryRow);
    } catch {
      rows = [];
    }
    heading(`all benchmarks (${machineLine()})`);
    console.log(summaryTable(rows));
    console.log(`\n${table(['script', 'took', 'status'], times)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main();
