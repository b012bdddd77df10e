import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** What a test file, or a test helper it imports, writes when it uses the test database. */
const USES_DATABASE = /useTestDb|openTestDb|testDbKind|MENTORBOT_TEST_DB|TEST_DATABASE_URL/;
const RELATIVE_IMPORT = /from\s+'(\.{1,2}\/[^']+)'/g;

function usesDatabase(file: string, seen: Set<string>): boolean {
  if (seen.has(file)) return false;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  if (USES_DATABASE.test(text)) return true;
  for (const [, spec] of text.matchAll(RELATIVE_IMPORT)) {
    const target = path.resolve(path.dirname(file), spec!.replace(/\.js$/, '.ts'));
    // Only the tests' own helpers: src/ never opens the test database.
    if (target.includes(`${path.sep}test${path.sep}`) && existsSync(target) && usesDatabase(target, seen)) return true;
  }
  return false;
}

function* testFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* testFiles(full);
    else if (entry.name.endsWith('.test.ts')) yield full;
  }
}

/**
 * The test files under `root/test` that open no test database, directly or through a helper
 * (paths relative to root). Run on Postgres they would repeat their PGlite run exactly.
 */
export function databaseFreeTestFiles(root: string): string[] {
  return [...testFiles(path.join(root, 'test'))].filter((f) => !usesDatabase(f, new Set())).map((f) => path.relative(root, f));
}
