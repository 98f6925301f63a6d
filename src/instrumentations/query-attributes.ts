/**
 * A query span's attributes that repeat: the database (`db.system.name`, `db.namespace`,
 * `server.address`, `server.port`) and the statement (`db.query.text`, `db.operation.name`,
 * `db.collection.name`). An app runs the same few parameterised statements against the same
 * database over and over, so they are encoded once per (database, statement) as a shared block,
 * with the span name, instead of attribute by attribute for every query (on a route making three
 * pg queries that encoding was the agent's largest item, with `bench/profile.cjs --path /pg`).
 *
 * A target its instrumentation keeps (keepTarget: pg per client and per pool, mysql2 per
 * connection config) is found by identity; any other is interned by its fields, so a target
 * built per query (mysql2's channel messages) shares too.
 * Everything here is bounded: at most MAX_TARGETS targets, and across all of them at most
 * MAX_SHAPES shapes holding MAX_SHAPE_BYTES of encoded attributes; when a new shape would pass
 * either, every target's shapes are dropped and the tables start over. A target beyond the
 * limit, a statement whose normalised text is longer than MAX_TEXT_LENGTH, or one the
 * normaliser does not cache, gets no kept shape: its caller makes a block for that query alone
 * (`queryBlock`, the same keys and values).
 */
import type { AttributeBlock } from '../otlp/types';
import { attributeBlock } from '../tracer/attribute-block';
import { querySpanName, type SqlSummary } from '../sql/normalize';

/** Where a query goes, as the span reports it (the fields of QueryTarget that reach the span). */
export interface QueryDatabase {
  system: string;
  namespace?: string;
  address?: string;
  port?: number;
}

/** A statement's span name and shared attributes on one database. */
export interface QueryShape {
  name: string;
  block: AttributeBlock;
}

const MAX_TARGETS = 64;
const MAX_SHAPES = 2000;
const MAX_SHAPE_BYTES = 1024 * 1024;
const MAX_TEXT_LENGTH = 1024;
const QUERY_KEYS = Object.freeze(['db.system.name', 'db.namespace', 'db.query.text', 'db.operation.name', 'db.collection.name', 'server.address', 'server.port']);

/** One interned database and the shapes of the statements run on it. */
interface DatabaseEntry {
  db: QueryDatabase;
  shapes: Map<SqlSummary, QueryShape>;
}

const databases = new Map<string, DatabaseEntry>();
/** Shapes kept across all databases, and their encoded bytes. */
let shapeCount = 0;
let shapeBytes = 0;
/**
 * Targets their instrumentation keeps and passes again (one per client, pool or connection
 * config, see keepTarget): found by identity, with no key to build. Only those: a target made
 * for one query and then dropped would only add work for the garbage collector here.
 */
const byObject = new WeakMap<QueryDatabase, DatabaseEntry>();

function databaseEntry(db: QueryDatabase): DatabaseEntry | undefined {
  const known = byObject.get(db);
  if (known !== undefined) return known;
  const port = db.port !== undefined && Number.isFinite(db.port) ? db.port : undefined;
  const key = `${db.system}\u0000${db.namespace ?? ''}\u0000${db.address ?? ''}\u0000${port ?? ''}`;
  let entry = databases.get(key);
  if (entry === undefined) {
    if (databases.size >= MAX_TARGETS) return undefined;
    entry = { db: { system: db.system, namespace: db.namespace || undefined, address: db.address || undefined, port }, shapes: new Map() };
    databases.set(key, entry);
  }
  return entry;
}

/**
 * Marks a target the caller keeps and will pass for many queries (one per client or pool),
 * so `queryShape` finds it by identity. Returns the target.
 */
export function keepTarget<T extends QueryDatabase>(db: T): T {
  const entry = databaseEntry(db);
  if (entry !== undefined) byObject.set(db, entry);
  return db;
}

/** A query span's database and statement attributes as a block (`summary` undefined: a query whose text is unknown). */
export function queryBlock(db: QueryDatabase, summary: SqlSummary | undefined): AttributeBlock {
  const port = db.port !== undefined && Number.isFinite(db.port) ? db.port : undefined;
  return attributeBlock(QUERY_KEYS, [db.system, db.namespace || undefined, summary?.text, summary?.operation, summary?.collection, db.address || undefined, port]);
}

/**
 * The span name and shared attribute block of `summary` run on `db`, made once and reused.
 * Undefined when the target table is full or the statement is too long to keep (the caller
 * then makes a block for its query alone with `queryBlock`).
 */
export function queryShape(db: QueryDatabase, summary: SqlSummary): QueryShape | undefined {
  if (summary.text.length > MAX_TEXT_LENGTH) return undefined;
  const entry = databaseEntry(db);
  if (entry === undefined) return undefined;
  let shape = entry.shapes.get(summary);
  if (shape === undefined) {
    shape = { name: querySpanName(summary, entry.db.system), block: queryBlock(entry.db, summary) };
    if (shapeCount >= MAX_SHAPES || shapeBytes + shape.block.bytes.length > MAX_SHAPE_BYTES) {
      for (const e of databases.values()) e.shapes.clear();
      shapeCount = shapeBytes = 0;
    }
    entry.shapes.set(summary, shape);
    shapeCount++;
    shapeBytes += shape.block.bytes.length;
  }
  return shape;
}
