/**
 * `POST /v1/traces|metrics|logs`: OTLP/HTTP ingest. The answer uses the request's encoding.
 * 400 malformed (with a message; nothing stored), 413 too large, 415 unknown content type or
 * encoding, 503 with Retry-After when the write queue is full, 200 with a partial-success
 * body when some records were rejected.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IngestPipeline } from '../ingest/pipeline';
import { isDataError } from '../ingest/write-queue';
import { MalformedInput } from '../otlp/proto-reader';
import { exportResponse, statusResponse, type Encoding, type Signal } from '../otlp/response';
import { BodyError, decodeBody, readRawBody } from './read-body';
import { send } from './respond';

const GRPC_INVALID_ARGUMENT = 3;
const GRPC_RESOURCE_EXHAUSTED = 8;
const GRPC_UNAVAILABLE = 14;
const GRPC_UNIMPLEMENTED = 12;

export const INGEST_PATHS: Record<string, Signal> = { '/v1/traces': 'traces', '/v1/metrics': 'metrics', '/v1/logs': 'logs' };

function encodingOf(contentType: string | undefined): Encoding | undefined {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

function contentTypeOf(encoding: Encoding): string {
  return encoding === 'json' ? 'application/json' : 'application/x-protobuf';
}

export interface IngestLimits {
  maxBodyBytes: number;
  retryAfterSeconds: number;
}

/** Handles one ingest request; never throws. */
export async function handleIngest(req: IncomingMessage, res: ServerResponse, signal: Signal, pipeline: IngestPipeline, limits: IngestLimits): Promise<void> {
  const encoding = encodingOf(req.headers['content-type']);
  if (encoding === undefined) {
    req.resume();
    send(res, 415, 'application/json', statusResponse('json', GRPC_UNIMPLEMENTED, `content-type ${JSON.stringify(req.headers['content-type'] ?? '')} is not supported; use application/x-protobuf or application/json`));
    return;
  }
  const ct = contentTypeOf(encoding);
  let body: Buffer;
  try {
    const raw = await readRawBody(req, limits.maxBodyBytes);
    body = await decodeBody(raw, req.headers['content-encoding'], limits.maxBodyBytes);
  } catch (err) {
    if (err instanceof BodyError) {
      const code = err.status === 413 ? GRPC_RESOURCE_EXHAUSTED : GRPC_INVALID_ARGUMENT;
      send(res, err.status, ct, statusResponse(encoding, code, err.message), err.status === 413 ? { connection: 'close' } : {});
    } else {
      send(res, 400, ct, statusResponse(encoding, GRPC_INVALID_ARGUMENT, 'could not read the request body'));
    }
    return;
  }
  let result;
  try {
    result = pipeline.ingest(signal, encoding, body);
  } catch (err) {
    const message = err instanceof MalformedInput ? err.message : `could not decode the request: ${String(err)}`;
    send(res, 400, ct, statusResponse(encoding, GRPC_INVALID_ARGUMENT, message));
    return;
  }
  const submitted = result.submitted;
  if (submitted.status === 'busy') {
    send(res, 503, ct, statusResponse(encoding, GRPC_UNAVAILABLE, 'the collector is busy writing; retry later'), { 'retry-after': String(limits.retryAfterSeconds) });
    return;
  }
  if (submitted.status === 'too-large') {
    send(res, 413, ct, statusResponse(encoding, GRPC_RESOURCE_EXHAUSTED, `the request holds ${submitted.rows} rows, more than the collector queues at once (--max-queue ${submitted.limit}); send smaller batches`), { connection: 'close' });
    return;
  }
  try {
    await submitted.done;
  } catch (err) {
    if (isDataError(err)) {
      const reason = String((err as Error).message).split('\n')[0].slice(0, 300);
      send(res, 400, ct, statusResponse(encoding, GRPC_INVALID_ARGUMENT, `a record in this request could not be stored: ${reason}`));
    } else {
      send(res, 503, ct, statusResponse(encoding, GRPC_UNAVAILABLE, 'the store could not write this batch; retry later'), { 'retry-after': String(limits.retryAfterSeconds) });
    }
    return;
  }
  const message = result.rejected > 0 ? `${result.rejected} rejected: ${result.rejectReason ?? 'invalid record'}` : undefined;
  send(res, 200, ct, exportResponse(signal, encoding, result.rejected, message));
}
