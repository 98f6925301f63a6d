import { hostname } from 'node:os';
import type { Resource } from '../otlp/types';
import type { AgentConfig } from './config';
import { VERSION } from '../shared/version';
import { RESOURCE_ATTRIBUTES } from '../shared/contract';
import { appRoot } from './app-root';

/** The OTLP resource describing this process: service, SDK, runtime, host. */
export function buildResource(config: AgentConfig): Resource {
  const root = appRoot();
  return {
    attributes: {
      ...(root === undefined ? {} : { [RESOURCE_ATTRIBUTES.appRoot]: root }),
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
