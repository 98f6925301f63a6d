/**
 * Shared span attributes encoded once (see AttributeBlock in otlp/types.ts), for attributes
 * that many spans repeat: an http server's per-connection attributes and its route, method and
 * status, an express handler's, a query's database and statement, an outgoing call's origin.
 * The one mechanism for them: make a block here, give it to a span with `applyBlock`.
 */
import type { AttributeValue as ApiAttributeValue, Span as ApiSpan } from '@opentelemetry/api';
import { encodeAttributeBlock } from '../otlp/encode-proto';
import type { AttributeBlock, AttributeValue } from '../otlp/types';
import { clampValue, Span } from './span';

/** A block of `keys` and `values` (undefined values left out), values cut to the span limits. */
export function attributeBlock(keys: readonly string[], values: readonly (ApiAttributeValue | undefined)[]): AttributeBlock {
  const outKeys: string[] = [];
  const outValues: AttributeValue[] = [];
  for (let i = 0; i < keys.length; i++) {
    const v = values[i];
    if (v === undefined || v === null || outKeys.includes(keys[i])) continue;
    outKeys.push(keys[i]);
    outValues.push(clampValue(v));
  }
  return encodeAttributeBlock(outKeys, outValues);
}

/**
 * Gives `span` the block's attributes: on tracekit's own spans by `Span.useBlock` (shared, and
 * never replacing an attribute the span has), on any other span one by one.
 */
export function applyBlock(span: ApiSpan, block: AttributeBlock): void {
  if (span instanceof Span) {
    span.useBlock(block);
    return;
  }
  for (let i = 0; i < block.keys.length; i++) span.setAttribute(block.keys[i], block.values[i] as ApiAttributeValue);
}
