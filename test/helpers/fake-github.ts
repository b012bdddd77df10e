import { createHash } from 'node:crypto';
import http from 'node:http';
import type { Socket } from 'node:net';
import { closeAtOnce, listenOnLoopback } from './loopback.js';

/**
 * A local stand-in for GitHub's REST API (GITHUB_API_URL), answering the endpoints evidence checks
 * use as GitHub documents them: JSON bodies of the same shape, ETags and 304 on If-None-Match (not
 * counted against the rate limit), Link-header pagination, 404 for private or missing repositories,
 * 409 for an empty one, 422 for an unknown commit, 403/429 with x-ratelimit-* or Retry-After headers
 * when told to, and 5xx during an outage.
 */

export interface FakeRun {
  name: string;
  path: string;
  branch: string;
  conclusion: 'success' | 'failure' | 'cancelled';
  createdAt: string;
}

export interface FakeRepo {
  private?: boolean;
  defaultBranch?: string;
  /** Paths on the default branch; a directory is listed by any path under it. */
  files?: string[];
  /** Newest first. */
  commits?: Array<{ sha: string; date: string }>;
  runs?: FakeRun[];
  pulls?: number[];
}

export interface GitHubCall {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  ifNoneMatch: string | null;
  auth: string | null;
}

const RATE_LIMIT = 60;

export class FakeGitHub {
  readonly calls: GitHubCall[] = [];
  private readonly repos = new Map<string, Required<FakeRepo>>();
  private server: http.Server | null = null;
  private readonly sockets = new Set<Socket>();
  url = '';
  remaining = RATE_LIMIT;
  /** Seconds since the epoch when the rate limit resets. */
  resetAt = Math.floor(Date.now() / 1000) + 3600;
  /** The next requests are answered like this, one each. */
  private limited: Array<{ status: 403 | 429; retryAfter?: number }> = [];
  /** While true, connections are cut before any answer, as when the network is gone. */
  offline = false;
  /** While set, every request is answered with this server error (502, 503), as during a GitHub outage. */
  failing: 500 | 502 | 503 | null = null;

  setRepo(fullName: string, repo: FakeRepo): void {
    this.repos.set(fullName.toLowerCase(), {
      private: repo.private ?? false,
      defaultBranch: repo.defaultBranch ?? 'main',
      files: repo.files ?? [],
      commits: repo.commits ?? [],
      runs: repo.runs ?? [],
      pulls: repo.pulls ?? [],
    });
  }

  repo(fullName: string): Required<FakeRepo> {
    const r = this.repos.get(fullName.toLowerCase());
    if (!r) throw new Error(`no fake repo ${fullName}`);
    return r;
  }

  /** The next request gets a 403 with the limit spent (reset at `resetAt`), or a 429 with Retry-After. */
  limitNext(answer: { status: 403 | 429; retryAfter?: number }): void {
    this.limited.push(answer);
  }

  callsTo(pathPart: string): GitHubCall[] {
    return this.calls.filter((c) => c.path.includes(pathPart));
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      if (this.offline) s.destroy();
    });
    const port = await listenOnLoopback(this.server);
    this.url = `http://127.0.0.1:${port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await closeAtOnce(this.server);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (this.offline) {
      req.socket.destroy();
      return;
    }
    const url = new URL(req.url ?? '/', this.url);
    const query = Object.fromEntries(url.searchParams);
    const call: GitHubCall = {
      method: req.method ?? 'GET',
      path: decodeURIComponent(url.pathname),
      query,
      status: 0,
      ifNoneMatch: (req.headers['if-none-match'] as string | undefined) ?? null,
      auth: (req.headers.authorization as string | undefined) ?? null,
    };
    this.calls.push(call);
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'x-ratelimit-limit': String(RATE_LIMIT),
      'x-ratelimit-reset': String(this.resetAt),
      'x-ratelimit-resource': 'core',
    };
    const send = (status: number, body?: unknown, extra: Record<string, string> = {}) => {
      call.status = status;
      const all = { ...headers, ...extra, 'x-ratelimit-remaining': String(this.remaining) };
      res.writeHead(status, all);
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    if (this.failing !== null) {
      call.status = this.failing;
      res.writeHead(this.failing, { 'content-type': 'text/html' });
      res.end('<html><body><h1>Unicorn!</h1><p>This page is taking too long to load.</p></body></html>');
      return;
    }
    const limited = this.limited.shift();
    if (limited || this.remaining <= 0) {
      const message = 'API rate limit exceeded for 127.0.0.1. (But here\'s the good news: Authenticated requests get a higher rate limit.)';
      if (limited?.retryAfter !== undefined) return send(limited.status, { message }, { 'retry-after': String(limited.retryAfter) });
      const spent = this.remaining;
      this.remaining = 0;
      send(limited?.status ?? 403, { message, documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' });
      this.remaining = limited ? spent : 0;
      return;
    }
    const answer = this.route(call.path, query);
    if (answer.status !== 200) {
      this.remaining--;
      return send(answer.status, answer.body);
    }
    const json = JSON.stringify(answer.body);
    const etag = `W/"${createHash('sha1').update(json).digest('hex')}"`;
    // A conditional request answered 304 does not count against the rate limit.
    if (call.ifNoneMatch === etag) return send(304, undefined, { etag });
    this.remaining--;
    send(200, answer.body, { etag, ...(answer.link ? { link: answer.link } : {}) });
  }

  private route(path: string, q: Record<string, string>): { status: number; body: unknown; link?: string } {
    const notFound = { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' } };
    const m = /^\/repos\/([^/]+)\/([^/]+)(?:\/(.*))?$/.exec(path);
    if (!m) return notFound;
    const [, owner, name, rest = ''] = m;
    const repo = this.repos.get(`${owner}/${name}`.toLowerCase());
    // GitHub answers 404, not 403, for a private repository the caller cannot see.
    if (!repo || repo.private) return notFound;
    const full = `${owner}/${name}`;
    if (rest === '') {
      return { status: 200, body: { id: 1, name, full_name: full, private: false, default_branch: repo.defaultBranch, html_url: `https://github.com/${full}`, owner: { login: owner } } };
    }
    const content = /^contents\/(.+)$/.exec(rest);
    if (content) {
      const p = content[1]!.replace(/\/+$/, '');
      if ((q.ref ?? repo.defaultBranch) !== repo.defaultBranch) return notFound;
      if (repo.files.includes(p)) return { status: 200, body: { type: 'file', name: p.split('/').pop(), path: p, sha: 'f'.repeat(40), size: 10, encoding: 'base64', content: '' } };
      const under = repo.files.filter((f) => f.startsWith(`${p}/`));
      if (under.length > 0) return { status: 200, body: under.map((f) => ({ type: 'file', name: f.split('/').pop(), path: f })) };
      return notFound;
    }
    if (rest === 'commits') {
      if (repo.commits.length === 0) return { status: 409, body: { message: 'Git Repository is empty.', status: '409' } };
      const { items, link } = this.page(repo.commits, q, `/repos/${full}/commits`);
      return { status: 200, body: items.map((c) => ({ sha: c.sha, commit: { author: { date: c.date }, committer: { date: c.date }, message: 'work' } })), link };
    }
    const commit = /^commits\/([0-9a-f]+)$/.exec(rest);
    if (commit) {
      const found = repo.commits.find((c) => c.sha.startsWith(commit[1]!));
      return found ? { status: 200, body: { sha: found.sha, commit: { committer: { date: found.date } } } } : { status: 422, body: { message: `No commit found for SHA: ${commit[1]}` } };
    }
    const pull = /^pulls\/(\d+)$/.exec(rest);
    if (pull) return repo.pulls.includes(Number(pull[1])) ? { status: 200, body: { number: Number(pull[1]), state: 'open' } } : notFound;
    const runsOf = (runs: FakeRun[]) => {
      const filtered = runs
        .filter((r) => !q.branch || r.branch === q.branch)
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
        .map((r, i) => ({ id: i + 1, name: r.name, path: r.path, head_branch: r.branch, status: 'completed', conclusion: r.conclusion, created_at: r.createdAt, html_url: `https://github.com/${full}/actions/runs/${i + 1}` }));
      const { items, link } = this.page(filtered, q, `/repos/${full}/${rest}`);
      return { status: 200, body: { total_count: filtered.length, workflow_runs: items }, link };
    };
    if (rest === 'actions/runs') return runsOf(repo.runs);
    const wf = /^actions\/workflows\/([^/]+)\/runs$/.exec(rest);
    if (wf) {
      const runs = repo.runs.filter((r) => r.path.endsWith(`/${wf[1]}`));
      return runs.length === 0 && !repo.files.includes(`.github/workflows/${wf[1]}`) ? notFound : runsOf(runs);
    }
    return notFound;
  }

  private page<T>(all: T[], q: Record<string, string>, path: string): { items: T[]; link?: string } {
    const perPage = Math.min(Number(q.per_page ?? 30), 100);
    const page = Number(q.page ?? 1);
    const items = all.slice((page - 1) * perPage, page * perPage);
    const last = Math.max(1, Math.ceil(all.length / perPage));
    if (last === 1) return { items };
    const at = (n: number) => {
      const params = new URLSearchParams({ ...q, page: String(n) });
      return `<${this.url}${path}?${params}>`;
    };
    const rels = [];
    if (page < last) rels.push(`${at(page + 1)}; rel="next"`, `${at(last)}; rel="last"`);
    if (page > 1) rels.push(`${at(1)}; rel="first"`, `${at(page - 1)}; rel="prev"`);
    return { items, link: rels.join(', ') };
  }
}
