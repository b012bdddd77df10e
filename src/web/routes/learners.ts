import type { FastifyInstance } from 'fastify';
import { learnerOf, learnerPage } from '../../core/dashboard/learner-page.js';
import { permits } from '../../core/permissions.js';
import { notFound } from '../errors.js';
import { learnerPageHtml, learnerTables } from '../views/learner.js';
import { idParam, pickTable, sendCsv, sendPage, viewerOf } from './respond.js';

export async function learnerRoutes(app: FastifyInstance): Promise<void> {
  const deps = app.deps;
  const load = async (id: string) => {
    const found = await learnerOf(deps, idParam(id, 'learner'));
    if (!found) throw notFound('learner');
    return found;
  };

  app.get<{ Params: { id: string } }>('/learners/:id', async (request, reply) => {
    const found = await load(request.params.id);
    const { actor, standing } = await app.authorize(request, { permission: 'see-learner', cohort: found.cohort, learnerId: found.member.id });
    const self = standing!.member?.id === found.member.id;
    const canSeeCohort = permits(standing!, 'see-cohort');
    const canAct = permits(standing!, 'act-on-flags');
    return sendPage(reply, learnerPageHtml(viewerOf(app, reply, actor), await learnerPage(deps, found), { self, canSeeCohort, canAct }));
  });

  app.get<{ Params: { id: string; table: string } }>('/learners/:id/:table.csv', async (request, reply) => {
    const found = await load(request.params.id);
    await app.authorize(request, { permission: 'see-learner', cohort: found.cohort, learnerId: found.member.id });
    const table = pickTable(learnerTables(await learnerPage(deps, found), null, false), request.params.table);
    return sendCsv(reply, `${found.member.display_name}-${table.id}`, table);
  });
}
