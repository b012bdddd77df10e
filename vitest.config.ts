import { fileURLToPath } from 'node:url';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { configDefaults, defineConfig } from 'vitest/config';
import { databaseFreeTestFiles } from './test/helpers/database-free.js';

// Every test runs on embedded PGlite; with TEST_DATABASE_URL set, every test that opens the test
// database runs again on that Postgres (the others would only repeat themselves).
const databases = ['pglite', ...(process.env.TEST_DATABASE_URL ? ['postgres'] : [])];
const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The simulation is a few minutes of one worker on each database. Started last (as the default
 * order did on a clean clone, which has no timings cached), it ran alone while the other worker sat
 * idle; started first, the short files fill the other worker beside it.
 */
const LONGEST_FIRST = ['test/simulation/'];

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
    maxWorkers: 2,
    // Each file importing the bot afresh (discord.js, Bolt, fastify, PGlite's WebAssembly) cost more
    // CPU than most files' own tests; a worker keeps them loaded from one file to the next. The files
    // restore what they change in the environment, and each opens its own database.
    isolate: false,
    sequence: { sequencer: LongestFirst },
  },
});
