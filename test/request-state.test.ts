// RequestState keeps the spans that must end with the response (express handler spans): the
// first in a field and any more in a list. Every one of them ends, once, at the response's time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Span as ApiSpan } from '@opentelemetry/api';
import { attachState, releaseState, RequestState, stateOf } from '../dist/instrumentations/request-state';

function fakeSpan(ends: Array<[string, number | undefined]>, name: string): ApiSpan {
  return { end: (t?: number) => ends.push([name, t]) } as unknown as ApiSpan;
}

test('every pending span ends once, at the given time, in the order added', () => {
  for (const count of [0, 1, 2, 5]) {
    const ends: Array<[string, number | undefined]> = [];
    const state = new RequestState(fakeSpan([], 'server'), 'GET', 1);
    for (let i = 0; i < count; i++) state.addPending(fakeSpan(ends, `h${i}`));
    state.endPending(123.5);
    assert.deepEqual(ends, Array.from({ length: count }, (_, i) => [`h${i}`, 123.5]), `${count} pending spans`);
    state.endPending(200);
    assert.equal(ends.length, count, 'a second endPending ends nothing again');
  }
});

test('stateOf finds each request its own state, from the one-request cache or the request itself, and nothing for others', () => {
  const a = {};
  const b = {};
  const sa = new RequestState(fakeSpan([], 'a'), 'GET', 1);
  const sb = new RequestState(fakeSpan([], 'b'), 'GET', 2);
  attachState(a, sa);
  attachState(b, sb);
  assert.equal(stateOf(b), sb, 'the request attached last');
  assert.equal(stateOf(a), sa, 'an earlier request, from its own property');
  releaseState(sa);
  assert.equal(stateOf(b), sb, 'releasing another request leaves the cached one');
  releaseState(sb);
  assert.equal(stateOf(b), sb, 'a released request still has its state');
  assert.equal(stateOf({}), undefined);
  assert.equal(stateOf(undefined), undefined, 'with the cache empty');
  assert.equal(stateOf(null), undefined);
  attachState(a, sa);
  assert.equal(stateOf(undefined), undefined, 'with the cache full');
});

test('slowestTemplates picks the n slowest, slowest first, ties in the order the templates first ran, as a stable sort does', () => {
  const runs: Array<[string, number]> = [];
  // A fixed pseudo-random mix of 12 templates, with ties in their slowest runs.
  let seed = 7;
  for (let i = 0; i < 60; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    runs.push([`SELECT t${seed % 12}`, (seed >> 8) % 5]);
  }
  const state = new RequestState(fakeSpan([], 'server'), 'GET', 1);
  for (const [template, ms] of runs) state.recordQuery(template, ms);
  const byStableSort = [...state.dbTemplates!].sort((a, b) => b[1].maxMs - a[1].maxMs);
  for (const n of [1, 3, 12, 20]) {
    const got = state.slowestTemplates(n);
    const want = byStableSort.slice(0, n);
    assert.deepEqual(got.templates, want.map(([t]) => t), `n = ${n}`);
    assert.deepEqual(got.maxMs, want.map(([, s]) => s.maxMs));
    assert.deepEqual(got.counts, want.map(([, s]) => s.count));
  }
  assert.deepEqual(new RequestState(fakeSpan([], 'server'), 'GET', 1).slowestTemplates(3), { templates: [], maxMs: [], counts: [] });
});
