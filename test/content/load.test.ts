import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ContentError, checkContent, formatIssues, loadContent } from '../../src/content/load.js';
import type { ContentIssue } from '../../src/content/types.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/content/${name}`, import.meta.url));

function expectIssue(issues: ContentIssue[], file: string, field: string, message: string | RegExp) {
  const found = issues.filter((issue) => issue.file === file && issue.field === field);
  const matches = found.some((issue) =>
    typeof message === 'string' ? issue.message.includes(message) : message.test(issue.message),
  );
  expect(matches, `no issue ${file}: ${field}: ${String(message)} in\n${formatIssues(issues)}`).toBe(true);
}

describe('loadContent on valid content', () => {
  it('maps programs to camelCase types', async () => {
    const content = await loadContent(fixture('valid'));
    expect(content.dir).toBe(fixture('valid'));
    const program = content.programs.get('mini');
    expect(program).toBeDefined();
    expect(program!.stall).toEqual({
      missedRounds: 2,
      blockedAnswers: 2,
      blockedWindow: 3,
      behindMilestones: 1,
      confidenceDrop: 2,
      confidenceWindow: 3,
    });
    expect(program!.milestones[0]).toEqual({
      id: 'first-step',
      title: 'First step',
      goal: 'Get started.',
      doneWhen: 'A mentor has seen it.',
      resources: ['Docker', 'GitHub Actions'],
      week: 2,
    });
    expect(program!.weeks.map((w) => [w.week, w.milestoneId])).toEqual([
      [1, 'first-step'],
      [2, 'first-step'],
      [3, 'second-step'],
    ]);
  });

  it('reads FAQ entries in file order with their answer and file', async () => {
    const content = await loadContent(fixture('valid'));
    expect(content.faq.map((entry) => entry.id)).toEqual(['first-entry', 'second-entry']);
    expect(content.faq[1]).toEqual({
      id: 'second-entry',
      question: 'Docker or k8s first?',
      aliases: ['k8s or docker first', 'do I need kubernetes', 'docker first?'],
      tags: ['tools', 'kubernetes'],
      sources: ['Example article (Example publisher)'],
      answer: 'Docker first. Kubernetes later. Only when you need it.',
      file: 'faq/second-entry.md',
    });
  });

  it('reads the thesaurus when present and defaults to none', async () => {
    expect((await loadContent(fixture('valid'))).thesaurus).toEqual([
      ['ds', 'data scientist'],
      ['mle', 'ml engineer', 'machine learning engineer'],
      ['k8s', 'kubernetes'],
    ]);
    expect((await loadContent(fixture('faq-only'))).thesaurus).toEqual([]);
  });

  it('loads a directory with only faq/ and an empty programs map', async () => {
    const content = await loadContent(fixture('faq-only'));
    expect(content.programs.size).toBe(0);
    expect(content.faq.map((entry) => entry.id)).toEqual(['only-entry']);
    expect(await checkContent(fixture('faq-only'))).toEqual([]);
  });
});

describe('strict and lenient FAQ rules', () => {
  it('requires aliases, tags and sources by default', async () => {
    const issues = await checkContent(fixture('lenient'));
    expectIssue(issues, 'faq/converted.md', 'aliases', 'is required');
    expectIssue(issues, 'faq/converted.md', 'tags', 'is required');
    expectIssue(issues, 'faq/converted.md', 'sources', 'is required');
  });

  it('accepts entries without aliases, tags or sources when strict is false', async () => {
    const content = await loadContent(fixture('lenient'), { strict: false });
    expect(content.faq).toEqual([
      {
        id: 'converted',
        question: 'What is a converted public FAQ entry?',
        aliases: [],
        tags: [],
        sources: [],
        answer: 'One with no aliases, tags or sources.',
        file: 'faq/converted.md',
      },
    ]);
  });
});

describe('program errors', () => {
  const file = 'programs/broken.yaml';

  it('reports every broken rule with its file and field', async () => {
    const issues = await checkContent(fixture('broken-program'));
    expectIssue(issues, file, 'id', 'must equal the file name "broken"');
    expectIssue(issues, file, 'milestones[2].id', 'duplicate milestone id "alpha" (also milestones[0])');
    expectIssue(issues, file, 'weeks[2].milestone', 'unknown milestone "delta"');
    expectIssue(issues, file, 'weeks[2].week', 'must be 3, not 4');
    expectIssue(issues, file, 'milestones[1].week', 'week 9 is beyond the program length (4 weeks)');
    expectIssue(issues, file, 'milestones[3].id', 'must be kebab-case');
    expectIssue(issues, file, 'milestones[3].id', 'no week works toward milestone "Gamma_Step"');
    expectIssue(issues, file, 'milestones[0].done_when', 'is required');
    expectIssue(issues, file, 'milestones[0].doneWhen', 'did you mean done_when?');
    expectIssue(issues, file, 'milestones[0].resources', 'must have 2-4 entries');
    expectIssue(issues, file, 'weeks[3].focus', 'must not be empty');
    expectIssue(issues, file, 'stall.blocked_answers', 'must not exceed blocked_window (3)');
  });

  it('reports only the first break in week numbering', async () => {
    const issues = await checkContent(fixture('broken-program'));
    expect(issues.filter((issue) => issue.file === file && /^weeks\[\d+\]\.week$/.test(issue.field))).toHaveLength(1);
  });

  it('reports unparsable YAML with its line', async () => {
    const issues = await checkContent(fixture('broken-program'));
    expectIssue(issues, 'programs/unparsable.yaml', '(yaml)', /^cannot parse YAML at line 3, column \d+:/);
  });

  it('does not load a broken program but still checks the other files', async () => {
    const issues = await checkContent(fixture('broken-program'));
    expect(issues.some((issue) => issue.file === 'faq/fine.md')).toBe(false);
    await expect(loadContent(fixture('broken-program'))).rejects.toBeInstanceOf(ContentError);
  });
});

describe('FAQ errors', () => {
  it('reports each broken entry with its file and field', async () => {
    const issues = await checkContent(fixture('broken-faq'));
    expectIssue(issues, 'faq/wrong-id.md', 'id', 'must equal the file name "wrong-id", not "right-id"');
    expectIssue(issues, 'faq/dup-two.md', 'id', 'duplicate FAQ id "dup-one" (also in faq/dup-one.md)');
    expectIssue(issues, 'faq/empty-answer.md', 'answer', 'must not be empty');
    expectIssue(issues, 'faq/bad-aliases.md', 'aliases', 'must have 2-40 entries');
    expectIssue(issues, 'faq/bad-aliases.md', 'aliases[0]', 'must not be empty');
    expectIssue(issues, 'faq/bad-aliases.md', 'question', 'must be text, not number');
    expectIssue(issues, 'faq/bad-aliases.md', 'tags', 'must have at least one tag');
    expectIssue(issues, 'faq/bad-aliases.md', 'sources', 'must name at least one source');
    expectIssue(issues, 'faq/bad-aliases.md', 'extra', 'unknown field');
    expectIssue(issues, 'faq/bad-yaml.md', 'front matter', /^cannot parse YAML at line \d+/);
    expectIssue(issues, 'faq/no-front-matter.md', 'front matter', 'is missing');
    expect(issues.some((issue) => issue.file === 'faq/dup-one.md')).toBe(false);
  });

  it('throws one ContentError listing every issue', async () => {
    const issues = await checkContent(fixture('broken-faq'));
    const error = await loadContent(fixture('broken-faq')).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ContentError);
    expect((error as ContentError).issues).toEqual(issues);
    expect((error as ContentError).message).toContain(formatIssues(issues));
  });
});

describe('thesaurus errors', () => {
  it('reports groups with fewer than two terms and empty terms', async () => {
    const issues = await checkContent(fixture('broken-thesaurus'));
    expectIssue(issues, 'thesaurus.yaml', 'groups[1]', 'must have at least 2 terms');
    expectIssue(issues, 'thesaurus.yaml', 'groups[2][1]', 'must not be empty');
    expect(issues).toHaveLength(2);
  });
});

describe('directory errors', () => {
  it('reports a missing content directory', async () => {
    const missing = path.join(tmpdir(), 'mentorbot-no-such-content-dir');
    const issues = await checkContent(missing);
    expectIssue(issues, '.', '(directory)', 'content directory not found');
  });

  it('reports a directory with neither programs/ nor faq/', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'mentorbot-content-'));
    try {
      const issues = await checkContent(dir);
      expectIssue(issues, 'programs/', '(directory)', 'is missing');
      expectIssue(issues, 'faq/', '(directory)', 'is missing');
      await expect(loadContent(dir, { strict: false })).rejects.toBeInstanceOf(ContentError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('formatIssues', () => {
  it('prints one line per issue as file: field: message', () => {
    expect(
      formatIssues([
        { file: 'faq/x.md', field: 'aliases', message: 'must have 2-40 entries' },
        { file: 'programs/p.yaml', field: 'weeks[3].milestone', message: 'unknown milestone "x"' },
      ]),
    ).toBe('faq/x.md: aliases: must have 2-40 entries\nprograms/p.yaml: weeks[3].milestone: unknown milestone "x"');
  });
});
