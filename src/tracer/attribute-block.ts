/**
 * Shared span attributes encoded once (see AttributeBlock in otlp/types.ts), for attributes
 * that many spans repeat: an http server's per-connection attributes, an express handler's.
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

/** Gives `span` the block's attributes: shared as they are on tracekit's own spans, one by one on any other. */
export function applyBlock(span: ApiSpan, block: AttributeBlock): void {
  if (span instanceof Span) {
    span.usePreset(block);
    return;
  }
  for (let i = 0; i < block.keys.length; i++) span.setAttribute(block.keys[i], block.values[i] as ApiAttributeValue);
}
