import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Instruction {
  op: string;
  args: string;
}

/** Dockerfile instructions with continuation lines joined and comments dropped. */
function instructions(text: string): Instruction[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [op, ...rest] = l.split(/\s+/);
      return { op: op!.toUpperCase(), args: rest.join(' ') };
    });
}

const all = instructions(readFileSync('Dockerfile', 'utf8'));
const stages: Instruction[][] = [];
for (const ins of all) {
  if (ins.op === 'FROM') stages.push([]);
  stages.at(-1)?.push(ins);
}
const final = stages.at(-1)!;

describe('Dockerfile', () => {
  it('builds on node:22-slim in more than one stage', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(all.filter((i) => i.op === 'FROM').every((i) => i.args.startsWith('node:22-slim'))).toBe(true);
  });

  it('installs production dependencies only, from the lockfile', () => {
    const installs = all.filter((i) => i.op === 'RUN' && /\bnpm (ci|install)\b/.test(i.args));
    expect(installs.length).toBeGreaterThan(0);
    expect(installs.every((i) => /npm ci\b/.test(i.args) && /--omit=dev/.test(i.args))).toBe(true);
    const copiedModules = final.filter((i) => i.op === 'COPY' && /node_modules/.test(i.args));
    expect(copiedModules.every((i) => /--from=/.test(i.args))).toBe(true);
  });

  it('runs as a non-root user', () => {
    const user = final.filter((i) => i.op === 'USER').at(-1);
    expect(user?.args).toBeDefined();
    expect(['root', '0']).not.toContain(user!.args.split(':')[0]);
    const userIndex = final.indexOf(user!);
    expect(final.findIndex((i) => i.op === 'CMD')).toBeGreaterThan(userIndex);
  });

  it('checks health on /healthz and starts the bot, which migrates first', () => {
    expect(final.find((i) => i.op === 'HEALTHCHECK')?.args).toMatch(/\/healthz/);
    expect(JSON.parse(final.find((i) => i.op === 'CMD')!.args)).toEqual(['node', 'bin/mentorbot.js', 'start']);
  });

  it('listens on every interface of the container, so the published port and health check reach it', () => {
    const env = final.filter((i) => i.op === 'ENV').map((i) => i.args).join(' ');
    expect(env).toMatch(/\bHOST=0\.0\.0\.0\b/);
  });

  it('copies only files that exist, and everything the bot needs at run time', () => {
    const sources = final.filter((i) => i.op === 'COPY' && !/--from=/.test(i.args)).flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    for (const src of sources) expect(existsSync(src), src).toBe(true);
    for (const needed of ['src', 'migrations', 'content', 'bin', 'package.json']) expect(sources).toContain(needed);
    expect(readFileSync('.dockerignore', 'utf8')).toMatch(/^node_modules$/m);
  });

  it('names only production dependencies that exist in package.json', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> };
    // The image runs TypeScript through tsx, so tsx must be a runtime dependency.
    expect(Object.keys(pkg.dependencies)).toContain('tsx');
  });
});

describe('compose.yaml', () => {
  it('runs the bot against its own Postgres, waiting for it to be healthy', () => {
    const compose = parse(readFileSync('compose.yaml', 'utf8')) as { services: Record<string, any> };
    expect(Object.keys(compose.services).sort()).toEqual(['mentorbot', 'postgres']);
    expect(compose.services.mentorbot.environment.DATABASE_URL).toMatch(/^postgres:\/\/.*@postgres:5432\//);
    expect(compose.services.mentorbot.depends_on.postgres.condition).toBe('service_healthy');
  });
});
