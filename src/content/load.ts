import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import matter from 'gray-matter';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { checkProgramRules, contentErrorMap, formatIssues, zodIssues } from './check.js';
import { evidenceCheckSchema, faqFrontMatterSchema, programSchema, thesaurusSchema } from './schema.js';
import { type Content, type ContentIssue, type EvidenceCheck, type FaqEntry, type Program } from './types.js';

export { formatIssues } from './check.js';

export const DEFAULT_HTTP_TIMEOUT_MS = 5000;

function toCheck(c: z.infer<typeof evidenceCheckSchema>): EvidenceCheck {
  switch (c.type) {
    case 'github.repo':
      return { type: c.type };
    case 'github.file':
      return { type: c.type, paths: typeof c.path === 'string' ? [c.path] : c.path };
    case 'github.workflow':
      return c.workflow ? { type: c.type, workflow: c.workflow } : { type: c.type };
    case 'github.activity':
      return { type: c.type, days: c.days };
    case 'http.get':
      return { type: c.type, timeoutMs: c.timeout_ms ?? DEFAULT_HTTP_TIMEOUT_MS, ...(c.url ? { url: c.url } : {}), ...(c.json_field ? { jsonField: c.json_field } : {}) };
  }
}

export interface LoadOptions {
  // strict: false accepts FAQ entries with any number of aliases and no tags or sources, as in FAQs converted from public sites.
  strict?: boolean;
}

export class ContentError extends Error {
  readonly issues: ContentIssue[];

  constructor(dir: string, issues: ContentIssue[]) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super(`content in ${dir} has ${count}:\n${formatIssues(issues)}`);
    this.name = 'ContentError';
    this.issues = issues;
  }
}

export async function loadContent(dir: string, options: LoadOptions = {}): Promise<Content> {
  const { content, issues } = await readContent(dir, options.strict ?? true);
  if (issues.length > 0) throw new ContentError(content.dir, issues);
  return content;
}

export async function checkContent(dir: string, options: LoadOptions = {}): Promise<ContentIssue[]> {
  return (await readContent(dir, options.strict ?? true)).issues;
}

type Kind = 'dir' | 'file' | 'missing';

async function kindOf(p: string): Promise<Kind> {
  try {
    return (await stat(p)).isDirectory() ? 'dir' : 'file';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw err;
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function listFiles(dir: string, extensions: string[]): Promise<string[]> {
  const names = await readdir(dir);
  return names.filter((name) => !name.startsWith('.') && extensions.some((ext) => name.endsWith(ext))).sort();
}

interface YamlResult {
  data: unknown;
  errors: string[];
}

function parseYaml(source: string): YamlResult {
  const doc = parseDocument(source);
  const errors = doc.errors.map((err) => {
    const what = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    const pos = err.linePos?.[0];
    return pos ? `cannot parse YAML at line ${pos.line}, column ${pos.col}: ${what}` : `cannot parse YAML: ${what}`;
  });
  return { data: errors.length > 0 ? undefined : doc.toJS(), errors };
}

function withRoot(issues: ContentIssue[], root: string): ContentIssue[] {
  return issues.map((issue) => (issue.field === '' ? { ...issue, field: root } : issue));
}

function validate<T>(schema: z.ZodType<T>, data: unknown, file: string, root: string): { value?: T; issues: ContentIssue[] } {
  const result = schema.safeParse(data, { error: contentErrorMap });
  if (result.success) return { value: result.data, issues: [] };
  return { issues: withRoot(zodIssues(file, result.error), root) };
}

async function readContent(dir: string, strict: boolean): Promise<{ content: Content; issues: ContentIssue[] }> {
  const root = path.resolve(dir);
  const content: Content = { dir: root, programs: new Map(), faq: [], thesaurus: [] };
  const issues: ContentIssue[] = [];

  const rootKind = await kindOf(root);
  if (rootKind !== 'dir') {
    const message = rootKind === 'missing' ? `content directory not found: ${root}` : `not a directory: ${root}`;
    issues.push({ file: '.', field: '(directory)', message });
    return { content, issues };
  }

  const programsKind = await kindOf(path.join(root, 'programs'));
  const faqKind = await kindOf(path.join(root, 'faq'));
  for (const [name, kind] of [['programs/', programsKind], ['faq/', faqKind]] as const) {
    if (kind === 'file') issues.push({ file: name, field: '(directory)', message: 'must be a directory, not a file' });
  }
  if (programsKind === 'missing' && faqKind === 'missing') {
    const message = 'is missing: a content directory needs programs/, faq/ or both';
    issues.push({ file: 'programs/', field: '(directory)', message }, { file: 'faq/', field: '(directory)', message });
  }

  if (programsKind === 'dir') await readPrograms(root, content, issues);
  if (faqKind === 'dir') await readFaq(root, strict, content, issues);
  await readThesaurus(root, content, issues);

  return { content, issues };
}

async function readSource(root: string, file: string, issues: ContentIssue[]): Promise<string | undefined> {
  try {
    return await readFile(path.join(root, file), 'utf8');
  } catch (err) {
    issues.push({ file, field: '(file)', message: `cannot read: ${errorText(err)}` });
    return undefined;
  }
}

async function readPrograms(root: string, content: Content, issues: ContentIssue[]): Promise<void> {
  for (const name of await listFiles(path.join(root, 'programs'), ['.yaml', '.yml'])) {
    const file = `programs/${name}`;
    const source = await readSource(root, file, issues);
    if (source === undefined) continue;

    const parsed = parseYaml(source);
    if (parsed.errors.length > 0) {
      issues.push(...parsed.errors.map((message) => ({ file, field: '(yaml)', message })));
      continue;
    }
    if (parsed.data == null) {
      issues.push({ file, field: '(file)', message: 'is empty' });
      continue;
    }

    const expectedId = name.replace(/\.ya?ml$/, '');
    const { value, issues: schemaIssues } = validate(programSchema, parsed.data, file, '(file)');
    const ruleIssues = checkProgramRules(file, expectedId, parsed.data);
    issues.push(...schemaIssues, ...ruleIssues);
    if (value && ruleIssues.length === 0) {
      const program: Program = {
        id: value.id,
        title: value.title,
        summary: value.summary,
        stall: {
          missedRounds: value.stall.missed_rounds,
          blockedAnswers: value.stall.blocked_answers,
          blockedWindow: value.stall.blocked_window,
          behindMilestones: value.stall.behind_milestones,
          confidenceDrop: value.stall.confidence_drop,
          confidenceWindow: value.stall.confidence_window,
          ...(value.stall.no_commits_days !== undefined ? { noCommitsDays: value.stall.no_commits_days } : {}),
        },
        milestones: value.milestones.map((m) => ({
          id: m.id,
          title: m.title,
          goal: m.goal,
          doneWhen: m.done_when,
          resources: m.resources,
          week: m.week,
          ...(m.evidence ? { evidence: m.evidence.map(toCheck) } : {}),
        })),
        weeks: value.weeks.map((w) => ({ week: w.week, milestoneId: w.milestone, focus: w.focus })),
      };
      content.programs.set(program.id, program);
    }
  }
}

async function readFaq(root: string, strict: boolean, content: Content, issues: ContentIssue[]): Promise<void> {
  const schema = faqFrontMatterSchema(strict);
  const owners = new Map<string, string>();

  for (const name of await listFiles(path.join(root, 'faq'), ['.md'])) {
    const file = `faq/${name}`;
    const source = await readSource(root, file, issues);
    if (source === undefined) continue;

    if (!source.replace(/^\uFEFF/, '').startsWith('---')) {
      issues.push({ file, field: 'front matter', message: 'is missing: start the file with a YAML block between --- lines' });
      continue;
    }

    let yamlErrors: string[] = [];
    let parsedBody: string;
    let data: unknown;
    try {
      const parsed = matter(source, {
        engines: {
          yaml: (text: string) => {
            const result = parseYaml(text);
            yamlErrors = result.errors;
            return (result.data ?? {}) as object;
          },
        },
      });
      parsedBody = parsed.content;
      data = parsed.data;
    } catch (err) {
      issues.push({ file, field: 'front matter', message: `cannot parse: ${errorText(err)}` });
      continue;
    }
    if (yamlErrors.length > 0) {
      issues.push(...yamlErrors.map((message) => ({ file, field: 'front matter', message })));
      continue;
    }

    const fileIssues: ContentIssue[] = [];
    const { value, issues: schemaIssues } = validate(schema, data, file, 'front matter');
    fileIssues.push(...schemaIssues);

    const expectedId = name.slice(0, -'.md'.length);
    const rawId = (data as { id?: unknown }).id;
    if (typeof rawId === 'string') {
      const id = rawId.trim();
      if (id !== expectedId) fileIssues.push({ file, field: 'id', message: `must equal the file name "${expectedId}", not "${id}"` });
      const owner = owners.get(id);
      if (owner !== undefined) fileIssues.push({ file, field: 'id', message: `duplicate FAQ id "${id}" (also in ${owner})` });
      else owners.set(id, file);
    }

    const answer = parsedBody.trim();
    if (answer === '') fileIssues.push({ file, field: 'answer', message: 'must not be empty (write the answer below the front matter)' });

    issues.push(...fileIssues);
    if (value && fileIssues.length === 0) {
      const entry: FaqEntry = {
        id: value.id,
        question: value.question,
        aliases: value.aliases,
        tags: value.tags,
        sources: value.sources,
        answer,
        file,
      };
      content.faq.push(entry);
    }
  }
}

async function readThesaurus(root: string, content: Content, issues: ContentIssue[]): Promise<void> {
  const file = 'thesaurus.yaml';
  const kind = await kindOf(path.join(root, file));
  if (kind === 'missing') return;
  if (kind === 'dir') {
    issues.push({ file, field: '(file)', message: 'must be a file, not a directory' });
    return;
  }
  const source = await readSource(root, file, issues);
  if (source === undefined) return;

  const parsed = parseYaml(source);
  if (parsed.errors.length > 0) {
    issues.push(...parsed.errors.map((message) => ({ file, field: '(yaml)', message })));
    return;
  }
  if (parsed.data == null) {
    issues.push({ file, field: '(file)', message: 'is empty' });
    return;
  }
  const { value, issues: schemaIssues } = validate(thesaurusSchema, parsed.data, file, '(file)');
  issues.push(...schemaIssues);
  if (value) content.thesaurus = value.groups;
}
