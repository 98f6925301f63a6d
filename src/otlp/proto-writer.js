"use strict";
/**
 * A minimal protobuf writer for OTLP: varints, fixed64, doubles, strings, hex ids as bytes,
 * and length-delimited sub-messages. A sub-message reserves one length byte and, in the rare
 * case its body reaches 128 bytes or more, shifts the body right to fit the longer varint, so
 * the output is canonical protobuf that any decoder reads.
 */
Object.defineProperty(exports, "__esModule", { value: true });
exports.ProtoWriter = void 0;
class ProtoWriter {
    buf;
    pos = 0;
    stack = [];
    constructor(initial = 64 * 1024) {
        this.buf = Buffer.allocUnsafe(initial);
    }
    ensure(n) {
        if (this.pos + n <= this.buf.length)
            return;
        let size = this.buf.length * 2;
        while (size < this.pos + n)
            size *= 2;
        const next = Buffer.allocUnsafe(size);
        this.buf.copy(next, 0, 0, this.pos);
        this.buf = next;
    }
    /** A varint of a non-negative integer up to 2^53. */
    varint(value) {
        this.ensure(10);
        let v = value;
        while (v > 0x7f) {
            this.buf[this.pos++] = (v % 128) | 0x80;
            v = Math.floor(v / 128);
        }
        this.buf[this.pos++] = v;
    }
    tag(field, wireType) {
        this.varint(field * 8 + wireType);
    }
    uint(field, value) {
        if (value === 0)
            return;
        this.tag(field, 0);
        this.varint(value);
    }
    bool(field, value) {
        this.tag(field, 0);
        this.varint(value ? 1 : 0);
    }
    /** int64 as a varint; negatives as 10-byte two's complement, as protobuf defines. */
    int64(field, value) {
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
    double(field, value) {
        this.tag(field, 1);
        this.rawDouble(value);
    }
    rawDouble(value) {
        this.ensure(8);
        this.buf.writeDoubleLE(value, this.pos);
        this.pos += 8;
    }
    /** A fixed64 holding an unsigned integer (counts). */
    fixed64(field, value) {
        this.tag(field, 1);
        this.rawFixed64(BigInt(Math.max(0, Math.round(value))));
    }
    rawFixed64(value) {
        this.ensure(8);
        this.buf.writeBigUInt64LE(BigInt.asUintN(64, value), this.pos);
        this.pos += 8;
    }
    /** Epoch milliseconds (double) as fixed64 unix nanoseconds, exact to the microsecond. */
    timeNs(field, ms) {
        this.tag(field, 1);
        const whole = Math.floor(ms);
        this.rawFixed64(BigInt(whole) * 1000000n + BigInt(Math.round((ms - whole) * 1e6)));
    }
    string(field, value) {
        this.tag(field, 2);
        const len = Buffer.byteLength(value, 'utf8');
        this.varint(len);
        this.ensure(len);
        this.pos += this.buf.write(value, this.pos, len, 'utf8');
    }
    /** Writes a hex id as bytes (empty or malformed ids are skipped). */
    hexBytes(field, hex) {
        if (hex === undefined || hex === '')
            return;
        this.tag(field, 2);
        const len = hex.length >>> 1;
        this.varint(len);
        this.ensure(len);
        this.pos += this.buf.write(hex, this.pos, len, 'hex');
    }
    /** Starts a length-delimited sub-message in `field`; close it with `end()`. */
    begin(field) {
        this.tag(field, 2);
        this.ensure(1);
        this.stack.push(this.pos);
        this.pos += 1;
    }
    end() {
        const start = this.stack.pop();
        const len = this.pos - start - 1;
        if (len < 128) {
            this.buf[start] = len;
            return;
        }
        let size = 1;
        for (let v = len; v > 0x7f; v = Math.floor(v / 128))
            size++;
        this.ensure(size - 1);
        this.buf.copyWithin(start + size, start + 1, this.pos);
        this.pos += size - 1;
        const save = this.pos;
        this.pos = start;
        this.varint(len);
        this.pos = save;
    }
    /** Packed repeated doubles. */
    packedDoubles(field, values) {
        if (values.length === 0)
            return;
        this.tag(field, 2);
        this.varint(values.length * 8);
        for (const v of values)
            this.rawDouble(v);
    }
    /** Packed repeated fixed64 counts. */
    packedFixed64(field, values) {
        if (values.length === 0)
            return;
        this.tag(field, 2);
        this.varint(values.length * 8);
        for (const v of values)
            this.rawFixed64(BigInt(v));
    }
    finish() {
        return this.buf.subarray(0, this.pos);
    }
}
exports.ProtoWriter = ProtoWriter;
