import type { z } from 'zod';
import type { ContentIssue } from './types.js';

export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

function describe(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  return typeof input === 'string' ? 'text' : typeof input;
}

const EXPECTED: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  array: 'a list',
  object: 'a mapping',
  boolean: 'true or false',
};

// Turns zod's defaults into messages a content author can act on; messages set on the schema win.
export const contentErrorMap: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return 'is required';
    const expected = EXPECTED[issue.expected] ?? issue.expected;
    return `must be ${expected}, not ${describe(issue.input)}`;
  }
  return undefined;
};

export function zodIssues(file: string, error: z.ZodError): ContentIssue[] {
  const issues: ContentIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const snake = key.replace(/([A-Z])/g, '_$1').toLowerCase();
        const hint = snake !== key ? ` (keys are snake_case: did you mean ${snake}?)` : '';
        issues.push({ file, field: fieldPath([...issue.path, key]), message: `unknown field${hint}` });
      }
      continue;
    }
    issues.push({ file, field: fieldPath(issue.path), message: issue.message });
  }
  return issues;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function textAt(value: unknown, key: string): string | undefined {
  return isRecord(value) && typeof value[key] === 'string' ? value[key].trim() : undefined;
}

function numberAt(value: unknown, key: string): number | undefined {
  return isRecord(value) && typeof value[key] === 'number' ? value[key] : undefined;
}

// Runs on the raw parsed YAML so that these rules are reported together with any schema errors.
export function checkProgramRules(file: string, expectedId: string, raw: unknown): ContentIssue[] {
  const issues: ContentIssue[] = [];
  const add = (field: string, message: string) => issues.push({ file, field, message });
  if (!isRecord(raw)) return issues;

  const id = textAt(raw, 'id');
  if (id !== undefined && id !== expectedId) add('id', `must equal the file name "${expectedId}", not "${id}"`);

  const milestones = Array.isArray(raw.milestones) ? raw.milestones : undefined;
  const weeks = Array.isArray(raw.weeks) ? raw.weeks : undefined;

  const firstIndex = new Map<string, number>();
  milestones?.forEach((milestone, i) => {
    const milestoneId = textAt(milestone, 'id');
    if (milestoneId === undefined) return;
    const seen = firstIndex.get(milestoneId);
    if (seen === undefined) firstIndex.set(milestoneId, i);
    else add(`milestones[${i}].id`, `duplicate milestone id "${milestoneId}" (also milestones[${seen}])`);
  });

  // One bad number shifts every later week, so only the first break in 1..N is worth reporting.
  const gap = (weeks ?? []).findIndex((week, i) => {
    const n = numberAt(week, 'week');
    return n !== undefined && n !== i + 1;
  });
  if (gap !== -1) {
    add(`weeks[${gap}].week`, `must be ${gap + 1}, not ${numberAt(weeks?.[gap], 'week')} (weeks are numbered 1..N in order)`);
  }

  const referenced = new Set<string>();
  weeks?.forEach((week, i) => {
    const milestoneId = textAt(week, 'milestone');
    if (milestoneId === undefined) return;
    referenced.add(milestoneId);
    if (milestones && !firstIndex.has(milestoneId)) {
      add(`weeks[${i}].milestone`, `unknown milestone "${milestoneId}" (known: ${[...firstIndex.keys()].join(', ') || 'none'})`);
    }
  });

  if (!milestones || !weeks) return issues;
  milestones.forEach((milestone, i) => {
    const week = numberAt(milestone, 'week');
    if (week !== undefined && week > weeks.length) {
      add(`milestones[${i}].week`, `week ${week} is beyond the program length (${weeks.length} weeks)`);
    }
    const milestoneId = textAt(milestone, 'id');
    if (milestoneId !== undefined && firstIndex.get(milestoneId) === i && !referenced.has(milestoneId)) {
      add(`milestones[${i}].id`, `no week works toward milestone "${milestoneId}"`);
    }
  });

  return issues;
}

export function formatIssues(issues: ContentIssue[]): string {
  return issues
    .map((issue) => (issue.field ? `${issue.file}: ${issue.field}: ${issue.message}` : `${issue.file}: ${issue.message}`))
    .join('\n');
}
