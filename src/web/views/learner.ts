import type { LearnerPage } from '../../core/dashboard/learner-page.js';
import type { EvidenceCheckResult, StallReason } from '../../db/types.js';
import { dayText, STATUS_WORDS, whenText } from '../format.js';
import { html } from '../html.js';
import { renderTable, type Table } from '../table.js';
import { flagForms } from './flags.js';
import { page, type Viewer } from './layout.js';

const EVIDENCE_STATES = { verified: 'verified', 'not-verified': 'not verified', pending: 'being checked' } as const;
const RESOLUTIONS = { mentor: 'resolved by a mentor', auto: 'resolved itself', removed: 'closed: left the cohort', ended: 'closed: the program ended', left: 'closed: left the channel' } as const;

const at = (d: Date | string | null, zone: string) => (d ? whenText(new Date(d), zone) : '');

export function learnerTables(p: LearnerPage, viewer: Viewer | null, canAct: boolean): Table[] {
  const zone = p.cohort.timezone;
  const title = (id: string) => p.program?.milestones.find((m) => m.id === id)?.title ?? id;
  const { checkins, versionsOf, milestones, breaks, links, flags } = p.record;
  const back = `/learners/${p.member.id}`;
  return [
    {
      id: 'checkins',
      caption: 'Check-ins',
      empty: 'No check-in yet.',
      columns: [
        { key: 'week', label: 'Week', numeric: true },
        { key: 'milestone', label: 'Milestone' },
        { key: 'answer', label: 'Answer' },
        { key: 'confidence', label: 'Confidence', numeric: true },
        { key: 'blocker', label: 'Blocker' },
        { key: 'note', label: 'Note' },
        { key: 'answered', label: 'Answered' },
        { key: 'edits', label: 'Edits', numeric: true },
      ],
      rows: checkins.map((c) => ({
        week: c.week,
        milestone: title(c.milestone_id),
        answer: `${STATUS_WORDS[c.status] ?? c.status}${c.late ? ' (late)' : ''}`,
        confidence: c.confidence,
        blocker: c.blocker,
        note: c.note,
        answered: at(c.created_at, zone),
        edits: Math.max(0, (versionsOf.get(c.id)?.length ?? 1) - 1),
      })),
    },
    {
      id: 'versions',
      caption: 'Every version of every check-in',
      empty: 'No check-in yet.',
      columns: [
        { key: 'week', label: 'Week', numeric: true },
        { key: 'version', label: 'Version', numeric: true },
        { key: 'recorded', label: 'Recorded' },
        { key: 'answer', label: 'Answer' },
        { key: 'confidence', label: 'Confidence', numeric: true },
        { key: 'blocker', label: 'Blocker' },
        { key: 'note', label: 'Note' },
        { key: 'ticked', label: 'Milestones ticked' },
        { key: 'source', label: 'How' },
      ],
      rows: checkins.flatMap((c) =>
        (versionsOf.get(c.id) ?? []).map((v, i) => ({
          week: c.week,
          version: i + 1,
          recorded: at(v.recorded_at, zone),
          answer: `${STATUS_WORDS[v.status] ?? v.status}${v.late ? ' (late)' : ''}`,
          confidence: v.confidence,
          blocker: v.blocker,
          note: v.note,
          ticked: v.milestones.map(title).join(', '),
          source: v.source,
        })),
      ),
    },
    {
      id: 'milestones',
      caption: 'Milestones completed',
      empty: 'None yet.',
      columns: [
        { key: 'milestone', label: 'Milestone' },
        { key: 'at', label: 'Completed' },
      ],
      rows: milestones.map((m) => ({ milestone: title(m.milestone_id), at: at(m.completed_at, zone) })),
    },
    {
      id: 'evidence',
      caption: 'Linked work',
      empty: 'No link to their work yet (/evidence <url> in chat adds one).',
      columns: [
        { key: 'milestone', label: 'Milestone' },
        { key: 'url', label: 'Link' },
        { key: 'state', label: 'Verified' },
        { key: 'checked', label: 'Last checked' },
        { key: 'checks', label: 'Checks' },
      ],
      rows: links.map((l) => ({
        milestone: title(l.milestone_id),
        // Only web addresses become links: anything else a learner typed stays text.
        url: /^https?:\/\//i.test(l.url) ? { text: l.url, href: l.url } : l.url,
        state: EVIDENCE_STATES[l.state] ?? l.state,
        checked: at(l.checked_at, zone),
        checks: (l.results as EvidenceCheckResult[]).map((r) => `${r.ok ? '✓' : '✗'} ${r.detail}`).join('; '),
      })),
    },
    {
      id: 'breaks',
      caption: 'Breaks',
      empty: 'No break announced.',
      columns: [
        { key: 'from', label: 'From' },
        { key: 'back', label: 'Back on' },
      ],
      rows: breaks.map((b) => ({ from: dayText(b.starts_on), back: dayText(b.ends_on) })),
    },
    {
      id: 'flags',
      caption: 'Stall flags',
      empty: 'Never flagged.',
      columns: [
        { key: 'opened', label: 'Opened' },
        { key: 'reasons', label: 'Reasons' },
        { key: 'state', label: 'State' },
        { key: 'acknowledged', label: 'Acknowledged' },
        { key: 'resolved', label: 'Resolved' },
        ...(canAct ? [{ key: 'act', label: 'Act' }] : []),
      ],
      rows: flags.map((f) => ({
        opened: at(f.opened_at, zone),
        reasons: (f.reasons as StallReason[]).map((r) => r.text).join('; '),
        state: f.status === 'resolved' ? RESOLUTIONS[f.resolution ?? 'mentor'] : f.status,
        acknowledged: f.acknowledged_at ? `${f.acknowledged_by ?? 'a mentor'}, ${at(f.acknowledged_at, zone)}` : '',
        resolved: f.resolved_at ? `${f.resolved_by ? `${f.resolved_by}, ` : ''}${at(f.resolved_at, zone)}` : '',
        ...(canAct && viewer ? { act: { text: '', html: html`${flagForms(viewer, f, back)}` } } : {}),
      })),
    },
  ];
}

export function learnerPageHtml(viewer: Viewer, p: LearnerPage, o: { self: boolean; canSeeCohort: boolean; canAct: boolean }): string {
  const tables = learnerTables(p, viewer, o.canAct);
  const base = `/learners/${p.member.id}/`;
  const state = p.member.removed_at ? `left on ${at(p.member.removed_at, p.cohort.timezone)}` : p.member.away_until ? `away until ${dayText(p.member.away_until)}` : 'active';
  const body = html`<p class="crumbs">${o.canSeeCohort ? html`<a href="/cohorts">Cohorts</a> › <a href="/cohorts/${p.cohort.id}">${p.cohort.name}</a> › ` : ''}${p.member.display_name}</p>
<h1>${o.self ? 'Your record' : p.member.display_name}</h1>
<p class="lead">${o.self ? `${p.member.display_name} · ` : ''}learner in ${p.cohort.name} · ${p.program?.title ?? p.cohort.program_id} · ${state}</p>
${tables.map((t) => renderTable(t, base, 2))}`;
  return page({ title: o.self ? 'Your record' : p.member.display_name, viewer, body, section: o.self ? 'record' : 'cohorts' });
}
