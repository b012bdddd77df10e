import type { FastifyInstance } from 'fastify';
import type { Actor } from '../../core/chat.js';
import { cohortSummaries } from '../../core/dashboard/cohort-list.js';
import { cohortPage } from '../../core/dashboard/cohort-page.js';
import { cohortById } from '../../core/members.js';
import { cohortsPermitting } from '../../core/permissions.js';
import { notFound, PageError } from '../errors.js';
import { cohortPageHtml, cohortTable } from '../views/cohort.js';
import { cohortsPage, cohortsTable } from '../views/cohorts.js';
import { idParam, sendCsv, sendPage, viewerOf } from './respond.js';

export async function cohortRoutes(app: FastifyInstance): Promise<void> {
  const deps = app.deps;

  /** Home: the cohorts for mentors and organizers; a learner goes straight to their record. */
  app.get('/', async (request, reply) => {
    const { actor } = await app.authorize(request, 'signed-in');
    const staff = await cohortsPermitting(deps.db, deps.admins, actor, 'see-cohort');
    if (staff.length > 0 || app.isOrganizer(actor)) return reply.redirect('/cohorts', 303);
    const own = (await cohortsPermitting(deps.db, deps.admins, actor, 'see-learner')).filter((c) => c.standing.member?.role === 'learner');
    if (own.length === 1) return reply.redirect(`/learners/${own[0]!.standing.member!.id}`, 303);
    return reply.redirect('/cohorts', 303);
  });

  const mine = async (actor: Actor) =>
    (await cohortsPermitting(deps.db, deps.admins, actor, 'see-learner'))
      .filter((c) => c.standing.member?.role === 'learner')
      .map((c) => ({ memberId: c.standing.member!.id, cohortName: c.cohort.name }));

  app.get('/cohorts', async (request, reply) => {
    const { actor } = await app.authorize(request, 'signed-in');
    const cohorts = await cohortSummaries(deps, actor, deps.clock.now());
    return sendPage(reply, cohortsPage(viewerOf(app, reply, actor), cohorts, await mine(actor)));
  });

  app.get('/cohorts.csv', async (request, reply) => {
    const { actor } = await app.authorize(request, 'signed-in');
    return sendCsv(reply, 'cohorts', cohortsTable(await cohortSummaries(deps, actor, deps.clock.now()), app.isOrganizer(actor)));
  });

  const load = async (id: string) => {
    const cohort = await cohortById(deps.db, idParam(id, 'cohort'));
    if (!cohort) throw notFound('cohort');
    return cohort;
  };
  const pageOf = async (cohort: Awaited<ReturnType<typeof load>>) => {
    const p = await cohortPage(deps, cohort, deps.clock.now());
    if (!p) throw new PageError(500, 'The program is missing', [`The program "${cohort.program_id}" of ${cohort.name} is not in the content; tell an organizer.`]);
    return p;
  };

  app.get<{ Params: { id: string }; Querystring: { flag?: string } }>('/cohorts/:id', async (request, reply) => {
    const cohort = await load(request.params.id);
    const { actor } = await app.authorize(request, { permission: 'see-cohort', cohort });
    const highlight = request.query.flag && /^\d{1,9}$/.test(request.query.flag) ? Number(request.query.flag) : null;
    return sendPage(reply, cohortPageHtml(viewerOf(app, reply, actor), await pageOf(cohort), highlight));
  });

  app.get<{ Params: { id: string; table: string } }>('/cohorts/:id/:table.csv', async (request, reply) => {
    const cohort = await load(request.params.id);
    await app.authorize(request, { permission: 'see-cohort', cohort });
    const table = cohortTable(await pageOf(cohort), request.params.table);
    if (!table) throw notFound('such table');
    return sendCsv(reply, `${cohort.name}-${table.id}`, table);
  });
}
