/**
 * Give a MediaRecorder WebM its duration. Chromium writes the file as a live stream: its
 * Segment's size is "unknown" and its Info has no Duration, so players show no length and
 * cannot seek (a <video> reads Infinity) until they have read it all. Adding the Duration
 * element to Info (and growing Info's size) is enough: such a file has no SeekHead or Cues
 * whose offsets would move. Anything else (a known Segment size that cannot grow in place, a
 * SeekHead, a Duration already there, not WebM at all) is left as it is. Pure: bytes in, bytes out.
 *
 * EBML (RFC 8794): an element is its ID (1–4 bytes, marker bit kept), its size as a variable-
 * length integer (1–8 bytes, the marker bit dropped; all ones: unknown) and its data.
 */

const EBML = 0x1a45dfa3;
const SEGMENT = 0x18538067;
const SEEK_HEAD = 0x114d9b74;
const INFO = 0x1549a966;
const TIMECODE_SCALE = 0x2ad7b1;
const DURATION = 0x4489;
const CLUSTER = 0x1f43b675;

/** The width (1–8) of a variable-length integer from its first byte (0: invalid). */
function widthOf(byte) {
  for (let w = 1; w <= 8; w++) if (byte & (0x100 >> w)) return w;
  return 0;
}

/**
 * The element at `p`.
 * @param {Uint8Array} b
 * @param {number} p
 * @returns {{id: number, start: number, sizeAt: number, sizeWidth: number, size: number|null,
 *   data: number, end: number}|null} size null: unknown (then end is the file's end); null: not an element
 */
export function readElement(b, p) {
  if (p >= b.length) return null;
  const idWidth = widthOf(b[p]);
  if (!idWidth || idWidth > 4 || p + idWidth >= b.length) return null;
  let id = 0;
  for (let i = 0; i < idWidth; i++) id = id * 256 + b[p + i];
  const sizeAt = p + idWidth;
  const sizeWidth = widthOf(b[sizeAt]);
  if (!sizeWidth || sizeAt + sizeWidth > b.length) return null;
  let size = b[sizeAt] & (0xff >> sizeWidth);
  let allOnes = size === 0xff >> sizeWidth;
  for (let i = 1; i < sizeWidth; i++) {
    size = size * 256 + b[sizeAt + i];
    allOnes &&= b[sizeAt + i] === 0xff;
  }
  const data = sizeAt + sizeWidth;
  if (allOnes) return { id, start: p, sizeAt, sizeWidth, size: null, data, end: b.length };
  return { id, start: p, sizeAt, sizeWidth, size, data, end: data + size };
}

/** `value` as a variable-length integer of `width` bytes (null if it does not fit). */
export function sizeBytes(value, width) {
  if (value >= 2 ** (7 * width) - 1) return null; // all ones would read as unknown
  const out = new Uint8Array(width);
  let v = value;
  for (let i = width - 1; i >= 0; i--) {
    out[i] = v % 256;
    v = Math.floor(v / 256);
  }
  out[0] |= 0x100 >> width;
  return out;
}

/** The unsigned integer of an element's data (TimecodeScale). */
function uint(b, el) {
  let v = 0;
  for (let i = el.data; i < el.end; i++) v = v * 256 + b[i];
  return v;
}

const TIMECODE = 0xe7;
const SIMPLE_BLOCK = 0xa3;
const BLOCK_GROUP = 0xa0;
const BLOCK = 0xa1;

/**
 * The recording's length from its own frames' times: the last frame's time (its Cluster's
 * Timecode plus the block's own offset) and one mean frame interval more, in milliseconds
 * (the clock's times at start and stop would be off by what the page's load delays).
 * @param {Uint8Array} bytes a WebM file
 * @returns {number|null} null: no frame found
 */
export function framesDuration(bytes) {
  const header = readElement(bytes, 0);
  if (!header || header.id !== EBML || header.size == null) return null;
  const segment = readElement(bytes, header.end);
  if (!segment || segment.id !== SEGMENT) return null;
  let scale = 1e6;
  let cluster = 0;
  let first = Infinity;
  let last = -Infinity;
  let blocks = 0;
  for (let p = segment.data; p < segment.end;) {
    const el = readElement(bytes, p);
    if (!el) break;
    if (el.id === CLUSTER || el.id === BLOCK_GROUP || el.id === INFO) { // their children: read on
      p = el.data;
      continue;
    }
    if (el.id === TIMECODE_SCALE) scale = uint(bytes, el);
    else if (el.id === TIMECODE) cluster = uint(bytes, el);
    else if (el.id === SIMPLE_BLOCK || el.id === BLOCK) {
      const track = widthOf(bytes[el.data]); // the track number (a variable-length integer), then int16
      const t = cluster + new DataView(bytes.buffer, bytes.byteOffset + el.data + track, 2).getInt16(0);
      first = Math.min(first, t);
      last = Math.max(last, t);
      blocks += 1;
    }
    if (el.size == null) break;
    p = el.end;
  }
  if (!blocks) return null;
  const step = blocks > 1 ? (last - first) / (blocks - 1) : 0;
  return ((last + step) * scale) / 1e6;
}

/**
 * The file with Info's Duration set (or the same bytes, see the module's note).
 * @param {Uint8Array} bytes a WebM file
 * @param {number} ms its duration, milliseconds
 * @returns {Uint8Array}
 */
export function withDuration(bytes, ms) {
  const header = readElement(bytes, 0);
  if (!header || header.id !== EBML || header.size == null) return bytes;
  const segment = readElement(bytes, header.end);
  if (!segment || segment.id !== SEGMENT) return bytes;
  for (let p = segment.data; p < segment.end;) {
    const el = readElement(bytes, p);
    if (!el || el.size == null || el.id === CLUSTER || el.id === SEEK_HEAD) return bytes; // Info comes first
    if (el.id === INFO) return addDuration(bytes, segment, el, ms);
    p = el.end;
  }
  return bytes;
}

function addDuration(bytes, segment, info, ms) {
  let scale = 1e6; // ns per timecode unit: the default, a millisecond
  for (let p = info.data; p < info.end;) {
    const el = readElement(bytes, p);
    if (!el || el.size == null) return bytes;
    if (el.id === DURATION) return bytes; // already there
    if (el.id === TIMECODE_SCALE) scale = uint(bytes, el);
    p = el.end;
  }
  const duration = new Uint8Array(11);
  duration.set([0x44, 0x89, 0x88]); // Duration, 8 bytes: a float64, big-endian
  new DataView(duration.buffer).setFloat64(3, (ms * 1e6) / scale);
  const infoSize = sizeBytes(info.size + duration.length, 8);
  const grown = infoSize.length - info.sizeWidth + duration.length;
  let segmentSize = null; // unknown stays unknown; a known size grows in its own width
  if (segment.size != null) {
    segmentSize = sizeBytes(segment.size + grown, segment.sizeWidth);
    if (!segmentSize) return bytes;
  }
  const out = new Uint8Array(bytes.length + grown);
  let o = 0;
  const put = (part) => {
    out.set(part, o);
    o += part.length;
  };
  if (segmentSize) {
    put(bytes.subarray(0, segment.sizeAt));
    put(segmentSize);
    put(bytes.subarray(segment.data, info.sizeAt));
  } else put(bytes.subarray(0, info.sizeAt));
  put(infoSize);
  put(bytes.subarray(info.data, info.end));
  put(duration);
  put(bytes.subarray(info.end));
  return out;
}
