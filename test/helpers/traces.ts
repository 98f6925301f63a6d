/** Small helpers to read received spans as trees. */
import assert from 'node:assert/strict';
import type { OtlpReceiver, ReceivedSpan } from './otlp-receiver';

export const SERVER = 2;
export const CLIENT = 3;
export const INTERNAL = 1;

/** The single server span of `service` named `name` (fails if there are none or several). */
export function onlyServerSpan(r: OtlpReceiver, service: string, name: string): ReceivedSpan {
  const found = r.spans.filter((s) => s.resource['service.name'] === service && s.kind === SERVER && s.name === name);
  assert.equal(found.length, 1, `expected one server span "${name}" for ${service}, got ${found.length}`);
  return found[0];
}

/** Direct children of a span. */
export function childrenOf(r: OtlpReceiver, parent: ReceivedSpan): ReceivedSpan[] {
  return r.spans.filter((s) => s.traceId === parent.traceId && s.parentSpanId === parent.spanId);
}

/** A child lies within its parent in time, and every span ends after it starts. */
export function assertNested(parent: ReceivedSpan, child: ReceivedSpan): void {
  assert.equal(child.traceId, parent.traceId, 'same trace');
  assert.equal(child.parentSpanId, parent.spanId, `${child.name} is a child of ${parent.name}`);
  assert.ok(child.startNs >= parent.startNs, `${child.name} starts after ${parent.name}`);
  assert.ok(child.endNs <= parent.endNs, `${child.name} ends before ${parent.name} (${child.endNs} > ${parent.endNs})`);
  assert.ok(child.endNs >= child.startNs, `${child.name} has a non-negative duration`);
}

/** Duration in milliseconds. */
export function durationMs(s: ReceivedSpan): number {
  return Number(s.endNs - s.startNs) / 1e6;
}
