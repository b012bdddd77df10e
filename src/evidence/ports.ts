import type { Config } from '../config.js';
import type { EvidencePorts } from '../core/evidence/ports.js';
import type { Db } from '../db/connect.js';
import type { Logger } from '../log.js';
import { createGitHubPort } from './github.js';
import { createSafeFetcher } from './safe-fetch.js';

/** GitHub through @octokit/rest and the safe https fetcher, as the config says. */
export function createEvidencePorts(config: Config['evidence'] = { githubApiUrl: null, githubToken: null, allowPrivate: false }, db: Db, now: () => Date, log?: Logger): EvidencePorts {
  if (config.allowPrivate) log?.warn('EVIDENCE_ALLOW_PRIVATE=1: evidence checks may reach private and loopback addresses. Use it for tests only.');
  return {
    github: createGitHubPort({ db, baseUrl: config.githubApiUrl ?? undefined, token: config.githubToken ?? undefined, now }),
    web: createSafeFetcher({ allowPrivate: config.allowPrivate }),
  };
}
