import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useTestDb } from '../../helpers/db.js';
import { terminalSession } from '../../helpers/terminal-session.js';

const t = useTestDb();
let dataDir: string;

beforeEach(async () => {
  await t.reset();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'mentorbot-terminal-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** A terminal session wired as `npm start` wires it: Download writes under DATA_DIR/exports/. */
const session = (lines: string[]) => terminalSession(t.db, lines, { dataDir });

describe('/mydata in terminal mode', () => {
  it('shows the data, writes the two files under DATA_DIR/exports/ and prints their paths, then deletes on confirmation', async () => {
    const out = await session([
      '/cohort create name:Hands-on program:ds-to-mle start:2026-03-02 day:mon time:09:00 tz:Europe/Berlin',
      '/as maria',
      '/cohort join',
      '/clock +3h',
      '/checkin behind my terminal note',
      '/mydata',
      'click 6',
      '/as li',
      'click 7',
      '/as maria',
      '/mydata delete',
      'click 8',
      '/mydata',
      '/quit',
    ]);
    expect(out).toContain('Hands-on, week 1: behind · note “my terminal note”');
    expect(out).toContain('[6] Download  [7] Delete my data…');
    expect(out).toContain('On its way');
    expect(out).toContain('DM to @maria');
    const dir = path.join(dataDir, 'exports');
    const files = (await readdir(dir)).sort();
    expect(files).toEqual(['mentorbot-local-maria-2026-03-02-checkins.csv', 'mentorbot-local-maria-2026-03-02.json']);
    for (const f of files) expect(out).toContain(path.resolve(dir, f));
    const json = JSON.parse(await readFile(path.join(dir, files[1]!), 'utf8'));
    expect(json.checkins[0]).toMatchObject({ cohort: 'Hands-on', week: 1, status: 'behind', note: 'my terminal note' });
    expect(await readFile(path.join(dir, files[0]!), 'utf8')).toContain('Hands-on,1,production-code,1,');
    // li cannot press maria's Delete.
    expect(out).toContain("That button belongs to someone else's `/mydata`.");
    expect(out).toContain('[8] Yes, delete my data  [9] Download');
    expect(out).toContain('Deleted: 1 check-in (1 version, 1 note, 0 blockers), 0 breaks, 0 evidence links, 0 FAQ questions, 0 open flags closed.');
    expect(out).toContain("I keep nothing about you: you're in no cohort and have asked no FAQ question.");
  });
});
