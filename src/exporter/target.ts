/**
 * Where and how the exporter sends: plain data, cloned to the exporter worker. The agent's
 * configuration builds it; the worker needs nothing else of the agent's.
 */

export type OtlpProtocol = 'http/protobuf' | 'http/json';

/** Where and how finished telemetry is sent. Plain data: it is cloned to the exporter worker. */
export interface ExportTarget {
  tracesUrl: string;
  metricsUrl: string;
  logsUrl: string;
  headers: Record<string, string>;
  protocol: OtlpProtocol;
  /** `auto` (the default): gzip, except to a loopback endpoint, where it would only cost CPU. */
  compression: 'gzip' | 'none' | 'auto';
  timeoutMs: number;
}

/** True for `localhost`, 127.0.0.0/8 and ::1. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Whether a payload for `url` is gzipped under the configured compression. */
export function shouldCompress(compression: ExportTarget['compression'], url: URL): boolean {
  return compression === 'gzip' || (compression === 'auto' && !isLoopbackHost(url.hostname));
}
