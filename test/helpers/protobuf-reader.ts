/**
 * A tiny, independent protobuf + snappy reader for tests: it shares no code with the encoder in
 * src/drivers/promwrite, so the encoder's bytes are checked against the wire format itself.
 */

/** Snappy block format (varint uncompressed length, then literal/copy elements). */
export function snappyDecode(input: Uint8Array): Uint8Array {
  let p = 0;
  let length = 0;
  let shift = 0;
  for (;;) {
    const b = input[p++]!;
    length += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (b < 128) break;
  }
  const out = new Uint8Array(length);
  let o = 0;
  while (p < input.length) {
    const tag = input[p++]!;
    const type = tag & 3;
    if (type === 0) {
      let len = tag >> 2;
      if (len >= 60) {
        const bytes = len - 59;
        len = 0;
        for (let i = 0; i < bytes; i++) len += input[p++]! * 2 ** (8 * i);
      }
      len += 1;
      out.set(input.subarray(p, p + len), o);
      p += len;
      o += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (type === 1) {
      len = ((tag >> 2) & 7) + 4;
      offset = ((tag >> 5) << 8) | input[p++]!;
    } else if (type === 2) {
      len = (tag >> 2) + 1;
      offset = input[p]! | (input[p + 1]! << 8);
      p += 2;
    } else {
      len = (tag >> 2) + 1;
      offset = (input[p]! | (input[p + 1]! << 8) | (input[p + 2]! << 16)) + input[p + 3]! * 2 ** 24;
      p += 4;
    }
    if (offset === 0 || offset > o) throw new Error(`bad snappy copy offset ${offset} at ${o}`);
    for (let i = 0; i < len; i++, o++) out[o] = out[o - offset]!;
  }
  if (o !== length) throw new Error(`snappy: decoded ${o} bytes, header says ${length}`);
  return out;
}

export interface Field {
  readonly field: number;
  readonly wire: number;
  /** varint value (as a number, exact up to 2^53) */
  readonly varint?: number;
  /** fixed64 as a double */
  readonly double?: number;
  /** length-delimited payload */
  readonly bytes?: Uint8Array;
}

export function readFields(buf: Uint8Array): Field[] {
  const fields: Field[] = [];
  let p = 0;
  const varint = (): number => {
    let v = 0;
    let shift = 0;
    for (;;) {
      if (p >= buf.length) throw new Error('truncated varint');
      const b = buf[p++]!;
      v += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (b < 128) return v;
    }
  };
  while (p < buf.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === 0) fields.push({ field, wire, varint: varint() });
    else if (wire === 1) {
      if (p + 8 > buf.length) throw new Error('truncated fixed64');
      const double = new DataView(buf.buffer, buf.byteOffset + p, 8).getFloat64(0, true);
      p += 8;
      fields.push({ field, wire, double });
    } else if (wire === 2) {
      const len = varint();
      if (p + len > buf.length) throw new Error('truncated length-delimited field');
      fields.push({ field, wire, bytes: buf.subarray(p, p + len) });
      p += len;
    } else throw new Error(`unexpected wire type ${wire}`);
  }
  return fields;
}

export interface DecodedSeries {
  labels: [string, string][];
  samples: { value: number; timestamp: number }[];
}

/** prometheus/prompb WriteRequest → series. */
export function decodeWriteRequest(buf: Uint8Array): DecodedSeries[] {
  const text = new TextDecoder();
  return readFields(buf).map((ts) => {
    if (ts.field !== 1 || !ts.bytes) throw new Error(`WriteRequest: unexpected field ${ts.field}`);
    const series: DecodedSeries = { labels: [], samples: [] };
    for (const f of readFields(ts.bytes)) {
      if (f.field === 1 && f.bytes) {
        let name = '';
        let value = '';
        for (const l of readFields(f.bytes)) {
          if (l.field === 1 && l.bytes) name = text.decode(l.bytes);
          else if (l.field === 2 && l.bytes) value = text.decode(l.bytes);
          else throw new Error(`Label: unexpected field ${l.field}`);
        }
        series.labels.push([name, value]);
      } else if (f.field === 2 && f.bytes) {
        let value = 0;
        let timestamp = 0;
        for (const s of readFields(f.bytes)) {
          if (s.field === 1 && s.wire === 1) value = s.double!;
          else if (s.field === 2 && s.wire === 0) timestamp = s.varint!;
          else throw new Error(`Sample: unexpected field ${s.field}/${s.wire}`);
        }
        series.samples.push({ value, timestamp });
      } else throw new Error(`TimeSeries: unexpected field ${f.field}`);
    }
    return series;
  });
}
