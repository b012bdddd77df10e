import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Actor } from '../../core/chat.js';
import { notFound } from '../errors.js';
import { tableCsv, type Table } from '../table.js';
import type { Viewer } from '../views/layout.js';

/** Pages hold people's answers: never cached, anywhere. */
export function sendPage(reply: FastifyReply, body: string, status = 200): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);
}

export function sendCsv(reply: FastifyReply, fileName: string, table: Table): FastifyReply {
  const safe = fileName.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-|-$/g, '') || 'table';
  return reply
    .header('cache-control', 'no-store')
    .header('content-disposition', `attachment; filename="${safe}.csv"`)
    .type('text/csv; charset=utf-8')
    .send(tableCsv(table));
}

/** The named table of a page, for its CSV address; a name the page does not have is a 404. */
export function pickTable(tables: readonly Table[], id: string): Table {
  const t = tables.find((x) => x.id === id);
  if (!t) throw notFound('such table');
  return t;
}

export function viewerOf(app: FastifyInstance, reply: FastifyReply, actor: Actor): Viewer {
  return { actor, organizer: app.isOrganizer(actor), csrf: reply.generateCsrf() };
}

/** A numeric id in an address; anything else names nothing. */
export function idParam(value: string, what: string): number {
  if (!/^\d{1,9}$/.test(value)) throw notFound(what);
  return Number(value);
}
