/**
 * A minimal protobuf writer for OTLP: varints, fixed64, doubles, strings, hex ids as bytes,
 * and length-delimited sub-messages. A sub-message reserves one length byte and, in the rare
 * case its body reaches 128 bytes or more, shifts the body right to fit the longer varint, so
 * the output is canonical protobuf that any decoder reads.
 */
import { epochMsToNs } from './time';

const STRING_CACHE_LIMIT = 4096;
const stringCache = new Map<string, Buffer>();

export class ProtoWriter {
  private buf: Buffer;
  pos = 0;
  private readonly stack: number[] = [];

  constructor(initial = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** A varint of a non-negative integer up to 2^53. */
  varint(value: number): void {
    this.ensure(10);
    let v = value;
    while (v > 0x7f) {
      this.buf[this.pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }

  tag(field: number, wireType: 0 | 1 | 2 | 5): void {
    this.varint(field * 8 + wireType);
  }

  uint(field: number, value: number): void {
    if (value === 0) return;
    this.tag(field, 0);
    this.varint(value);
  }

  bool(field: number, value: boolean): void {
    this.tag(field, 0);
    this.varint(value ? 1 : 0);
  }

  /** int64 as a varint; negatives as 10-byte two's complement, as protobuf defines. */
  int64(field: number, value: number): void {
    this.tag(field, 0);
    if (value >= 0) {
      this.varint(value);
      return;
    }
    let v = BigInt.asUintN(64, BigInt(value));
    this.ensure(10);
    while (v > 0x7fn) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }

  double(field: number, value: number): void {
    this.tag(field, 1);
    this.rawDouble(value);
  }

  rawDouble(value: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(value, this.pos);
    this.pos += 8;
  }

  /** A fixed64 holding an unsigned integer (counts). */
  fixed64(field: number, value: number): void {
    this.tag(field, 1);
    this.rawFixed64(BigInt(Math.max(0, Math.round(value))));
  }

  rawFixed64(value: bigint): void {
    this.ensure(8);
    this.buf.writeBigUInt64LE(BigInt.asUintN(64, value), this.pos);
    this.pos += 8;
  }

  /** Epoch milliseconds (double) as fixed64 unix nanoseconds. */
  timeNs(field: number, ms: number): void {
    this.tag(field, 1);
    this.rawFixed64(epochMsToNs(ms));
  }

  /**
   * A string field whose bytes are cached: attribute keys and span names repeat in every
   * span, and copying their ready-made encoding is several times cheaper than UTF-8 encoding
   * them again. The cache is bounded; past its size strings are encoded as usual.
   */
  cachedString(field: number, value: string): void {
    const key = field === 1 ? value : `${field}\0${value}`;
    let bytes = stringCache.get(key);
    if (bytes === undefined) {
      if (stringCache.size >= STRING_CACHE_LIMIT || value.length > 128) {
        this.string(field, value);
        return;
      }
      const w = new ProtoWriter(value.length * 3 + 8);
      w.string(field, value);
      bytes = Buffer.from(w.finish());
      stringCache.set(key, bytes);
    }
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  string(field: number, value: string): void {
    this.tag(field, 2);
    const len = Buffer.byteLength(value, 'utf8');
    this.varint(len);
    this.ensure(len);
    this.pos += this.buf.write(value, this.pos, len, 'utf8');
  }

  /** Writes a hex id as bytes (empty or malformed ids are skipped). */
  hexBytes(field: number, hex: string | undefined): void {
    if (hex === undefined || hex === '') return;
    this.tag(field, 2);
    const len = hex.length >>> 1;
    this.varint(len);
    this.ensure(len);
    this.pos += this.buf.write(hex, this.pos, len, 'hex');
  }

  /** Starts a length-delimited sub-message in `field`; close it with `end()`. */
  begin(field: number): void {
    this.tag(field, 2);
    this.ensure(1);
    this.stack.push(this.pos);
    this.pos += 1;
  }

  end(): void {
    const start = this.stack.pop() as number;
    const len = this.pos - start - 1;
    if (len < 128) {
      this.buf[start] = len;
      return;
    }
    let size = 1;
    for (let v = len; v > 0x7f; v = Math.floor(v / 128)) size++;
    this.ensure(size - 1);
    this.buf.copyWithin(start + size, start + 1, this.pos);
    this.pos += size - 1;
    const save = this.pos;
    this.pos = start;
    this.varint(len);
    this.pos = save;
  }

  /** Packed repeated doubles. */
  packedDoubles(field: number, values: number[]): void {
    if (values.length === 0) return;
    this.tag(field, 2);
    this.varint(values.length * 8);
    for (const v of values) this.rawDouble(v);
  }

  /** Packed repeated fixed64 counts. */
  packedFixed64(field: number, values: number[]): void {
    if (values.length === 0) return;
    this.tag(field, 2);
    this.varint(values.length * 8);
    for (const v of values) this.rawFixed64(BigInt(v));
  }

  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}
