import { PassThrough } from 'node:stream';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { run as audit } from '../../src/cli/audit.js';
import { run as data } from '../../src/cli/data.js';
import { testEngine, textOf, type TestEngine } from '../helpers/engine.js';
import { useTestDb } from '../helpers/db.js';

const t = useTestDb();
let e: TestEngine;

function io() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out = { text: '', err: '' };
  stdout.on('data', (d) => (out.text += String(d)));
  stderr.on('data', (d) => (out.err += String(d)));
  return { streams: { stdout, stderr, db: t.db, content: e.deps.content, now: e.clock.now() }, out };
}

async function cli(run: typeof data, argv: string[]) {
  const { streams, out } = io();
  const code = await run(argv, streams);
  return { code, out: out.text, err: out.err };
}

beforeEach(async () => {
  await t.reset();
  e = await testEngine(t.db, '2027-02-26T12:00:00Z');
  const olga = e.as('olga', { admin: true });
  await e.run(olga, '/cohort create name:"Spring 2027" program:ds-to-mle start:2027-03-01 day:mon time:09:00 tz:Europe/Berlin');
  await e.run(e.as('maria'), '/cohort join');
  await e.run(e.as('li'), '/cohort join');
  await e.run(olga, '/cohort mentor @dana');
  await e.at('2027-03-01T08:00:00Z');
  await e.run(e.as('maria'), '/checkin behind my notebook will not package');
  await e.run(e.as('li'), '/checkin on-track');
});

describe('mentorbot data', () => {
  it('export prints everything kept about the person as JSON, or writes it to --out', async () => {
    const { code, out, err } = await cli(data, ['export', '--user', 'local:maria']);
    expect(code).toBe(0);
    expect(err).toBe('');
    const json = JSON.parse(out);
    expect(json.user).toBe('local:maria');
    expect(json.checkins.map((c: { week: number; status: string; note: string }) => [c.week, c.status, c.note])).toEqual([[1, 'behind', 'my notebook will not package']]);
    expect(out).not.toContain('"li"');

    const dir = await mkdtemp(path.join(os.tmpdir(), 'mentorbot-data-'));
    try {
      const file = path.join(dir, 'maria.json');
      const written = await cli(data, ['export', '--user', 'local:maria', '--out', file]);
      expect(written.code).toBe(0);
      expect(written.err).toBe(`Wrote ${file}: 1 cohorts, 1 check-ins, 0 FAQ questions.\n`);
      expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(json);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses bad input with what was wrong and the usage', async () => {
    for (const [argv, message] of [
      [['export'], '--user is required.'],
      [['export', '--user', 'maria'], '--user "maria" is not platform:id'],
      [['purge', '--user', 'local:maria'], '"purge" is not a data command'],
      [['export', '--user', 'local:maria', '--yes'], '--yes goes with delete only.'],
    ] as const) {
      const r = await cli(data, [...argv]);
      expect(r.code).toBe(2);
      expect(r.err).toContain(message);
      expect(r.err).toContain('usage: mentorbot data export --user <platform:id>');
    }
    const nobody = await cli(data, ['export', '--user', 'slack:U999']);
    expect(nobody).toMatchObject({ code: 1, err: 'Nothing is kept about slack:U999: in no cohort, no FAQ question.\n' });
  });

  it('delete needs --yes, erases once, then finds nothing; the audit shows the request', async () => {
    const dry = await cli(data, ['delete', '--user', 'local:maria']);
    expect(dry.code).toBe(2);
    expect(dry.err).toContain("This would erase local:maria's 1 check-ins, 0 breaks and 0 FAQ questions, and cannot be undone.\nRun again with --yes");
    expect(textOf(await e.run(e.as('maria'), '/mydata'))).toContain('my notebook will not package');

    const done = await cli(data, ['delete', '--user', 'local:maria', '--yes']);
    expect(done.code).toBe(0);
    expect(done.out).toBe(
      "Deleted local:maria's data: 1 check-in (1 version, 1 note, 0 blockers), 0 breaks, 0 evidence links, 0 FAQ questions, 0 open flags closed.\n" +
        'They left Spring 2027; the cohorts keep only anonymous counts.\n',
    );
    expect(textOf(await e.run(e.as('maria'), '/mydata'))).toContain('I keep nothing about you');
    expect((await cli(data, ['delete', '--user', 'local:maria', '--yes'])).out).toBe('Nothing is kept about local:maria; nothing to delete.\n');
    // li is untouched.
    expect(textOf(await e.run(e.as('li'), '/mydata'))).toContain('Spring 2027, week 1: on-track');

    const record = await cli(audit, ['--cohort', 'Spring 2027']);
    expect(record.code).toBe(0);
    const lines = record.out.trim().split('\n');
    expect(lines.map((l) => l.split('  ')[2])).toEqual(['cohort.create', 'cohort.mentor', 'data.delete']);
    expect(lines[0]).toMatch(/^2027-02-26 12:00 UTC {2}olga \(local:olga\) {2}cohort\.create {2}in "Spring 2027"/);
    expect(lines[2]).toContain('data.delete  in "Spring 2027"  a learner  — 1 check-in');
    expect(lines[2]).toMatch(/operator \S+ \(cli:/);
    expect(record.out).not.toContain('maria');
  });
});

describe('mentorbot audit', () => {
  it('lists who did what, per cohort or all, as text or JSON lines', async () => {
    const olga = e.as('olga', { admin: true });
    await e.run(olga, '/cohort skip 2027-03-15');
    await e.run(olga, '/cohort unskip 2027-03-15');
    await e.run(olga, '/cohort pause');
    await e.run(olga, '/cohort resume');
    await e.run(olga, '/cohort edit time:10:00');
    await e.run(olga, '/cohort add @sam');
    await e.run(olga, '/cohort remove @sam');
    // Refused or no-op commands leave no record.
    await e.run(e.as('maria'), '/cohort pause');
    await e.run(olga, '/cohort resume');
    const json = await cli(audit, ['--json']);
    expect(json.code).toBe(0);
    const records = json.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(records.map((r) => [r.actor_id, r.action, r.subject])).toEqual([
      ['olga', 'cohort.create', null],
      ['olga', 'cohort.mentor', '@dana'],
      ['olga', 'cohort.skip', '2027-03-15'],
      ['olga', 'cohort.unskip', '2027-03-15'],
      ['olga', 'cohort.pause', null],
      ['olga', 'cohort.resume', null],
      ['olga', 'cohort.edit', null],
      ['olga', 'cohort.add', '@sam'],
      ['olga', 'cohort.remove', '@sam'],
    ]);
    expect(records.find((r) => r.action === 'cohort.edit').detail).toBe('Monday 09:00 Europe/Berlin → Monday 10:00 Europe/Berlin');
    expect(records.map((r) => r.cohort)).toEqual(Array(9).fill('Spring 2027'));
    expect(records.map((r) => r.at.slice(0, 10))).toEqual([...Array(2).fill('2027-02-26'), ...Array(7).fill('2027-03-01')]);

    const unknown = await cli(audit, ['--cohort', 'Autumn']);
    expect(unknown).toMatchObject({ code: 1, err: 'No cohort is named "Autumn". Cohorts: Spring 2027.\n' });
    expect((await cli(audit, ['--bogus'])).code).toBe(2);
  });
});
