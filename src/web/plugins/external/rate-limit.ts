import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';

/** Rate limits, in memory per process, applied only to the routes that ask for one (opening sign-in links). */
export async function rateLimits(app: FastifyInstance): Promise<void> {
  await app.register(rateLimit, { global: false });
}
