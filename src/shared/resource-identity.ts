/**
 * Which service and which process a resource describes: the agent names itself with it to the
 * collector's live-debugging endpoint, and the collector groups what arrives by it.
 */
import type { AttributeMap } from '../otlp/types';

/** The service and instance a resource describes. */
export function describeResource(attributes: AttributeMap): { service: string; instance: string } {
  const name = attributes['service.name'];
  const service = typeof name === 'string' && name !== '' ? name : 'unknown_service';
  const id = attributes['service.instance.id'];
  let instance = '';
  if (typeof id === 'string' && id !== '') instance = id;
  else if (attributes['host.name'] !== undefined || attributes['process.pid'] !== undefined) {
    instance = `${String(attributes['host.name'] ?? '')}:${String(attributes['process.pid'] ?? '')}`;
  }
  return { service, instance };
}
