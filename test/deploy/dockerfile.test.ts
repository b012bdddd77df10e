import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// No Docker engine runs where these tests run: they read the files as `docker build` and
// `docker compose` would, and hold them to what the README promises.

interface Instruction {
  op: string;
  args: string;
}

const dockerfile = readFileSync('Dockerfile', 'utf8');

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

const all = instructions(dockerfile);
const stages: Instruction[][] = [];
for (const ins of all) {
  if (ins.op === 'FROM') stages.push([]);
  stages.at(-1)?.push(ins);
}
const [build, final] = [stages[0]!, stages.at(-1)!];
const runs = (stage: Instruction[]) => stage.filter((i) => i.op === 'RUN').map((i) => i.args);
const copies = (stage: Instruction[]) => stage.filter((i) => i.op === 'COPY').map((i) => i.args.split(/\s+/));
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

describe('Dockerfile', () => {
  it('has no parser directive: BuildKit fetches no frontend from the network', () => {
    expect(dockerfile).not.toMatch(/^#\s*syntax\s*=/im);
  });

  it('builds on one Node image pinned to an exact release (or a digest), in two stages', () => {
    const bases = all.filter((i) => i.op === 'FROM').map((i) => i.args.split(/\s+/)[0]!);
    expect(stages.length).toBe(2);
    for (const base of bases) expect(base).toMatch(/^node:\d+\.\d+\.\d+-[a-z]+-slim(@sha256:[0-9a-f]{64})?$/);
    expect(new Set(bases).size).toBe(1);
  });

  it('compiles in the first stage with every dependency, from the lockfile', () => {
    expect(build[0]!.args).toMatch(/ AS build$/i);
    const [install, compile] = [runs(build).findIndex((r) => /^npm ci\b/.test(r)), runs(build).findIndex((r) => /^npm run build\b/.test(r))];
    expect(install).toBeGreaterThanOrEqual(0);
    expect(runs(build)[install]).not.toMatch(/--omit=dev/);
    expect(compile).toBeGreaterThan(install);
    const copied = copies(build).flatMap((c) => c.slice(0, -1));
    for (const needed of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts', 'src', 'migrations']) expect(copied).toContain(needed);
  });

  it('runs the compiled bot with production dependencies only: no sources, no TypeScript, tsx or esbuild', () => {
    const installs = runs(final).filter((r) => /\bnpm (ci|install)\b/.test(r));
    expect(installs).toHaveLength(1);
    expect(installs[0]).toMatch(/^npm ci --omit=dev --ignore-scripts\b/);
    expect(copies(final)).toContainEqual(['--from=build', '/app/dist', './dist']);
    const fromContext = copies(final).filter((c) => !c[0]!.startsWith('--from=')).flatMap((c) => c.slice(0, -1));
    expect(fromContext.sort()).toEqual(['bin', 'content', 'package-lock.json', 'package.json']);
    for (const devOnly of ['tsx', 'typescript', 'esbuild', 'vitest']) expect(Object.keys(pkg.dependencies)).not.toContain(devOnly);
    expect(Object.keys(pkg.devDependencies)).toEqual(expect.arrayContaining(['tsx', 'typescript']));
  });

  it('copies only files that exist, and keeps build output and local data out of the context', () => {
    for (const src of [...copies(build), ...copies(final)].filter((c) => !c[0]!.startsWith('--from=')).flatMap((c) => c.slice(0, -1))) {
      expect(existsSync(src), src).toBe(true);
    }
    const ignored = readFileSync('.dockerignore', 'utf8').split('\n');
    for (const entry of ['node_modules', 'dist', 'data']) expect(ignored).toContain(entry);
  });

  it('runs as the node user, with the data directory given to it', () => {
    const user = final.filter((i) => i.op === 'USER').at(-1);
    expect(user?.args).toBe('node');
    expect(runs(final).some((r) => /chown node:node \/data/.test(r))).toBe(true);
    expect(final.findIndex((i) => i.op === 'CMD')).toBeGreaterThan(final.indexOf(user!));
  });

  it('checks health on /healthz, stops on SIGTERM, and starts node itself on the compiled bot', () => {
    expect(final.find((i) => i.op === 'HEALTHCHECK')?.args).toMatch(/\/healthz/);
    expect(final.find((i) => i.op === 'STOPSIGNAL')?.args).toBe('SIGTERM');
    expect(JSON.parse(final.find((i) => i.op === 'CMD')!.args)).toEqual(['node', 'bin/mentorbot.js', 'start']);
  });

  it('listens on every interface of the container and keeps its data under /data', () => {
    const env = final.filter((i) => i.op === 'ENV').map((i) => i.args).join(' ');
    expect(env).toMatch(/\bHOST=0\.0\.0\.0\b/);
    expect(env).toMatch(/\bDATA_DIR=\/data\b/);
    expect(env).toMatch(/\bNODE_ENV=production\b/);
  });
});

describe('compose.yaml', () => {
  const compose = parse(readFileSync('compose.yaml', 'utf8')) as { services: Record<string, any> };
  const bot = compose.services.mentorbot;

  it('runs the bot against its own Postgres, waiting for it to be healthy', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['mentorbot', 'postgres']);
    expect(bot.build).toBe('.');
    expect(bot.environment.DATABASE_URL).toMatch(/^postgres:\/\/.*@postgres:5432\//);
    expect(bot.depends_on.postgres.condition).toBe('service_healthy');
    expect(compose.services.postgres.healthcheck.test.join(' ')).toContain('pg_isready');
  });

  it('gives the bot a read-only root, and more time to stop than its drain takes', () => {
    expect(bot.read_only).toBe(true);
    const grace = /^(\d+)s$/.exec(bot.stop_grace_period)?.[1];
    expect(Number(grace)).toBeGreaterThanOrEqual(10);
  });

  it('passes every platform variable through, empty when unset', () => {
    for (const name of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'DISCORD_TOKEN', 'DISCORD_APPLICATION_ID', 'DISCORD_GUILD_ID']) {
      expect(bot.environment[name]).toBe(`\${${name}:-}`);
    }
  });
});
