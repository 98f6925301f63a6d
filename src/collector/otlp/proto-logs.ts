/**
 * Decodes `ExportLogsServiceRequest` protobuf (opentelemetry/proto/logs/v1). A body that is
 * not a string is kept as JSON text.
 */
import type { DecodedLogs, LogRecordIn } from './model';
import { readAnyValue, readKeyValueInto, readExportRequest } from './proto-common';
import { ProtoReader, WIRE_I32, WIRE_I64, WIRE_LEN, WIRE_VARINT } from './proto-reader';
import { checkId, keepOrReject, logRejection } from './validate';

const NS_PER_MS = 1e6;

/** Decodes a whole request; throws MalformedInput when any part is not well-formed. */
export function decodeLogsProto(body: Buffer): DecodedLogs {
  return readExportRequest<LogRecordIn>(body, { resources: 'resource_logs', scopes: 'scope_logs' }, (s, group, out) => {
    while (s.more()) {
      const tag = s.tag();
      if (tag >>> 3 === 2) {
        s.expect(tag & 7, WIRE_LEN, 'ScopeLogs.log_records');
        const rec = readLogRecord(s.message());
        keepOrReject(out, group, rec, logRejection(rec));
      } else s.skip(tag & 7);
    }
  });
}

function readLogRecord(r: ProtoReader): LogRecordIn {
  const rec: LogRecordIn = { timeMs: 0, severityNumber: 0, severityText: '', body: '', attributes: {}, traceId: '', spanId: '', eventName: '' };
  let observedMs = 0;
  while (r.more()) {
    const tag = r.tag();
    const wire = tag & 7;
    switch (tag >>> 3) {
      case 1: r.expect(wire, WIRE_I64, 'LogRecord.time_unix_nano'); rec.timeMs = r.fixed64() / NS_PER_MS; break;
      case 2: r.expect(wire, WIRE_VARINT, 'LogRecord.severity_number'); rec.severityNumber = r.varint(); break;
      case 3: r.expect(wire, WIRE_LEN, 'LogRecord.severity_text'); rec.severityText = r.string(); break;
      case 5: {
        r.expect(wire, WIRE_LEN, 'LogRecord.body');
        const v = readAnyValue(r.message());
        rec.body = typeof v === 'string' ? v : JSON.stringify(v);
        break;
      }
      case 6: r.expect(wire, WIRE_LEN, 'LogRecord.attributes'); readKeyValueInto(r.message(), rec.attributes); break;
      case 8: r.expect(wire, WIRE_I32, 'LogRecord.flags'); r.fixed32(); break;
      case 9: r.expect(wire, WIRE_LEN, 'LogRecord.trace_id'); rec.traceId = r.hex(); break;
      case 10: r.expect(wire, WIRE_LEN, 'LogRecord.span_id'); rec.spanId = r.hex(); break;
      case 11: r.expect(wire, WIRE_I64, 'LogRecord.observed_time_unix_nano'); observedMs = r.fixed64() / NS_PER_MS; break;
      case 12: r.expect(wire, WIRE_LEN, 'LogRecord.event_name'); rec.eventName = r.string(); break;
      default: r.skip(wire);
    }
  }
  if (rec.timeMs === 0) rec.timeMs = observedMs;
  checkId(rec.traceId, 16, 'log trace_id', true, true);
  checkId(rec.spanId, 8, 'log span_id', true, true);
  return rec;
}
