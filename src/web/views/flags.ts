import type { FlagRow } from '../../core/dashboard/cohort-page.js';
import { html, type Html } from '../html.js';
import { when, whenText } from '../format.js';
import type { Table } from '../table.js';
import { csrfField, type Viewer } from './layout.js';

/** Acknowledge and Resolve, as the chat alert's buttons: what a flag in this state still allows. */
export function flagForms(viewer: Viewer, flag: { id: number; status: string }, back: string): Html | string {
  if (flag.status === 'resolved') return '';
  const form = (verb: 'acknowledge' | 'resolve', label: string, primary: boolean) =>
    html`<form method="post" action="/flags/${flag.id}/${verb}" class="inline">${csrfField(viewer)}<input type="hidden" name="back" value="${back}"><button type="submit"${primary ? html` class="primary"` : ''}>${label}</button></form>`;
  return html`<div class="actions">${flag.status === 'open' ? form('acknowledge', 'Acknowledge', true) : ''}${form('resolve', 'Resolve', false)}</div>`;
}

function stateText(f: FlagRow, zone: string): string {
  return f.status === 'acknowledged' ? `acknowledged by ${f.acknowledgedBy ?? 'a mentor'}, ${whenText(f.acknowledgedAt, zone)}` : 'open';
}

export function flagsTable(flags: FlagRow[], zone: string): Table {
  return {
    id: 'flags',
    caption: 'Open flags',
    empty: 'No open stall flag.',
    columns: [
      { key: 'learner', label: 'Learner' },
      { key: 'state', label: 'State' },
      { key: 'reasons', label: 'Reasons' },
      { key: 'opened', label: 'Opened' },
    ],
    rows: flags.map((f) => ({ learner: f.learnerName, state: stateText(f, zone), reasons: f.reasons.map((r) => r.text).join('; '), opened: whenText(f.openedAt, zone) })),
  };
}

/** The open flags as cards: who, why, since when, and the two buttons. */
export function flagCards(viewer: Viewer, flags: FlagRow[], zone: string, back: string, highlight: number | null): Html {
  return html`<ul class="cards">${flags.map(
    (f) => html`<li class="card${f.id === highlight ? ' highlight' : ''}" id="flag-${f.id}">
<h3><a href="/learners/${f.memberId}">${f.learnerName}</a> <span class="badge ${f.status}">${f.status}</span></h3>
<ul class="reasons">${f.reasons.map((r) => html`<li>${r.text}</li>`)}</ul>
<p class="muted">Opened ${when(f.openedAt, zone)}${f.status === 'acknowledged' ? html` · acknowledged by ${f.acknowledgedBy ?? 'a mentor'}, ${when(f.acknowledgedAt, zone)}` : ''}</p>
${flagForms(viewer, f, back)}
</li>`,
  )}</ul>`;
}
