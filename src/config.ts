import { z } from 'zod';

export interface AdminId {
  platform: 'slack' | 'discord' | 'local';
  userId: string;
}

export interface Config {
  databaseUrl: string | null;
  dataDir: string;
  contentDir: string;
  port: number;
  /** The interface the HTTP server binds; loopback unless a platform must reach it. */
  host: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  adminUserIds: AdminId[];
  reminderAfterHours: number;
  /** Days after a cohort finishes before its check-in notes and blockers are removed; null: kept. */
  retentionDays?: number | null;
  testClock: boolean;
  /** PUBLIC_URL: the dashboard's address as people reach it; null means http://127.0.0.1:<the bound port>. */
  publicUrl?: string | null;
  slack: { botToken: string; signingSecret: string | null; appToken: string | null; apiUrl: string | null } | null;
  discord: { token: string; applicationId: string; guildId: string | null; apiUrl: string | null } | null;
  /** Evidence checks: GitHub's REST API (GITHUB_API_URL for Enterprise or a test server) and the safe fetcher. */
  evidence?: { githubApiUrl: string | null; githubToken: string | null; allowPrivate: boolean };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `mentorbot cannot start: ${problems.length} configuration problem${problems.length === 1 ? '' : 's'}\n` +
        problems.map((p) => `  ${p}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional());

const url = (what: string, protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `expected ${what}` },
  );

const wholeNumber = (min: number, max: number, what: string) =>
  z
    .string()
    .regex(/^\d+$/, { message: `expected ${what}` })
    .transform(Number)
    .refine((n) => n >= min && n <= max, { message: `expected ${what}` });

const snowflake = (what: string) => z.string().regex(/^\d{15,22}$/, { message: `expected ${what}` });

const adminList = z.string().transform((value, ctx) => {
  const ids: AdminId[] = [];
  for (const raw of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const match = /^(slack|discord|local):([A-Za-z0-9_.-]+)$/.exec(raw);
    if (!match) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a comma-separated list like "slack:U0123,discord:81234"; "${raw}" is not platform:id`,
        params: { namesValue: true },
      });
      return z.NEVER;
    }
    ids.push({ platform: match[1] as AdminId['platform'], userId: match[2]! });
  }
  return ids;
});

const envSchema = z.object({
  DATABASE_URL: optional(url('a postgres:// or postgresql:// connection URL', ['postgres:', 'postgresql:'])),
  DATA_DIR: optional(z.string()),
  CONTENT_DIR: optional(z.string()),
  PORT: optional(wholeNumber(0, 65535, 'a port number from 1 to 65535 (0 picks a free one)')),
  HOST: optional(z.string().regex(/^[\w.:-]+$/, { message: 'expected an interface address such as 127.0.0.1, 0.0.0.0 or ::' })),
  LOG_LEVEL: optional(
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'expected one of fatal, error, warn, info, debug, trace, silent',
    }),
  ),
  ADMIN_USER_IDS: optional(adminList),
  REMINDER_AFTER_HOURS: optional(wholeNumber(1, 167, 'a whole number of hours from 1 to 167 (less than a week)')),
  RETENTION_DAYS: optional(wholeNumber(1, 36500, 'a whole number of days from 1 to 36500')),
  PUBLIC_URL: optional(
    url('an http(s) URL such as https://mentorbot.example.org', ['http:', 'https:']).refine(
      (v) => {
        // Not a URL at all is said once, by the check before this one.
        if (!URL.canParse(v)) return true;
        const u = new URL(v);
        return (u.pathname === '/' || u.pathname === '') && !u.search && !u.hash && !u.username && !u.password;
      },
      { message: 'expected the address the dashboard is reached at, without a path, query or credentials, e.g. https://mentorbot.example.org' },
    ),
  ),
  MENTORBOT_TEST_CLOCK: optional(z.enum(['0', '1'], { message: 'expected 1 (on) or 0 (off)' })),
  SLACK_BOT_TOKEN: optional(z.string().startsWith('xoxb-', { message: 'expected a bot token starting with xoxb-' })),
  SLACK_SIGNING_SECRET: optional(z.string().regex(/^[0-9a-f]{16,}$/i, { message: 'expected the hex signing secret from the Slack app\'s Basic Information page' })),
  SLACK_APP_TOKEN: optional(z.string().startsWith('xapp-', { message: 'expected an app-level token starting with xapp- (Socket Mode)' })),
  SLACK_API_URL: optional(url('an http(s) URL ending before /api/, e.g. http://127.0.0.1:4000/api/', ['http:', 'https:'])),
  DISCORD_TOKEN: optional(z.string().min(20, { message: 'expected the bot token from the Discord developer portal' })),
  DISCORD_APPLICATION_ID: optional(snowflake('the numeric application id (15-22 digits)')),
  DISCORD_GUILD_ID: optional(snowflake('a numeric server (guild) id (15-22 digits)')),
  DISCORD_API_URL: optional(url('an http(s) URL for the Discord REST API', ['http:', 'https:'])),
  GITHUB_API_URL: optional(url('an http(s) URL for the GitHub REST API, e.g. https://github.example.com/api/v3', ['http:', 'https:'])),
  GITHUB_TOKEN: optional(z.string().min(20, { message: 'expected a GitHub token (ghp_…, github_pat_…); leave it unset to use the public rate limit' })),
  EVIDENCE_ALLOW_PRIVATE: optional(z.enum(['0', '1'], { message: 'expected 1 (tests only: checks may reach private addresses) or 0' })),
});

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const problems: string[] = [];
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0]);
      const got = env[name];
      // A message that already quotes the bad part needs no "got" after it.
      const quoted = issue.code === 'custom' && (issue.params as { namesValue?: boolean } | undefined)?.namesValue;
      problems.push(`${name}: ${issue.message}${got === undefined || quoted ? '' : `, got "${redact(name, got)}"`}`);
    }
  }
  const e = parsed.success ? parsed.data : envSchema.partial().parse({});

  const has = (name: string) => Boolean(env[name]?.trim());
  const requireWith = (needed: string, when: string, hint: string) => {
    if (has(when) && !has(needed)) problems.push(`${needed}: required when ${when} is set (${hint})`);
  };
  // Socket Mode authenticates with the app token, so only HTTP mode needs the signing secret.
  if (!has('SLACK_APP_TOKEN')) {
    requireWith('SLACK_SIGNING_SECRET', 'SLACK_BOT_TOKEN', "the Slack app's Basic Information → Signing Secret, or set SLACK_APP_TOKEN for Socket Mode");
  }
  requireWith('SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'the xoxb- bot token from OAuth & Permissions');
  requireWith('SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'the xoxb- bot token from OAuth & Permissions');
  requireWith('DISCORD_APPLICATION_ID', 'DISCORD_TOKEN', 'the Discord developer portal → General Information → Application ID');
  requireWith('DISCORD_TOKEN', 'DISCORD_APPLICATION_ID', 'the bot token from the Discord developer portal → Bot');

  if (problems.length > 0) throw new ConfigError(problems);

  const platformConfigured = Boolean(e.SLACK_BOT_TOKEN || e.DISCORD_TOKEN);
  return {
    databaseUrl: e.DATABASE_URL ?? null,
    dataDir: e.DATA_DIR ?? './data',
    contentDir: e.CONTENT_DIR ?? './content',
    port: e.PORT ?? 3000,
    host: e.HOST ?? (platformConfigured ? '0.0.0.0' : '127.0.0.1'),
    logLevel: e.LOG_LEVEL ?? 'info',
    adminUserIds: e.ADMIN_USER_IDS ?? [],
    reminderAfterHours: e.REMINDER_AFTER_HOURS ?? 24,
    retentionDays: e.RETENTION_DAYS ?? null,
    testClock: e.MENTORBOT_TEST_CLOCK === '1',
    publicUrl: e.PUBLIC_URL ? new URL(e.PUBLIC_URL).origin : null,
    slack: e.SLACK_BOT_TOKEN
      ? {
          botToken: e.SLACK_BOT_TOKEN,
          signingSecret: e.SLACK_SIGNING_SECRET ?? null,
          appToken: e.SLACK_APP_TOKEN ?? null,
          apiUrl: e.SLACK_API_URL ?? null,
        }
      : null,
    discord:
      e.DISCORD_TOKEN && e.DISCORD_APPLICATION_ID
        ? {
            token: e.DISCORD_TOKEN,
            applicationId: e.DISCORD_APPLICATION_ID,
            guildId: e.DISCORD_GUILD_ID ?? null,
            apiUrl: e.DISCORD_API_URL ?? null,
          }
        : null,
    evidence: { githubApiUrl: e.GITHUB_API_URL ?? null, githubToken: e.GITHUB_TOKEN ?? null, allowPrivate: e.EVIDENCE_ALLOW_PRIVATE === '1' },
  };
}

function redact(name: string, value: string): string {
  return /TOKEN|SECRET|DATABASE_URL/.test(name) ? '…' : value;
}
