import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/**
 * The stylesheet, served from the folder beside this module's parent (src/web/assets, or
 * dist/web/assets once compiled: the build copies the folder), found relative to this file.
 */
export const ASSETS_DIR = fileURLToPath(new URL('../../assets/', import.meta.url));

export async function assets(app: FastifyInstance): Promise<void> {
  await app.register(fastifyStatic, { root: ASSETS_DIR, prefix: '/assets/', decorateReply: false, maxAge: 3_600_000, index: false, list: false });
}
