import { Octokit } from '@octokit/rest';
import type { Db } from '../db/connect.js';
import { RetryLater, type GitHubPort, type RepoInfo, type WorkflowRun } from '../core/evidence/ports.js';

export interface GitHubOptions {
  /** Where answers are kept with their ETags; without it (the command line) nothing is kept. */
  db?: Db;
  /** GITHUB_API_URL: a GitHub Enterprise or test server; https://api.github.com when unset. */
  baseUrl?: string;
  /** GITHUB_TOKEN: optional; raises the rate limit from 60 to 5,000 requests an hour. */
  token?: string;
  now: () => Date;
  /** Gives up on one request after this long (the check is retried later). */
  timeoutMs?: number;
}

interface HttpError {
  status: number;
  response?: { headers: Record<string, string | number | undefined> };
}

function httpError(err: unknown): HttpError | null {
  return err && typeof err === 'object' && 'status' in err && typeof (err as HttpError).status === 'number' ? (err as HttpError) : null;
}

function header(err: HttpError, name: string): string | undefined {
  const v = err.response?.headers[name];
  return v === undefined ? undefined : String(v);
}

/**
 * GitHub answers a spent rate limit with 403 or 429 and says when to come back (Retry-After in
 * seconds, or x-ratelimit-reset in epoch seconds); that is a reason to reschedule, never a failed check.
 */
function rateLimit(err: HttpError, now: Date): RetryLater | null {
  if (err.status !== 403 && err.status !== 429) return null;
  const retryAfter = header(err, 'retry-after');
  if (retryAfter !== undefined && /^\d+$/.test(retryAfter)) return new RetryLater('rate-limit', new Date(now.getTime() + Number(retryAfter) * 1000), 'GitHub asked to retry later');
  if (header(err, 'x-ratelimit-remaining') === '0') {
    const reset = Number(header(err, 'x-ratelimit-reset'));
    return new RetryLater('rate-limit', Number.isFinite(reset) && reset > 0 ? new Date(reset * 1000) : null, 'GitHub rate limit spent');
  }
  if (err.status === 429) return new RetryLater('rate-limit', null, 'GitHub rate limit');
  return null;
}

/**
 * Keeps each GET answer with its ETag in Postgres and sends If-None-Match: an unchanged resource
 * comes back 304, which GitHub does not count against the rate limit, and the kept body is used.
 */
function useEtagCache(octokit: Octokit, db: Db, now: () => Date): void {
  octokit.hook.wrap('request', async (request, options) => {
    const { method, url } = octokit.request.endpoint.parse(options);
    if (method !== 'GET') return request(options);
    const key = url;
    const cached = await db.selectFrom('github_cache').select(['etag', 'body']).where('key', '=', key).executeTakeFirst();

    try {
      // Set on the options themselves, as @octokit/auth-token does: a copy loses the header.
      if (cached) options.headers['if-none-match'] = cached.etag;
      const res = await request(options);
      const etag = res.headers.etag;
      if (etag) {
        const body = JSON.stringify(res.data);
        await db
          .insertInto('github_cache')
          .values({ key, etag, body, fetched_at: now() })
          .onConflict((oc) => oc.column('key').doUpdateSet({ etag, body, fetched_at: now() }))
          .execute();
      }
      return res;
    } catch (err) {
      if (cached && httpError(err)?.status === 304) return { status: 200, url, headers: { etag: cached.etag }, data: cached.body } as Awaited<ReturnType<typeof request>>;
      throw err;
    }
  });
}

/** The GitHub REST API through @octokit/rest, for evidence checks. */
export function createGitHubPort(opts: GitHubOptions): GitHubPort & { readonly octokit: Octokit } {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const octokit = new Octokit({
    auth: opts.token || undefined,
    baseUrl: opts.baseUrl?.replace(/\/+$/, '') || 'https://api.github.com',
    userAgent: 'mentorbot',
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    request: { fetch: (input: string | URL | Request, init?: RequestInit) => fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) }) },
  });
  if (opts.db) useEtagCache(octokit, opts.db, opts.now);

  /** Runs one call: 404 (409 for an empty repository, 422 for an unknown commit) means "not there"; limits and outages mean "later". */
  async function call<T>(run: () => Promise<T>, missing: T): Promise<T> {
    try {
      return await run();
    } catch (err) {
      const http = httpError(err);
      const reason = err instanceof Error ? err.message : String(err);
      // No response at all (DNS, refused, timeout) comes back from Octokit as a 500 without one.
      if (!http || !http.response) throw new RetryLater('unreachable', null, `could not reach GitHub (${reason})`);
      const limited = rateLimit(http, opts.now());
      if (limited) throw limited;
      if ([403, 404, 409, 410, 422, 451].includes(http.status)) return missing;
      if (http.status >= 500) throw new RetryLater('unreachable', null, `could not reach GitHub (it is failing: server error ${http.status})`);
      throw new RetryLater('unreachable', null, `GitHub refused the request (${http.status}: ${reason})`);
    }
  }

  return {
    octokit,
    repo: (owner, repo) =>
      call<RepoInfo | null>(async () => {
        const { data } = await octokit.rest.repos.get({ owner, repo });
        return data.private ? null : { defaultBranch: data.default_branch };
      }, null),
    pathExists: (owner, repo, ref, path) =>
      call(async () => {
        await octokit.rest.repos.getContent({ owner, repo, path, ref });
        return true;
      }, false),
    latestRun: (owner, repo, branch, workflow) =>
      call<WorkflowRun | null>(async () => {
        const runs =
          workflow && /\.ya?ml$/.test(workflow)
            ? (await octokit.rest.actions.listWorkflowRuns({ owner, repo, workflow_id: workflow, branch, status: 'completed', per_page: 1 })).data.workflow_runs
            : (await octokit.rest.actions.listWorkflowRunsForRepo({ owner, repo, branch, status: 'completed', per_page: workflow ? 50 : 1 })).data.workflow_runs.filter(
                (r) => !workflow || r.name === workflow,
              );
        const run = runs[0];
        return run ? { name: run.name ?? workflow ?? 'workflow', conclusion: run.conclusion, url: run.html_url } : null;
      }, null),
    lastCommitAt: (owner, repo, branch) =>
      call<Date | null>(async () => {
        const { data } = await octokit.rest.repos.listCommits({ owner, repo, sha: branch, per_page: 1 });
        const date = data[0]?.commit.committer?.date ?? data[0]?.commit.author?.date;
        return date ? new Date(date) : null;
      }, null),
    pullExists: (owner, repo, number) =>
      call(async () => {
        await octokit.rest.pulls.get({ owner, repo, pull_number: number });
        return true;
      }, false),
    commitExists: (owner, repo, sha) =>
      call(async () => {
        await octokit.rest.repos.getCommit({ owner, repo, ref: sha });
        return true;
      }, false),
  };
}
