import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { createFaqEngine } from '../src/core/faq/engine.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The FAQ engine as it was at another commit (FAQ_LANDED_REV, default: where this branch left
 * main), so every figure can be printed beside the landed engine's on the same machine and run.
 * Its files, and the content as it was, are unpacked under node_modules/.cache so they resolve
 * the same dependencies.
 */
export async function landedEngine(): Promise<{ rev: string; create: typeof createFaqEngine; contentDir: string } | null> {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const rev = git('rev-parse', '--short', process.env.FAQ_LANDED_REV ?? git('merge-base', 'HEAD', 'main'));
    const dir = path.join(ROOT, 'node_modules', '.cache', `mentorbot-landed-${rev}`);
    if (!existsSync(path.join(dir, 'content', 'faq'))) {
      mkdirSync(dir, { recursive: true });
      const archive = execFileSync('git', ['archive', rev, 'src/core/faq', 'src/content', 'content'], { cwd: ROOT });
      execFileSync('tar', ['-x', '-C', dir], { input: archive });
    }
    const mod = (await import(pathToFileURL(path.join(dir, 'src', 'core', 'faq', 'engine.ts')).href)) as { createFaqEngine: typeof createFaqEngine };
    return { rev, create: mod.createFaqEngine, contentDir: path.join(dir, 'content') };
  } catch {
    return null;
  }
}
