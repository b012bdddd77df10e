import type { EvidenceKind } from '../../db/types.js';

export interface EvidenceUrl {
  url: string;
  kind: EvidenceKind;
  /** For GitHub links: the repository the link belongs to. */
  owner?: string;
  repo?: string;
  /** A pull request's number or a commit's sha. */
  ref?: string;
}

/** Why a URL cannot be linked, in words the learner can act on. */
export class BadEvidenceUrl extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadEvidenceUrl';
  }
}

const NAME = /^[A-Za-z0-9_.-]+$/;
const GITHUB_HOSTS = new Set(['github.com', 'www.github.com']);

/**
 * Reads a link to a learner's work: a GitHub repository, pull request or commit, or the https URL
 * of something deployed. Chat platforms wrap links in <…> (Slack also adds |label), which is removed.
 */
export function parseEvidenceUrl(input: string): EvidenceUrl {
  const raw = input.trim().replace(/^<(.*)>$/, '$1').replace(/\|.*$/, '');
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new BadEvidenceUrl(`"${raw}" is not a web address. Paste the full link, starting with https://.`);
  }
  if (u.protocol !== 'https:') {
    throw new BadEvidenceUrl(`"${raw}" is not an https:// link. Only https links can be checked; GitHub and most hosts serve one.`);
  }
  if (u.username || u.password) throw new BadEvidenceUrl('That link carries a user name or password. Paste it without them.');
  const host = u.hostname.toLowerCase();
  if (!GITHUB_HOSTS.has(host)) {
    if (!host.includes('.')) throw new BadEvidenceUrl(`"${host}" is not a public host name. Link something deployed on the internet.`);
    u.hash = '';
    return { url: u.toString(), kind: 'web' };
  }
  const parts = u.pathname.split('/').filter(Boolean);
  const [owner, repoPart, section, ref] = parts;
  if (!owner || !repoPart) {
    throw new BadEvidenceUrl('That GitHub link names no repository. Link one like https://github.com/you/your-repo (or a pull request or commit in it).');
  }
  const repo = repoPart.replace(/\.git$/, '');
  if (!NAME.test(owner) || !NAME.test(repo)) throw new BadEvidenceUrl(`"${owner}/${repo}" is not a GitHub repository name.`);
  const base = `https://github.com/${owner}/${repo}`;
  if (parts.length === 2) return { url: base, kind: 'repo', owner, repo };
  if (section === 'pull' && ref && /^\d+$/.test(ref)) return { url: `${base}/pull/${ref}`, kind: 'pull', owner, repo, ref };
  if (section === 'commit' && ref && /^[0-9a-f]{7,40}$/i.test(ref)) return { url: `${base}/commit/${ref.toLowerCase()}`, kind: 'commit', owner, repo, ref: ref.toLowerCase() };
  if (section === 'tree' || section === 'blob') return { url: base, kind: 'repo', owner, repo };
  throw new BadEvidenceUrl(
    `I can check a GitHub repository, pull request or commit, but not "${u.pathname}". Link ${base}, ${base}/pull/<number> or ${base}/commit/<sha>.`,
  );
}
