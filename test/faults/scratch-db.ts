import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDb, type DbHandle } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';

/**
 * A whole database of its own on the TEST_DATABASE_URL server, for tests that start the bot with a
 * plain DATABASE_URL (the app has no schema setting). Dropped by `drop()`.
 */
export interface ScratchDatabase {
  name: string;
  url: string;
  /** The same database reached through another host and port (a proxy in front of Postgres). */
  urlVia(host: string, port: number): string;
  /** A direct connection for seeding and checking, migrated. */
  handle: DbHandle;
  server: { host: string; port: number };
  drop(): Promise<void>;
}

async function admin<T>(serverUrl: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

export async function createScratchDatabase(serverUrl: string): Promise<ScratchDatabase> {
  const name = `mb_fault_${randomBytes(5).toString('hex')}`;
  await admin(serverUrl, (c) => c.query(`create database ${name}`));
  // As on the suite's database (global-setup.ts): commits wait for no disk flush.
  await admin(serverUrl, (c) => c.query(`alter database ${name} set synchronous_commit = off`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = await createDb({ databaseUrl: url.toString(), dataDir: null, poolSize: 4 });
  await migrateToLatest(handle.db);
  const server = { host: url.hostname, port: Number(url.port || 5432) };
  return {
    name,
    url: url.toString(),
    urlVia(host, port) {
      const via = new URL(url.toString());
      via.hostname = host;
      via.port = String(port);
      return via.toString();
    },
    handle,
    server,
    async drop() {
      await handle.close();
      // Connections a killed process left behind may still be open for a moment.
      await admin(serverUrl, (c) => c.query(`drop database if exists ${name} with (force)`));
    },
  };
}
