import { fileURLToPath } from 'node:url';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { configDefaults, defineConfig } from 'vitest/config';
import { databaseFreeTestFiles } from './test/helpers/database-free.js';

// Every test runs on embedded PGlite; with TEST_DATABASE_URL set, every test that opens the test
// database runs again on that Postgres (the others would only repeat themselves).
const databases = ['pglite', ...(process.env.TEST_DATABASE_URL ? ['postgres'] : [])];
const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The longest files, longest first (as measured on a 2-core machine). Started last, as the default
 * order does on a clean clone (no timings cached), the simulation ran alone while the other worker
 * sat idle; started first, the short files fill the other workers beside the long ones.
 */
const LONGEST_FIRST = [
  'test/simulation/',
  'test/core/own-time.test.ts',
  'test/db/embedded-lock.test.ts',
  'test/web/browser.test.ts',
  'test/core/lifecycle.test.ts',
  'test/core/cohort-engine.test.ts',
  'test/faults/database-outage.test.ts',
  'test/faults/crash-mid-fanout.test.ts',
  'test/platforms/slack/platform-changes.test.ts',
  'test/platforms/slack/socket-mode.test.ts',
  'test/evidence/terminal.test.ts',
  'test/cli/start.test.ts',
  'test/cli/faq.test.ts',
  'test/build/compiled.test.ts',
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = LONGEST_FIRST.findIndex((p) => f.moduleId.includes(`/${p}`));
      return i === -1 ? LONGEST_FIRST.length : i;
    };
    return sorted.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map(({ f }) => f);
  }
}

export default defineConfig({
  test: {
    projects: databases.map((name) => ({
      extends: true,
      test: {
        name,
        env: { MENTORBOT_TEST_DB: name },
        globalSetup: ['test/helpers/global-setup.ts'],
        ...(name === 'postgres' ? { exclude: [...configDefaults.exclude, ...databaseFreeTestFiles(root)] } : {}),
      },
    })),
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Three on two cores: many files spend seconds waiting (child processes, Chromium, Postgres,
    // timeouts on the real clock), and a third worker runs another file meanwhile.
    maxWorkers: 3,
    // A worker keeps the bot's modules loaded from one file to the next: importing them afresh for
    // each file was a quarter of the suite's CPU. Files share no state but the process (each has its
    // own database and its own bot); the one thing that leaked, a process-wide HTTP dispatcher that
    // broke Discord's uploads, was a bug of the bot's and is fixed there (discord/rest-agent.ts).
    isolate: false,
    sequence: { sequencer: LongestFirst },
  },
});
