// RequestState keeps the spans that must end with the response (express handler spans): the
// first in a field and any more in a list. Every one of them ends, once, at the response's time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Span as ApiSpan } from '@opentelemetry/api';
import { RequestState } from '../dist/instrumentations/request-state';

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
