import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { filesOf } from '../../../src/core/attachments.js';
import { parseCommand } from '../../../src/core/commands.js';
import { enqueueDueDigests } from '../../../src/core/digest.js';
import { endFinishedPrograms } from '../../../src/core/program-end.js';
import type { HeatmapData, HeatmapRenderer } from '../../../src/core/report/heatmap.js';
import { deliverDue } from '../../../src/jobs/deliver.js';
import { LocalChat } from '../../../src/platforms/local/port.js';
import { createPngRenderer } from '../../../src/render/png.js';
import { useTestDb } from '../../helpers/db.js';
import { testEngine, textOf } from '../../helpers/engine.js';
import { addMember, answer, at, content, makeCohort, outbox } from '../stalls/fixtures.js';

const t = useTestDb();
const png = createPngRenderer();

/** Keeps what it was asked to draw, and draws it for real. */
function watching(): HeatmapRenderer & { seen: HeatmapData[] } {
  const seen: HeatmapData[] = [];
  return { seen, render: (d) => (seen.push(d), png.render(d)) };
}

async function spring(weeks: number) {
  const cohort = await makeCohort(t.db, { weeks });
  await addMember(t.db, cohort.id, 'Ana', 'mentor');
  await addMember(t.db, cohort.id, 'Bob', 'mentor');
  const maria = await addMember(t.db, cohort.id, 'Maria');
  const ben = await addMember(t.db, cohort.id, 'Ben');
  for (let w = 1; w <= weeks; w++) await answer(t.db, cohort, ben, w, w === weeks ? 'done' : 'on-track', 4);
  await answer(t.db, cohort, maria, 1, 'blocked', 3);
  await t.db
    .insertInto('stall_flags')
    .values({ member_id: maria, cohort_id: cohort.id, reasons: JSON.stringify([]), opened_at: at(1, 30), status: 'acknowledged', acknowledged_at: at(1, 34), acknowledged_by: 'Ana' })
    .execute();
  return cohort;
}

describe('the heatmap goes with the digest and the final report', () => {
  beforeEach(() => t.reset());

  it('each mentor gets the week’s digest with the heatmap PNG attached, the response times in the text', async () => {
    await spring(1);
    const renderer = watching();
    expect(await enqueueDueDigests(t.db, content, at(1, 150), renderer)).toBe(2);
    expect(renderer.seen.map((d) => [d.title, d.week, d.rows.map((r) => r.name)])).toEqual([['weekly digest', 1, ['Ben', 'Maria']]]);
    const digests = await outbox(t.db);
    expect(digests.map((d) => d.to)).toEqual(['U-ana', 'U-bob']);
    expect(digests[0]!.message.text).toContain('**Response to stall alerts** (alert → first mentor answer)\nCohort: median 4 h, 90th percentile 4 h (1 alert).\n• Ana: median 4 h');
    expect(digests[0]!.message.text).toContain('_The cohort heatmap is attached._');
    const files = await filesOf(t.db, digests.map((d) => d.key));
    for (const d of digests) {
      const [file] = files.get(d.key)!;
      expect(file!.name).toBe('spring-week-01.png');
      expect(file!.contentType).toBe('image/png');
      expect((await sharp(file!.bytes).metadata()).format).toBe('png');
    }
  });

  it('a renderer that fails leaves the digest to go without its picture', async () => {
    await spring(1);
    const broken: HeatmapRenderer = {
      render: () => {
        throw new Error('out of memory');
      },
    };
    expect(await enqueueDueDigests(t.db, content, at(1, 150), broken)).toBe(2);
    const digests = await outbox(t.db);
    expect(digests[0]!.message.text).not.toContain('heatmap is attached');
    expect((await filesOf(t.db, digests.map((d) => d.key))).size).toBe(0);
  });

  it('the final report carries the whole-program heatmap with the figures written under it', async () => {
    await spring(5);
    const renderer = watching();
    expect(await endFinishedPrograms(t.db, content, at(6, 1), renderer)).toBe(1);
    const reports = (await outbox(t.db)).filter((o) => o.kind === 'report');
    expect(reports.map((r) => r.to)).toEqual(['U-ana', 'U-bob']);
    expect(reports[0]!.message.text).toContain('**Response to stall alerts**');
    // The response times are given once, in their own section.
    expect(reports[0]!.message.text).not.toContain('median time to acknowledge');
    const [file] = (await filesOf(t.db, [reports[0]!.key])).get(reports[0]!.key)!;
    expect(file!.name).toBe('spring-week-05-final.png');
    const drawn = renderer.seen[0]!;
    expect(drawn.title).toBe('final report');
    expect(drawn.notes).toEqual([
      'Learners who finished each milestone (of 2): Package the model 0 · Serve predictions 0 · Monitor drift 0',
      'Answers per week: w1 2/2 · w2 1/2 · w3 1/2 · w4 1/2 · w5 1/2',
      'Stall flags: 1 raised · 0 resolved by a mentor · 0 resolved themselves · 1 open at the end.',
      'Response to stall alerts: median 4 h, 90th percentile 4 h over 1 alert. By mentor (median / 90th): Ana 4 h / 4 h',
    ]);
    // The channel's summary names nobody and carries no picture.
    const summary = (await outbox(t.db)).find((o) => o.kind === 'summary')!;
    expect((await filesOf(t.db, [summary.key])).size).toBe(0);
  });
});

describe('/cohort report', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mentorbot-reports-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(() => t.reset());

  it('sends the mentor the heatmap by DM; in the terminal it is written under the data directory and its path printed', async () => {
    const e = await testEngine(t.db, '2027-02-26T12:00:00Z');
    e.deps.renderer = png;
    const admin = e.as('olga', { admin: true });
    await e.run(admin, '/cohort create name:"Spring 2027" program:ds-to-mle start:2027-03-01 day:mon time:09:00 tz:Europe/Berlin');
    for (const who of ['maria', 'li']) await e.run(e.as(who), '/cohort join');
    await e.run(admin, '/cohort mentor @dana');

    expect(textOf(await e.run(e.as('dana'), '/cohort report'))).toBe(
      'Spring 2027 has had no check-in round yet, so there is nothing to draw. `/cohort schedule` shows when the first one opens.',
    );
    await e.at('2027-03-01T08:00:00Z');
    await e.run(e.as('maria'), '/checkin on-track');
    expect(textOf(await e.run(e.as('maria'), '/cohort report'))).toBe('Only mentors of Spring 2027 can see the cohort report.');
    expect(() => parseCommand('/cohort', 'report now')).toThrow('`/cohort report` takes no options.');

    const reply = await e.run(e.as('dana'), '/cohort report');
    expect(reply).toEqual({ kind: 'message', message: { text: "I'm sending you the report of **Spring 2027** (week 1) by direct message: the heatmap and the response times.", private: true } });
    const printed: string[] = [];
    const terminal = new LocalChat((text) => printed.push(text), dir);
    await deliverDue(t.db, new Map([['local', terminal]]), e.clock.now(), { workerId: 'w1' });
    const dm = terminal.shown.find((s) => s.header === 'DM to @dana')!;
    expect(dm.message.text).toContain('**Cohort report · Spring 2027 · week 1**');
    const file = path.join(dir, 'reports', 'spring-2027-week-01-report.png');
    expect(printed).toContain(`   📎 spring-2027-week-01-report.png written to ${file}`);
    expect(terminal.filesWritten).toEqual([file]);
    const meta = await sharp(readFileSync(file)).metadata();
    expect(meta.format).toBe('png');

    // App Home tells a mentor where the picture is; a learner's does not.
    expect((await e.core.home(e.as('dana'))).text).toContain('📊 The heatmap of **Spring 2027** comes with every weekly digest; `/cohort report` in the cohort\'s channel sends it to you now.');
    expect((await e.core.home(e.as('maria'))).text).not.toContain('heatmap');
  });
});
