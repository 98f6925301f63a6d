/**
 * Opening the DuckDB file: one instance, a writer connection (appenders, migrations), a
 * connection for retention deletes, and a reader connection for queries, so a running write never queues a
 * dashboard query behind it (DuckDB's MVCC lets the reader see the last commit).
 */
import { availableParallelism } from 'node:os';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { MIGRATIONS, SCHEMA_VERSION } from './schema';

/** A store that cannot be opened; the message is one line fit for a user. */
export class StoreOpenError extends Error {
  override name = 'StoreOpenError';
}

/** WAL size that triggers a checkpoint (see openDb). */
const CHECKPOINT_THRESHOLD = '256MB';

export type SqlParams = DuckDBValue[];
export type SqlRow = Record<string, unknown>;

/** Runs a query and returns plain objects; BIGINT values come back as numbers. */
export async function readRows(conn: DuckDBConnection, sql: string, params: SqlParams = []): Promise<SqlRow[]> {
  const reader = await conn.runAndReadAll(sql, params);
  const rows = reader.getRowObjectsJS() as SqlRow[];
  for (const row of rows) {
    for (const k in row) {
      const v = row[k];
      if (typeof v === 'bigint') row[k] = Number(v);
    }
  }
  return rows;
}

export interface OpenedDb {
  instance: DuckDBInstance;
  writer: DuckDBConnection;
  reader: DuckDBConnection;
  /** Retention deletes run here, so they never land inside a batch's open transaction. */
  sweeper: DuckDBConnection;
}

/** Opens (creating if needed) and migrates the store file; its directory must exist. */
export async function openDb(path: string, memoryLimit: string): Promise<OpenedDb> {
  let instance: DuckDBInstance;
  try {
    // As many threads as CPUs this process may run on (a container's or taskset's limit), not
    // the machine's: extra threads on a pinned collector only fight over the same core.
    instance = await DuckDBInstance.create(path, { memory_limit: memoryLimit, threads: String(availableParallelism()) });
  } catch (err) {
    const msg = (err as Error).message;
    if (/lock/i.test(msg)) {
      const pid = /PID (\d+)/.exec(msg)?.[1];
      throw new StoreOpenError(`${path} is already open in another tracekit collector${pid ? ` (pid ${pid})` : ''}; stop it or pass --db with another file`);
    }
    throw new StoreOpenError(`cannot open ${path}: ${msg.split('\n')[0]}`);
  }
  const writer = await instance.connect();
  // The default 16 MB WAL checkpoints every few tens of thousands of spans, each a small
  // compressed write that costs more than the appends; a larger WAL checkpoints in bulk.
  await writer.run(`SET checkpoint_threshold = '${CHECKPOINT_THRESHOLD}'`);
  const reader = await instance.connect();
  const sweeper = await instance.connect();
  await migrate(writer, path);
  return { instance, writer, reader, sweeper };
}

async function migrate(conn: DuckDBConnection, path: string): Promise<void> {
  await conn.run('CREATE TABLE IF NOT EXISTS tk_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)');
  const rows = await readRows(conn, "SELECT value FROM tk_meta WHERE key = 'schema_version'");
  const current = rows.length === 0 ? 0 : Number(rows[0].value);
  if (!Number.isInteger(current) || current > SCHEMA_VERSION) {
    throw new StoreOpenError(`${path} has schema version ${String(rows[0]?.value)}, newer than this tracekit understands (${SCHEMA_VERSION}); upgrade tracekit`);
  }
  if (current === SCHEMA_VERSION) return;
  await conn.run('BEGIN TRANSACTION');
  try {
    for (let v = current; v < SCHEMA_VERSION; v++) await conn.run(MIGRATIONS[v]);
    await conn.run("INSERT OR REPLACE INTO tk_meta VALUES ('schema_version', ?)", [String(SCHEMA_VERSION)]);
    await conn.run('COMMIT');
  } catch (err) {
    await conn.run('ROLLBACK');
    throw err;
  }
}
