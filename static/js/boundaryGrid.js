/**
 * The boundary grid the server streams (app/frames.py: uint8, r × r, row i is the i-th x2 from
 * the bottom, column j the j-th x1 from the left) turned into what the chart shows: an image's
 * RGBA pixels (row 0 at the top, so the grid's last row first) or, in 1-D, the curve's values.
 * Pure: no DOM (the chart puts the pixels into its canvas).
 */

/**
 * Paint a 2-D grid into RGBA pixels through a colour lookup table.
 * @param {Uint8ClampedArray} px the image's pixels, r × r × 4, row-major from the top
 * @param {Uint8Array} data the grid, r × r, row-major: data[i * r + j] is (x1_j, x2_i)
 * @param {number} r the grid's resolution
 * @param {Uint8ClampedArray} lut 256 × 3: the RGB of each byte
 */
export function paintGrid(px, data, r, lut) {
  for (let i = 0; i < r; i++) {
    const o = (r - 1 - i) * r * 4; // row 0 is the lowest x2: the image's bottom row
    for (let j = 0; j < r; j++) {
      const c = data[i * r + j] * 3;
      const p = o + j * 4;
      px[p] = lut[c];
      px[p + 1] = lut[c + 1];
      px[p + 2] = lut[c + 2];
      px[p + 3] = 255;
    }
  }
}

/**
 * A 1-D grid (the regression curve y(x1)) decoded into values.
 * @param {number[]} values receives r values
 * @param {Uint8Array} data r bytes
 * @param {{lo: number, hi: number}} meta the byte range's values
 */
export function decodeCurve(values, data, meta) {
  const span = (meta.hi - meta.lo) / 255;
  for (let i = 0; i < values.length; i++) values[i] = meta.lo + data[i] * span;
}
