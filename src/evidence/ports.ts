import type { Config } from '../config.js';
import type { EvidencePorts, GitHubPort } from '../core/evidence/ports.js';
import type { Db } from '../db/connect.js';
import type { Logger } from '../log.js';
import type { GitHubOptions } from './github.js';
import { createSafeFetcher } from './safe-fetch.js';

/** GitHub through @octokit/rest and the safe https fetcher, as the config says. */
export function createEvidencePorts(config: Config['evidence'] = { githubApiUrl: null, githubToken: null, allowPrivate: false }, db: Db, now: () => Date, log?: Logger): EvidencePorts {
  if (config.allowPrivate) log?.warn('EVIDENCE_ALLOW_PRIVATE=1: evidence checks may reach private and loopback addresses. Use it for tests only.');
  return {
    github: lazyGitHub({ db, baseUrl: config.githubApiUrl ?? undefined, token: config.githubToken ?? undefined, now }),
    web: createSafeFetcher({ allowPrivate: config.allowPrivate }),
  };
}

/** Octokit is loaded on the first check: a bot whose learners link no work never carries it. */
function lazyGitHub(opts: GitHubOptions): GitHubPort {
  let port: Promise<GitHubPort> | null = null;
  const get = () => (port ??= import('./github.js').then((m) => m.createGitHubPort(opts)));
  return {
    repo: async (owner, repo) => (await get()).repo(owner, repo),
    pathExists: async (owner, repo, ref, path) => (await get()).pathExists(owner, repo, ref, path),
    latestRun: async (owner, repo, branch, workflow) => (await get()).latestRun(owner, repo, branch, workflow),
    lastCommitAt: async (owner, repo, branch) => (await get()).lastCommitAt(owner, repo, branch),
    pullExists: async (owner, repo, number) => (await get()).pullExists(owner, repo, number),
    commitExists: async (owner, repo, sha) => (await get()).commitExists(owner, repo, sha),
  };
}
