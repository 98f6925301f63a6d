/**
 * Protobuf decoding of the OTLP parts every signal shares: KeyValue attributes, AnyValue,
 * Resource and InstrumentationScope (field numbers from opentelemetry/proto/common/v1 and
 * resource/v1).
 */
import type { AttributeMap, AttributeValue } from '../../otlp/types';
import type { Decoded, ResourceGroup } from './model';
import { ProtoReader, WIRE_I64, WIRE_LEN, WIRE_VARINT } from './proto-reader';
import { describeResource, emptyDecoded } from './validate';
import { MAX_DEPTH, noteTooDeep, treeToAttribute, type ValueTree } from './value-limits';

/** Decodes an AnyValue as an attribute: scalars as they are, nested values as JSON text. */
export function readAnyValue(r: ProtoReader): AttributeValue {
  return treeToAttribute(readValueTree(r, 1));
}

/** Decodes an AnyValue at nesting level `depth`; past MAX_DEPTH its content is not read. */
function readValueTree(r: ProtoReader, depth: number): ValueTree {
  let value: ValueTree = null;
  while (r.more()) {
    const tag = r.tag();
    const wire = tag & 7;
    switch (tag >>> 3) {
      case 1: r.expect(wire, WIRE_LEN, 'AnyValue.string_value'); value = r.string(); break;
      case 2: r.expect(wire, WIRE_VARINT, 'AnyValue.bool_value'); value = r.varint() !== 0; break;
      case 3: r.expect(wire, WIRE_VARINT, 'AnyValue.int_value'); value = r.int64(); break;
      case 4: r.expect(wire, WIRE_I64, 'AnyValue.double_value'); value = r.double(); break;
      case 5: r.expect(wire, WIRE_LEN, 'AnyValue.array_value'); value = depth >= MAX_DEPTH ? skipTooDeep(r) : readArray(r.message(), depth + 1); break;
      case 6: r.expect(wire, WIRE_LEN, 'AnyValue.kvlist_value'); value = depth >= MAX_DEPTH ? skipTooDeep(r) : readKeyValueList(r.message(), depth + 1); break;
      case 7: r.expect(wire, WIRE_LEN, 'AnyValue.bytes_value'); value = r.base64(); break;
      default: r.skip(wire);
    }
  }
  return value;
}

function skipTooDeep(r: ProtoReader): ValueTree {
  r.skip(WIRE_LEN);
  return noteTooDeep();
}

function readArray(r: ProtoReader, depth: number): ValueTree[] {
  const values: ValueTree[] = [];
  while (r.more()) {
    const tag = r.tag();
    if (tag >>> 3 === 1) {
      r.expect(tag & 7, WIRE_LEN, 'ArrayValue.values');
      values.push(readValueTree(r.message(), depth));
    } else r.skip(tag & 7);
  }
  return values;
}

function readKeyValueList(r: ProtoReader, depth: number): { [key: string]: ValueTree } {
  const map: { [key: string]: ValueTree } = {};
  while (r.more()) {
    const tag = r.tag();
    if (tag >>> 3 === 1) {
      r.expect(tag & 7, WIRE_LEN, 'KeyValueList.values');
      const kv = r.message();
      let key = '';
      let value: ValueTree = null;
      while (kv.more()) {
        const t = kv.tag();
        if (t >>> 3 === 1) { kv.expect(t & 7, WIRE_LEN, 'KeyValue.key'); key = kv.string(); }
        else if (t >>> 3 === 2) { kv.expect(t & 7, WIRE_LEN, 'KeyValue.value'); value = readValueTree(kv.message(), depth); }
        else kv.skip(t & 7);
      }
      map[key] = value;
    } else r.skip(tag & 7);
  }
  return map;
}

/** Decodes one KeyValue into `map`. */
export function readKeyValueInto(r: ProtoReader, map: AttributeMap): void {
  let key = '';
  let value: AttributeValue = null;
  while (r.more()) {
    const tag = r.tag();
    const wire = tag & 7;
    const field = tag >>> 3;
    if (field === 1) { r.expect(wire, WIRE_LEN, 'KeyValue.key'); key = r.string(); }
    else if (field === 2) { r.expect(wire, WIRE_LEN, 'KeyValue.value'); value = readAnyValue(r.message()); }
    else r.skip(wire);
  }
  map[key] = value;
}

/** Decodes a Resource message's attributes (field 1, like KeyValueList's values). */
export function readResource(r: ProtoReader): AttributeMap {
  const map: AttributeMap = {};
  while (r.more()) {
    const tag = r.tag();
    if (tag >>> 3 === 1) {
      r.expect(tag & 7, WIRE_LEN, 'Resource.attributes');
      readKeyValueInto(r.message(), map);
    } else r.skip(tag & 7);
  }
  return map;
}

/** Decodes an InstrumentationScope's name and version. */
export function readScope(r: ProtoReader): { name: string; version: string | undefined } {
  let name = '';
  let version: string | undefined;
  while (r.more()) {
    const tag = r.tag();
    const field = tag >>> 3;
    if (field === 1) { r.expect(tag & 7, WIRE_LEN, 'InstrumentationScope.name'); name = r.string(); }
    else if (field === 2) { r.expect(tag & 7, WIRE_LEN, 'InstrumentationScope.version'); version = r.string(); }
    else r.skip(tag & 7);
  }
  return { name, version };
}

/**
 * Walks an `Export*ServiceRequest` (field 1: Resource* messages, each with the resource in
 * field 1 and its scope-level messages in field 2) and hands each scope-level message to
 * `readScope` with its resource's group. `names` label the fields in error messages.
 */
export function readExportRequest<T>(
  body: Buffer,
  names: { resources: string; scopes: string },
  readScope: (scope: ProtoReader, group: ResourceGroup<T>, out: Decoded<T>) => void,
): Decoded<T> {
  const out = emptyDecoded<T>();
  const r = new ProtoReader(body);
  while (r.more()) {
    const tag = r.tag();
    if (tag >>> 3 !== 1) {
      r.skip(tag & 7);
      continue;
    }
    r.expect(tag & 7, WIRE_LEN, names.resources);
    const rr = r.message();
    let resource: AttributeMap = {};
    const scopes: ProtoReader[] = [];
    while (rr.more()) {
      const t = rr.tag();
      const field = t >>> 3;
      if (field === 1) { rr.expect(t & 7, WIRE_LEN, 'resource'); resource = readResource(rr.message()); }
      else if (field === 2) { rr.expect(t & 7, WIRE_LEN, names.scopes); scopes.push(rr.message()); }
      else rr.skip(t & 7);
    }
    // The resource may come after its scopes on the wire, so scopes are read once it is known.
    const group: ResourceGroup<T> = { ...describeResource(resource), resource, items: [] };
    for (const s of scopes) readScope(s, group, out);
    if (group.items.length > 0) out.groups.push(group);
  }
  return out;
}
