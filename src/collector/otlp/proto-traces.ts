/**
 * Decodes `ExportTraceServiceRequest` protobuf (opentelemetry/proto/trace/v1) into
 * {@link DecodedTraces}. Timestamps become epoch milliseconds, ids lowercase hex.
 */
import type { EventRecord, LinkRecord, OtlpSpanKind, SpanRecord } from '../../otlp/types';
import type { DecodedTraces, ResourceGroup } from './model';
import { readExportRequest, readKeyValueInto, readScope } from './proto-common';
import { MalformedInput, ProtoReader, WIRE_I32, WIRE_I64, WIRE_LEN, WIRE_VARINT } from './proto-reader';
import { checkId, keepOrReject, spanRejection } from './validate';

const NS_PER_MS = 1e6;

/** Decodes a whole request; throws MalformedInput when any part is not well-formed. */
export function decodeTracesProto(body: Buffer): DecodedTraces {
  return readExportRequest(body, { resources: 'resource_spans', scopes: 'scope_spans' }, readScopeSpans);
}

function readScopeSpans(r: ProtoReader, group: ResourceGroup<SpanRecord>, out: DecodedTraces): void {
  let scope = { name: '', version: undefined as string | undefined };
  const spans: ProtoReader[] = [];
  while (r.more()) {
    const tag = r.tag();
    const field = tag >>> 3;
    if (field === 1) { r.expect(tag & 7, WIRE_LEN, 'ScopeSpans.scope'); scope = readScope(r.message()); }
    else if (field === 2) { r.expect(tag & 7, WIRE_LEN, 'ScopeSpans.spans'); spans.push(r.message()); }
    else r.skip(tag & 7);
  }
  for (const s of spans) {
    const span = readSpan(s, scope.name, scope.version);
    keepOrReject(out, group, span, spanRejection(span));
  }
}

function readSpan(r: ProtoReader, scopeName: string, scopeVersion: string | undefined): SpanRecord {
  const span: SpanRecord = {
    traceId: '', spanId: '', parentSpanId: undefined, traceState: undefined, name: '', kind: 0,
    startMs: 0, endMs: 0, attributes: {}, events: undefined, links: undefined, statusCode: 0,
    statusMessage: undefined, droppedAttributes: 0, droppedEvents: 0, scopeName, scopeVersion,
  };
  while (r.more()) {
    const tag = r.tag();
    const wire = tag & 7;
    switch (tag >>> 3) {
      case 1: r.expect(wire, WIRE_LEN, 'Span.trace_id'); span.traceId = r.hex(); break;
      case 2: r.expect(wire, WIRE_LEN, 'Span.span_id'); span.spanId = r.hex(); break;
      case 3: r.expect(wire, WIRE_LEN, 'Span.trace_state'); span.traceState = r.string() || undefined; break;
      case 4: r.expect(wire, WIRE_LEN, 'Span.parent_span_id'); span.parentSpanId = r.hex() || undefined; break;
      case 5: r.expect(wire, WIRE_LEN, 'Span.name'); span.name = r.string(); break;
      case 6: r.expect(wire, WIRE_VARINT, 'Span.kind'); span.kind = clampKind(r.varint()); break;
      case 7: r.expect(wire, WIRE_I64, 'Span.start_time_unix_nano'); span.startMs = r.fixed64() / NS_PER_MS; break;
      case 8: r.expect(wire, WIRE_I64, 'Span.end_time_unix_nano'); span.endMs = r.fixed64() / NS_PER_MS; break;
      case 9: r.expect(wire, WIRE_LEN, 'Span.attributes'); readKeyValueInto(r.message(), span.attributes); break;
      case 10: r.expect(wire, WIRE_VARINT, 'Span.dropped_attributes_count'); span.droppedAttributes = r.varint(); break;
      case 11: r.expect(wire, WIRE_LEN, 'Span.events'); (span.events ??= []).push(readEvent(r.message())); break;
      case 12: r.expect(wire, WIRE_VARINT, 'Span.dropped_events_count'); span.droppedEvents = r.varint(); break;
      case 13: r.expect(wire, WIRE_LEN, 'Span.links'); (span.links ??= []).push(readLink(r.message())); break;
      case 15: r.expect(wire, WIRE_LEN, 'Span.status'); readStatus(r.message(), span); break;
      case 16: r.expect(wire, WIRE_I32, 'Span.flags'); r.fixed32(); break;
      default: r.skip(wire);
    }
  }
  checkId(span.traceId, 16, 'trace_id', false, true);
  checkId(span.spanId, 8, 'span_id', false, true);
  if (span.parentSpanId !== undefined) checkId(span.parentSpanId, 8, 'parent_span_id', true, true);
  return span;
}

function clampKind(kind: number): OtlpSpanKind {
  if (kind > 5) throw new MalformedInput(`span kind ${kind} is not an OTLP SpanKind`);
  return kind as OtlpSpanKind;
}

function readEvent(r: ProtoReader): EventRecord {
  const event: EventRecord = { name: '', timeMs: 0, attributes: undefined };
  while (r.more()) {
    const tag = r.tag();
    const wire = tag & 7;
    const field = tag >>> 3;
    if (field === 1) { r.expect(wire, WIRE_I64, 'Event.time_unix_nano'); event.timeMs = r.fixed64() / NS_PER_MS; }
    else if (field === 2) { r.expect(wire, WIRE_LEN, 'Event.name'); event.name = r.string(); }
    else if (field === 3) { r.expect(wire, WIRE_LEN, 'Event.attributes'); readKeyValueInto(r.message(), (event.attributes ??= {})); }
    else r.skip(wire);
  }
  return event;
}

function readLink(r: ProtoReader): LinkRecord {
  const link: LinkRecord = { traceId: '', spanId: '', traceState: undefined, attributes: undefined };
  while (r.more()) {
    const tag = r.tag();
    const wire = tag & 7;
    const field = tag >>> 3;
    if (field === 1) { r.expect(wire, WIRE_LEN, 'Link.trace_id'); link.traceId = r.hex(); }
    else if (field === 2) { r.expect(wire, WIRE_LEN, 'Link.span_id'); link.spanId = r.hex(); }
    else if (field === 3) { r.expect(wire, WIRE_LEN, 'Link.trace_state'); link.traceState = r.string() || undefined; }
    else if (field === 4) { r.expect(wire, WIRE_LEN, 'Link.attributes'); readKeyValueInto(r.message(), (link.attributes ??= {})); }
    else r.skip(wire);
  }
  checkId(link.traceId, 16, 'link trace_id', false, true);
  checkId(link.spanId, 8, 'link span_id', false, true);
  return link;
}

function readStatus(r: ProtoReader, span: SpanRecord): void {
  while (r.more()) {
    const tag = r.tag();
    const wire = tag & 7;
    const field = tag >>> 3;
    if (field === 2) { r.expect(wire, WIRE_LEN, 'Status.message'); span.statusMessage = r.string() || undefined; }
    else if (field === 3) {
      r.expect(wire, WIRE_VARINT, 'Status.code');
      const code = r.varint();
      if (code > 2) throw new MalformedInput(`status code ${code} is not an OTLP StatusCode`);
      span.statusCode = code as 0 | 1 | 2;
    } else r.skip(wire);
  }
}
