import type { AuditRecord } from '../../core/audit.js';
import { html } from '../html.js';
import { whenText } from '../format.js';
import { renderTable, type Table } from '../table.js';
import { page, type Viewer } from './layout.js';

const VIA = { chat: 'chat', dashboard: 'dashboard', cli: 'command line' } as const;

export function auditTable(records: AuditRecord[]): Table {
  return {
    id: 'audit',
    caption: 'Organizer and mentor actions, newest first',
    empty: 'Nothing on record yet.',
    columns: [
      { key: 'at', label: 'When (UTC)' },
      { key: 'who', label: 'Who' },
      { key: 'action', label: 'Action' },
      { key: 'cohort', label: 'Cohort' },
      { key: 'subject', label: 'About' },
      { key: 'detail', label: 'Detail' },
      { key: 'via', label: 'Where' },
    ],
    rows: [...records].reverse().map((r) => ({
      at: whenText(new Date(r.at), 'UTC'),
      who: `${r.actor_name} (${r.platform}:${r.actor_id})`,
      action: r.action,
      cohort: r.cohort,
      subject: r.subject,
      detail: r.detail,
      via: r.via ? VIA[r.via] : '',
    })),
  };
}

export function auditPageHtml(viewer: Viewer, records: AuditRecord[]): string {
  const body = html`<h1>Audit</h1>
<p class="lead">Who created, edited, skipped, paused, added or removed, who acknowledged or resolved a flag, and every data deletion, with where it was done.</p>
${renderTable(auditTable(records), '/', 2)}`;
  return page({ title: 'Audit', viewer, body, section: 'audit' });
}
