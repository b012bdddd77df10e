import os from 'node:os';
import { appendFileSync } from 'node:fs';

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(p * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

export function ms(value: number): string {
  if (!Number.isFinite(value)) return '-';
  if (value >= 10_000) return `${(value / 1000).toFixed(1)} s`;
  if (value >= 1000) return `${(value / 1000).toFixed(2)} s`;
  if (value >= 100) return `${value.toFixed(0)} ms`;
  if (value >= 10) return `${value.toFixed(1)} ms`;
  return `${value.toFixed(2)} ms`;
}

export function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** Left-aligned first column (and any listed in `left`), right-aligned numbers. */
export function table(headers: string[], rows: Array<Array<string | number>>, left: number[] = [0]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (left.includes(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export function heading(text: string): void {
  console.log(`\n== ${text} ==`);
}

export interface SummaryRow {
  bench: string;
  what: string;
  value: string;
  baseline: string;
  target: string;
  /** null: informational, no target. */
  ok: boolean | null;
}

/** Rows for bench/run-all.ts's closing table (it sets BENCH_SUMMARY_FILE); a script run alone prints its own. */
export function summarize(rows: SummaryRow[]): void {
  const file = process.env.BENCH_SUMMARY_FILE;
  if (file) for (const r of rows) appendFileSync(file, `${JSON.stringify(r)}\n`);
  heading('summary');
  console.log(summaryTable(rows));
}

export function summaryTable(rows: SummaryRow[]): string {
  return table(
    ['bench', 'measure', 'value', 'baseline', 'target', 'met'],
    rows.map((r) => [r.bench, r.what, r.value, r.baseline, r.target, r.ok === null ? '' : r.ok ? 'ok' : 'MISSED']),
    [0, 1, 3, 4, 5],
  );
}

export function flag(name: string): boolean {
  return process.argv.includes(name);
}

/** `--name value` or `--name=value`. */
export function numberArg(name: string, fallback: number): number {
  const argv = process.argv;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const raw = a === name ? argv[i + 1] : a.startsWith(`${name}=`) ? a.slice(name.length + 1) : undefined;
    if (raw === undefined) continue;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} expects a positive number, got "${raw}"`);
    return n;
  }
  return fallback;
}

export const epochNow = (): number => performance.timeOrigin + performance.now();

export async function sleep(msToWait: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, msToWait));
}

/** Polls `check` until it returns a value; null after the timeout. */
export async function pollUntil<T>(check: () => Promise<T | null | undefined | false>, timeoutMs: number, everyMs = 10): Promise<T | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) return null;
    await sleep(everyMs);
  }
}

/** The machine's load, printed with every run: the numbers mean little when other work shares the cores. */
export function machineLine(): string {
  const [one, five] = os.loadavg();
  return `${os.cpus().length} cores, load average ${one!.toFixed(1)} (1 min) ${five!.toFixed(1)} (5 min), node ${process.version}`;
}
