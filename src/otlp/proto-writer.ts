/**
 * A minimal protobuf writer for OTLP: varints, fixed64, doubles, strings, hex ids as bytes,
 * and length-delimited sub-messages. A sub-message reserves one length byte and, in the rare
 * case its body reaches 128 bytes or more, shifts the body right to fit the longer varint, so
 * the output is canonical protobuf that any decoder reads.
 *
 * The agent encodes every span as it ends, on the app's thread, so the common writes (short
 * ASCII strings, hex ids, timestamps) are plain JavaScript loops over the buffer: no BigInt,
 * no calls into C++ for a 16-byte string.
 */

/** Longest string written by the JavaScript loop; longer ones go through Buffer#write. */
const SHORT_STRING = 100;
const TWO_32 = 4294967296;

/** Hex digit values by char code; -1 for anything that is not a hex digit. */
const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX[65 + i] = 10 + i;
  HEX[97 + i] = 10 + i;
}

/**
 * Writes a 32-bit word at `p` and returns the position after it. The writer's methods keep
 * the position in a local and store it once: `buf[this.pos++]` reloads and stores the field
 * at every byte.
 */
function wordBE(buf: Buffer, p: number, v: number): number {
  buf[p] = v >>> 24;
  buf[p + 1] = (v >>> 16) & 0xff;
  buf[p + 2] = (v >>> 8) & 0xff;
  buf[p + 3] = v & 0xff;
  return p + 4;
}

function wordLE(buf: Buffer, p: number, v: number): number {
  buf[p] = v & 0xff;
  buf[p + 1] = (v >>> 8) & 0xff;
  buf[p + 2] = (v >>> 16) & 0xff;
  buf[p + 3] = v >>> 24;
  return p + 4;
}

/** Gives an ArrayBuffer of at least `bytes` to write a payload into, or undefined (a new one is allocated). */
export type SpareBuffer = (bytes: number) => ArrayBuffer | undefined;

export class ProtoWriter {
  private buf: Buffer;
  pos = 0;
  private readonly stack: number[] = [];

  /**
   * With `ownBuffer`, every buffer this writer uses is an ArrayBuffer of its own (never a
   * slice of Node's shared pool), so what `finish` returns can be transferred to a worker.
   * `spare` is such a buffer to write into first, when it holds `initial` bytes.
   */
  constructor(
    initial = 64 * 1024,
    private readonly ownBuffer = false,
    spare?: ArrayBuffer,
  ) {
    if (ownBuffer && spare !== undefined && spare.byteLength >= initial) this.buf = Buffer.from(spare);
    else this.buf = ownBuffer ? Buffer.allocUnsafeSlow(initial) : Buffer.allocUnsafe(initial);
  }

  /** Forgets everything written, keeping the buffer for reuse. */
  reset(): void {
    this.pos = 0;
    this.stack.length = 0;
  }

  /** Drops what was written after `pos` (a failed write) and any sub-message opened after it. */
  rewind(pos: number, depth: number): void {
    this.pos = pos;
    this.stack.length = depth;
  }

  /** How many sub-messages are open (for `rewind`). */
  get depth(): number {
    return this.stack.length;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = this.ownBuffer ? Buffer.allocUnsafeSlow(size) : Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** A varint of a non-negative integer up to 2^53. */
  varint(value: number): void {
    this.ensure(10);
    const buf = this.buf;
    let v = value;
    while (v > 0x7f) {
      buf[this.pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    buf[this.pos++] = v;
  }

  tag(field: number, wireType: 0 | 1 | 2 | 5): void {
    const t = field * 8 + wireType;
    if (t < 128) {
      this.ensure(1);
      this.buf[this.pos++] = t;
    } else this.varint(t);
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

  /**
   * Epoch milliseconds (a double) as fixed64 unix nanoseconds, rounded to whole microseconds
   * (a double at today's epoch holds about 0.2 µs). Computed as two exact 32-bit halves:
   * nanoseconds since 1970 pass 2^53, where a double stops counting in ones.
   */
  timeNs(field: number, ms: number): void {
    this.ensure(9);
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = (field << 3) | 1; // every timestamp field is below 16: a one-byte tag
    let low = 0;
    let high = 0;
    if (ms > 0) {
      const whole = Math.floor(ms);
      const micros = Math.round((ms - whole) * 1000);
      // whole = a·2^20 + b, so whole·1e6 = (a·1e6)·2^20 + b·1e6 with every product exact.
      const a = Math.floor(whole / 1048576);
      const b = whole - a * 1048576;
      const c = a * 1e6;
      const cHigh = Math.floor(c / 4096);
      low = (c - cHigh * 4096) * 1048576 + b * 1e6 + micros * 1000;
      const carry = Math.floor(low / TWO_32);
      low -= carry * TWO_32;
      high = cHigh + carry;
    }
    p = wordLE(buf, p, low);
    this.pos = wordLE(buf, p, high);
  }

  /**
   * A KeyValue `{ key, value: { string_value } }` in one pass when key and value are ASCII and
   * short enough for one-byte lengths (nearly every attribute). Returns false, having written
   * nothing, otherwise.
   */
  shortKeyValue(field: number, key: string, value: string): boolean {
    const kn = key.length;
    const vn = value.length;
    if (field > 15 || kn + vn > 120) return false;
    this.ensure(kn + vn + 8);
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = (field << 3) | 2;
    buf[p++] = kn + vn + 6; // KeyValue length
    buf[p++] = 0x0a; // key
    buf[p++] = kn;
    for (let i = 0; i < kn; i++) {
      const c = key.charCodeAt(i);
      if (c >= 0x80) return false;
      buf[p++] = c;
    }
    buf[p++] = 0x12; // value: AnyValue
    buf[p++] = vn + 2;
    buf[p++] = 0x0a; // string_value
    buf[p++] = vn;
    for (let i = 0; i < vn; i++) {
      const c = value.charCodeAt(i);
      if (c >= 0x80) return false;
      buf[p++] = c;
    }
    this.pos = p;
    return true;
  }

  /** A KeyValue `{ key, value: { int_value } }` in one pass for a short ASCII key and an integer in 0..2^28. */
  shortKeyInt(field: number, key: string, value: number): boolean {
    const kn = key.length;
    if (field > 15 || kn > 100 || !(value >= 0 && value < 268435456) || value % 1 !== 0) return false;
    const vlen = value < 128 ? 1 : value < 16384 ? 2 : value < 2097152 ? 3 : 4;
    this.ensure(kn + vlen + 8);
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = (field << 3) | 2;
    buf[p++] = kn + vlen + 5;
    buf[p++] = 0x0a;
    buf[p++] = kn;
    for (let i = 0; i < kn; i++) {
      const c = key.charCodeAt(i);
      if (c >= 0x80) return false;
      buf[p++] = c;
    }
    buf[p++] = 0x12;
    buf[p++] = vlen + 1;
    buf[p++] = 0x18; // int_value
    let v = value;
    while (v > 0x7f) {
      buf[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[p++] = v;
    this.pos = p;
    return true;
  }

  string(field: number, value: string): void {
    this.tag(field, 2);
    const n = value.length;
    if (n <= SHORT_STRING && this.asciiString(value, n)) return;
    const len = Buffer.byteLength(value, 'utf8');
    this.varint(len);
    this.ensure(len);
    this.pos += this.buf.write(value, this.pos, len, 'utf8');
  }

  /** Writes length + bytes of a short string if it is all ASCII; false (nothing written) if not. */
  private asciiString(value: string, n: number): boolean {
    this.ensure(n + 1);
    const buf = this.buf;
    const start = this.pos;
    let p = start + 1;
    for (let i = 0; i < n; i++) {
      const code = value.charCodeAt(i);
      if (code >= 0x80) return false;
      buf[p++] = code;
    }
    buf[start] = n;
    this.pos = p;
    return true;
  }

  /** Writes a hex id as bytes; an empty or malformed id writes nothing. */
  hexBytes(field: number, hex: string | undefined): void {
    if (hex === undefined || hex === '' || (hex.length & 1) === 1 || hex.length > 254) return;
    const len = hex.length >>> 1;
    const start = this.pos;
    this.tag(field, 2);
    this.ensure(len + 1);
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = len;
    for (let i = 0; i < hex.length; i += 2) {
      const hi = HEX[hex.charCodeAt(i)] ?? -1;
      const lo = HEX[hex.charCodeAt(i + 1)] ?? -1;
      if (hi < 0 || lo < 0) {
        this.pos = start;
        return;
      }
      buf[p++] = (hi << 4) | lo;
    }
    this.pos = p;
  }

  /** Writes an id given as 32-bit words (see tracer/ids.ts), each as four big-endian bytes. Fields 1-15 only. */
  idWords(field: number, a: number, b: number): void {
    this.ensure(10);
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = (field << 3) | 2;
    buf[p++] = 8;
    p = wordBE(buf, p, a);
    this.pos = wordBE(buf, p, b);
  }

  /** Writes a 16-byte id given as four 32-bit words. Fields 1-15 only. */
  idWords4(field: number, a: number, b: number, c: number, d: number): void {
    this.ensure(18);
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = (field << 3) | 2;
    buf[p++] = 16;
    p = wordBE(buf, p, a);
    p = wordBE(buf, p, b);
    p = wordBE(buf, p, c);
    this.pos = wordBE(buf, p, d);
  }

  /** Copies already-encoded bytes. */
  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
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

  /**
   * Starts a length-delimited sub-message whose body is expected to be 128 bytes to 16 KB (a
   * span), reserving two length bytes so `closeLong` writes them in place instead of shifting
   * the body. Returns the mark `closeLong` takes. Fields 1-15 only.
   */
  openLong(field: number): number {
    this.ensure(3);
    this.buf[this.pos] = (field << 3) | 2;
    const mark = this.pos + 1;
    this.pos += 3;
    return mark;
  }

  /** Closes what `openLong` opened at `mark`: canonical lengths, the body moved only when it is under 128 or over 16383 bytes. */
  closeLong(mark: number): void {
    const len = this.pos - mark - 2;
    const buf = this.buf;
    if (len >= 128 && len < 16384) {
      buf[mark] = (len & 0x7f) | 0x80;
      buf[mark + 1] = len >>> 7;
      return;
    }
    if (len < 128) {
      buf.copyWithin(mark + 1, mark + 2, this.pos);
      buf[mark] = len;
      this.pos -= 1;
      return;
    }
    // Longer than 16383: let the one-byte path grow the length (it shifts the body right).
    buf.copyWithin(mark + 1, mark + 2, this.pos);
    this.pos -= 1;
    this.stack.push(mark);
    this.end();
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

  /** The bytes written so far (a view of the writer's buffer, valid until the next write). */
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}
