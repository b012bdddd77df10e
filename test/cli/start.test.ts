import { execFile } from 'node:child_process';
import net from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, REPO_ROOT } from '../helpers/processes.js';

let scratch: string;

/** Runs the real CLI with only the environment given (plus PATH), and stdin closed. */
function mentorbot(args: string[], env: Record<string, string>): Promise<{ code: number; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [...CLI, ...args],
      { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', PORT: '0', DATA_DIR: path.join(scratch, 'data'), ...env }, timeout: 30_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}

describe('mentorbot start and migrate refuse a bad setup with one line naming the variable', () => {
  beforeAll(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'mentorbot-start-'));
    await writeFile(path.join(scratch, 'a-file'), 'not a directory');
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('a content directory that does not exist', async () => {
    const r = await mentorbot(['start'], { CONTENT_DIR: path.join(scratch, 'nowhere') });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`CONTENT_DIR=${path.join(scratch, 'nowhere')}: `);
    expect(r.stderr).toContain('content directory not found');
    expect(r.stderr).not.toMatch(/\bat .+\.ts:\d+/);
  });

  it('a data directory that is a file', async () => {
    const r = await mentorbot(['start'], { DATA_DIR: path.join(scratch, 'a-file') });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`DATA_DIR=${path.join(scratch, 'a-file')}: the embedded database cannot be opened there`);
    expect(r.stderr).not.toMatch(/\bat .+\.ts:\d+/);
  });

  it('a database nobody listens for', async () => {
    const r = await mentorbot(['migrate'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:9/mentorbot' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('DATABASE_URL: the database cannot be used (connect ECONNREFUSED 127.0.0.1:9)');
  });

  it('a port another process listens on', async () => {
    const other = net.createServer();
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const port = (other.address() as net.AddressInfo).port;
    try {
      const r = await mentorbot(['start'], { PORT: String(port) });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`PORT=${port}: another process already listens on 127.0.0.1:${port}. Stop it or choose another PORT.`);
      expect(r.stderr).not.toMatch(/\bat .+\.ts:\d+|EADDRINUSE/);
    } finally {
      other.close();
    }
  });

  it('an option they do not take', async () => {
    for (const command of ['start', 'migrate']) {
      const r = await mentorbot([command, '--bogus'], {});
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`mentorbot ${command}: unexpected "--bogus"; it takes no options (configuration comes from the environment).\n`);
    }
  });
});
