/**
 * The W3C `baggage` propagator (https://www.w3.org/TR/baggage/): `key=value;property` members
 * separated by commas, keys and values percent-encoded. Limits as the specification sets them:
 * at most 180 members and 8,192 bytes in all, a member of at most 4,096 bytes; a member that
 * would pass them is left out (on inject) or ignored (on extract), never the whole header.
 */
import { baggageEntryMetadataFromString, propagation, type BaggageEntry, type Context, type TextMapGetter, type TextMapPropagator, type TextMapSetter } from '@opentelemetry/api';
import { isTracingSuppressed } from './suppression';

const BAGGAGE = 'baggage';
const MAX_MEMBERS = 180;
const MAX_MEMBER_BYTES = 4096;
const MAX_TOTAL_BYTES = 8192;

function decode(s: string): string | undefined {
  try {
    return decodeURIComponent(s.trim());
  } catch {
    return undefined;
  }
}

export class BaggagePropagator implements TextMapPropagator {
  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    const baggage = propagation.getBaggage(ctx);
    if (baggage === undefined || isTracingSuppressed(ctx)) return;
    const members: string[] = [];
    let total = 0;
    for (const [key, entry] of baggage.getAllEntries()) {
      let member = `${encodeURIComponent(key)}=${encodeURIComponent(entry.value)}`;
      if (entry.metadata !== undefined) member += `;${entry.metadata.toString()}`;
      if (member.length > MAX_MEMBER_BYTES) continue;
      if (total + member.length + (members.length > 0 ? 1 : 0) > MAX_TOTAL_BYTES) break;
      total += member.length + (members.length > 0 ? 1 : 0);
      members.push(member);
      if (members.length === MAX_MEMBERS) break;
    }
    if (members.length > 0) setter.set(carrier, BAGGAGE, members.join(','));
  }

  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    const raw = getter.get(carrier, BAGGAGE);
    const header = Array.isArray(raw) ? raw.join(',') : raw;
    if (header === undefined || header === '') return ctx;
    const entries: Record<string, BaggageEntry> = {};
    let count = 0;
    for (const member of header.split(',')) {
      if (count === MAX_MEMBERS) break;
      if (member.length > MAX_MEMBER_BYTES) continue;
      const [pair, ...properties] = member.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const key = decode(pair.slice(0, eq));
      const value = decode(pair.slice(eq + 1));
      if (key === undefined || key === '' || value === undefined) continue;
      const entry: BaggageEntry = { value };
      if (properties.length > 0) entry.metadata = baggageEntryMetadataFromString(properties.join(';'));
      entries[key] = entry;
      count++;
    }
    if (count === 0) return ctx;
    return propagation.setBaggage(ctx, propagation.createBaggage(entries));
  }

  fields(): string[] {
    return [BAGGAGE];
  }
}
