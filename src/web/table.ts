import { stringify } from 'csv-stringify/sync';
import { html, type Html } from './html.js';

/**
 * A table as data: a page renders it as HTML and the same rows download as CSV, so every table
 * a person sees is also a file, with the same authorization in front of both.
 */
export type Cell = string | number | null | { text: string; href?: string; html?: Html };

export interface Column {
  key: string;
  label: string;
  numeric?: boolean;
}

export interface Table {
  /** Its name in the CSV's address: `<page>/<id>.csv`. */
  id: string;
  caption: string;
  columns: Column[];
  rows: Array<Record<string, Cell>>;
  /** Said instead of an empty table. */
  empty: string;
}

function cellText(cell: Cell | undefined): string {
  if (cell === null || cell === undefined) return '';
  return typeof cell === 'object' ? cell.text : String(cell);
}

function cellHtml(cell: Cell | undefined): Html | string | number {
  if (cell === null || cell === undefined) return '';
  if (typeof cell !== 'object') return cell;
  if (cell.html) return cell.html;
  return cell.href ? html`<a href="${cell.href}">${cell.text}</a>` : cell.text;
}

/** The table with its caption (a heading of `level`) and a link to its CSV (`csvBase` + id + `.csv`). */
export function renderTable(t: Table, csvBase: string, level: 2 | 3 = 3): Html {
  const captionId = `table-${t.id}`;
  const heading = level === 2 ? html`<h2 id="${captionId}">${t.caption}</h2>` : html`<h3 id="${captionId}">${t.caption}</h3>`;
  const download = html`<a class="csv" href="${csvBase}${t.id}.csv" download>Download CSV<span class="visually-hidden"> of ${t.caption}</span></a>`;
  if (t.rows.length === 0) {
    return html`<section class="table-block" aria-labelledby="${captionId}">${heading}<p class="empty">${t.empty}</p>${download}</section>`;
  }
  return html`<section class="table-block" aria-labelledby="${captionId}">
<div class="table-head">${heading}${download}</div>
<div class="scroll" role="region" aria-labelledby="${captionId}" tabindex="0"><table>
<thead><tr>${t.columns.map((c) => html`<th scope="col"${c.numeric ? html` class="num"` : ''}>${c.label}</th>`)}</tr></thead>
<tbody>${t.rows.map((r) => html`<tr>${t.columns.map((c, i) => (i === 0 ? html`<th scope="row">${cellHtml(r[c.key])}</th>` : html`<td${c.numeric ? html` class="num"` : ''}>${cellHtml(r[c.key])}</td>`))}</tr>`)}</tbody>
</table></div></section>`;
}

/** The same rows as CSV, a header of the column labels. Cells a spreadsheet would run as a formula are quoted as text. */
export function tableCsv(t: Table): string {
  const guard = (text: string) => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);
  return stringify(
    t.rows.map((r) => t.columns.map((c) => guard(cellText(r[c.key])))),
    { header: true, columns: t.columns.map((c) => c.label) },
  );
}
