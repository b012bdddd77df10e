import type { FastifyInstance } from 'fastify';
import { listAudit } from '../../core/audit.js';
import { faqPage } from '../../core/dashboard/faq-page.js';
import { auditPageHtml, auditTable } from '../views/audit.js';
import { faqPageHtml, faqTables } from '../views/faq.js';
import { pickTable, sendCsv, sendPage, viewerOf } from './respond.js';

/** The FAQ curation and audit pages: organizers only, about their platform. */
export async function organizerRoutes(app: FastifyInstance): Promise<void> {
  const deps = app.deps;

  app.get('/faq', async (request, reply) => {
    const { actor } = await app.authorize(request, { permission: 'curate', cohort: null });
    return sendPage(reply, faqPageHtml(viewerOf(app, reply, actor), await faqPage(deps, actor.platform)));
  });

  app.get<{ Params: { table: string } }>('/faq/:table.csv', async (request, reply) => {
    const { actor } = await app.authorize(request, { permission: 'curate', cohort: null });
    const table = pickTable(faqTables(await faqPage(deps, actor.platform)), request.params.table);
    return sendCsv(reply, `faq-${table.id}`, table);
  });

  app.get('/audit', async (request, reply) => {
    const { actor } = await app.authorize(request, { permission: 'see-audit', cohort: null });
    return sendPage(reply, auditPageHtml(viewerOf(app, reply, actor), await listAudit(deps.db, undefined, actor.platform)));
  });

  app.get('/audit.csv', async (request, reply) => {
    const { actor } = await app.authorize(request, { permission: 'see-audit', cohort: null });
    return sendCsv(reply, 'audit', auditTable(await listAudit(deps.db, undefined, actor.platform)));
  });
}
