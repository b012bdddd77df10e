import { execFile } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/evidence.js';
import { createGitHubPort } from '../../src/evidence/github.js';
import { createSafeFetcher } from '../../src/evidence/safe-fetch.js';
import { FakeGitHub } from '../helpers/fake-github.js';
import { CLI, REPO_ROOT } from '../helpers/processes.js';

const exec = promisify(execFile);
let gh: FakeGitHub;
const NOW = new Date();
const daysAgo = (n: number) => new Date(NOW.getTime() - n * 86_400_000).toISOString();

beforeAll(async () => {
  gh = new FakeGitHub();
  await gh.start();
  gh.setRepo('ana/serving', {
    files: ['Dockerfile', 'app/main.py', '.github/workflows/ci.yml'],
    commits: [{ sha: 'e'.repeat(40), date: daysAgo(2) }],
    runs: [{ name: 'CI', path: '.github/workflows/ci.yml', branch: 'main', conclusion: 'failure', createdAt: daysAgo(1) }],
  });
});
afterAll(async () => {
  await gh.stop();
});

async function cli(argv: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += String(d)));
  stderr.on('data', (d) => (err += String(d)));
  const ports = { github: createGitHubPort({ baseUrl: gh.url, now: () => new Date() }), web: createSafeFetcher() };
  const code = await run(argv, { stdout, stderr }, ports);
  return { code, out, err };
}

/** The real command line, as a user runs it, with GITHUB_API_URL at the fake. */
async function mentorbot(args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [...CLI, ...args], { cwd: REPO_ROOT, env: { ...process.env, GITHUB_API_URL: gh.url, LOG_LEVEL: 'silent' } });
    return { code: 0, out: stdout, err: stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout, err: x.stderr };
  }
}

describe('mentorbot evidence verify', () => {
  it('prints each check as JSON and exits 0 when the milestone is verified (the real CLI, GITHUB_API_URL at a fake)', async () => {
    const r = await mentorbot(['evidence', 'verify', 'https://github.com/ana/serving', '--milestone', 'containerization-serving', '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      milestone: 'containerization-serving',
      url: 'https://github.com/ana/serving',
      checks: [
        { type: 'github.repo', ok: true, detail: 'ana/serving is public.' },
        { type: 'github.file', ok: true, detail: 'Dockerfile is on main.' },
      ],
      verified: true,
    });
  }, 60_000);

  it('exits 1 with what failed when the checks do not pass', async () => {
    const r = await cli(['verify', 'https://github.com/ana/serving', '--milestone', 'ci-cd']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('pass  github.file: .github/workflows/ is on main.');
    expect(r.out).toContain('FAIL  github.workflow: The latest run of "CI" on main ended "failure"; fix it until it is green');
    expect(r.out.trimEnd().endsWith('not verified')).toBe(true);
    const json = await cli(['verify', 'https://github.com/ana/serving', '--milestone', 'ci-cd', '--json', '--program', 'ds-to-mle']);
    expect(JSON.parse(json.out).verified).toBe(false);
    expect(json.code).toBe(1);
  });

  it('exits 2 on bad input, saying what was wrong', async () => {
    const cases: Array<[string[], string]> = [
      [['verify', 'https://github.com/ana/serving'], 'missing --milestone <id>'],
      [['verify', '--milestone', 'ci-cd'], 'missing the link to check'],
      [['verify', 'http://example.com', '--milestone', 'ci-cd'], 'is not an https:// link'],
      [['verify', 'https://github.com/ana/serving', '--milestone', 'k8s'], '"k8s" is not a milestone of ds-to-mle'],
      [['verify', 'https://github.com/ana/serving', '--milestone', 'system-design'], 'milestone system-design declares no evidence checks'],
      [['verify', 'https://github.com/ana/serving', '--milestone', 'ci-cd', '--program', 'nope'], 'no program "nope"'],
      [['check', 'https://github.com/ana/serving'], 'unknown subcommand "check"'],
    ];
    for (const [argv, message] of cases) {
      const r = await cli(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err, argv.join(' ')).toContain(message);
      expect(r.out).toBe('');
    }
  });

  it('exits 1, not 0 or 2, when GitHub cannot be reached, and says so in those words', async () => {
    gh.offline = true;
    try {
      const r = await cli(['verify', 'https://github.com/ana/serving', '--milestone', 'ci-cd']);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/^mentorbot evidence: not checked: could not reach GitHub \(.+\); try again later\.\n$/);
      // Octokit reports a lost connection as a 500 without a response; GitHub never answered.
      expect(r.err).not.toContain('500');
    } finally {
      gh.offline = false;
    }
  });

  it('a GitHub outage (5xx) is "could not reach GitHub" too, in text and JSON', async () => {
    gh.failing = 502;
    try {
      const r = await cli(['verify', 'https://github.com/ana/serving', '--milestone', 'ci-cd', '--json']);
      expect(r.code).toBe(1);
      expect(r.err).toBe('mentorbot evidence: not checked: could not reach GitHub (it is failing: server error 502); try again later.\n');
      expect(JSON.parse(r.out)).toEqual({ milestone: 'ci-cd', url: 'https://github.com/ana/serving', checks: [], verified: false, error: 'could not reach GitHub (it is failing: server error 502)' });
    } finally {
      gh.failing = null;
    }
  });
});
