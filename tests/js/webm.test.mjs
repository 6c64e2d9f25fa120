// A MediaRecorder WebM given its duration (static/js/webm.js): built here as Chromium writes one
// (a Segment of unknown size, Info without Duration, then Tracks and Clusters), patched, and
// read back element by element. The browser test checks a real recording's duration.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { framesDuration, readElement, sizeBytes, withDuration } from '../../static/js/webm.js';

const id = (v) => { const out = []; for (let x = v; x > 0; x = Math.floor(x / 256)) out.unshift(x % 256); return out; };
const element = (v, data, width = 1) => [...id(v), ...sizeBytes(data.length, width), ...data];
const UNKNOWN = [0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
const ascii = (s) => [...s].map((c) => c.charCodeAt(0));

function chromeLike({ segmentKnown = false, infoExtra = [] } = {}) {
  const header = element(0x1a45dfa3, [...element(0x4286, [1]), ...element(0x4282, ascii('webm'))]);
  const info = element(0x1549a966, [...element(0x2ad7b1, [0x0f, 0x42, 0x40]), ...element(0x4d80, ascii('Chrome')), ...infoExtra]);
  const tracks = element(0x1654ae6b, element(0xae, element(0xd7, [1])));
  const cluster = [...id(0x1f43b675), ...UNKNOWN, ...element(0xe7, [0]), ...element(0xa3, [0x81, 0, 0, 0x80, 1, 2, 3])];
  const body = [...info, ...tracks, ...cluster];
  const segment = segmentKnown ? element(0x18538067, body, 4) : [...id(0x18538067), ...UNKNOWN, ...body];
  return Uint8Array.from([...header, ...segment]);
}

/** The Info element's children {id: element} and what follows Info. */
function readInfo(bytes) {
  const header = readElement(bytes, 0);
  const segment = readElement(bytes, header.end);
  const info = readElement(bytes, segment.data);
  assert.equal(info.id, 0x1549a966);
  const children = {};
  for (let p = info.data; p < info.end;) {
    const el = readElement(bytes, p);
    children[el.id] = el;
    p = el.end;
  }
  return { segment, info, children, after: bytes.subarray(info.end) };
}

test('variable-length sizes: marker bit, width, and all ones reserved for unknown', () => {
  assert.deepEqual([...sizeBytes(5, 1)], [0x85]);
  assert.deepEqual([...sizeBytes(300, 2)], [0x41, 0x2c]);
  assert.equal(sizeBytes(127, 1), null);
  assert.deepEqual([...sizeBytes(11, 8)], [1, 0, 0, 0, 0, 0, 0, 11]);
  const unknown = readElement(Uint8Array.from([0x1f, 0x43, 0xb6, 0x75, ...UNKNOWN]), 0);
  assert.equal(unknown.size, null);
});

test('Chromium\'s live WebM gets a Duration in Info; everything after it is the same bytes', () => {
  const bytes = chromeLike();
  const fixed = withDuration(bytes, 2345.5);
  const { segment, info, children, after } = readInfo(fixed);
  assert.equal(segment.size, null); // still unknown
  const duration = children[0x4489];
  assert.ok(duration, 'a Duration');
  assert.equal(new DataView(fixed.buffer, duration.data, 8).getFloat64(0), 2345.5); // TimecodeScale 1 ms
  assert.equal(info.size, readInfo(bytes).info.size + 11);
  assert.deepEqual([...after], [...readInfo(bytes).after]); // Tracks and Clusters untouched
  assert.deepEqual([...fixed.subarray(0, readInfo(bytes).info.start)], [...bytes.subarray(0, readInfo(bytes).info.start)]);
});

test('a known Segment size grows by what was added', () => {
  const bytes = chromeLike({ segmentKnown: true });
  const fixed = withDuration(bytes, 1000);
  const before = readInfo(bytes);
  const { segment } = readInfo(fixed);
  assert.equal(segment.size, before.segment.size + (fixed.length - bytes.length));
  assert.equal(segment.end, fixed.length);
});

test('left as it is: a Duration already there, or not a WebM', () => {
  const has = chromeLike({ infoExtra: element(0x4489, [0x40, 0x8f, 0x40, 0, 0, 0, 0, 0]) });
  assert.equal(withDuration(has, 5000), has);
  const junk = Uint8Array.from([1, 2, 3, 4, 5]);
  assert.equal(withDuration(junk, 5000), junk);
  assert.equal(withDuration(new Uint8Array(0), 5000).length, 0);
});

test('the length from the frames: the last frame\'s time and one mean frame interval', () => {
  const cluster = (timecode, offsets) => [...id(0x1f43b675), ...UNKNOWN, ...element(0xe7, [timecode >> 8, timecode & 0xff]),
    ...offsets.flatMap((t) => element(0xa3, [0x81, (t >> 8) & 0xff, t & 0xff, 0x80, 9, 9]))];
  const header = element(0x1a45dfa3, element(0x4282, ascii('webm')));
  const info = element(0x1549a966, element(0x2ad7b1, [0x0f, 0x42, 0x40]));
  const bytes = Uint8Array.from([...header, ...id(0x18538067), ...UNKNOWN, ...info, ...cluster(0, [0, 100, 200]), ...cluster(300, [0, 100])]);
  assert.equal(framesDuration(bytes), 500); // last frame at 400 ms, 100 ms apart
  assert.equal(framesDuration(chromeLike()), 0); // one frame, at 0 ms: no length to say
  assert.equal(framesDuration(Uint8Array.of(1, 2, 3)), null);
});
