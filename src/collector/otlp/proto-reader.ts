/**
 * A strict protobuf wire-format reader for OTLP requests. Every read checks the bounds of
 * the buffer (or of the enclosing message), so a truncated or corrupt body raises a
 * {@link MalformedInput} instead of returning garbage or reading past the end.
 */

/** Raised for any input that is not a well-formed OTLP request; the server answers 400. */
export class MalformedInput extends Error {
  override name = 'MalformedInput';
}

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

const TWO_32 = 4294967296;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A 64-bit integer as a number when a double holds it exactly, else as its decimal text. */
export function exactInteger(v: bigint): number | string {
  return v <= MAX_SAFE && v >= -MAX_SAFE ? Number(v) : v.toString();
}

export class ProtoReader {
  pos: number;

  constructor(readonly buf: Buffer, start = 0, readonly end = buf.length) {
    this.pos = start;
  }

  /** True while there is another field before the end of this message. */
  more(): boolean {
    return this.pos < this.end;
  }

  /** Reads a field tag; returns field number * 8 + wire type, as on the wire. */
  tag(): number {
    const t = this.varint();
    if (t >>> 3 === 0) throw new MalformedInput('protobuf field number 0');
    return t;
  }

  /** A varint as a JavaScript number (exact up to 2^53; larger values lose low bits). */
  varint(): number {
    const buf = this.buf;
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new MalformedInput('truncated protobuf varint');
      const b = buf[this.pos++];
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
    throw new MalformedInput('protobuf varint longer than 10 bytes');
  }

  /**
   * An int64 varint, exactly. Two's complement on the wire: a negative value takes ten
   * bytes, whose sum no double can hold, so anything past seven bytes (2^49) is put together
   * as a BigInt. Values within ±(2^53 - 1) come back as numbers, larger ones as their decimal
   * text (JSON, the store's form for attributes, has no exact 64-bit number in JavaScript).
   */
  int64(): number | string {
    const buf = this.buf;
    const start = this.pos;
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 7; i++) {
      if (this.pos >= this.end) throw new MalformedInput('truncated protobuf varint');
      const b = buf[this.pos++];
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
    this.pos = start;
    let big = 0n;
    let shift = 0n;
    for (let i = 0; ; i++) {
      if (i === 10) throw new MalformedInput('protobuf varint longer than 10 bytes');
      if (this.pos >= this.end) throw new MalformedInput('truncated protobuf varint');
      const b = buf[this.pos++];
      big |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) break;
      shift += 7n;
    }
    return exactInteger(BigInt.asIntN(64, big));
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new MalformedInput('truncated protobuf message');
  }

  /** A fixed64 as a number (nanosecond timestamps lose sub-microsecond precision only). */
  fixed64(): number {
    this.need(8);
    const b = this.buf;
    const p = this.pos;
    const lo = (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
    const hi = (b[p + 4] | (b[p + 5] << 8) | (b[p + 6] << 16) | (b[p + 7] << 24)) >>> 0;
    this.pos = p + 8;
    return hi * TWO_32 + lo;
  }

  /** An sfixed64 (two's complement), exactly: a number within ±(2^53 - 1), else decimal text. */
  sfixed64(): number | string {
    this.need(8);
    const v = this.buf.readBigInt64LE(this.pos);
    this.pos += 8;
    return exactInteger(v);
  }

  fixed32(): number {
    this.need(4);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 4;
    return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
  }

  double(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /**
   * Moves past a length-delimited field and returns where its body starts; the body ends at
   * the new position. (No tuple: this runs for every string and sub-message.)
   */
  private skipLengthDelimited(): number {
    const len = this.varint();
    const start = this.pos;
    if (len > this.end - start) throw new MalformedInput('truncated protobuf message');
    this.pos = start + len;
    return start;
  }

  /** A sub-message reader over the next length-delimited field. */
  message(): ProtoReader {
    const start = this.skipLengthDelimited();
    return new ProtoReader(this.buf, start, this.pos);
  }

  string(): string {
    const start = this.skipLengthDelimited();
    return this.pos === start ? '' : this.buf.toString('utf8', start, this.pos);
  }

  /** A bytes field as lowercase hex. */
  hex(): string {
    const start = this.skipLengthDelimited();
    return this.buf.toString('hex', start, this.pos);
  }

  /** A bytes field as base64 (for AnyValue bytes). */
  base64(): string {
    const start = this.skipLengthDelimited();
    return this.buf.toString('base64', start, this.pos);
  }

  /** A repeated fixed64 or double, packed or not, appended to `out`. */
  packed64(wire: number, out: number[], read: (r: ProtoReader) => number): void {
    if (wire === WIRE_LEN) {
      const sub = this.message();
      if ((sub.end - sub.pos) % 8 !== 0) throw new MalformedInput('packed 64-bit field with a partial element');
      while (sub.more()) out.push(read(sub));
    } else if (wire === WIRE_I64) {
      out.push(read(this));
    } else {
      throw new MalformedInput(`wire type ${wire} for a 64-bit field`);
    }
  }

  /** Skips a field of the given wire type (unknown fields are allowed by protobuf). */
  skip(wire: number): void {
    switch (wire) {
      case WIRE_VARINT: this.varint(); return;
      case WIRE_I64: this.need(8); this.pos += 8; return;
      case WIRE_LEN: this.skipLengthDelimited(); return;
      case WIRE_I32: this.need(4); this.pos += 4; return;
      default: throw new MalformedInput(`unsupported protobuf wire type ${wire}`);
    }
  }

  /** Checks the wire type a known field arrived with. */
  expect(wire: number, wanted: number, field: string): void {
    if (wire !== wanted) throw new MalformedInput(`field ${field} has wire type ${wire}, expected ${wanted}`);
  }
}
