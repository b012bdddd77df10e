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
      },
    })),
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
  },
});
