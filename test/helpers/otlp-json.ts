/** OTLP/JSON request bodies for tests that post spans straight to a collector. */
import { randomHex } from './official-otlp';

/** An OTLP/JSON string attribute. */
export function str(key: string, value: string): { key: string; value: { stringValue: string } } {
  return { key, value: { stringValue: value } };
}

/**
 * One 2 ms `GET route` server span of `service` ending at `endMs` (default now), answered with
 * `status`; with `exception`, it failed with that error thrown in `exception.fn`.
 */
export function serverSpanJson(o: { service: string; route: string; status: number; endMs?: number; exception?: { message: string; fn: string } }): unknown {
  const end = BigInt(Math.round(o.endMs ?? Date.now())) * 1_000_000n;
  const e = o.exception;
  return {
    resourceSpans: [{
      resource: { attributes: [str('service.name', o.service)] },
      scopeSpans: [{
        spans: [{
          traceId: randomHex(16),
          spanId: randomHex(8),
          name: `GET ${o.route}`,
          kind: 2,
          startTimeUnixNano: String(end - 2_000_000n),
          endTimeUnixNano: String(end),
          attributes: [str('http.request.method', 'GET'), str('http.route', o.route), { key: 'http.response.status_code', value: { intValue: String(o.status) } }],
          ...(e === undefined ? {} : {
            status: { code: 2 },
            events: [{
              name: 'exception',
              timeUnixNano: String(end - 1_000_000n),
              attributes: [str('exception.type', 'Error'), str('exception.message', e.message), str('exception.stacktrace', `Error: ${e.message}\n    at ${e.fn} (/srv/app/jobs.js:10:5)\n    at Layer.handle (/srv/app/node_modules/express/lib/router/layer.js:95:5)`)],
            }],
          }),
        }],
      }],
    }],
  };
}
