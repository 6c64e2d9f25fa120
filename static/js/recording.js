/**
 * Record the run for a slide: one 1280 × 720 canvas composed at every animation frame — the run's
 * title (dataset, network), the decision boundary with its points (each run's, side by side, in
 * compare mode), the cost curve drawn here from the run's history (history.js; not the Plotly
 * chart, whose SVG would take far too long to rasterize at every frame), the iteration counter
 * and the scores — then either streamed to a WebM video by the browser's own MediaRecorder
 * (canvas.captureStream; no library), or captured at a chosen rate as PNG frames downloaded as
 * one ZIP (zip.js) or as an animated GIF (gif.js: what every slide program plays). A recording
 * stops by itself after its chosen length, or on stop().
 *
 * The scene (what to draw) is data a caller builds each frame (main.js: from the controller or
 * the compare controller); the layout, the axes' ticks, the curve's points, the file names and
 * the codec choice are pure functions, tested in Node (tests/js/recording.test.mjs). The
 * recording canvas is this module's own, never in the page.
 */

import { GifWriter } from './gif.js';
import { framesDuration, withDuration } from './webm.js';
import { zipStore } from './zip.js';

/** The recording's size: a 16:9 slide, sharp on a 720p or 1080p projector. */
export const WIDTH = 1280;
export const HEIGHT = 720;
/** The video's frame rate (the page draws at most that many boundaries a second anyway). */
export const VIDEO_FPS = 30;
/** The lengths the menu offers, seconds; any whole number up to MAX_SECONDS may be typed. */
export const LENGTHS = [5, 10, 30];
export const MAX_SECONDS = 600;
/**
 * PNG or GIF frames per second the menu offers, and the most frames one recording takes (memory:
 * ~0.2 MB a PNG; a GIF frame takes ~0.1 s of the main thread to encode, while it records).
 */
export const PNG_RATES = [2, 5, 10];
export const MAX_PNG_FRAMES = 1200;
/** Codecs in order of preference: VP9 is smaller, VP8 plays in more places (both software-encoded). */
export const VIDEO_TYPES = ['video/webm;codecs=vp9', 'video/webm;codecs=vp8', 'video/webm'];

const FONT = 'system-ui, "Segoe UI", Roboto, Helvetica, Arial, sans-serif';
const INK = '#1f2933';
const MUTED = '#5b6775';
const LINE = '#d4dae0';
const TRAIN = '#0877bd';
const TEST = '#f59322';

/**
 * The first video type this browser's MediaRecorder can write.
 * @param {(type: string) => boolean} isSupported MediaRecorder.isTypeSupported
 * @returns {string|null} null: no WebM here (Safari writes MP4 only)
 */
export function pickVideoType(isSupported) {
  return VIDEO_TYPES.find((type) => isSupported(type)) ?? null;
}

/**
 * A recording's length in seconds from what the user typed: a whole number of seconds in
 * 1..MAX_SECONDS (null if it is not a number).
 * @param {string|number} value
 * @returns {number|null}
 */
export function parseSeconds(value) {
  const s = Number(value);
  if (!Number.isFinite(s) || String(value).trim() === '') return null;
  return Math.min(MAX_SECONDS, Math.max(1, Math.round(s)));
}

/**
 * How many PNG frames a recording of `seconds` at `rate` frames a second takes (the first at 0
 * s, the last before the end), capped at MAX_PNG_FRAMES.
 * @param {number} seconds
 * @param {number} rate
 */
export function pngFrameCount(seconds, rate) {
  return Math.max(1, Math.min(MAX_PNG_FRAMES, Math.round(seconds * rate)));
}

/**
 * A file name's stem: nnplay, the dataset (letters, digits and dashes) and the local date and time.
 * @param {string} dataset
 * @param {Date} date
 * @returns {string} e.g. nnplay-moons-2026-12-02-1504
 */
export function fileStem(dataset, date) {
  const slug = String(dataset || 'run').normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'run';
  const two = (n) => String(n).padStart(2, '0');
  const day = `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}`;
  return `nnplay-${slug}-${day}-${two(date.getHours())}${two(date.getMinutes())}`;
}

/**
 * A network as the course writes it: layer sizes and activations, e.g. "2 → 4 tanh → 1 sigmoid".
 * @param {{layer_dims: number[], activations: string[]}} network
 */
export function networkText(network) {
  if (!network) return '';
  const { layer_dims: dims, activations } = network;
  return [String(dims[0]), ...dims.slice(1).map((n, i) => `${n} ${activations[i]}`)].join(' → ');
}

/** @returns {string} a whole number with thousands separators: 12,345 */
export function countText(n) {
  return Math.round(n).toLocaleString('en-US');
}

/** A cost, a score: three significant figures (or –). */
export function numberText(v, digits = 3) {
  if (v == null || !Number.isFinite(v)) return '–';
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5)) return v.toExponential(digits - 1);
  return String(Number(v.toPrecision(digits)));
}

/** @returns {string} seconds as m:ss.s, e.g. 0:04.2 */
export function clockText(seconds) {
  const s = Math.max(0, seconds);
  return `${Math.floor(s / 60)}:${(s % 60).toFixed(1).padStart(4, '0')}`;
}

/**
 * Where everything goes on the frame. One run: the boundary a square on the left, the cost on
 * the right. n runs (compare): the boundaries side by side across the top, the cost below.
 * @param {number} n how many boundaries (0: none to show, the cost takes the width)
 * @param {number} [width]
 * @param {number} [height]
 * @returns {{title: object, boundaries: object[], cost: object, counter: object}} boxes {x, y, width, height}
 */
export function layout(n, width = WIDTH, height = HEIGHT) {
  const pad = Math.round(width / 40); // 32 at 1280
  const top = Math.round(height * 0.135); // the title's band
  const bottom = height - pad;
  const title = { x: pad, y: pad * 0.6, width: width - 2 * pad, height: top - pad * 0.6 };
  if (n <= 1) {
    const side = bottom - top;
    const boundaries = n === 1 ? [{ x: pad, y: top, width: side, height: side }] : [];
    const left = n === 1 ? pad + side + pad : pad;
    const counter = { x: left, y: top, width: width - pad - left, height: Math.round(side * 0.2) };
    const cost = { x: left, y: counter.y + counter.height + pad / 2, width: width - pad - left, height: bottom - counter.y - counter.height - pad / 2 };
    return { title, boundaries, cost, counter };
  }
  const gap = pad / 2;
  const caption = Math.round(height * 0.045);
  const row = Math.min((width - 2 * pad - (n - 1) * gap) / n, (bottom - top) * 0.5 - caption);
  const across = n * row + (n - 1) * gap;
  const x0 = (width - across) / 2;
  const boundaries = Array.from({ length: n }, (_, i) => ({ x: x0 + i * (row + gap), y: top + caption, width: row, height: row }));
  const below = top + caption + row + gap;
  const counter = { x: pad, y: below, width: Math.round((width - 2 * pad) * 0.28), height: bottom - below };
  const cost = { x: counter.x + counter.width + pad, y: below, width: width - pad - (counter.x + counter.width + pad), height: bottom - below };
  return { title, boundaries, cost, counter };
}

/**
 * The boundary's box inside its square: the data's aspect ratio (x1 and x2 to scale, as on the
 * page), centred.
 * @param {{x: number, y: number, width: number, height: number}} square
 * @param {number[]} bounds [x1lo, x1hi, x2lo, x2hi]
 */
export function fitBounds(square, bounds) {
  const [x1lo, x1hi, x2lo, x2hi] = bounds;
  const aspect = (x1hi - x1lo) / (x2hi - x2lo);
  const width = aspect >= 1 ? square.width : square.width * aspect;
  const height = aspect >= 1 ? square.height / aspect : square.height;
  return { x: square.x + (square.width - width) / 2, y: square.y + (square.height - height) / 2, width, height };
}

/**
 * Round tick values between lo and hi: 1, 2 or 5 × 10^k steps (about `most` of them); on a log
 * axis (lo, hi > 0), the whole decades within (or, within a single decade, lo and hi's own).
 * @param {number} lo
 * @param {number} hi
 * @param {boolean} log
 * @param {number} [most]
 * @returns {number[]}
 */
export function ticks(lo, hi, log, most = 5) {
  if (!(hi > lo)) return Number.isFinite(lo) ? [lo] : [];
  if (log) {
    const out = [];
    for (let k = Math.ceil(Math.log10(lo) - 1e-9); k <= Math.floor(Math.log10(hi) + 1e-9); k++) out.push(10 ** k);
    if (out.length > most) {
      const every = Math.ceil(out.length / most);
      return out.filter((_, i) => i % every === 0);
    }
    return out.length ? out : [lo, hi];
  }
  const raw = (hi - lo) / most;
  const base = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * base).find((s) => s >= raw);
  const out = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** A tick's label: 0.5, 2, 1e-3, 1,000. */
export function tickText(v) {
  if (v === 0) return '0';
  if (Math.abs(v) >= 1e3) return Math.abs(v) >= 1e7 ? v.toExponential(0) : countText(v);
  if (Math.abs(v) < 1e-2) return v.toExponential(0);
  return String(Number(v.toPrecision(3)));
}

/**
 * The cost axes of every curve: iterations from 0 to the latest (at least 10), costs over their
 * finite (on a log axis: positive) range, a little padded.
 * @param {{x: number[], y: (number|null)[]}[]} curves
 * @param {boolean} log
 * @returns {{xMax: number, lo: number, hi: number}|null} null: no cost yet
 */
export function costExtent(curves, log) {
  let lo = Infinity;
  let hi = -Infinity;
  let xMax = 0;
  for (const { x, y } of curves) {
    for (let i = 0; i < y.length; i++) {
      const v = y[i];
      if (v == null || !Number.isFinite(v) || (log && v <= 0)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      if (x[i] > xMax) xMax = x[i];
    }
  }
  if (!(hi >= lo)) return null;
  xMax = Math.max(10, xMax);
  if (log) {
    const span = Math.max(0.3, Math.log10(hi / lo));
    return { xMax, lo: lo / 10 ** (span * 0.05), hi: hi * 10 ** (span * 0.05) };
  }
  const span = hi - lo || Math.abs(hi) || 1;
  return { xMax, lo: lo >= 0 ? 0 : lo - span * 0.05, hi: hi + span * 0.05 }; // a cost ≥ 0: from 0
}

/**
 * A curve's points in canvas pixels inside `box`, as runs of connected points: a missing or
 * non-finite cost (or one ≤ 0 on a log axis) breaks the line.
 * @param {{x: number[], y: (number|null)[]}} curve
 * @param {{x: number, y: number, width: number, height: number}} box the plot area
 * @param {{xMax: number, lo: number, hi: number}} extent costExtent's
 * @param {boolean} log
 * @returns {number[][][]} runs of [px, py]
 */
export function curvePixels(curve, box, extent, log) {
  const f = log ? Math.log10 : (v) => v;
  const lo = f(extent.lo);
  const span = f(extent.hi) - lo || 1;
  const runs = [];
  let run = null;
  for (let i = 0; i < curve.y.length; i++) {
    const v = curve.y[i];
    if (v == null || !Number.isFinite(v) || (log && v <= 0)) {
      run = null;
      continue;
    }
    const px = box.x + (curve.x[i] / extent.xMax) * box.width;
    const py = box.y + box.height - ((f(v) - lo) / span) * box.height;
    if (!run) runs.push((run = []));
    run.push([px, Math.min(box.y + box.height, Math.max(box.y, py))]);
  }
  return runs;
}

/**
 * Draw one frame of the scene.
 * @param {CanvasRenderingContext2D} ctx a WIDTH × HEIGHT canvas's
 * @param {object} scene {title, subtitle, log, iteration, lines: string[],
 *   panels: [{label?, color?, paint(ctx, box): boolean, bounds}], curves: [{x, y, color, dash?, label}],
 *   badge?: string (e.g. the recording's clock, never shown: the slide is the run alone)}
 */
export function drawScene(ctx, scene) {
  const { width, height } = ctx.canvas;
  const L = layout(scene.panels.length, width, height);
  const u = width / 1280; // type scales with the frame
  ctx.save();
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  ctx.textBaseline = 'alphabetic';
  // The title: the dataset and the network; below, what else defines the run.
  ctx.fillStyle = INK;
  ctx.font = `600 ${34 * u}px ${FONT}`;
  ctx.fillText(fit(ctx, scene.title, L.title.width), L.title.x, L.title.y + 34 * u);
  ctx.fillStyle = MUTED;
  ctx.font = `${20 * u}px ${FONT}`;
  ctx.fillText(fit(ctx, scene.subtitle, L.title.width), L.title.x, L.title.y + 64 * u);
  ctx.textAlign = 'right';
  ctx.fillText('nnplay', L.title.x + L.title.width, L.title.y + 34 * u);
  ctx.textAlign = 'left';
  // The boundaries.
  scene.panels.forEach((panel, i) => {
    const square = L.boundaries[i];
    const box = fitBounds(square, panel.bounds || [0, 1, 0, 1]);
    ctx.fillStyle = '#f4f6f8';
    ctx.fillRect(box.x, box.y, box.width, box.height);
    const painted = panel.paint(ctx, box, Math.max(3, (scene.panels.length > 1 ? 3 : 4.5) * u));
    if (!painted) {
      ctx.fillStyle = MUTED;
      ctx.font = `${20 * u}px ${FONT}`;
      ctx.textAlign = 'center';
      ctx.fillText(panel.empty || 'no boundary yet', box.x + box.width / 2, box.y + box.height / 2);
      ctx.textAlign = 'left';
    }
    ctx.strokeStyle = LINE;
    ctx.lineWidth = 1;
    ctx.strokeRect(box.x + 0.5, box.y + 0.5, box.width - 1, box.height - 1);
    if (panel.label) { // compare mode: each run's caption above it
      const y = square.y - 10 * u;
      ctx.fillStyle = panel.color || INK;
      ctx.fillRect(square.x, y - 16 * u, 16 * u, 16 * u);
      ctx.fillStyle = INK;
      ctx.font = `600 ${20 * u}px ${FONT}`;
      ctx.fillText(fit(ctx, panel.label, square.width - 24 * u), square.x + 24 * u, y);
    }
  });
  // The iteration counter and the scores.
  const c = L.counter;
  ctx.fillStyle = MUTED;
  ctx.font = `${22 * u}px ${FONT}`;
  ctx.fillText('Iteration', c.x, c.y + 24 * u);
  ctx.fillStyle = INK;
  ctx.font = `700 ${64 * u}px ${FONT}`;
  ctx.fillText(countText(scene.iteration), c.x, c.y + 88 * u);
  ctx.font = `${22 * u}px ${FONT}`;
  ctx.fillStyle = INK;
  // Beside the counter with one run; below it in compare mode (one line per run).
  const linesAt = scene.panels.length > 1 ? c.y + 130 * u : c.y + 24 * u;
  const linesX = scene.panels.length > 1 ? c.x : c.x + 300 * u;
  (scene.lines || []).forEach((line, i) => ctx.fillText(fit(ctx, line, c.x + c.width - linesX), linesX, linesAt + i * 32 * u));
  drawCost(ctx, L.cost, scene, u);
  ctx.restore();
}

/** The text, cut with an ellipsis to fit `width`. */
function fit(ctx, text, width) {
  if (ctx.measureText(text).width <= width) return text;
  let t = text;
  while (t.length > 1 && ctx.measureText(`${t}…`).width > width) t = t.slice(0, -1);
  return `${t}…`;
}

/** The cost panel: axes with round ticks, a curve per run (train solid, test dotted), a legend. */
function drawCost(ctx, box, scene, u) {
  const plot = { x: box.x + 78 * u, y: box.y + 34 * u, width: box.width - 92 * u, height: box.height - 84 * u };
  ctx.fillStyle = INK;
  ctx.font = `600 ${22 * u}px ${FONT}`;
  ctx.fillText(scene.log ? 'Cost J (log scale)' : 'Cost J', box.x, box.y + 20 * u);
  const extent = costExtent(scene.curves, scene.log);
  ctx.strokeStyle = LINE;
  ctx.lineWidth = 1;
  ctx.strokeRect(plot.x + 0.5, plot.y + 0.5, plot.width, plot.height);
  ctx.font = `${17 * u}px ${FONT}`;
  ctx.fillStyle = MUTED;
  if (!extent) {
    ctx.textAlign = 'center';
    ctx.fillText('the cost appears when training starts', plot.x + plot.width / 2, plot.y + plot.height / 2);
    ctx.textAlign = 'left';
    return;
  }
  const f = scene.log ? Math.log10 : (v) => v;
  const yOf = (v) => plot.y + plot.height - ((f(v) - f(extent.lo)) / (f(extent.hi) - f(extent.lo) || 1)) * plot.height;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const t of ticks(extent.lo, extent.hi, scene.log)) {
    const y = Math.round(yOf(t)) + 0.5;
    ctx.strokeStyle = '#eef1f4';
    ctx.beginPath();
    ctx.moveTo(plot.x + 1, y);
    ctx.lineTo(plot.x + plot.width, y);
    ctx.stroke();
    ctx.fillText(tickText(t), plot.x - 8 * u, y);
  }
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const t of ticks(0, extent.xMax, false, 5)) {
    const x = plot.x + (t / extent.xMax) * plot.width;
    ctx.fillText(tickText(t), x, plot.y + plot.height + 8 * u);
  }
  ctx.fillText('iteration', plot.x + plot.width / 2, plot.y + plot.height + 30 * u);
  ctx.textBaseline = 'alphabetic';
  ctx.textAlign = 'left';
  ctx.save();
  ctx.beginPath();
  ctx.rect(plot.x, plot.y, plot.width, plot.height);
  ctx.clip();
  ctx.lineJoin = 'round';
  for (const curve of scene.curves) {
    ctx.strokeStyle = curve.color;
    ctx.lineWidth = (curve.dash ? 2.5 : 3) * u;
    ctx.setLineDash(curve.dash ? [6 * u, 5 * u] : []);
    for (const run of curvePixels(curve, plot, extent, scene.log)) {
      ctx.beginPath();
      run.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
      if (run.length === 1) ctx.lineTo(run[0][0] + 1, run[0][1]);
      ctx.stroke();
    }
  }
  ctx.restore();
  ctx.setLineDash([]);
  // The legend, top right inside the plot.
  const named = scene.curves.filter((c) => c.label);
  ctx.font = `${17 * u}px ${FONT}`;
  let y = plot.y + 24 * u;
  const right = plot.x + plot.width - 12 * u;
  for (const curve of named) {
    const w = ctx.measureText(curve.label).width;
    ctx.fillStyle = 'rgba(255,255,255,0.9)';
    ctx.fillRect(right - w - 46 * u, y - 17 * u, w + 50 * u, 24 * u);
    ctx.strokeStyle = curve.color;
    ctx.lineWidth = 3 * u;
    ctx.setLineDash(curve.dash ? [6 * u, 5 * u] : []);
    ctx.beginPath();
    ctx.moveTo(right - w - 40 * u, y - 6 * u);
    ctx.lineTo(right - w - 10 * u, y - 6 * u);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = INK;
    ctx.fillText(curve.label, right - w, y);
    y += 26 * u;
  }
}

/**
 * One recording: compose the scene at every animation frame into this module's canvas, and
 * stream it to a WebM video or capture it as PNG frames, for `seconds`.
 */
export class Recording {
  /**
   * @param {{kind: 'webm'|'png'|'gif', seconds: number, rate?: number, scene: () => object,
   *   stem: string, onProgress?: (elapsed: number, total: number) => void}} options
   *   rate: PNG or GIF frames a second; scene: what to draw now; stem: the file name without extension
   * @param {{document?: Document, frame?: Function, now?: () => number, MediaRecorder?: Function}} [deps]
   */
  constructor({ kind, seconds, rate = PNG_RATES[1], scene, stem, onProgress = () => {} }, deps = {}) {
    this.kind = kind;
    this.seconds = seconds;
    this.rate = rate;
    this.scene = scene;
    this.stem = stem;
    this.onProgress = onProgress;
    this.doc = deps.document ?? document;
    this.frame = deps.frame ?? ((f) => requestAnimationFrame(f));
    this.now = deps.now ?? (() => performance.now());
    this.Media = deps.MediaRecorder ?? globalThis.MediaRecorder;
    this.canvas = this.doc.createElement('canvas');
    this.canvas.width = WIDTH;
    this.canvas.height = HEIGHT;
    this.ctx = this.canvas.getContext('2d');
    this.stopped = false;
    /** Resolves with {blob, name} once the file is made (rejects on a recorder's error). */
    this.done = new Promise((resolve, reject) => { this.finish = resolve; this.fail = reject; });
  }

  /**
   * Start. Throws (before anything starts) where the browser cannot record a video.
   */
  start() {
    if (this.kind === 'webm') this.startVideo();
    else {
      this.total = pngFrameCount(this.seconds, this.rate);
      this.pngs = [];
      if (this.kind === 'gif') this.gif = new GifWriter(WIDTH, HEIGHT);
    }
    this.startedAt = this.now();
    this.tick();
    if (this.kind === 'webm') this.timer = setTimeout(() => this.stop(), this.seconds * 1000);
  }

  startVideo() {
    const type = this.Media ? pickVideoType((t) => this.Media.isTypeSupported(t)) : null;
    if (!type || !this.canvas.captureStream) throw new Error('this browser cannot record a WebM video (try the PNG frames)');
    this.type = type;
    this.drawFrame(); // the stream's first frame is there when it starts
    this.stream = this.canvas.captureStream(VIDEO_FPS);
    this.chunks = [];
    this.media = new this.Media(this.stream, { mimeType: type, videoBitsPerSecond: 4_000_000 });
    this.media.addEventListener('dataavailable', (event) => { if (event.data.size) this.chunks.push(event.data); });
    this.media.addEventListener('stop', async () => {
      for (const track of this.stream.getTracks()) track.stop();
      // Its length (its frames' own times) written in (webm.js): players show it and can seek
      // without reading it all.
      const raw = new Uint8Array(await new Blob(this.chunks).arrayBuffer());
      const ms = framesDuration(raw);
      const bytes = ms > 0 ? withDuration(raw, ms) : raw;
      this.finish({ blob: new Blob([bytes], { type: 'video/webm' }), name: `${this.stem}.webm` });
    });
    this.media.addEventListener('error', (event) => this.fail(event.error || new Error('the video recorder failed')));
    this.media.start(1000); // a chunk a second: nothing held in one huge buffer
  }

  drawFrame() {
    drawScene(this.ctx, this.scene());
  }

  /** One animation frame: compose, capture what is due, say the progress, come back. */
  tick() {
    if (this.stopped) return;
    const elapsed = (this.now() - this.startedAt) / 1000;
    if (this.kind === 'webm') {
      this.drawFrame();
      this.onProgress(Math.min(elapsed, this.seconds), this.seconds);
    } else if (this.pngs.length <= Math.min(this.total - 1, Math.floor(elapsed * this.rate))) {
      // Due: the k-th frame at k / rate s. A late animation frame takes one frame, never skips
      // one: the ZIP holds exactly `total` frames, whatever the page's load.
      this.drawFrame();
      if (this.gif) {
        this.gif.add(this.ctx.getImageData(0, 0, WIDTH, HEIGHT).data, 1000 / this.rate);
        this.pngs.push(null); // counted: the frame is in the GIF
      } else this.pngs.push(new Promise((resolve) => this.canvas.toBlob(resolve, 'image/png')));
      this.onProgress(Math.min(this.pngs.length / this.rate, this.seconds), this.seconds);
      if (this.pngs.length === this.total) {
        this.stop();
        return;
      }
    }
    this.frame(() => this.tick());
  }

  /** Stop now (or at the chosen length): the file follows in `done`. */
  stop() {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.kind === 'webm') {
      if (this.media.state !== 'inactive') this.media.stop();
      return;
    }
    if (this.gif) {
      this.finish({ blob: new Blob([this.gif.bytes()], { type: 'image/gif' }), name: `${this.stem}.gif` });
      return;
    }
    Promise.all(this.pngs).then(async (blobs) => {
      const files = await Promise.all(blobs.filter(Boolean).map(async (blob, i) => ({
        name: `${this.stem}/frame-${String(i + 1).padStart(4, '0')}.png`, data: new Uint8Array(await blob.arrayBuffer()),
      })));
      this.finish({ blob: new Blob([zipStore(files)], { type: 'application/zip' }), name: `${this.stem}-frames.zip` });
    }, this.fail);
  }
}

/**
 * Points of the train curve drawn: the compare view's count (compareView.js), so that both share
 * the history's kept downsampling (CostHistory.curve) instead of redoing it at every frame.
 */
export const CURVE_POINTS = 1500;

const OPTIMIZERS = { gd: 'gradient descent', momentum: 'momentum', adam: 'Adam' };

/** A percentage, or –. */
function pct(v) {
  return v == null || !Number.isFinite(v) ? '–' : `${(100 * v).toFixed(1)} %`;
}

/** What defines a run besides its data and network: α, optimizer, L2, batch, seed. */
export function settingsText(state) {
  const parts = [`learning rate α = ${state.lr}`, OPTIMIZERS[state.opt] ?? state.opt];
  if (state.l2) parts.push(`L2 λ = ${state.l2}`);
  if (state.batch) parts.push(`batch ${state.batch}`);
  parts.push(`seed ${state.seed}`);
  return parts.join(' · ');
}

/** Whether a run's `created` dataset has a plane to draw its boundary on. */
function hasPlane(created) {
  const d = created?.dataset;
  return Boolean(d && d.plottable !== false && d.train && d.train.x2 != null);
}

/**
 * The train curve of a run's record (min and max per bucket, CostHistory.curve) and its test
 * curve (one point per frame that reported a test cost).
 * @param {import('./exporter.js').RunRecord|undefined} record
 * @returns {{x: number[], y: (number|null)[]}[]} [train, test]
 */
export function recordCurves(record) {
  if (!record) return [{ x: [], y: [] }, { x: [], y: [] }];
  const train = record.history.curve(CURVE_POINTS);
  const tested = record.points.filter((p) => p.test_cost != null);
  return [train, { x: tested.map((p) => p.iteration), y: tested.map((p) => p.test_cost) }];
}

/**
 * The scene of the single-run view.
 * @param {{record?: object, chart: {paintInto: Function}, state: object}} source the run's
 *   record (exporter.js), the boundary chart that draws it (charts.js), the page's state
 * @returns {object} drawScene's scene
 */
export function runScene({ record, chart, state }) {
  const created = record?.created;
  const f = record?.frame;
  const d = created?.dataset;
  const [train, test] = recordCurves(record);
  const curves = [{ ...train, color: TRAIN, label: 'train' }];
  if (test.x.length) curves.push({ ...test, color: TEST, dash: true, label: 'test' });
  const lines = [`train cost ${numberText(f?.train_cost)}`];
  if (d?.task === 'regression') lines.push(`test cost ${numberText(f?.test_cost)}`);
  else lines.push(`train accuracy ${pct(f?.train_accuracy)}`, `test accuracy ${pct(f?.test_accuracy)}`);
  const plane = hasPlane(created);
  return {
    title: d ? `${d.name} data · ${networkText(created.network)}` : 'nnplay',
    subtitle: settingsText(state),
    log: Boolean(state.logcost),
    iteration: f?.iteration ?? 0,
    lines,
    panels: !created || plane ? [{ bounds: d?.bounds, paint: (ctx, box, r) => chart.paintInto(ctx, box, r) }] : [],
    curves,
  };
}

/**
 * The scene of compare mode: every run's boundary side by side (its label and colour), their
 * train curves on one axis.
 * @param {{runs: {id: string, label: string, color: string}[], records: object[], charts: object[],
 *   state: object, varied: string}} source state: compare mode's (the log scale); varied: what
 *   differs ("Learning rate")
 * @returns {object} drawScene's scene
 */
export function compareScene({ runs, records, charts, state, varied }) {
  const first = records.find((r) => r?.created)?.created;
  const d = first?.dataset;
  const plane = !first || hasPlane(first);
  return {
    title: `${d ? `${d.name} data · ` : ''}${varied.toLowerCase()}: ${runs.map((run) => run.label).join(' vs ')}`,
    subtitle: first ? `network ${first.network.layer_dims.join(' → ')} · the runs differ only in ${varied.toLowerCase()}` : '',
    log: Boolean(state.logcost),
    iteration: Math.max(0, ...records.map((r) => r?.frame?.iteration ?? 0)),
    lines: runs.map((run, i) => `${run.label}: J = ${numberText(records[i]?.frame?.train_cost)}`),
    panels: plane ? runs.map((run, i) => ({
      label: run.label, color: run.color, bounds: records[i]?.created?.dataset.bounds ?? d?.bounds,
      paint: (ctx, box, r) => Boolean(charts[i]) && charts[i].paintInto(ctx, box, r),
    })) : [],
    curves: runs.map((run, i) => ({ ...recordCurves(records[i])[0], color: run.color, label: run.label })),
  };
}

/**
 * The recording's life, between the menu (recordPanel.js: what to record, progress, the file)
 * and a Recording: one at a time; training started first if asked; the file downloaded when
 * done and kept for the menu's link. Touches no DOM.
 */
export class RecordingController {
  /**
   * @param {{view: object, scene: () => object, dataset: () => string, play: () => void,
   *   save: (name: string, blob: Blob) => void, deps?: object, now?: () => Date}} parts
   *   view: RecordPanel's methods; scene: what to draw now (runScene, compareScene); dataset:
   *   the shown run's, for the file name; play: start training; save: download a file
   */
  constructor({ view, scene, dataset, play, save, deps, now = () => new Date() }) {
    Object.assign(this, { view, scene, dataset, play, save, deps, date: now });
    this.recording = null;
    /** The last file made, {blob, name} (the browser tests read it). */
    this.last = null;
  }

  /** @param {{kind: 'webm'|'png'|'gif', seconds: number, rate: number, play: boolean}} request */
  start({ kind, seconds, rate, play }) {
    if (this.recording) return;
    const recording = new Recording({
      kind, seconds, rate, scene: this.scene, stem: fileStem(this.dataset(), this.date()),
      onProgress: (elapsed, total) => this.view.showProgress(elapsed, total),
    }, this.deps);
    if (play) this.play();
    try {
      recording.start();
    } catch (error) {
      this.view.showError(error.message);
      return;
    }
    this.recording = recording;
    this.view.showRecording(seconds);
    recording.done.then(({ blob, name }) => {
      this.recording = null;
      this.last = { blob, name };
      this.view.showDone(blob, name);
      this.save(name, blob);
    }, (error) => {
      this.recording = null;
      this.view.showError(`the recording failed: ${error.message}`);
    });
  }

  /** Stop the recording now (the file comes as when its length is reached). */
  stop() {
    if (this.recording) this.recording.stop();
  }
}
