import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full) : full.endsWith('.ts') ? [full] : [];
  });
}

describe('the core', () => {
  it('never imports a platform SDK', () => {
    const offenders = files('src/core').filter((f) => /from ['"](@slack\/|discord\.js|discord-api-types|@discordjs\/)/.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('never reads the wall clock: time comes in as `now`', () => {
    const offenders = files('src/core')
      .filter((f) => !f.endsWith('clock.ts'))
      .filter((f) => /new Date\(\)|Date\.now\(\)|DateTime\.now\(\)\.(?!setZone\(zone\)\.isValid)/.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
