/**
 * Captured log records encoded as they arrive, like spans (trace-batch.ts): what waits in the
 * agent's buffer is bytes, the record objects die young, and a batch goes to the exporter
 * worker as one transferred buffer rather than a structured clone of many small objects.
 */
import { logRecord as writeLogRecord, resource as writeResource } from './encode-proto';
import { logRecordJson, resourceJson } from './encode-json';
import { ProtoWriter, type SpareBuffer } from './proto-writer';
import type { LogRecord, Resource } from './types';

export interface LogBatch {
  readonly json: boolean;
  /** Records added since the last reset. */
  readonly records: number;
  /** Encoded bytes added since the last reset. */
  readonly bytes: number;
  /** Encodes one record; returns its size, or -1 (nothing kept) if it cannot be encoded. */
  add(record: LogRecord): number;
  /** The whole ExportLogsServiceRequest, in its own (transferable) buffer: one `spare` gives when it has one that big and the format can use it. */
  seal(resource: Resource, scope: { name: string }, spare?: SpareBuffer): Uint8Array;
  reset(): void;
}

class ProtoLogBatch implements LogBatch {
  readonly json = false;
  records = 0;
  bytes = 0;
  private readonly writer = new ProtoWriter(16 * 1024);

  add(r: LogRecord): number {
    const w = this.writer;
    const pos = w.pos;
    const depth = w.depth;
    try {
      const mark = w.openLong(2); // ScopeLogs.log_records
      writeLogRecord(w, r);
      w.closeLong(mark);
    } catch {
      w.rewind(pos, depth);
      return -1;
    }
    const n = w.pos - pos;
    this.records++;
    this.bytes += n;
    return n;
  }

  seal(res: Resource, scope: { name: string }, spare?: SpareBuffer): Uint8Array {
    const out = new ProtoWriter(this.bytes + 1024, true, spare?.(this.bytes + 1024));
    out.begin(1); // ExportLogsServiceRequest.resource_logs
    writeResource(out, res);
    out.begin(2); // ResourceLogs.scope_logs
    out.begin(1); // ScopeLogs.scope
    out.string(1, scope.name);
    out.end();
    out.raw(this.writer.finish());
    out.end();
    out.end();
    return out.finish();
  }

  reset(): void {
    this.writer.reset();
    this.records = 0;
    this.bytes = 0;
  }
}

class JsonLogBatch implements LogBatch {
  readonly json = true;
  records = 0;
  bytes = 0;
  private texts: string[] = [];

  add(r: LogRecord): number {
    let text: string;
    try {
      text = JSON.stringify(logRecordJson(r));
    } catch {
      return -1;
    }
    this.texts.push(text);
    this.records++;
    this.bytes += text.length;
    return text.length;
  }

  seal(res: Resource, scope: { name: string }): Uint8Array {
    const text = `{"resourceLogs":[{"resource":${JSON.stringify(resourceJson(res))},"scopeLogs":[{"scope":${JSON.stringify(scope)},"logRecords":[${this.texts.join(',')}]}]}]}`;
    return new Uint8Array(Buffer.from(text, 'utf8'));
  }

  reset(): void {
    this.texts = [];
    this.records = 0;
    this.bytes = 0;
  }
}

/** A new empty batch for the given wire format. */
export function newLogBatch(json: boolean): LogBatch {
  return json ? new JsonLogBatch() : new ProtoLogBatch();
}
