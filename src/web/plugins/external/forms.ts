import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';

/** Pages post plain HTML forms (application/x-www-form-urlencoded). */
export async function forms(app: FastifyInstance): Promise<void> {
  await app.register(formbody);
}
