// The boundary grid turned into the chart's image (static/js/boundaryGrid.js).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { decodeCurve, paintGrid } from '../../static/js/boundaryGrid.js';

/** A lookup table whose red channel is the byte itself. */
const LUT = Uint8ClampedArray.from({ length: 256 * 3 }, (_, k) => (k % 3 === 0 ? k / 3 : 0));

test('grid row i (the i-th x2 from the bottom) is image row r-1-i; column j (x1) stays column j', () => {
  const r = 3;
  // Not symmetric: the value is 10 * i + j at x2 index i, x1 index j.
  const data = Uint8Array.from({ length: r * r }, (_, k) => 10 * Math.floor(k / r) + (k % r));
  const px = new Uint8ClampedArray(r * r * 4);
  paintGrid(px, data, r, LUT);
  const red = (row, col) => px[(row * r + col) * 4];
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < r; j++) assert.equal(red(r - 1 - i, j), 10 * i + j, `x2 index ${i}, x1 index ${j}`);
  }
  assert.ok(px.every((v, k) => k % 4 !== 3 || v === 255), 'opaque');
});

test('a 1-D grid decodes bytes over the meta range', () => {
  const values = new Array(3);
  decodeCurve(values, Uint8Array.from([0, 255, 51]), { lo: -1, hi: 4 });
  assert.deepEqual(values, [-1, 4, 0]);
});
