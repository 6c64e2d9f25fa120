// The animated GIF encoder (static/js/gif.js) against a GIF decoder written here from the spec:
// the file's blocks, every frame's palette and LZW data decoded back to its pixels.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { GifWriter, lzw, quantize } from '../../static/js/gif.js';

/** GIF LZW decoding (minimum code size 8), the spec's algorithm. */
function unlzw(data, count) {
  const CLEAR = 256;
  const END = 257;
  let size = 9;
  let pos = 0;
  const read = () => {
    let code = 0;
    for (let i = 0; i < size; i++, pos++) code |= ((data[pos >> 3] >> (pos & 7)) & 1) << i;
    return code;
  };
  let table = [];
  const reset = () => {
    table = Array.from({ length: 258 }, (_, i) => (i < 256 ? [i] : null));
    size = 9;
  };
  reset();
  const out = [];
  let previous = null;
  for (;;) {
    const code = read();
    if (code === CLEAR) {
      reset();
      previous = null;
      continue;
    }
    if (code === END) break;
    let entry;
    if (code < table.length) entry = table[code];
    else if (code === table.length && previous) entry = [...previous, previous[0]];
    else throw new Error(`bad code ${code} at ${table.length}`);
    out.push(...entry);
    if (previous) table.push([...previous, entry[0]]);
    if (table.length === 1 << size && size < 12) size += 1;
    previous = entry;
  }
  assert.equal(out.length, count);
  return Uint8Array.from(out);
}

/** Read a GIF's blocks: the screen, the loop, each frame's delay, palette and indices. */
function parseGif(bytes) {
  const text = (a, b) => String.fromCharCode(...bytes.subarray(a, b));
  assert.equal(text(0, 6), 'GIF89a');
  const width = bytes[6] | (bytes[7] << 8);
  const height = bytes[8] | (bytes[9] << 8);
  let p = 13; // no global colour table
  const frames = [];
  let delay = null;
  let loops = null;
  const subBlocks = () => {
    const parts = [];
    while (bytes[p]) {
      parts.push(bytes.subarray(p + 1, p + 1 + bytes[p]));
      p += 1 + bytes[p];
    }
    p += 1;
    return Uint8Array.from(parts.flatMap((x) => [...x]));
  };
  for (;;) {
    const b = bytes[p++];
    if (b === 0x3b) break;
    if (b === 0x21) {
      const label = bytes[p++];
      if (label === 0xff) {
        const app = subBlocks();
        assert.equal(String.fromCharCode(...app.subarray(0, 11)), 'NETSCAPE2.0');
        loops = app[12] | (app[13] << 8);
      } else if (label === 0xf9) {
        const gce = subBlocks();
        delay = gce[1] | (gce[2] << 8);
      } else subBlocks();
    } else if (b === 0x2c) {
      const w = bytes[p + 4] | (bytes[p + 5] << 8);
      const h = bytes[p + 6] | (bytes[p + 7] << 8);
      const flags = bytes[p + 8];
      assert.equal(flags & 0x80, 0x80, 'a local colour table');
      const tableSize = 3 * (1 << ((flags & 7) + 1));
      p += 9;
      const palette = bytes.subarray(p, p + tableSize);
      p += tableSize;
      assert.equal(bytes[p++], 8, 'LZW minimum code size');
      const indices = unlzw(subBlocks(), w * h);
      frames.push({ w, h, delay, palette, indices });
    } else throw new Error(`unknown block 0x${b.toString(16)} at ${p - 1}`);
  }
  assert.equal(p, bytes.length);
  return { width, height, loops, frames };
}

/** A test image: bands of colour and a smooth gradient (more than 256 colours). */
function image(w, h, shift = 0) {
  const rgba = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = (y * w + x) * 4;
      rgba.set(y < h / 2 ? [(x * 7 + shift) & 0xff, (y * 13) & 0xff, 128] : [x < w / 2 ? 245 : 8, 147, 34], p);
      rgba[p + 3] = 255;
    }
  }
  return rgba;
}

test('LZW round trip: runs, noise, and past the 4096-code table (clear codes)', () => {
  const cases = [
    new Uint8Array(0),
    Uint8Array.of(7),
    new Uint8Array(10000).fill(3),
    Uint8Array.from({ length: 50000 }, (_, i) => (i * 2654435761) >>> 24), // noisy: the table fills often
    Uint8Array.from({ length: 20000 }, (_, i) => (i >> 6) & 0xff),
  ];
  for (const indices of cases) assert.deepEqual(unlzw(lzw(indices), indices.length), indices);
});

test('quantize: few colours are kept exactly; a recording-like frame within a few levels', () => {
  const few = Uint8ClampedArray.from([248, 144, 32, 255, 8, 112, 184, 255, 248, 144, 32, 255]);
  const { palette, indices } = quantize(few);
  assert.deepEqual([...indices], [0, 1, 0]); // the most frequent first
  assert.deepEqual([...palette.subarray(0, 6)], [248, 144, 32, 8, 112, 184]); // each bin's own mean
  // A frame like the recording's: white, grey text, the boundary's orange–white–blue shading.
  const n = 200 * 100;
  const many = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    const x = i % 200;
    const t = x / 199;
    const shade = t < 0.5 ? [245 + (232 - 245) * 2 * t, 147 + (234 - 147) * 2 * t, 34 + (235 - 34) * 2 * t]
      : [232 + (8 - 232) * (2 * t - 1), 234 + (119 - 234) * (2 * t - 1), 235 + (189 - 235) * (2 * t - 1)];
    const y = Math.floor(i / 200);
    const rgb = y < 20 ? [255, 255, 255] : y < 30 ? Array(3).fill((x * 37) % 256) : shade;
    many.set([...rgb, 255], i * 4);
  }
  const q = quantize(many);
  let worst = 0;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(q.palette[q.indices[i] * 3 + c] - many[i * 4 + c]));
  }
  assert.ok(worst <= 12, `worst channel error ${worst}`);
});

test('an animated GIF decodes back: its size, loop, delays and every pixel of every frame', () => {
  const w = 50;
  const h = 30;
  const gif = new GifWriter(w, h);
  const sources = [image(w, h, 0), image(w, h, 90)];
  gif.add(sources[0], 200);
  gif.add(sources[1], 100);
  const parsed = parseGif(gif.bytes());
  assert.equal(parsed.width, w);
  assert.equal(parsed.height, h);
  assert.equal(parsed.loops, 0); // forever
  assert.deepEqual(parsed.frames.map((f) => [f.w, f.h, f.delay]), [[w, h, 20], [w, h, 10]]);
  parsed.frames.forEach((frame, k) => {
    const expected = quantize(sources[k]);
    assert.deepEqual(frame.indices, expected.indices);
    assert.deepEqual(frame.palette, expected.palette);
    // the bottom half's two flat colours come out within 5-bit rounding
    const p = (h - 1) * w;
    assert.ok(Math.abs(frame.palette[frame.indices[p] * 3] - 245) <= 4);
    assert.ok(Math.abs(frame.palette[frame.indices[p + w - 1] * 3] - 8) <= 4);
  });
});
