/**
 * A minimal animated GIF encoder (GIF89a), for a recording any slide program plays: each frame
 * gets its own palette of at most 256 colours (the most frequent colours of the frame at 5 bits
 * a channel, each the mean of its pixels; every pixel mapped to the nearest of them), LZW-compressed, looping forever.
 * No dithering: the boundary's smooth shading shows in bands of 1/32 of a channel; a frame of
 * more than 256 such colours keeps its most frequent (for the recording's frames — white, greys,
 * the classes' shades, a few curves — those are what shows; a photograph would band). Pure: RGBA
 * pixels in, bytes out (the caller makes a Blob).
 *
 * Layout (GIF89a spec): header and logical screen; the NETSCAPE2.0 loop extension; per frame a
 * graphic control extension (its delay), an image descriptor with a local colour table, the LZW
 * data in sub-blocks of at most 255 bytes; the trailer.
 */

/**
 * The palette of a frame and each pixel's index in it.
 * @param {Uint8ClampedArray|Uint8Array} rgba width × height × 4
 * @returns {{palette: Uint8Array, indices: Uint8Array}} palette: 256 × 3 (unused entries black)
 */
export function quantize(rgba) {
  const n = rgba.length / 4;
  const counts = new Uint32Array(32768);
  const sums = new Float64Array(32768 * 3); // a bin's colour is its pixels' mean: white stays white
  const bins = new Uint16Array(n);
  for (let i = 0, p = 0; i < n; i++, p += 4) {
    const bin = ((rgba[p] >> 3) << 10) | ((rgba[p + 1] >> 3) << 5) | (rgba[p + 2] >> 3);
    bins[i] = bin;
    counts[bin] += 1;
    sums[bin * 3] += rgba[p];
    sums[bin * 3 + 1] += rgba[p + 1];
    sums[bin * 3 + 2] += rgba[p + 2];
  }
  const used = [];
  for (let b = 0; b < 32768; b++) if (counts[b]) used.push(b);
  used.sort((a, b) => counts[b] - counts[a]);
  const chosen = used.slice(0, 256);
  const centre = (b) => [0, 1, 2].map((c) => Math.round(sums[b * 3 + c] / counts[b]));
  const palette = new Uint8Array(256 * 3);
  const colours = chosen.map(centre);
  colours.forEach((c, i) => palette.set(c, i * 3));
  const map = new Int16Array(32768).fill(-1);
  chosen.forEach((b, i) => { map[b] = i; });
  for (const b of used.slice(256)) { // the rarer colours: the nearest chosen one
    const [r, g, bl] = centre(b);
    let best = 0;
    let bestD = Infinity;
    for (let i = 0; i < colours.length; i++) {
      const c = colours[i];
      const d = (c[0] - r) ** 2 + (c[1] - g) ** 2 + (c[2] - bl) ** 2;
      if (d < bestD) [best, bestD] = [i, d];
    }
    map[b] = best;
  }
  const indices = new Uint8Array(n);
  for (let i = 0; i < n; i++) indices[i] = map[bins[i]];
  return { palette, indices };
}

/**
 * LZW-compress 8-bit indices as GIF does (minimum code size 8: codes from 9 bits, a clear code
 * when the table is full at 4096).
 * @param {Uint8Array} indices
 * @returns {Uint8Array} the code stream, bytes least significant bit first
 */
export function lzw(indices) {
  const MIN = 8;
  const CLEAR = 1 << MIN;
  const END = CLEAR + 1;
  let out = new Uint8Array(Math.max(64, indices.length >> 2));
  let length = 0;
  const push = (byte) => {
    if (length === out.length) {
      const grown = new Uint8Array(2 * out.length);
      grown.set(out);
      out = grown;
    }
    out[length++] = byte;
  };
  let acc = 0;
  let bits = 0;
  let size = MIN + 1;
  const emit = (code) => {
    acc |= code << bits;
    bits += size;
    while (bits >= 8) {
      push(acc & 0xff);
      acc >>>= 8;
      bits -= 8;
    }
  };
  // The string table: child[prefix code × 256 + next byte] → code, valid where its stamp is the
  // table's generation (typed arrays, not a Map: a frame is a million lookups; a clear code
  // empties the table by a new generation, not by zeroing 256 K entries).
  const child = new Uint16Array(4096 * 256);
  const stamp = new Uint16Array(4096 * 256);
  let generation = 1;
  let next = END + 1;
  emit(CLEAR);
  if (!indices.length) {
    emit(END);
    if (bits) push(acc & 0xff);
    return out.slice(0, length);
  }
  let prefix = indices[0];
  for (let i = 1; i < indices.length; i++) {
    const k = indices[i];
    const key = (prefix << 8) | k;
    if (stamp[key] === generation) {
      prefix = child[key];
      continue;
    }
    emit(prefix);
    if (next < 4096) {
      child[key] = next++;
      stamp[key] = generation;
      if (next > 1 << size && size < 12) size += 1; // the decoder widens one code later
    } else { // full: start over
      emit(CLEAR);
      generation += 1; // (65,535 clears: far more than a frame's)
      next = END + 1;
      size = MIN + 1;
    }
    prefix = k;
  }
  emit(prefix);
  emit(END);
  if (bits) push(acc & 0xff);
  return out.slice(0, length);
}

/** An animated GIF built frame by frame: add(rgba, delayMs)…, then bytes(). */
export class GifWriter {
  /**
   * @param {number} width
   * @param {number} height
   */
  constructor(width, height) {
    this.width = width;
    this.height = height;
    this.parts = [];
    const head = [];
    for (const c of 'GIF89a') head.push(c.charCodeAt(0));
    head.push(width & 0xff, width >> 8, height & 0xff, height >> 8);
    head.push(0x70, 0, 0); // no global colour table (8-bit colour resolution), background 0, square pixels
    // NETSCAPE2.0: loop forever.
    head.push(0x21, 0xff, 11, ...[...'NETSCAPE2.0'].map((c) => c.charCodeAt(0)), 3, 1, 0, 0, 0);
    this.parts.push(Uint8Array.from(head));
    this.frames = 0;
  }

  /**
   * Add a frame.
   * @param {Uint8ClampedArray|Uint8Array} rgba width × height × 4
   * @param {number} delayMs how long it shows (GIF counts hundredths of a second)
   */
  add(rgba, delayMs) {
    const { palette, indices } = quantize(rgba);
    const delay = Math.max(2, Math.round(delayMs / 10));
    const { width: w, height: h } = this;
    const head = [
      0x21, 0xf9, 4, 0x04, delay & 0xff, delay >> 8, 0, 0, // graphic control: disposal "leave", no transparency
      0x2c, 0, 0, 0, 0, w & 0xff, w >> 8, h & 0xff, h >> 8, 0x87, // descriptor: a local table of 256
    ];
    this.parts.push(Uint8Array.from(head), palette, Uint8Array.of(8));
    const data = lzw(indices);
    for (let p = 0; p < data.length; p += 255) {
      const block = data.subarray(p, p + 255);
      this.parts.push(Uint8Array.of(block.length), block);
    }
    this.parts.push(Uint8Array.of(0));
    this.frames += 1;
  }

  /** @returns {Uint8Array} the file: every frame so far and the trailer */
  bytes() {
    const parts = [...this.parts, Uint8Array.of(0x3b)];
    const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}
