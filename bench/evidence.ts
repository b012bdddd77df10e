/**
 * What evidence checks cost GitHub's rate limit: a first check of every linked repository, then the
 * re-check of the same, unchanged repositories (answers kept with their ETags in the database, so
 * each should come back 304, which GitHub does not count). The baseline is the same re-check with
 * nothing kept. Runs against the tests' fake GitHub REST server, on an in-memory PGlite database.
 *
 * Run: npx tsx bench/evidence.ts [--repos 200]
 */
import { loadContent } from '../src/content/load.js';
import { runChecks } from '../src/core/evidence/run-checks.js';
import { parseEvidenceUrl } from '../src/core/evidence/url.js';
import { createDb } from '../src/db/connect.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { createGitHubPort } from '../src/evidence/github.js';
import { createSafeFetcher } from '../src/evidence/safe-fetch.js';
import { FakeGitHub } from '../test/helpers/fake-github.js';

const at = process.argv.indexOf('--repos');
const repos = at > 0 ? Number(process.argv[at + 1]) : 200;

const content = await loadContent('content');
const checks = content.programs.get('ds-to-mle')!.milestones.find((m) => m.id === 'production-code')!.evidence!;
const gh = new FakeGitHub();
await gh.start();
for (let i = 0; i < repos; i++) {
  gh.setRepo(`learner${i}/model`, { files: ['README.md', 'pyproject.toml', 'tests/test_model.py'], commits: [{ sha: 'a'.repeat(40), date: new Date().toISOString() }] });
}
const handle = await createDb({ databaseUrl: null, dataDir: null });
await migrateToLatest(handle.db);

async function pass(label: string, db: typeof handle.db | undefined) {
  const github = createGitHubPort({ db, baseUrl: gh.url, now: () => new Date() });
  const ports = { github, web: createSafeFetcher() };
  gh.remaining = 1_000_000;
  const before = gh.calls.length;
  const started = performance.now();
  let verified = 0;
  for (let i = 0; i < repos; i++) if ((await runChecks(ports, checks, parseEvidenceUrl(`https://github.com/learner${i}/model`), new Date())).verified) verified++;
  const ms = performance.now() - started;
  const calls = gh.calls.slice(before);
  const counted = calls.filter((c) => c.status !== 304).length;
  console.log(
    `${label.padEnd(34)} ${String(calls.length).padStart(6)} requests  ${String(counted).padStart(6)} counted against the limit  ${(ms / repos).toFixed(2).padStart(7)} ms per repository  ${verified}/${repos} verified`,
  );
  return counted;
}

console.log(`evidence checks of ${repos} repositories (production-code: ${checks.length} checks each)`);
await pass('first check (ETags kept)', handle.db);
await pass('re-check, unchanged (ETags kept)', handle.db);
await pass('baseline: re-check, nothing kept', undefined);
await gh.stop();
await handle.close();
