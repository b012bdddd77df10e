import { defineConfig } from 'vitest/config';

// Every test runs on embedded PGlite; with TEST_DATABASE_URL set, every test runs again on that Postgres.
const databases = ['pglite', ...(process.env.TEST_DATABASE_URL ? ['postgres'] : [])];

export default defineConfig({
  test: {
    projects: databases.map((name) => ({
      extends: true,
      test: {
        name,
        env: { MENTORBOT_TEST_DB: name },
        globalSetup: ['test/helpers/global-setup.ts'],
        // The Postgres files share one database, a schema each. Run side by side, a file has twice
        // found its schema (or one of another file's) gone during a migration, cause not found;
        // one file at a time keeps them apart. PGlite files each have their own database.
        fileParallelism: name !== 'postgres',
      },
    })),
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
  },
});
