/**
 * What evidence checks need from the outside world. The implementations (GitHub through
 * @octokit/rest, the safe https fetcher) live outside the core; tests pass fakes or point them at
 * a local server.
 */

export interface RepoInfo {
  defaultBranch: string;
}

export interface WorkflowRun {
  name: string;
  conclusion: string | null;
  url: string;
}

export interface GitHubPort {
  /** null when the repository does not exist or is private (GitHub answers 404 for both). */
  repo(owner: string, repo: string): Promise<RepoInfo | null>;
  pathExists(owner: string, repo: string, ref: string, path: string): Promise<boolean>;
  /** The latest completed run on the branch, of the named workflow (file name or name) when given. */
  latestRun(owner: string, repo: string, branch: string, workflow?: string): Promise<WorkflowRun | null>;
  /** When the newest commit on the branch was made; null for an empty repository. */
  lastCommitAt(owner: string, repo: string, branch: string): Promise<Date | null>;
  pullExists(owner: string, repo: string, number: number): Promise<boolean>;
  commitExists(owner: string, repo: string, sha: string): Promise<boolean>;
}

export interface FetchResult {
  status: number;
  body: string;
  contentType: string | null;
}

export interface WebPort {
  get(url: string, opts: { timeoutMs: number }): Promise<FetchResult>;
}

export interface EvidencePorts {
  github: GitHubPort;
  web: WebPort;
}

/**
 * The check could not be made now (rate limit, GitHub or the network unreachable): the job is
 * rescheduled, never counted as a failure of the learner's work.
 */
export class RetryLater extends Error {
  constructor(
    readonly why: 'rate-limit' | 'unreachable',
    /** When to try again, if the service said (rate-limit reset, Retry-After). */
    readonly at: Date | null,
    message: string,
  ) {
    super(message);
    this.name = 'RetryLater';
  }
}

/** A fetch refused before it was made (private address, too many redirects, not https): the learner's link is at fault. */
export class FetchRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FetchRefused';
  }
}
