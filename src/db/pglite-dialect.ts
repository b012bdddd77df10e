import { createRequire } from 'node:module';
import { Mutex, parse, protocol, type PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

/** node-postgres's own conversion of a JavaScript value to a parameter's text: dates, arrays, JSON, buffers. */
const { prepareValue } = createRequire(import.meta.url)('pg/lib/utils.js') as { prepareValue(value: unknown): string | Buffer | null };

const serialize = protocol.serialize;

/** Statements kept prepared per embedded database: the bot's hot queries are far fewer than this. */
const CACHE_SIZE = 250;
/** Only these are worth keeping prepared; DDL and BEGIN/COMMIT run once or cost nothing to parse. */
const CACHEABLE = /^\s*\(?\s*(select|insert|update|delete|with)\b/i;
/** The prepared statement is gone (DISCARD ALL, DEALLOCATE) or its result's shape changed under it (a migration). */
const STALE = new Set(['26000', '0A000']);

interface Statements {
  names: Map<string, string>;
  /** Evicted statements, closed with the next round trip. */
  closing: string[];
}

/** Shared by every Kysely on one PGlite, so two never prepare the same name. */
const byDatabase = new WeakMap<PGlite, Statements>();
let nextName = 0;

function statementsOf(pglite: PGlite): Statements {
  let s = byDatabase.get(pglite);
  if (!s) byDatabase.set(pglite, (s = { names: new Map(), closing: [] }));
  return s;
}

interface ProtocolError extends Error {
  code?: string;
  query?: string;
}

/**
 * One round trip per query, where PGlite's own `query` makes six (parse, describe, bind, describe,
 * execute, sync) to learn the parameters' types first: parameters go as text, converted the way
 * node-postgres converts them on the Postgres path, so both databases receive the same values. A
 * query the bot runs often is parsed and planned once per database and kept as a named statement.
 */
class PGliteConnection implements DatabaseConnection {
  readonly #pglite: PGlite;
  readonly #statements: Statements;

  constructor(pglite: PGlite) {
    this.#pglite = pglite;
    this.#statements = statementsOf(pglite);
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    try {
      return await this.#run<R>(compiled);
    } catch (err) {
      const code = (err as ProtocolError).code;
      if (!code || !STALE.has(code) || !this.#statements.names.has(compiled.sql)) throw err;
      // Prepared before the change; inside a transaction the error has already aborted it.
      if (code === '26000') this.#statements.names.clear();
      else this.#statements.names.delete(compiled.sql);
      if (this.#pglite.isInTransaction()) throw err;
      return this.#run<R>(compiled);
    }
  }

  async #run<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const { sql } = compiled;
    const values = compiled.parameters.map((v) => (v === undefined || v === null ? null : prepareValue(v)));
    const statements = this.#statements;
    const parts: Uint8Array[] = [];
    for (const name of statements.closing.splice(0)) parts.push(serialize.close({ type: 'S', name }));
    let name = statements.names.get(sql);
    let preparing: string | null = null;
    if (name !== undefined) {
      // Most recently used last: the first entry is the one to evict.
      statements.names.delete(sql);
      statements.names.set(sql, name);
    } else if (CACHEABLE.test(sql)) {
      name = preparing = `mb${++nextName}`;
      parts.push(serialize.parse({ text: sql, name }));
    } else {
      parts.push(serialize.parse({ text: sql }));
    }
    parts.push(serialize.bind({ statement: name ?? '', values: values as string[] }), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync());

    const { messages } = await this.#pglite.runExclusive(() => this.#pglite.execProtocol(Buffer.concat(parts), { throwOnError: false }));
    if (preparing !== null && messages.some((m) => m.name === 'parseComplete')) {
      statements.names.set(sql, preparing);
      if (statements.names.size > CACHE_SIZE) {
        const [oldest, oldName] = statements.names.entries().next().value as [string, string];
        statements.names.delete(oldest);
        statements.closing.push(oldName);
      }
    }
    const error = messages.find((m) => m.name === 'error') as ProtocolError | undefined;
    if (error) {
      error.query = sql;
      throw error;
    }
    const [result] = parse.parseResults(messages, this.#pglite.parsers);
    const rows = (result?.rows ?? []) as R[];
    return result?.affectedRows ? { rows, numAffectedRows: BigInt(result.affectedRows) } : { rows };
  }

  async *streamQuery<R>(compiled: CompiledQuery, chunkSize: number): AsyncIterableIterator<QueryResult<R>> {
    const { rows } = await this.executeQuery<R>(compiled);
    for (let i = 0; i < rows.length; i += chunkSize) yield { rows: rows.slice(i, i + chunkSize) };
  }
}

/** PGlite is one connection: Kysely's callers take turns with it, a transaction holding it throughout. */
class PGliteDriver implements Driver {
  readonly #connection: PGliteConnection;
  readonly #turn = new Mutex();
  #release: (() => void) | null = null;
  readonly #pglite: PGlite;

  constructor(pglite: PGlite) {
    this.#pglite = pglite;
    this.#connection = new PGliteConnection(pglite);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    this.#release = await this.#turn.acquire();
    return this.#connection;
  }

  async releaseConnection(): Promise<void> {
    this.#release?.();
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const modes = [settings.isolationLevel ? `isolation level ${settings.isolationLevel}` : null, settings.accessMode ?? null].filter(Boolean);
    await connection.executeQuery(CompiledQuery.raw(modes.length > 0 ? `start transaction ${modes.join(', ')}` : 'begin'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async destroy(): Promise<void> {
    if (!this.#pglite.closed) await this.#pglite.close();
  }
}

/** Kysely on embedded PGlite; closing the Kysely closes the PGlite. */
export class PGliteDialect implements Dialect {
  readonly #pglite: PGlite;

  constructor(pglite: PGlite) {
    this.#pglite = pglite;
  }

  createAdapter() {
    return new PostgresAdapter();
  }

  createDriver(): Driver {
    return new PGliteDriver(this.#pglite);
  }

  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }

  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db);
  }
}
