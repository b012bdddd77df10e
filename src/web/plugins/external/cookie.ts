import cookie from '@fastify/cookie';
import type { FastifyInstance } from 'fastify';

/** Cookies are read and written by @fastify/cookie; nothing is signed: the session cookie is itself a secret checked against the database. */
export async function cookies(app: FastifyInstance): Promise<void> {
  await app.register(cookie);
}
