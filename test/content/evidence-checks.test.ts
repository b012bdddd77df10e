import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkContent, loadContent } from '../../src/content/load.js';

let dir: string | null = null;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = null;
});

/** The real program with its text edited, in a content directory of its own. */
async function programWith(edit: (yaml: string) => string): Promise<string> {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mentorbot-evidence-'));
  await mkdir(path.join(dir, 'programs'));
  const yaml = await readFile('content/programs/ds-to-mle.yaml', 'utf8');
  await writeFile(path.join(dir, 'programs', 'ds-to-mle.yaml'), edit(yaml));
  return dir;
}

describe('evidence checks in programs', () => {
  it('the DS→MLE milestones declare checks that follow their done-when', async () => {
    const content = await loadContent('content');
    const program = content.programs.get('ds-to-mle')!;
    const checks = Object.fromEntries(program.milestones.map((m) => [m.id, (m.evidence ?? []).map((c) => c.type)]));
    expect(checks).toEqual({
      'production-code': ['github.repo', 'github.file', 'github.file', 'github.file'],
      'containerization-serving': ['github.repo', 'github.file'],
      'ci-cd': ['github.file', 'github.workflow'],
      'system-design': [],
      'drift-monitoring': ['github.repo', 'github.activity'],
      'capstone-system': ['github.workflow', 'github.activity', 'http.get'],
      'portfolio-job-search': ['github.repo', 'http.get'],
    });
    expect(program.milestones[0]!.evidence![2]).toEqual({ type: 'github.file', paths: ['pyproject.toml', 'requirements.txt'] });
    expect(program.stall.noCommitsDays).toBe(14);
  });

  it('content check names the file and field of a bad check', async () => {
    const root = await programWith((y) =>
      y
        .replace('      - type: github.workflow\n', '      - type: github.workflows\n')
        .replace('        path: Dockerfile', '        path: ../Dockerfile')
        .replace('        days: 30', '        days: 0')
        .replace('      - type: http.get\n        timeout_ms: 5000\n', '      - type: http.get\n        timeout_ms: 9000\n        url: http://example.com\n'),
    );
    const issues = (await checkContent(root)).map((i) => `${i.file}: ${i.field}: ${i.message}`);
    expect(issues).toEqual([
      'programs/ds-to-mle.yaml: milestones[1].evidence[1].path: must be a path inside the repository, e.g. Dockerfile or tests/',
      'programs/ds-to-mle.yaml: milestones[2].evidence[1].type: must have a type: github.repo, github.file, github.workflow, github.activity or http.get',
      'programs/ds-to-mle.yaml: milestones[4].evidence[1].days: must be at least 1',
      'programs/ds-to-mle.yaml: milestones[5].evidence[2].url: must be an https:// URL',
      'programs/ds-to-mle.yaml: milestones[5].evidence[2].timeout_ms: must be at most 5000 (checks give up after 5 s)',
    ]);
  });

  it('a program without checks or no_commits_days still loads (the rule then uses 14 days)', async () => {
    const root = await programWith((y) => y.replace(/\n {4}evidence:\n(?: {6}.*\n| {8}.*\n)+/g, '\n').replace('  no_commits_days: 14\n', ''));
    const program = (await loadContent(root, { strict: false })).programs.get('ds-to-mle')!;
    expect(program.milestones.every((m) => (m.evidence ?? []).length === 0)).toBe(true);
    expect(program.stall.noCommitsDays).toBeUndefined();
  });
});
