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

/**
 * One figure as a number, for `npm run bench -- --json`: its unit, and the figure it is read against,
 * measured in the same run (null when there is none).
 */
export interface Figure {
  bench: string;
  measure: string;
  /** null when the run did not produce it (e.g. never finished). */
  value: number | null;
  unit: string;
  baseline: string | null;
  baseline_value: number | null;
}

/** `against`: the baseline's name (`bench/measure`) and value, in the same unit. */
export function figure(bench: string, measure: string, value: number, unit: string, against?: [string, number]): Figure {
  const round = (v: number) => (Number.isFinite(v) ? Math.round(v * 1000) / 1000 : null);
  return { bench, measure, value: round(value), unit, baseline: against?.[0] ?? null, baseline_value: against ? round(against[1]) : null };
}

export function figureLines(figures: Figure[]): string {
  return figures.map((f) => `${JSON.stringify(f)}\n`).join('');
}

/**
 * The closing table of a script, and its rows and figures for bench/run-all.ts (which sets
 * BENCH_SUMMARY_FILE and BENCH_FIGURES_FILE); a script run alone prints its own table.
 */
export function summarize(rows: SummaryRow[], figures: Figure[] = []): void {
  const file = process.env.BENCH_SUMMARY_FILE;
  if (file) for (const r of rows) appendFileSync(file, `${JSON.stringify(r)}\n`);
  const figuresFile = process.env.BENCH_FIGURES_FILE;
  if (figuresFile && figures.length > 0) appendFileSync(figuresFile, figureLines(figures));
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
