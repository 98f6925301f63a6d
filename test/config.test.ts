// Configuration from the environment: every variable, TRACEKIT_* over OTEL_*, and one clear
// warning per unusable value with the default kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyInitOptions, configFromEnv, shouldCompress, signalUrl } from '../dist/agent/config';

function withWarnings<T>(fn: () => T): { value: T; warnings: string[] } {
  const warnings: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string) => {
    warnings.push(String(chunk).trim());
    return true;
  }) as typeof process.stderr.write;
  try {
    return { value: fn(), warnings };
  } finally {
    process.stderr.write = write;
  }
}

test('defaults: local collector, protobuf, gzip except on loopback, everything instrumented, sample all', () => {
  const { value: c, warnings } = withWarnings(() => configFromEnv({}));
  assert.deepEqual(warnings, []);
  assert.equal(c.enabled, true);
  assert.equal(c.target.tracesUrl, 'http://127.0.0.1:9876/v1/traces');
  assert.equal(c.target.metricsUrl, 'http://127.0.0.1:9876/v1/metrics');
  assert.equal(c.target.logsUrl, 'http://127.0.0.1:9876/v1/logs');
  assert.equal(c.target.protocol, 'http/protobuf');
  assert.equal(c.target.compression, 'auto');
  assert.equal(c.sampleRate, 1);
  assert.equal(c.codeMonitoring, false);
  assert.deepEqual([...c.instrumentations].sort(), ['console', 'express', 'fetch', 'http', 'mysql2', 'pg', 'pino', 'prisma', 'winston']);
  assert.equal(c.metricsIntervalMs, 10000);
  assert.equal(c.logLevel, 'warn');
});

test('TRACEKIT_* wins over its OTEL_* twin', () => {
  const c = configFromEnv({
    TRACEKIT_SERVICE_NAME: 'tk', OTEL_SERVICE_NAME: 'otel',
    TRACEKIT_ENDPOINT: 'http://a:1', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://b:2',
    TRACEKIT_SAMPLE_RATE: '0.25', OTEL_TRACES_SAMPLER: 'always_off',
    TRACEKIT_ENABLED: 'true', OTEL_SDK_DISABLED: 'true',
  });
  assert.equal(c.serviceName, 'tk');
  assert.equal(c.target.tracesUrl, 'http://a:1/v1/traces');
  assert.equal(c.sampleRate, 0.25);
  assert.equal(c.enabled, true);
});

test('OTEL_* variables alone are honoured', () => {
  const c = configFromEnv({
    OTEL_SERVICE_NAME: 'otel-svc',
    OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod,team=a%20b',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:3/custom/traces',
    OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20x',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_EXPORTER_OTLP_COMPRESSION: 'none',
    OTEL_EXPORTER_OTLP_TIMEOUT: '2500',
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: '0.1',
    OTEL_SDK_DISABLED: 'true',
  });
  assert.equal(c.serviceName, 'otel-svc');
  assert.deepEqual(c.resourceAttributes, { 'deployment.environment': 'prod', team: 'a b' });
  assert.equal(c.target.tracesUrl, 'http://c:3/custom/traces');
  assert.equal(c.target.headers.authorization, 'Bearer x');
  assert.equal(c.target.protocol, 'http/json');
  assert.equal(c.target.compression, 'none');
  assert.equal(c.target.timeoutMs, 2500);
  assert.equal(c.sampleRate, 0.1);
  assert.equal(c.parentBased, true);
  assert.equal(c.enabled, false);
});

test('instrumentation lists, the API key header, code monitoring, log level', () => {
  const c = configFromEnv({
    TRACEKIT_INSTRUMENTATIONS: 'http,express,pg',
    TRACEKIT_DISABLED_INSTRUMENTATIONS: 'pg',
    TRACEKIT_API_KEY: 'k',
    TRACEKIT_CODE_MONITORING: 'true',
    TRACEKIT_LOG_LEVEL: 'debug',
  });
  assert.deepEqual([...c.instrumentations].sort(), ['express', 'http']);
  assert.equal(c.target.headers['x-api-key'], 'k');
  assert.equal(c.codeMonitoring, true);
  assert.equal(c.logLevel, 'debug');
});

for (const [name, value, fragment] of [
  ['TRACEKIT_SAMPLE_RATE', '2', 'between 0 and 1'],
  ['TRACEKIT_SAMPLE_RATE', 'half', 'between 0 and 1'],
  ['TRACEKIT_ENDPOINT', 'not a url', 'an http(s) URL'],
  ['TRACEKIT_ENDPOINT', 'ftp://x', 'an http(s) URL'],
  ['TRACEKIT_ENABLED', 'maybe', 'a boolean'],
  ['TRACEKIT_LOG_LEVEL', 'loud', 'one of error'],
  ['TRACEKIT_INSTRUMENTATIONS', 'http,redis', 'unknown instrumentation "redis"'],
  ['OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc', 'grpc is not supported'],
  ['OTEL_TRACES_SAMPLER', 'sometimes', 'supported sampler'],
  ['TRACEKIT_METRICS_INTERVAL', '5', 'an integer between 100'],
  ['OTEL_EXPORTER_OTLP_HEADERS', 'novalue', 'without "key=value"'],
] as const) {
  test(`${name}=${JSON.stringify(value)}: one warning naming it, default kept`, () => {
    const { value: c, warnings } = withWarnings(() => configFromEnv({ [name]: value }));
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.ok(warnings[0].startsWith('[tracekit] warn: '));
    assert.ok(warnings[0].includes(name), warnings[0]);
    assert.ok(warnings[0].includes(fragment), warnings[0]);
    const defaults = configFromEnv({});
    if (name === 'TRACEKIT_SAMPLE_RATE') assert.equal(c.sampleRate, defaults.sampleRate);
    if (name === 'TRACEKIT_ENDPOINT') assert.equal(c.target.tracesUrl, defaults.target.tracesUrl);
    if (name === 'TRACEKIT_ENABLED') assert.equal(c.enabled, true);
    if (name === 'TRACEKIT_INSTRUMENTATIONS') assert.deepEqual([...c.instrumentations], ['http']);
  });
}

test('init() options use the seed names and win over the environment', () => {
  const base = configFromEnv({ TRACEKIT_SERVICE_NAME: 'env' });
  const c = applyInitOptions(base, { serviceName: 'code', apiKey: 'k2', endpoint: 'http://h:9/v1/traces', sampleRate: 0.5, enableCodeMonitoring: true, enabled: true });
  assert.equal(c.serviceName, 'code');
  assert.equal(c.target.headers['x-api-key'], 'k2');
  assert.equal(c.target.tracesUrl, 'http://h:9/v1/traces');
  assert.equal(c.target.metricsUrl, 'http://h:9/v1/metrics');
  assert.equal(c.target.logsUrl, 'http://h:9/v1/logs');
  assert.equal(c.sampleRate, 0.5);
  assert.equal(c.codeMonitoring, true);
  assert.equal(base.serviceName, 'env', 'the base configuration is not mutated');
});

test('signalUrl accepts a base URL or a full signal URL', () => {
  assert.equal(signalUrl('http://h:1/', 'traces'), 'http://h:1/v1/traces');
  assert.equal(signalUrl('http://h:1/v1/traces', 'metrics'), 'http://h:1/v1/metrics');
  assert.equal(signalUrl('https://h/prefix', 'traces'), 'https://h/prefix/v1/traces');
});

test('compression: auto gzips except to loopback; gzip and none are followed everywhere', () => {
  const at = (u: string) => new URL(u);
  for (const local of ['http://127.0.0.1:9876', 'http://localhost:4318', 'http://127.8.9.10/', 'http://[::1]:4318']) {
    assert.equal(shouldCompress('auto', at(local)), false, local);
    assert.equal(shouldCompress('gzip', at(local)), true, local);
  }
  for (const remote of ['https://otel.example.com', 'http://10.0.0.5:4318', 'http://127.example.com', 'http://[::2]:4318']) {
    assert.equal(shouldCompress('auto', at(remote)), true, remote);
    assert.equal(shouldCompress('none', at(remote)), false, remote);
  }
});
