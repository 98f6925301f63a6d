/**
 * A batch of spans encoded as they arrive. The agent encodes each span when it ends, so what
 * waits in its buffer is bytes, not objects: the span itself becomes garbage at once (young,
 * cheap to collect), and a full batch goes to the exporter worker as one transferred
 * ArrayBuffer instead of a structured clone of hundreds of objects.
 *
 * Spans are kept in one run per instrumentation scope. `seal` wraps the runs in the
 * ExportTraceServiceRequest envelope (one ResourceSpans, one ScopeSpans per scope) and
 * returns a payload ready to send; `reset` then reuses the runs' buffers.
 */
import { resource as writeResource, span as writeSpan } from './encode-proto';
import { resourceJson, spanJson } from './encode-json';
import { ProtoWriter, type SpareBuffer } from './proto-writer';
import type { Resource, SpanRecord } from './types';

/** What the exporter needs from a batch, whatever its wire format. */
export interface TraceBatch {
  /** True for OTLP/JSON payloads, false for protobuf. */
  readonly json: boolean;
  /** Spans added since the last reset. */
  readonly spans: number;
  /** Encoded bytes added since the last reset. */
  readonly bytes: number;
  /** Encodes one span; returns its encoded size, or -1 (nothing kept) if it cannot be encoded. */
  add(span: SpanRecord): number;
  /**
   * The whole export request for the spans added so far, in its own (transferable) buffer:
   * one `spare` gives when it has one that big and the format can use it.
   */
  seal(resource: Resource, spare?: SpareBuffer): Uint8Array;
  /** Empties the batch, keeping buffers for reuse. */
  reset(): void;
}

interface ProtoRun {
  name: string;
  version: string | undefined;
  writer: ProtoWriter;
}

/** Most scopes one batch keeps apart; later scopes share the last run (still valid OTLP, scope mislabelled). */
const MAX_SCOPES = 64;

/** Finds the run of a span's scope, creating it on first use. */
function runFor<R extends { name: string; version: string | undefined }>(runs: R[], s: SpanRecord, create: () => R): R {
  for (let i = 0; i < runs.length; i++) {
    const r = runs[i];
    if (r.name === s.scopeName && r.version === s.scopeVersion) return r;
  }
  if (runs.length >= MAX_SCOPES) return runs[runs.length - 1];
  const r = create();
  runs.push(r);
  return r;
}

/** Spans as OTLP protobuf (the default). */
export class ProtoTraceBatch implements TraceBatch {
  readonly json = false;
  spans = 0;
  bytes = 0;
  private readonly runs: ProtoRun[] = [];

  add(s: SpanRecord): number {
    const run = runFor(this.runs, s, () => ({ name: s.scopeName, version: s.scopeVersion, writer: new ProtoWriter(16 * 1024) }));
    const w = run.writer;
    const pos = w.pos;
    const depth = w.depth;
    try {
      const mark = w.openLong(2); // ScopeSpans.spans
      writeSpan(w, s);
      w.closeLong(mark);
    } catch {
      w.rewind(pos, depth);
      return -1;
    }
    const n = w.pos - pos;
    this.spans++;
    this.bytes += n;
    return n;
  }

  seal(res: Resource, spare?: SpareBuffer): Uint8Array {
    const out = new ProtoWriter(this.bytes + 1024, true, spare?.(this.bytes + 1024));
    out.begin(1); // ExportTraceServiceRequest.resource_spans
    writeResource(out, res);
    for (const run of this.runs) {
      if (run.writer.pos === 0) continue;
      out.begin(2); // ResourceSpans.scope_spans
      out.begin(1); // ScopeSpans.scope
      out.string(1, run.name);
      if (run.version) out.string(2, run.version);
      out.end();
      out.raw(run.writer.finish());
      out.end();
    }
    out.end();
    // The writer's buffer is its own ArrayBuffer, so the view can be transferred as it is;
    // a second copy of a batch (hundreds of KB of fresh pages) cost more than the encoding.
    return out.finish();
  }

  reset(): void {
    for (const run of this.runs) run.writer.reset();
    this.spans = 0;
    this.bytes = 0;
  }
}

interface JsonRun {
  name: string;
  version: string | undefined;
  spans: string[];
}

/** Spans as OTLP/JSON (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`). */
export class JsonTraceBatch implements TraceBatch {
  readonly json = true;
  spans = 0;
  bytes = 0;
  private runs: JsonRun[] = [];

  add(s: SpanRecord): number {
    let text: string;
    try {
      text = JSON.stringify(spanJson(s));
    } catch {
      return -1;
    }
    runFor(this.runs, s, () => ({ name: s.scopeName, version: s.scopeVersion, spans: [] })).spans.push(text);
    this.spans++;
    this.bytes += text.length;
    return text.length;
  }

  seal(res: Resource): Uint8Array {
    const scopes = this.runs
      .filter((r) => r.spans.length > 0)
      .map((r) => `{"scope":${JSON.stringify({ name: r.name, version: r.version })},"spans":[${r.spans.join(',')}]}`);
    const text = `{"resourceSpans":[{"resource":${JSON.stringify(resourceJson(res))},"scopeSpans":[${scopes.join(',')}]}]}`;
    return new Uint8Array(Buffer.from(text, 'utf8'));
  }

  reset(): void {
    this.runs = [];
    this.spans = 0;
    this.bytes = 0;
  }
}

/** A new empty batch for the given wire format. */
export function newTraceBatch(json: boolean): TraceBatch {
  return json ? new JsonTraceBatch() : new ProtoTraceBatch();
}

/** Encodes an ExportTraceServiceRequest as protobuf, spans grouped by instrumentation scope. */
export function encodeTracesProto(res: Resource, spans: SpanRecord[]): Buffer {
  const batch = new ProtoTraceBatch();
  for (const s of spans) batch.add(s);
  return Buffer.from(batch.seal(res));
}

/** Encodes an ExportTraceServiceRequest as OTLP/JSON. */
export function encodeTracesJson(res: Resource, spans: SpanRecord[]): string {
  const batch = new JsonTraceBatch();
  for (const s of spans) batch.add(s);
  return Buffer.from(batch.seal(res)).toString('utf8');
}
