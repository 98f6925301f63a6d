import { hostname } from 'node:os';
import type { Resource } from '../otlp/types';
import type { AgentConfig } from './config';
import { VERSION } from '../shared/version';

/** The OTLP resource describing this process: service, SDK, runtime, host. */
export function buildResource(config: AgentConfig): Resource {
  return {
    attributes: {
      'telemetry.sdk.name': 'tracekit',
      'telemetry.sdk.language': 'nodejs',
      'telemetry.sdk.version': VERSION,
      'process.pid': process.pid,
      'process.runtime.name': 'nodejs',
      'process.runtime.version': process.versions.node,
      'host.name': hostname(),
      ...config.resourceAttributes,
      'service.name': config.serviceName,
    },
  };
}
