import { beforeAll, describe, expect, it } from 'vitest';
import { exportCheckins, formatCheckins } from '../../src/core/export.js';
import { useTestDb } from '../helpers/db.js';
import { testEngine } from '../helpers/engine.js';

const t = useTestDb();

describe('export checkins', () => {
  beforeAll(async () => {
    const e = await testEngine(t.db, '2026-03-02T07:00:00Z');
    await e.run(e.as('olga', { admin: true }), '/cohort create name:"Spring 2026" program:ds-to-mle start:2026-03-02 day:mon time:09:00 tz:Europe/Berlin');
    await e.run(e.as('maria'), '/cohort join');
    await e.run(e.as('li'), '/cohort join');
    await e.at('2026-03-02T08:00:00Z');
    await e.run(e.as('maria'), '/checkin on-track "quotes, and commas"');
    await e.run(e.as('li'), '/checkin blocked docker networking');
    await e.run(e.as('sam'), '/cohort join');
    const form = await e.run(e.as('sam'), '/checkin');
    if (form.kind !== 'form') throw new Error('expected the check-in form');
    await e.core.submitForm(e.as('sam'), { channelId: 'C-spring' }, 'checkin', form.form.state, { status: 'done', confidence: '4', milestones: ['production-code'] });
  });

  it('lists every check-in with its cohort, week and milestone', async () => {
    const rows = await exportCheckins(t.db);
    expect(rows.map((r) => [r.cohort, r.week, r.milestone, r.name, r.status, r.milestones_completed, r.blocker, r.late])).toEqual([
      ['Spring 2026', 1, 'production-code', 'li', 'blocked', [], 'docker networking', false],
      ['Spring 2026', 1, 'production-code', 'maria', 'on-track', [], null, false],
      ['Spring 2026', 1, 'production-code', 'sam', 'done', ['production-code'], null, false],
    ]);
    expect(await exportCheckins(t.db, 'No such cohort')).toEqual([]);
  });

  it('writes CSV that a spreadsheet reads back, and JSON', async () => {
    const rows = await exportCheckins(t.db);
    const csv = formatCheckins(rows, 'csv').trim().split('\n');
    expect(csv[0]).toBe('cohort,week,milestone,user_id,name,status,milestones_completed,confidence,blocker,note,late,source,answered_at,updated_at,evidence_state,evidence_links');
    expect(csv[2]).toContain('"""quotes, and commas"""');
    expect(csv[2]).toContain(',false,quick,2026-03-02T08:00:00.000Z');
    expect(csv[3]).toContain('sam,done,production-code,4,');
    const json = JSON.parse(formatCheckins(rows, 'json'));
    expect(json).toHaveLength(3);
    expect(json[2].milestones_completed).toEqual(['production-code']);
  });
});
