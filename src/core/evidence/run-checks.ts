import type { EvidenceCheck } from '../../content/types.js';
import type { EvidenceCheckResult } from '../../db/types.js';
import { FetchRefused, type EvidencePorts, type RepoInfo } from './ports.js';
import type { EvidenceUrl } from './url.js';

const DAY = 86_400_000;

export interface CheckOutcome {
  results: EvidenceCheckResult[];
  /** Every check that applies to this link passed (and at least one applied). */
  verified: boolean;
  /** Repository links: the newest commit on the default branch, for the no-commits stall reason. */
  lastCommitAt: Date | null;
}

function isGitHub(link: EvidenceUrl): boolean {
  return link.kind !== 'web';
}

/** The checks a link can answer: GitHub checks need a GitHub link, http.get a deployed URL (or its own). */
export function appliesTo(check: EvidenceCheck, link: EvidenceUrl): boolean {
  if (check.type === 'http.get') return check.url !== undefined || link.kind === 'web';
  return isGitHub(link);
}

function days(n: number): string {
  return n === 1 ? '1 day' : `${n} days`;
}

/** Finds a dotted field (`status`, `model.version`) in parsed JSON. */
function hasField(json: unknown, field: string): boolean {
  let at: unknown = json;
  for (const part of field.split('.')) {
    if (at === null || typeof at !== 'object' || !(part in at)) return false;
    at = (at as Record<string, unknown>)[part];
  }
  return true;
}

async function httpCheck(ports: EvidencePorts, url: string, check: Extract<EvidenceCheck, { type: 'http.get' }>): Promise<{ ok: boolean; detail: string }> {
  try {
    const res = await ports.web.get(url, { timeoutMs: check.timeoutMs });
    if (res.status < 200 || res.status > 299) return { ok: false, detail: `${url} answered ${res.status}; it must answer 2xx (is it deployed and public?).` };
    if (!check.jsonField) return { ok: true, detail: `${url} answered ${res.status}.` };
    let json: unknown;
    try {
      json = JSON.parse(res.body);
    } catch {
      return { ok: false, detail: `${url} answered, but not with JSON; it should return JSON with a "${check.jsonField}" field.` };
    }
    return hasField(json, check.jsonField)
      ? { ok: true, detail: `${url} answered with "${check.jsonField}".` }
      : { ok: false, detail: `${url} answered JSON without a "${check.jsonField}" field; add it to the response.` };
  } catch (err) {
    if (err instanceof FetchRefused) return { ok: false, detail: `${url}: ${err.message}` };
    throw err;
  }
}

async function githubCheck(
  ports: EvidencePorts,
  check: Exclude<EvidenceCheck, { type: 'http.get' }>,
  owner: string,
  repo: string,
  info: RepoInfo,
  lastCommitAt: () => Promise<Date | null>,
  now: Date,
): Promise<{ ok: boolean; detail: string }> {
  const name = `${owner}/${repo}`;
  const branch = info.defaultBranch;
  switch (check.type) {
    case 'github.repo':
      return { ok: true, detail: `${name} is public.` };
    case 'github.file': {
      for (const path of check.paths) {
        if (await ports.github.pathExists(owner, repo, branch, path.replace(/\/+$/, ''))) return { ok: true, detail: `${path} is on ${branch}.` };
      }
      const list = check.paths.join(' or ');
      return { ok: false, detail: `${list} is not on ${branch} of ${name}; commit it and push to ${branch}.` };
    }
    case 'github.workflow': {
      const run = await ports.github.latestRun(owner, repo, branch, check.workflow);
      const which = check.workflow ? `the "${check.workflow}" workflow` : 'a workflow';
      if (!run) return { ok: false, detail: `No completed run of ${which} on ${branch} of ${name}; add one under .github/workflows/ and push.` };
      if (run.conclusion === 'success') return { ok: true, detail: `The latest run of "${run.name}" on ${branch} succeeded.` };
      return { ok: false, detail: `The latest run of "${run.name}" on ${branch} ended "${run.conclusion ?? 'unknown'}"; fix it until it is green (${run.url}).` };
    }
    case 'github.activity': {
      const last = await lastCommitAt();
      if (!last) return { ok: false, detail: `${name} has no commits on ${branch} yet.` };
      const age = Math.floor((now.getTime() - last.getTime()) / DAY);
      if (now.getTime() - last.getTime() <= check.days * DAY) return { ok: true, detail: `Last commit on ${branch} ${age === 0 ? 'today' : `${days(age)} ago`}.` };
      return { ok: false, detail: `No commit on ${branch} in the last ${days(check.days)} (the last was ${days(age)} ago); push your recent work.` };
    }
  }
}

/** Runs the checks that apply to one link. Throws RetryLater when GitHub or the network cannot answer now. */
export async function runChecks(ports: EvidencePorts, checks: readonly EvidenceCheck[], link: EvidenceUrl, now: Date): Promise<CheckOutcome> {
  const results: EvidenceCheckResult[] = [];
  let lastCommitAt: Date | null = null;
  let info: RepoInfo | null = null;
  if (link.owner && link.repo) {
    const { owner, repo } = link;
    const name = `${owner}/${repo}`;
    info = await ports.github.repo(owner, repo);
    if (!info) {
      results.push({ type: 'github.repo', ok: false, detail: `github.com/${name} is private or does not exist; make it public (Settings → General → Change visibility) or check the link.` });
      return { results, verified: false, lastCommitAt };
    }
    if (link.kind === 'pull') {
      const ok = await ports.github.pullExists(owner, repo, Number(link.ref));
      results.push({ type: 'github.pull', ok, detail: ok ? `Pull request #${link.ref} exists.` : `${name} has no pull request #${link.ref}; check the number.` });
    } else if (link.kind === 'commit') {
      const ok = await ports.github.commitExists(owner, repo, link.ref!);
      results.push({ type: 'github.commit', ok, detail: ok ? `Commit ${link.ref!.slice(0, 7)} exists.` : `${name} has no commit ${link.ref}; push it, then link it again.` });
    }
    let fetched = false;
    const commitTime = async () => {
      if (!fetched) {
        lastCommitAt = await ports.github.lastCommitAt(owner, repo, info!.defaultBranch);
        fetched = true;
      }
      return lastCommitAt;
    };
    for (const [index, check] of checks.entries()) {
      if (check.type === 'http.get' || !appliesTo(check, link)) continue;
      results.push({ index, type: check.type, ...(await githubCheck(ports, check, owner, repo, info, commitTime, now)) });
    }
    if (link.kind === 'repo') await commitTime();
  }
  for (const [index, check] of checks.entries()) {
    if (check.type !== 'http.get' || !appliesTo(check, link)) continue;
    results.push({ index, type: check.type, ...(await httpCheck(ports, check.url ?? link.url, check)) });
  }
  const checked = results.filter((r) => r.index !== undefined);
  return { results, verified: checked.length > 0 && results.every((r) => r.ok), lastCommitAt };
}

/** A milestone is verified when each of its checks passed on one of its links. */
export function milestoneVerified(checks: readonly EvidenceCheck[], links: ReadonlyArray<{ results: readonly EvidenceCheckResult[]; state: string }>): boolean {
  if (checks.length === 0) return false;
  const passed = new Set<number>();
  for (const l of links) {
    if (l.state !== 'verified') continue;
    for (const r of l.results) if (r.ok && r.index !== undefined) passed.add(r.index);
  }
  return checks.every((_, i) => passed.has(i));
}
