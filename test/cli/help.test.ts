import { execFile } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { run as contentRun } from '../../src/cli/content.js';
import { CLI, REPO_ROOT } from '../helpers/processes.js';

function mentorbot(args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...CLI, ...args], { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '' }, timeout: 30_000 }, (err, stdout) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout }),
    );
  });
}

describe('mentorbot --help', () => {
  it('lists every option of slack manifest and discord register', async () => {
    const r = await mentorbot(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('slack manifest [--url URL | --socket]');
    expect(r.stdout).toContain('discord register [--print]');
    expect(r.stdout).toContain('mentorbot <command> --help');
  });

  it('is answered by each command, without running it', async () => {
    const start = await mentorbot(['start', '--help']);
    expect(start).toEqual({ code: 0, stdout: expect.stringContaining('usage: mentorbot start') });
    const exp = await mentorbot(['export', '--help']);
    expect(exp).toEqual({ code: 0, stdout: expect.stringContaining('usage: mentorbot export checkins') });
  });
});

describe('mentorbot content check', () => {
  afterEach(() => vi.restoreAllMocks());

  it('says what it checked when the content is valid', async () => {
    let out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
    expect(await contentRun(['check', '--content', 'test/fixtures/content/valid'])).toBe(0);
    expect(out).toMatch(/^test\/fixtures\/content\/valid: content is valid: 1 program \(\S+: \d+ milestones over \d+ weeks\), \d+ FAQ entries, \d+ thesaurus groups\n$/);
  });
});
