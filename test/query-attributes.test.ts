// A query span's repeating attributes come as one block per (database, statement): the same
// attributes as setting them one by one, shared between equal targets, and bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keepTarget, queryBlock, queryShape } from '../dist/instrumentations/query-attributes';
import { summarizeSql } from '../dist/sql/normalize';
import { encodeTracesProto } from '../dist/otlp/trace-batch';
import { Span } from '../dist/tracer/span';
import type { SpanRecord } from '../dist/otlp/types';

const root = require('@opentelemetry/otlp-transformer/build/src/generated/root.js');
const TraceRequest = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
const resource = { attributes: { 'service.name': 'svc' } };
const ids = { t0: 1, t1: 2, t2: 3, t3: 4 };

/** The span's attributes as the official protos decode them, in wire order. */
function decoded(span: Span): Array<[string, unknown]> {
  const message = TraceRequest.toObject(TraceRequest.decode(encodeTracesProto(resource, [span as unknown as SpanRecord])), { longs: Number });
  return message.resourceSpans[0].scopeSpans[0].spans[0].attributes.map((kv: { key: string; value: Record<string, unknown> }) => [kv.key, kv.value.stringValue ?? kv.value.intValue]);
}

test('a statement on a database gets its span name and attributes as one block, encoded like the attributes one by one', () => {
  const summary = summarizeSql("SELECT id FROM users WHERE email = 'a@b.c'", 'postgresql');
  const shape = queryShape({ system: 'postgresql', namespace: 'shop', address: 'db.local', port: 5432 }, summary);
  assert.ok(shape);
  assert.equal(shape.name, 'SELECT users');
  const withBlock = new Span(shape.name, 2, ids, 0, 0, undefined, 'tracekit', undefined).useBlock(shape.block);
  withBlock.setAttribute('db.response.returned_rows', 1);
  const oneByOne = new Span(shape.name, 2, ids, 0, 0, undefined, 'tracekit', undefined);
  const expected: Array<[string, string | number]> = [
    ['db.system.name', 'postgresql'],
    ['db.namespace', 'shop'],
    ['db.query.text', 'SELECT id FROM users WHERE email = ?'],
    ['db.operation.name', 'SELECT'],
    ['db.collection.name', 'users'],
    ['server.address', 'db.local'],
    ['server.port', 5432],
  ];
  for (const [k, v] of expected) oneByOne.setAttribute(k, v);
  oneByOne.setAttribute('db.response.returned_rows', 1);
  assert.deepEqual(decoded(withBlock), [...expected, ['db.response.returned_rows', 1]]);
  assert.deepEqual(decoded(withBlock), decoded(oneByOne));
});

test('equal targets share one block; another database or statement gets its own; empty fields are left out', () => {
  const summary = summarizeSql('SELECT 1', 'postgresql');
  const a = queryShape({ system: 'postgresql', namespace: 'test', address: '127.0.0.1', port: 5432 }, summary);
  // Drivers build a fresh target object for every query.
  assert.equal(queryShape({ system: 'postgresql', namespace: 'test', address: '127.0.0.1', port: 5432 }, summary), a);
  assert.notEqual(queryShape({ system: 'postgresql', namespace: 'other', address: '127.0.0.1', port: 5432 }, summary), a);
  assert.notEqual(queryShape({ system: 'postgresql', namespace: 'test', address: '127.0.0.1', port: 5432 }, summarizeSql('SELECT 2', 'postgresql')), a);
  // A kept target (one per client or pool) gives the same shapes as equal targets made per query.
  const kept = keepTarget({ system: 'postgresql', namespace: 'test', address: '127.0.0.1', port: 5432 });
  assert.equal(queryShape(kept, summary), a);
  const bare = queryShape({ system: 'mysql', namespace: '', address: undefined, port: NaN }, summarizeSql('COMMIT', 'mysql'));
  assert.ok(bare);
  assert.deepEqual(bare.block.keys, ['db.system.name', 'db.query.text', 'db.operation.name']);
  assert.equal(bare.name, 'COMMIT');
});

test('the tables are bounded: a target past the limit gets no block, and the shapes start over past 2000 or 1 MiB', () => {
  const summary = summarizeSql('SELECT now()', 'postgresql');
  const shapes = [];
  for (let i = 0; i < 100; i++) shapes.push(queryShape({ system: 'postgresql', namespace: `db${i}`, address: 'h', port: 1 }, summary));
  const refused = shapes.filter((s) => s === undefined).length;
  assert.ok(refused >= 100 - 64, `targets past the limit get no block (${refused} of 100 refused)`);
  assert.ok(shapes[0] !== undefined, 'the first targets keep theirs');

  const db = { system: 'postgresql', namespace: 'db0', address: 'h', port: 1 };
  // Long statements (about 900 characters each): the byte budget (1 MiB) runs out after about
  // 1100 of them, long before the count limit, and every shape is made anew.
  const long = (i: number) => summarizeSql(`SELECT ${'x'.repeat(880)} FROM t${i}`, 'postgresql');
  const first = queryShape(db, summary);
  for (let i = 0; i < 1300; i++) assert.ok(queryShape(db, long(i)));
  assert.notEqual(queryShape(db, summary), first, 'the byte budget emptied the tables');
  // Short statements: 1300 fit in the byte budget, so the shape made just before them survives...
  const second = queryShape(db, summary);
  for (let i = 0; i < 1300; i++) assert.ok(queryShape(db, summarizeSql(`SELECT c${i} FROM t`, 'postgresql')));
  assert.equal(queryShape(db, summary), second, 'short statements stay within the byte budget');
  // ...until the count limit (2000 shapes across all databases) is passed.
  for (let i = 1300; i < 2100; i++) queryShape(db, summarizeSql(`SELECT c${i} FROM t`, 'postgresql'));
  assert.notEqual(queryShape(db, summary), second, 'the count limit emptied the tables');
  // A statement longer than 1 KB when normalised gets no shape (its query gets a block of its own).
  assert.equal(queryShape(db, summarizeSql(`SELECT ${'y'.repeat(1100)} FROM t`, 'postgresql')), undefined);
});

test('a statement not kept gets a block of its own, with the attributes a kept one has', () => {
  const db = { system: 'postgresql', namespace: 'shop', address: 'db.local', port: 5432 };
  const summary = summarizeSql('SELECT id FROM users WHERE id = 1', 'postgresql');
  const kept = queryShape(db, summary);
  assert.ok(kept);
  const own = queryBlock(db, summary);
  assert.notEqual(own, kept.block);
  assert.deepEqual([own.keys, own.values, [...own.bytes]], [kept.block.keys, kept.block.values, [...kept.block.bytes]]);
  // Too long to keep: no shape, and its own block still carries the statement.
  const longer = summarizeSql(`SELECT ${'y'.repeat(1100)} FROM t`, 'postgresql');
  assert.equal(queryShape(db, longer), undefined);
  const longBlock = queryBlock(db, longer);
  assert.deepEqual(longBlock.keys, ['db.system.name', 'db.namespace', 'db.query.text', 'db.operation.name', 'db.collection.name', 'server.address', 'server.port']);
  assert.equal(longBlock.values[2], longer.text);
  const span = new Span('SELECT t', 2, ids, 0, 0, undefined, 'tracekit', undefined).useBlock(longBlock);
  assert.deepEqual(decoded(span).map(([k]) => k), longBlock.keys);
  // A query whose text is unknown: the database alone, empty fields left out.
  assert.deepEqual(queryBlock({ system: 'mysql', namespace: '', address: undefined, port: NaN }, undefined).keys, ['db.system.name']);
});
