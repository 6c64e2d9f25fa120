/**
 * The palette shared by every view: classes, the diverging scale for signed values, and the
 * colour scales handed to Plotly. One place, so the maps, edges and heatmap agree.
 */

/** Negative / class 0 (orange) and positive / class 1 (blue), as in TensorFlow Playground. */
export const NEG = [245, 147, 34];
export const POS = [8, 119, 189];
export const MID = [232, 234, 235];
export const CLASS_COLORS = ['#f59322', '#0877bd', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];

/**
 * A 256-entry RGB lookup table from NEG through MID to POS (index 0 → −1, 255 → +1).
 * @returns {Uint8ClampedArray} 256 × 3
 */
export function divergingLut() {
  const lut = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) {
    const s = i / 127.5 - 1;
    const [end, t] = s < 0 ? [NEG, -s] : [POS, s];
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = MID[c] + (end[c] - MID[c]) * t;
  }
  return lut;
}

/** @returns {string} rgb(...) css of an RGB triple mixed toward white by (1 - t) */
export function tint(rgb, t) {
  const c = rgb.map((v) => Math.round(255 + (v - 255) * t));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/** Plotly colour scale for P(y = 1) on [0, 1]. */
export const BINARY_SCALE = [[0, tint(NEG, 0.6)], [0.5, tint(MID, 1)], [1, tint(POS, 0.6)]];

/**
 * Plotly colour scale for multiclass heatmaps: z in [c, c + 1) is class c, lighter when unsure.
 * @param {number} C number of classes
 */
export function classScale(C) {
  const scale = [];
  for (let c = 0; c < C; c++) {
    const rgb = hexToRgb(CLASS_COLORS[c % CLASS_COLORS.length]);
    scale.push([c / C, tint(rgb, 0.12)], [(c + 1) / C - 1e-6, tint(rgb, 0.7)]);
  }
  scale[scale.length - 1][0] = 1;
  return scale;
}

function hexToRgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/**
 * The colour of a Plotly-style colour scale (stops of 'rgb(r,g,b)') at t in [0, 1], interpolated
 * linearly in RGB as Plotly does, so a canvas painted with it matches a Plotly heatmap.
 * @param {Array<[number, string]>} scale
 * @param {number} t
 * @returns {number[]} [r, g, b]
 */
export function scaleRgb(scale, t) {
  const x = Math.max(0, Math.min(1, Number.isFinite(t) ? t : 0));
  let i = 1;
  while (i < scale.length - 1 && scale[i][0] < x) i++;
  const [t0, c0] = scale[i - 1];
  const [t1, c1] = scale[i];
  const a = rgbOf(c0);
  const b = rgbOf(c1);
  const f = t1 > t0 ? Math.max(0, Math.min(1, (x - t0) / (t1 - t0))) : 0;
  return a.map((v, k) => v + (b[k] - v) * f);
}

function rgbOf(css) {
  return css.startsWith('#') ? hexToRgb(css) : css.match(/[\d.]+/g).slice(0, 3).map(Number);
}
