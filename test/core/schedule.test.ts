import { describe, expect, it } from 'vitest';
import { canonicalZone, describeSlot, dueSlots, nextWeekSlot, upcomingSlots, type SlotRule } from '../../src/core/schedule.js';

const rule = (over: Partial<SlotRule> = {}): SlotRule => ({
  startDate: '2026-03-02',
  weekday: 1,
  slotTime: '09:00',
  timezone: 'America/New_York',
  skipped: new Set(),
  ...over,
});

/** Walks the schedule the way the scheduler does: each round after the previous, checked at its own slot. */
function walk(r: SlotRule, weeks: number): Array<{ localDate: string; at: string }> {
  const out: Array<{ localDate: string; at: string }> = [];
  let prev: { localDate: string } | null = null;
  for (let i = 0; i < weeks; i++) {
    const slot = nextWeekSlot(r, prev);
    out.push({ localDate: slot.localDate, at: slot.at.toISOString() });
    prev = slot;
  }
  return out;
}

describe('round slots', () => {
  it('starts on the first slot weekday on or after the start date', () => {
    expect(nextWeekSlot(rule({ startDate: '2026-03-04' }), null).localDate).toBe('2026-03-09');
    expect(nextWeekSlot(rule(), null).localDate).toBe('2026-03-02');
  });

  it('keeps 09:00 Monday at 09:00 local across the spring change in New York', () => {
    expect(walk(rule(), 3)).toEqual([
      { localDate: '2026-03-02', at: '2026-03-02T14:00:00.000Z' }, // EST, UTC-5
      { localDate: '2026-03-09', at: '2026-03-09T13:00:00.000Z' }, // EDT from 8 March, UTC-4
      { localDate: '2026-03-16', at: '2026-03-16T13:00:00.000Z' },
    ]);
  });

  it('keeps 09:00 local across the autumn change in New York', () => {
    expect(walk(rule({ startDate: '2026-10-26' }), 2).map((s) => s.at)).toEqual(['2026-10-26T13:00:00.000Z', '2026-11-02T14:00:00.000Z']);
  });

  it('keeps 09:00 Monday at 09:00 local across both changes in Berlin', () => {
    const spring = walk(rule({ timezone: 'Europe/Berlin', startDate: '2026-03-23' }), 2);
    expect(spring.map((s) => s.at)).toEqual(['2026-03-23T08:00:00.000Z', '2026-03-30T07:00:00.000Z']);
    const autumn = walk(rule({ timezone: 'Europe/Berlin', startDate: '2026-10-19' }), 2);
    expect(autumn.map((s) => s.at)).toEqual(['2026-10-19T07:00:00.000Z', '2026-10-26T08:00:00.000Z']);
  });

  it('neither doubles nor skips a slot that falls inside the clock change itself', () => {
    // Sunday 02:30 does not exist in Berlin on 29 March and happens twice in New York on 1 November.
    const berlin = walk(rule({ timezone: 'Europe/Berlin', weekday: 7, slotTime: '02:30', startDate: '2026-03-22' }), 3);
    expect(berlin.map((s) => s.localDate)).toEqual(['2026-03-22', '2026-03-29', '2026-04-05']);
    expect(berlin[1]!.at).toBe('2026-03-29T01:30:00.000Z'); // moved to 03:30 CEST, the first valid time
    const ny = walk(rule({ weekday: 7, slotTime: '01:30', startDate: '2026-10-25' }), 3);
    expect(ny.map((s) => s.localDate)).toEqual(['2026-10-25', '2026-11-01', '2026-11-08']);
    const gaps = ny.slice(1).map((s, i) => (Date.parse(s.at) - Date.parse(ny[i]!.at)) / 3_600_000);
    expect(gaps.every((h) => h >= 167 && h <= 169)).toBe(true);
  });

  it('moves a round past a skipped date to the next week', () => {
    const r = rule({ skipped: new Set(['2026-03-09']) });
    expect(walk(r, 3).map((s) => s.localDate)).toEqual(['2026-03-02', '2026-03-16', '2026-03-23']);
  });

  it('does not catch up slots that passed while paused', () => {
    const resumed = new Date('2026-03-18T12:00:00Z');
    const slot = nextWeekSlot(rule(), { localDate: '2026-03-02' }, resumed);
    expect(slot.localDate).toBe('2026-03-23');
  });

  it('after a long outage every passed week is due, in calendar order: the calendar never slides', () => {
    const due = dueSlots(rule(), { localDate: '2026-03-02' }, 24, new Date('2026-03-25T00:00:00Z'));
    expect(due.map((s) => s.localDate)).toEqual(['2026-03-09', '2026-03-16', '2026-03-23']);
    expect(dueSlots(rule(), { localDate: '2026-03-02' }, 2, new Date('2026-03-25T00:00:00Z'))).toHaveLength(2);
  });

  it('a new weekday takes the nearest such day at least four days after the last week', () => {
    const last = { localDate: '2026-03-02' }; // a Monday
    expect(nextWeekSlot(rule({ weekday: 4 }), last).localDate).toBe('2026-03-12'); // Thursday, not 3 days later
    expect(nextWeekSlot(rule({ weekday: 2 }), last).localDate).toBe('2026-03-10');
    expect(nextWeekSlot(rule({ weekday: 7 }), last).localDate).toBe('2026-03-08');
    expect(upcomingSlots(rule({ weekday: 2 }), last, 2).map((s) => s.localDate)).toEqual(['2026-03-10', '2026-03-17']);
  });

  it('echoes a zone as typed, in its usual capitals, never as a legacy alias', () => {
    expect(canonicalZone('europe/berlin')).toBe('Europe/Berlin');
    expect(canonicalZone('Europe/Kyiv')).toBe('Europe/Kyiv');
    expect(canonicalZone('europe/kyiv')).toBe('Europe/Kyiv');
    expect(canonicalZone('utc')).toBe('UTC');
  });

  it('describes a slot in the cohort zone', () => {
    expect(describeSlot(new Date('2026-03-09T13:00:00Z'), 'America/New_York')).toBe('Mon 9 Mar 2026, 09:00 America/New_York');
    // One style everywhere: Sep, never Sept; the year always.
    expect(describeSlot(new Date('2027-09-14T13:52:00Z'), 'Europe/London')).toBe('Tue 14 Sep 2027, 14:52 Europe/London');
  });
});
