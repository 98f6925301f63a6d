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

/** Per template, in the order first run: its count and slowest run (the reference the state must agree with). */
function reference(runs: Array<[string, number]>): Array<[string, { count: number; maxMs: number }]> {
  const seen = new Map<string, { count: number; maxMs: number }>();
  for (const [template, ms] of runs) {
    const s = seen.get(template);
    if (s === undefined) seen.set(template, { count: 1, maxMs: ms });
    else {
      s.count++;
      s.maxMs = Math.max(s.maxMs, ms);
    }
  }
  return [...seen];
}

/** A fixed pseudo-random mix of `runs` queries over `distinct` templates, with ties in their slowest runs. */
function mix(runs: number, distinct: number): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  let seed = 7;
  for (let i = 0; i < runs; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    // A fresh string each time, as a driver without the normalisation cache would hand over.
    out.push([`SELECT t${seed % distinct}`.slice(0), (seed >> 8) % 5]);
  }
  return out;
}

test('slowestTemplates picks the n slowest, slowest first, ties in the order the templates first ran, as a stable sort does', () => {
  // 12 templates are scanned; 40 go past the scan limit into the Map index.
  for (const distinct of [12, 40]) {
    const runs = mix(distinct * 5, distinct);
    const state = new RequestState(fakeSpan([], 'server'), 'GET', 1);
    for (const [template, ms] of runs) state.recordQuery(template, ms);
    const byStableSort = reference(runs).sort((a, b) => b[1].maxMs - a[1].maxMs);
    for (const n of [1, 3, 12, 20]) {
      const got = state.slowestTemplates(n);
      const want = byStableSort.slice(0, n);
      assert.deepEqual(got.templates, want.map(([t]) => t), `${distinct} templates, n = ${n}`);
      assert.deepEqual(got.maxMs, want.map(([, s]) => s.maxMs));
      assert.deepEqual(got.counts, want.map(([, s]) => s.count));
    }
    assert.equal(state.dbCount, runs.length);
  }
  assert.deepEqual(new RequestState(fakeSpan([], 'server'), 'GET', 1).slowestTemplates(3), { templates: [], maxMs: [], counts: [] });
});

test('the N+1 verdict names the most repeated template (the first of equals) at or above the threshold, below or above the scan limit', () => {
  for (const distinct of [3, 40]) {
    const runs = mix(distinct * 6, distinct);
    const state = new RequestState(fakeSpan([], 'server'), 'GET', 1);
    for (const [template, ms] of runs) state.recordQuery(template, ms);
    const ref = reference(runs);
    let best = ref[0];
    for (const r of ref) if (r[1].count > best[1].count) best = r;
    assert.deepEqual(state.findNPlusOne(best[1].count), { template: best[0], count: best[1].count }, `${distinct} templates`);
    assert.equal(state.findNPlusOne(best[1].count + 1), undefined, 'nothing repeated that often');
  }
  const capped = new RequestState(fakeSpan([], 'server'), 'GET', 1);
  for (let i = 0; i < 250; i++) capped.recordQuery(`SELECT ${i}`, 1);
  capped.recordQuery('SELECT 249', 1);
  assert.equal(capped.slowestTemplates(300).templates.length, 200, 'at most 200 templates are kept');
  assert.equal(capped.dbCount, 251, 'every query is counted');
  capped.recordQuery('SELECT 199', 1);
  assert.equal(capped.slowestTemplates(300).counts[199], 2, 'a kept template found past the scan limit');
});
