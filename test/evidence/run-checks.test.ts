import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvidenceCheck } from '../../src/content/types.js';
import { FetchRefused, type FetchResult, type WebPort } from '../../src/core/evidence/ports.js';
import { milestoneVerified, runChecks } from '../../src/core/evidence/run-checks.js';
import { parseEvidenceUrl } from '../../src/core/evidence/url.js';
import { createGitHubPort } from '../../src/evidence/github.js';
import { FakeGitHub } from '../helpers/fake-github.js';

const NOW = new Date('2027-05-10T12:00:00Z');
const daysAgo = (n: number) => new Date(NOW.getTime() - n * 86_400_000).toISOString();

/** A deployed site: fixed answers per URL, or a refusal as the safe fetcher would give. */
function site(pages: Record<string, FetchResult | Error>): WebPort {
  return {
    async get(url) {
      const page = pages[url];
      if (!page) throw new FetchRefused('could not be reached (connect ECONNREFUSED); is it deployed and public?');
      if (page instanceof Error) throw page;
      return page;
    },
  };
}

let gh: FakeGitHub;
beforeAll(async () => {
  gh = new FakeGitHub();
  await gh.start();
  gh.setRepo('ana/capstone', {
    defaultBranch: 'trunk',
    files: ['.github/workflows/train.yml'],
    commits: Array.from({ length: 45 }, (_, i) => ({ sha: `${String(i).padStart(2, '0')}${'a'.repeat(38)}`, date: daysAgo(20 + i) })),
    runs: Array.from({ length: 40 }, (_, i) => ({
      name: i === 0 ? 'nightly-retrain' : 'CI',
      path: `.github/workflows/${i === 0 ? 'train.yml' : 'ci.yml'}`,
      branch: 'trunk',
      conclusion: i === 0 ? 'failure' : 'success',
      createdAt: daysAgo(i),
    })),
  });
});
afterAll(async () => {
  await gh.stop();
});

const github = () => createGitHubPort({ baseUrl: gh.url, now: () => NOW });

describe('runChecks', () => {
  const capstone: EvidenceCheck[] = [{ type: 'github.workflow' }, { type: 'github.activity', days: 14 }, { type: 'http.get', timeoutMs: 5000 }];

  it('runs GitHub checks on a repository link and leaves http.get for a deployed link', async () => {
    const out = await runChecks({ github: github(), web: site({}) }, capstone, parseEvidenceUrl('https://github.com/ana/capstone'), NOW);
    expect(out.results).toEqual([
      { index: 0, type: 'github.workflow', ok: false, detail: expect.stringContaining('The latest run of "nightly-retrain" on trunk ended "failure"') },
      { index: 1, type: 'github.activity', ok: false, detail: 'No commit on trunk in the last 14 days (the last was 20 days ago); push your recent work.' },
    ]);
    expect(out.verified).toBe(false);
    expect(out.lastCommitAt?.toISOString()).toBe(daysAgo(20));
  });

  it('a named workflow is looked for by name across pages of runs', async () => {
    const out = await runChecks({ github: github(), web: site({}) }, [{ type: 'github.workflow', workflow: 'CI' }], parseEvidenceUrl('https://github.com/ana/capstone'), NOW);
    expect(out.results[0]).toMatchObject({ ok: true, detail: 'The latest run of "CI" on trunk succeeded.' });
    const byFile = await runChecks({ github: github(), web: site({}) }, [{ type: 'github.workflow', workflow: 'train.yml' }], parseEvidenceUrl('https://github.com/ana/capstone'), NOW);
    expect(byFile.results[0]).toMatchObject({ ok: false });
  });

  it('http.get passes on 2xx with the JSON field, and says what to fix otherwise', async () => {
    const web = site({
      'https://churn.example.com/health': { status: 200, body: '{"status":"ok","model":{"version":"3"}}', contentType: 'application/json' },
      'https://churn.example.com/nojson': { status: 200, body: '<html>', contentType: 'text/html' },
      'https://churn.example.com/down': { status: 503, body: '', contentType: null },
    });
    const check = (url: string, jsonField?: string) =>
      runChecks({ github: github(), web }, [{ type: 'http.get', timeoutMs: 5000, ...(jsonField ? { jsonField } : {}) }], parseEvidenceUrl(url), NOW);
    expect((await check('https://churn.example.com/health', 'model.version')).verified).toBe(true);
    expect((await check('https://churn.example.com/health', 'model.owner')).results[0]!.detail).toBe(
      'https://churn.example.com/health answered JSON without a "model.owner" field; add it to the response.',
    );
    expect((await check('https://churn.example.com/nojson', 'status')).results[0]!.detail).toContain('answered, but not with JSON');
    expect((await check('https://churn.example.com/down')).results[0]!.detail).toBe('https://churn.example.com/down answered 503; it must answer 2xx (is it deployed and public?).');
    expect((await check('https://churn.example.com/gone')).results[0]!.detail).toContain('could not be reached');
  });

  it('a milestone is verified once each of its checks passed on one of its links', () => {
    const repo = { state: 'verified', results: [{ index: 0, type: 'github.workflow', ok: true, detail: '' }, { index: 1, type: 'github.activity', ok: true, detail: '' }] };
    const web = { state: 'verified', results: [{ index: 2, type: 'http.get', ok: true, detail: '' }] };
    expect(milestoneVerified(capstone, [repo])).toBe(false);
    expect(milestoneVerified(capstone, [repo, web])).toBe(true);
    expect(milestoneVerified(capstone, [repo, { ...web, state: 'not-verified' }])).toBe(false);
    expect(milestoneVerified([], [repo])).toBe(false);
  });
});

describe('parseEvidenceUrl', () => {
  it('reads repositories, pull requests, commits and deployed URLs, including chat-wrapped links', () => {
    expect(parseEvidenceUrl('<https://github.com/Ana/capstone.git|repo>')).toEqual({ url: 'https://github.com/Ana/capstone', kind: 'repo', owner: 'Ana', repo: 'capstone' });
    expect(parseEvidenceUrl('https://github.com/ana/capstone/tree/main/src').kind).toBe('repo');
    expect(parseEvidenceUrl('https://github.com/ana/capstone/pull/12/files')).toMatchObject({ kind: 'pull', ref: '12', url: 'https://github.com/ana/capstone/pull/12' });
    expect(parseEvidenceUrl('https://github.com/ana/capstone/commit/ABCDEF1')).toMatchObject({ kind: 'commit', ref: 'abcdef1' });
    expect(parseEvidenceUrl('https://churn.example.com/health#x')).toEqual({ url: 'https://churn.example.com/health', kind: 'web' });
  });
});
