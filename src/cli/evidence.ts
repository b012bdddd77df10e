import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { ContentError, loadContent } from '../content/load.js';
import type { EvidencePorts } from '../core/evidence/ports.js';
import { RetryLater } from '../core/evidence/ports.js';
import { runChecks } from '../core/evidence/run-checks.js';
import { BadEvidenceUrl, parseEvidenceUrl } from '../core/evidence/url.js';
import { createGitHubPort } from '../evidence/github.js';
import { createSafeFetcher } from '../evidence/safe-fetch.js';

export const USAGE = `usage: mentorbot evidence verify <url> --milestone <id> [--program <id>] [--json] [--content DIR]

  Runs the milestone's evidence checks on a link (a GitHub repository, pull request or commit, or an
  https URL of something deployed) and prints each result. GITHUB_API_URL and GITHUB_TOKEN apply.
  --json prints {"milestone","url","checks":[{"type","ok","detail"}],"verified"}.
  Exit status: 0 verified, 1 not verified (or the check could not be made now), 2 bad input.`;

export interface Io {
  stdout: Writable;
  stderr: Writable;
}

class UsageError extends Error {}

function defaultPorts(): EvidencePorts {
  const config = loadConfig(process.env).evidence;
  if (config?.allowPrivate) process.stderr.write('warning: EVIDENCE_ALLOW_PRIVATE=1 lets checks reach private addresses; use it for tests only.\n');
  return {
    github: createGitHubPort({ baseUrl: config?.githubApiUrl ?? undefined, token: config?.githubToken ?? undefined, now: () => new Date() }),
    web: createSafeFetcher({ allowPrivate: config?.allowPrivate ?? false }),
  };
}

export async function run(argv: string[], io: Io = process, ports?: EvidencePorts): Promise<number> {
  try {
    const { values, positionals } = (() => {
      try {
        return parseArgs({
          args: argv,
          allowPositionals: true,
          options: { milestone: { type: 'string' }, program: { type: 'string' }, json: { type: 'boolean' }, content: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
        });
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
    })();
    if (values.help) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const [verb, url, ...extra] = positionals;
    if (verb !== 'verify') throw new UsageError(verb ? `unknown subcommand "${verb}"; the one there is is "verify"` : 'missing the subcommand: evidence verify <url> --milestone <id>');
    if (!url) throw new UsageError('missing the link to check, e.g. mentorbot evidence verify https://github.com/you/repo --milestone ci-cd');
    if (extra.length > 0) throw new UsageError(`one link at a time ("${extra[0]}" is extra)`);
    if (!values.milestone) throw new UsageError('missing --milestone <id>');

    const content = await loadContent(values.content ?? process.env.CONTENT_DIR ?? './content');
    const programs = [...content.programs.values()];
    const program = values.program ? content.programs.get(values.program) : programs.length === 1 ? programs[0] : undefined;
    if (!program) {
      throw new UsageError(
        values.program ? `no program "${values.program}"; the programs are ${programs.map((p) => p.id).join(', ')}` : `say which program with --program (${programs.map((p) => p.id).join(', ')})`,
      );
    }
    const milestone = program.milestones.find((m) => m.id === values.milestone);
    if (!milestone) throw new UsageError(`"${values.milestone}" is not a milestone of ${program.id}; the milestones are ${program.milestones.map((m) => m.id).join(', ')}`);
    const checks = milestone.evidence ?? [];
    if (checks.length === 0) throw new UsageError(`milestone ${milestone.id} declares no evidence checks`);
    let link;
    try {
      link = parseEvidenceUrl(url);
    } catch (err) {
      if (err instanceof BadEvidenceUrl) throw new UsageError(err.message);
      throw err;
    }

    let outcome;
    try {
      outcome = await runChecks(ports ?? defaultPorts(), checks, link, new Date());
    } catch (err) {
      if (!(err instanceof RetryLater)) throw err;
      const why = err.why === 'rate-limit' ? `GitHub's rate limit is spent${err.at ? ` until ${err.at.toISOString()}` : ''}` : err.message;
      if (values.json) io.stdout.write(`${JSON.stringify({ milestone: milestone.id, url: link.url, checks: [], verified: false, error: why })}\n`);
      io.stderr.write(`mentorbot evidence: not checked: ${why}; try again later.\n`);
      return 1;
    }
    const shaped = outcome.results.map((r) => ({ type: r.type, ok: r.ok, detail: r.detail }));
    if (values.json) {
      io.stdout.write(`${JSON.stringify({ milestone: milestone.id, url: link.url, checks: shaped, verified: outcome.verified })}\n`);
    } else {
      const lines = [`${milestone.title} (${milestone.id}) · ${link.url}`, ...shaped.map((c) => `${c.ok ? 'pass' : 'FAIL'}  ${c.type}: ${c.detail}`)];
      if (shaped.length === 0) lines.push('No check of this milestone applies to this kind of link.');
      lines.push(outcome.verified ? 'verified' : 'not verified');
      io.stdout.write(`${lines.join('\n')}\n`);
    }
    return outcome.verified ? 0 : 1;
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`mentorbot evidence: ${err.message}\n${USAGE}\n`);
      return 2;
    }
    if (err instanceof ContentError) {
      io.stderr.write(`mentorbot evidence: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
