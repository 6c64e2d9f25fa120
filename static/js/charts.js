/**
 * The Plotly charts: decision boundary, cost curve, gradient norms and saturation. Each chart is
 * created once per run and then updated in place (Plotly.react on the same div, extendTraces for
 * curves); `draw()` is called at most once per animation frame by the controller. Plotly loads
 * after the first boundary (main.js): until then the charts keep what they receive, draw nothing
 * (the boundary shows in a plain canvas) and are drawn whole at the controller's next frame.
 */

import { BINARY_SCALE, CLASS_COLORS, NEG, POS, classScale, divergingLut, scaleRgb, tint } from './colors.js';
import { decodeCurve, paintGrid } from './boundaryGrid.js';
import { ScoreLog, strideFor } from './history.js';

const Plotly = () => window.Plotly;
/** The colours of a unit's map shown in the boundary plot: the diagram's (diagram.js). */
const UNIT_LUT = divergingLut();
const CONFIG = { displaylogo: false, responsive: true, displayModeBar: false };
const FONT = { family: 'system-ui, sans-serif', size: 12, color: '#334' };

/**
 * Chart text follows the page's root size (which grows with the viewport and in presenter mode):
 * the render loop calls this at start and whenever the layout changes (static/js/renderLoop.js).
 */
export function refreshFont() {
  FONT.size = Math.round(parseFloat(getComputedStyle(document.body).fontSize) * 0.9);
}

/** @returns {number} the charts' type size, px, as of the last refreshFont() */
export function chartFontSize() {
  return FONT.size;
}
/**
 * Watch whether a chart's element is on screen (within ON_SCREEN_MARGIN of the viewport, and not
 * hidden): `chart.onScreen`, true until the observer first says otherwise. A secondary chart
 * off screen keeps what it receives but does not redraw (each redraw is a whole Plotly draw,
 * 15-25 ms); coming on screen, it calls `chart.onShown()` (main.js: ask the render loop for a
 * paint), and the next frame draws it up to date. Its first draw for a run is made anyway.
 * @param {{el: HTMLElement, onScreen?: boolean, onShown?: () => void}} chart
 */
export function watchOnScreen(chart) {
  chart.onScreen = true;
  if (typeof IntersectionObserver === 'undefined') return;
  new IntersectionObserver((entries) => {
    const on = entries[entries.length - 1].isIntersecting;
    if (on === chart.onScreen) return;
    chart.onScreen = on;
    if (on) chart.onShown?.();
  }, { rootMargin: ON_SCREEN_MARGIN }).observe(chart.el);
}

/** How near the viewport a chart starts drawing again: before it scrolls into view. */
const ON_SCREEN_MARGIN = '200px';

const MAX_COST_POINTS = 3000;
const MAX_GRADIENT_POINTS = 2000;
const LAYER_COLORS = ['#0877bd', '#f59322', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#17becf'];

function baseLayout(extra) {
  return {
    margin: { l: 4 * FONT.size, r: FONT.size, t: FONT.size, b: 3 * FONT.size }, font: { ...FONT }, paper_bgcolor: 'rgba(0,0,0,0)',
    plot_bgcolor: '#fff', showlegend: false, ...extra,
  };
}

function linspace(lo, hi, n) {
  return Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / Math.max(1, n - 1));
}

function finiteOrNull(v) {
  return Number.isFinite(v) ? v : null;
}

/** A tick label of a log axis: 0.002, 0.5, 30, or 1e-5 beyond what reads as a decimal. */
function logLabel(v) {
  return v >= 1e-3 && v < 1e5 ? String(Number(v.toPrecision(2))) : v.toExponential(0).replace('e+', 'e');
}

/**
 * The ticks of a log axis showing positive values from `lo` to `hi`: whole decades (every k-th,
 * `most` labels at most) when the data spans two or more, else steps of 1-2-5 (or every digit)
 * of the decade, the range widened to two ticks at least. Plotly's own choice labels every digit
 * of a short range (seventeen crammed labels) or, with a decade step, nothing at all.
 * @param {number} lo smallest value shown (> 0; anything else: an empty axis, 0.001 to 1)
 * @param {number} hi largest value shown
 * @param {number} [most] most labels
 * @returns {{type: 'log', range: number[], tickmode: 'array', tickvals: number[], ticktext: string[]}}
 */
export function logAxis(lo, hi, most = 6) {
  if (!(lo > 0 && hi >= lo && Number.isFinite(hi))) [lo, hi] = [1e-3, 1];
  const pad = Math.max(0.04, 0.05 * Math.log10(hi / lo));
  let a = Math.log10(lo) - pad;
  let b = Math.log10(hi) + pad;
  let vals = [];
  const first = Math.ceil(a);
  const last = Math.floor(b);
  if (last - first >= 1) {
    const step = Math.ceil((last - first + 1) / most);
    for (let k = last; k >= first; k -= step) vals.unshift(10 ** k);
  } else {
    const within = (mantissas) => {
      const out = [];
      for (let e = Math.floor(a); e <= Math.ceil(b); e++) {
        for (const m of mantissas) {
          const v = Number((m * 10 ** e).toPrecision(3));
          if (Math.log10(v) >= a && Math.log10(v) <= b) out.push(v);
        }
      }
      return out;
    };
    vals = within([1, 2, 5]);
    if (vals.length < 2) vals = within([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    if (vals.length < 2) { // a very flat curve: the digits just below and above it
      const below = 10 ** Math.floor(a) * Math.floor(10 ** (a - Math.floor(a)));
      const above = 10 ** Math.floor(b) * Math.ceil(10 ** (b - Math.floor(b)));
      vals = [...new Set([below, ...vals, above].map((v) => Number(v.toPrecision(3))))];
      a = Math.min(a, Math.log10(vals[0]) - 0.02);
      b = Math.max(b, Math.log10(vals[vals.length - 1]) + 0.02);
    }
    while (vals.length > most) vals = vals.filter((_, i) => i % 2 === 0);
  }
  return { type: 'log', range: [a, b], tickmode: 'array', tickvals: vals, ticktext: vals.map(logLabel) };
}

/** The smallest and largest positive finite values of some arrays: [lo, hi], or [NaN, NaN]. */
function positiveExtent(...arrays) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const values of arrays) {
    for (const v of values) {
      if (v > 0 && Number.isFinite(v)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
  }
  return lo <= hi ? [lo, hi] : [NaN, NaN];
}

/** What an empty chart shows before training: axes from 0 and a line saying what will come. */
function emptyNote(text) {
  return [{
    text, xref: 'paper', yref: 'paper', x: 0.5, y: 0.5, showarrow: false,
    font: { ...FONT, color: '#6b7785' },
  }];
}

/**
 * The decision boundary with the train (and optionally test) points. In 2-D the heatmap is not a
 * Plotly trace nor a Plotly image: each grid is painted into a small canvas of the chart's own
 * (one pixel per grid cell, through a lookup table of the colour scale), laid under Plotly's SVG
 * exactly over the axes' area and stretched there by CSS, which the browser smooths like
 * `zsmooth: 'best'`. A new grid is one putImageData of r × r pixels: no Plotly call, no PNG
 * encoding or decoding, no SVG change. Plotly draws the points and axes, and is called again
 * only for a new run, a view toggle or a font change; the canvas follows its plot area after
 * every Plotly draw (`plotly_afterplot`). `el.figure()` gives Plotly the image for a PNG export.
 * While a unit of the diagram is hovered, the canvas shows that unit's map instead, labelled
 * (`showUnit`; `data-shows` on the chart says which), as TensorFlow Playground does.
 */
export class BoundaryChart {
  /** @param {HTMLElement} el */
  constructor(el) {
    this.el = el;
    this.view = { test: false, discrete: false };
    this.data = null;
    this.grid = null;
    this.fresh = false;
    this.dirty = false;
    this.layoutDirty = false;
    /**
     * layout.datarevision of the next Plotly.react: it only ever grows. Plotly.react compares no
     * data arrays once a datarevision is given, so a new run's points (starting again from 0, or
     * equal by chance to the last run's count) would be skipped and the old markers kept.
     */
    this.revision = 0;
    /** The diagram's unit shown in place of the output ({l, k, label, r, indices}), or null. */
    this.unit = null;
    this.unitLabel = null;
  }

  /**
   * Show a unit's map (from the diagram: r × r indices into its diverging colours, row 0 the
   * lowest x2) in place of the output, labelled; null: the output again. Only over a 2-D plane.
   * @param {{l: number, k: number, label: string, r: number, indices: Uint8Array}|null} unit
   */
  showUnit(unit) {
    if (!this.data || this.oneD) unit = null;
    if (!unit && !this.unit) return;
    this.unit = unit;
    if (!this.unitLabel) {
      this.unitLabel = document.createElement('p');
      this.unitLabel.className = 'boundary-unit';
      this.unitLabel.dataset.testid = 'boundary-unit';
      this.el.append(this.unitLabel);
    }
    this.el.dataset.shows = unit ? `unit ${unit.l},${unit.k}` : 'output';
    this.unitLabel.hidden = !unit;
    this.unitLabel.textContent = unit ? unit.label : '';
    this.dirty = true;
  }

  /**
   * Start drawing a new run (the `created` payload).
   * @param {object} created
   */
  setRun(created) {
    const d = created.dataset;
    this.dataset = d;
    this.showUnit(null);
    this.el.hidden = d.plottable === false; // more than two inputs: nothing to draw on
    if (this.el.hidden) {
      this.data = null;
      this.grid = null;
      return;
    }
    this.grid = null; // the previous run's grid may not even have this run's size
    this.fresh = false;
    this.lut = null;
    this.oneD = d.train.x2 == null;
    const r = created.boundary_resolution;
    const [x1lo, x1hi, x2lo, x2hi] = d.bounds;
    this.r = r;
    if (this.canvas) this.canvas.hidden = true; // until this run's first grid is drawn
    const points = (split, test) => this.pointsTrace(d, split, test);
    if (this.oneD) {
      this.values = new Array(r).fill(null);
      this.el.style.aspectRatio = '1.4';
      this.data = [
        { type: 'scatter', mode: 'lines', x: linspace(x1lo, x1hi, r), y: this.values, line: { color: tint(POS, 1), width: 3 }, hoverinfo: 'skip' },
        points(d.train, false), points(d.test, true),
      ];
      this.layout = baseLayout({ xaxis: { title: { text: 'x₁' }, range: [x1lo, x1hi] }, yaxis: { title: { text: 'y' } } });
    } else {
      if (!this.canvas) {
        this.canvas = document.createElement('canvas');
        this.canvas.className = 'boundary-canvas';
        this.canvas.dataset.testid = 'boundary-canvas';
        this.canvas.hidden = true;
        this.el.append(this.canvas);
        this.el.figure = () => this.figure();
      }
      this.canvas.width = this.canvas.height = r;
      this.image = new ImageData(r, r);
      // An empty first trace keeps the points at data[1] and data[2] in both shapes of chart.
      this.data = [{ type: 'scatter', mode: 'markers', x: [], y: [], hoverinfo: 'skip' }, points(d.train, false), points(d.test, true)];
      // The plot keeps x1 and x2 to scale: give it the data's own shape, within reason.
      const aspect = Math.min(1.6, Math.max(0.8, (x1hi - x1lo) / (x2hi - x2lo)));
      this.el.style.aspectRatio = String(aspect);
      this.layout = baseLayout({
        margin: { l: 2.4 * FONT.size, r: FONT.size, t: FONT.size, b: 2 * FONT.size },
        plot_bgcolor: 'rgba(0,0,0,0)', // the boundary canvas shows through the plot area
        xaxis: { range: [x1lo, x1hi], constrain: 'domain', showgrid: false, zeroline: false },
        yaxis: { range: [x2lo, x2hi], scaleanchor: 'x', constrain: 'domain', showgrid: false, zeroline: false },
      });
    }
    this.data[2].visible = this.view.test;
    this.dirty = true;
    this.layoutDirty = true;
  }

  /**
   * New points on the same plane (drawn points, as the server split them): redraw the markers.
   * @param {object} dataset a dataset summary with train and test points
   */
  setPoints(dataset) {
    if (!this.data || this.oneD) return;
    this.dataset = { ...this.dataset, ...dataset };
    this.data[1] = this.pointsTrace(this.dataset, this.dataset.train, false);
    this.data[2] = this.pointsTrace(this.dataset, this.dataset.test, true);
    this.data[2].visible = this.view.test;
    this.dirty = true;
    this.layoutDirty = true;
  }

  /**
   * The plot coordinates (x1, x2) under a point of the page, or null if the axes are not drawn.
   * @param {number} clientX
   * @param {number} clientY
   * @returns {number[]|null}
   */
  toData(clientX, clientY) {
    const layout = this.el._fullLayout;
    if (!Plotly() || !this.data || this.oneD || !layout?.xaxis?._length) return null;
    const rect = this.el.getBoundingClientRect();
    const { xaxis, yaxis } = layout;
    return [xaxis.p2l(clientX - rect.left - xaxis._offset), yaxis.p2l(clientY - rect.top - yaxis._offset)];
  }

  /**
   * Call `handler(pick)` when the plot is clicked (not while drawing: then a click adds a point):
   * {split, index, point} for a data point under the pointer (a test one only while shown), else
   * {point: [x1, x2]} for the spot. 2-D planes only.
   * @param {(pick: {point: number[], split?: string, index?: number}) => void} handler
   */
  bindPick(handler) {
    let down = null; // where the press began: a drag (Plotly's zoom box) picks nothing
    this.el.addEventListener('pointerdown', (event) => { down = [event.clientX, event.clientY]; });
    this.el.addEventListener('click', (event) => {
      if (this.el.classList.contains('drawing')) return;
      if (down && Math.hypot(event.clientX - down[0], event.clientY - down[1]) > 6) return;
      const layout = this.el._fullLayout;
      if (!Plotly() || !this.data || this.oneD || !layout?.xaxis?._length) return;
      const { xaxis, yaxis } = layout;
      const rect = this.el.getBoundingClientRect();
      const px = event.clientX - rect.left - xaxis._offset;
      const py = event.clientY - rect.top - yaxis._offset;
      if (px < 0 || py < 0 || px > xaxis._length || py > yaxis._length) return;
      const d = this.dataset;
      const reach = Math.max(8, FONT.size * 0.8); // px: a click on (or next to) a marker picks it
      let best = null;
      let bestD = reach * reach;
      for (const [split, points, shown] of [['train', d.train, true], ['test', d.test, this.view.test]]) {
        if (!shown || !points?.x2) continue;
        points.x1.forEach((x1, i) => {
          const dx = xaxis.l2p(x1) - px;
          const dy = yaxis.l2p(points.x2[i]) - py;
          const dd = dx * dx + dy * dy;
          if (dd <= bestD) [best, bestD] = [{ split, index: i, point: [x1, points.x2[i]] }, dd];
        });
      }
      handler(best ?? { point: [xaxis.p2l(px), yaxis.p2l(py)] });
    });
  }

  /**
   * Mark the followed example's spot on the plot (null: no mark).
   * @param {number[]|null} point [x1, x2]
   */
  mark(point) {
    this.marked = point;
    if (!point) {
      this.markEl?.remove();
      this.markEl = null;
      return;
    }
    if (!this.markEl) {
      this.markEl = document.createElement('div');
      this.markEl.className = 'example-mark';
      this.markEl.dataset.testid = 'example-mark';
    }
    if (this.markEl.parentElement !== this.el) this.el.append(this.markEl);
    this.placeMark();
  }

  placeMark() {
    const full = this.el._fullLayout;
    if (!this.markEl || !this.marked || !full?.xaxis?._length) return;
    const { xaxis, yaxis } = full;
    this.markEl.style.left = `${xaxis._offset + xaxis.l2p(this.marked[0])}px`;
    this.markEl.style.top = `${yaxis._offset + yaxis.l2p(this.marked[1])}px`;
  }

  yRange() {
    const y = [...this.dataset.train.y, ...this.dataset.test.y];
    return [Math.min(...y), Math.max(...y)];
  }

  pointsTrace(d, split, test) {
    const px = Math.max(5, FONT.size * 0.5);
    const marker = { size: test ? px * 1.15 : px, line: { width: test ? 1.5 : 1, color: test ? '#222' : '#fff' }, symbol: test ? 'diamond' : 'circle' };
    if (d.task === 'multiclass') marker.color = split.y.map((c) => CLASS_COLORS[c % CLASS_COLORS.length]);
    else if (d.task === 'binary') marker.color = split.y.map((c) => (c > 0.5 ? tint(POS, 1) : tint(NEG, 1)));
    else if (split.x2 != null) {
      const [lo, hi] = this.yRange();
      Object.assign(marker, { color: split.y, colorscale: BINARY_SCALE, cmin: lo, cmax: hi });
    } else marker.color = test ? '#888' : '#333';
    return {
      type: 'scatter', mode: 'markers', x: split.x1, y: split.x2 ?? split.y, marker,
      name: test ? 'test' : 'train', hovertemplate: `${test ? 'test' : 'train'} (%{x:.2f}, %{y:.2f})<extra></extra>`,
    };
  }

  /**
   * Take a new boundary grid (uint8, rows x2 ascending, columns x1 ascending).
   * @param {{data: Uint8Array, meta: object}} blob
   */
  update(blob) {
    if (!this.data) return;
    this.grid = blob;
    this.fresh = true;
    this.dirty = true;
  }

  /** @param {{test: boolean, discrete: boolean}} view */
  setView(view) {
    this.view = view;
    this.lut = null;
    this.dirty = true;
    this.layoutDirty = true;
  }

  /**
   * Draw if anything changed since the last draw.
   * @returns {boolean} whether a newly received grid was drawn
   */
  draw() {
    if ((!this.dirty && this.fontSize === FONT.size) || !this.data) return false;
    if (!Plotly()) return this.drawPreview();
    this.preview?.remove();
    this.preview = null;
    this.dirty = false;
    const fresh = this.fresh && this.grid !== null && !this.unit; // a new boundary on screen
    this.fresh = false;
    if (this.grid) this.fill(this.grid);
    if (this.fontSize !== FONT.size) this.layoutDirty = true;
    if (!this.oneD && !this.layoutDirty && this.el.layout) return fresh; // the canvas alone
    this.layoutDirty = false;
    this.fontSize = FONT.size;
    this.data[2].visible = this.view.test;
    this.layout.font = { ...FONT };
    if (!this.oneD) this.layout.margin = { l: 2.4 * FONT.size, r: FONT.size, t: FONT.size, b: 2 * FONT.size };
    this.revision += 1;
    this.layout.datarevision = this.revision;
    Plotly().react(this.el, this.data, this.layout, CONFIG);
    if (!this.listening) { // every Plotly draw (ours, or its own on a window resize) moves the axes
      this.listening = true;
      this.el.on('plotly_afterplot', () => this.place());
    }
    // A new run's aspect ratio resizes the div, which Plotly.react does not measure: fit the
    // plot to it, or the last run's size stays and its points spill out of the chart.
    const full = this.el._fullLayout;
    if (full && (Math.abs(full.width - this.el.clientWidth) > 1 || Math.abs(full.height - this.el.clientHeight) > 1)) {
      Plotly().Plots.resize(this.el);
    }
    this.place();
    return fresh;
  }

  /**
   * Lay the boundary canvas over the axes' area as Plotly last drew it (CSS pixels in the chart).
   * Shown only in 2-D, once Plotly has drawn the axes and a grid has been painted.
   */
  place() {
    this.placeMark();
    if (!this.canvas) return;
    const full = this.el._fullLayout;
    const xaxis = full?.xaxis;
    const yaxis = full?.yaxis;
    const show = Boolean(this.data && !this.oneD && this.grid && xaxis?._length && yaxis?._length);
    this.canvas.hidden = !show;
    if (!show) return;
    const box = `${xaxis._offset}px|${yaxis._offset}px|${xaxis._length}px|${yaxis._length}px`;
    if (box === this.placed) return;
    this.placed = box;
    const [left, top, width, height] = box.split('|');
    Object.assign(this.canvas.style, { left, top, width, height });
  }

  /**
   * The chart as Plotly should export it (exporter.js downloadChart): its data and layout, with
   * the boundary canvas as a layout image behind the points, where it shows on screen.
   * @returns {{data: object[], layout: object}|HTMLElement}
   */
  figure() {
    if (!this.data || this.oneD || !this.grid || !this.el.layout) return this.el;
    const [x1lo, x1hi, x2lo, x2hi] = this.dataset.bounds;
    const image = {
      source: this.canvas.toDataURL(), xref: 'x', yref: 'y', x: x1lo, y: x2hi, sizex: x1hi - x1lo, sizey: x2hi - x2lo,
      xanchor: 'left', yanchor: 'top', sizing: 'stretch', layer: 'below',
    };
    return { data: this.el.data, layout: { ...this.el.layout, images: [image] } };
  }

  /**
   * Until Plotly has loaded (it comes after the first boundary, see main.js): the 2-D grid and
   * the train points in a plain canvas laid over where the plot's axes will be (same margins;
   * `object-fit: contain` centres it as the axes' `constrain: 'domain'` does).
   * @returns {boolean} whether a newly received grid was drawn
   */
  drawPreview() {
    if (!this.dirty || this.oneD || !this.grid) return false;
    this.dirty = false;
    const fresh = this.fresh && !this.unit;
    this.fresh = false;
    this.fill(this.grid);
    if (!this.preview) {
      this.preview = document.createElement('canvas');
      this.preview.className = 'boundary-preview';
      this.el.append(this.preview);
    }
    const f = FONT.size;
    Object.assign(this.preview.style, { top: `${f}px`, left: `${2.4 * f}px`, width: `calc(100% - ${3.4 * f}px)`, height: `calc(100% - ${3 * f}px)` });
    const [x1lo, x1hi, x2lo, x2hi] = this.dataset.bounds;
    const W = Math.round(Math.max(1, this.el.clientWidth - 3.4 * f) * devicePixelRatio);
    const H = Math.round((W * (x2hi - x2lo)) / (x1hi - x1lo));
    if (this.preview.width !== W || this.preview.height !== H) Object.assign(this.preview, { width: W, height: H });
    this.paintInto(this.preview.getContext('2d'), { x: 0, y: 0, width: W, height: H }, (this.data[1].marker.size / 2) * devicePixelRatio, false);
    return fresh;
  }

  /**
   * Paint the 2-D boundary and its points into any canvas (the preview above; the recording,
   * recording.js): the grid stretched over `box` (smoothed, as the browser stretches it on
   * screen), then the train points, and the test points if the chart shows them.
   * @param {CanvasRenderingContext2D} ctx
   * @param {{x: number, y: number, width: number, height: number}} box the axes' area, canvas pixels
   * @param {number} radius the train points' radius, canvas pixels
   * @param {boolean} [withTest] the test points too, when shown
   * @returns {boolean} false when there is nothing to paint (no grid yet, 1-D, not plottable)
   */
  paintInto(ctx, box, radius, withTest = true) {
    if (!this.data || this.oneD || !this.grid || !this.canvas) return false;
    const [x1lo, x1hi, x2lo, x2hi] = this.dataset.bounds;
    const { x: bx, y: by, width: W, height: H } = box;
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(this.canvas, bx, by, W, H);
    const traces = withTest && this.view.test ? [this.data[1], this.data[2]] : [this.data[1]];
    for (const [k, { x, y, marker }] of traces.entries()) {
      const test = k === 1;
      ctx.strokeStyle = test ? '#222' : '#fff';
      ctx.lineWidth = Math.max(1, radius / 4);
      x.forEach((x1, i) => {
        const c = Array.isArray(marker.color) ? marker.color[i] : marker.color;
        ctx.fillStyle = typeof c === 'number' ? `rgb(${scaleRgb(BINARY_SCALE, (c - marker.cmin) / (marker.cmax - marker.cmin || 1))})` : c;
        const px = bx + ((x1 - x1lo) / (x1hi - x1lo)) * W;
        const py = by + ((x2hi - y[i]) / (x2hi - x2lo)) * H;
        ctx.beginPath();
        if (test) { // a diamond, as Plotly draws the test points
          const d = radius * 1.25;
          ctx.moveTo(px, py - d);
          ctx.lineTo(px + d, py);
          ctx.lineTo(px, py + d);
          ctx.lineTo(px - d, py);
          ctx.closePath();
        } else ctx.arc(px, py, radius, 0, 2 * Math.PI);
        ctx.fill();
        ctx.stroke();
      });
    }
    return true;
  }

  fill({ data, meta }) {
    if (this.oneD) {
      decodeCurve(this.values, data, meta);
      this.layoutDirty = true; // the line is a trace: redraw it
      return;
    }
    const r = this.unit ? this.unit.r : this.r;
    if (this.canvas.width !== r) {
      this.canvas.width = this.canvas.height = r;
      this.image = new ImageData(r, r);
    }
    if (this.unit) paintGrid(this.image.data, this.unit.indices, r, UNIT_LUT);
    else paintGrid(this.image.data, data, r, this.lutFor(meta));
    this.context ??= this.canvas.getContext('2d');
    this.context.putImageData(this.image, 0, 0);
    if (this.canvas.hidden && Plotly()) this.place(); // the run's first grid: show the canvas
  }

  /**
   * RGB for every possible byte of the grid (the colours the heatmap trace used to have).
   * Binary: P(y = 1) on [0, 1]; regression: y over the data's range; multiclass
   * ('class-confidence'): byte = class × levels + confidence level, lighter when unsure.
   */
  lutFor(meta) {
    const key = `${meta.encoding}|${meta.lo}|${meta.hi}|${meta.levels}`;
    if (this.lut && this.lutKey === key) return this.lut;
    const lut = new Uint8ClampedArray(256 * 3);
    const d = this.dataset;
    const discrete = this.view.discrete;
    const [lo, hi] = d.task === 'binary' || d.task === 'multiclass' ? [0, 1] : this.yRange();
    const classes = d.task === 'multiclass' ? classScale(d.n_classes) : null;
    for (let q = 0; q < 256; q++) {
      let rgb;
      if (meta.encoding === 'class-confidence') {
        const K = meta.levels;
        const C = d.n_classes;
        const c = Math.min(C - 1, Math.floor(q / K));
        const z = discrete ? c + 0.999 : c + ((q % K) / K) * 0.999;
        rgb = scaleRgb(classes, z / C);
      } else {
        const v = meta.lo + (q * (meta.hi - meta.lo)) / 255;
        if (d.task === 'binary') rgb = scaleRgb(BINARY_SCALE, discrete ? (v >= 0.5 ? 1 : 0) : v);
        else rgb = scaleRgb(BINARY_SCALE, (v - lo) / (hi - lo || 1));
      }
      lut.set(rgb, q * 3);
    }
    this.lut = lut;
    this.lutKey = key;
    return lut;
  }
}

/** [[x, y], …] as the arrays [x…] and [y…] a Plotly trace takes. */
function columns(points) {
  return [points.map((p) => p[0]), points.map((p) => p[1])];
}

/**
 * The cost curve: the train cost of every iteration (read from the run's CostHistory, the page's
 * one copy, downsampled to MAX_COST_POINTS buckets that keep their min and max) and the test
 * cost per frame (a ScoreLog: bounded, evenly spaced).
 */
export class CostChart {
  /** @param {HTMLElement} el */
  constructor(el) {
    this.el = el;
    this.view = { log: false, smooth: 0 };
    this.history = null;
    this.reset();
    watchOnScreen(this);
  }

  /**
   * Forget the curve (a new run, or a reset) and read the train costs from `history` from now on.
   * @param {import('./history.js').CostHistory|null} [history] the run's (the recorder's record)
   */
  reset(history = this.history) {
    this.history = history;
    this.epoch = history ? history.epoch : 0;
    this.stride = 1;
    /** The test curve's points [iteration, cost], bounded and evenly spaced (frames on its
     * spacing only, so a point once drawn stays until the log thins). */
    this.testLog = new ScoreLog({ newest: false });
    this.shownUpTo = 0;
    this.rebuild = true;
  }

  /** @param {{log: boolean, smooth: number}} view */
  setView(view) {
    this.view = view;
    this.rebuild = true;
  }

  /**
   * Mark the iteration a past moment shows (timeline.js), or none.
   * @param {number|null} iteration
   */
  setMarker(iteration) {
    if (iteration === (this.marker ?? null)) return;
    this.marker = iteration;
    this.rebuild = true;
  }

  /**
   * A frame's test cost (its train costs are in the run's history).
   * @param {object} header frame header
   */
  add(header) {
    const t = header.test_cost;
    const last = this.testLog.last?.[0] ?? 0;
    if (t != null && header.iteration > last && this.testLog.add([header.iteration, t])) {
      this.rebuild = true; // older points went: draw it anew
    }
  }

  /** @returns {number} the last iteration with a train cost */
  get length() {
    return this.history && this.history.epoch === this.epoch ? this.history.length : 0;
  }

  /** @returns {boolean} whether draw() has anything to show */
  get needsDraw() {
    const s = this.stride;
    const cleared = Boolean(this.history) && this.history.epoch !== this.epoch;
    return Boolean(Plotly()) && (this.onScreen || !this.el.layout) && (this.rebuild || cleared || this.fontSize !== FONT.size
      || Math.floor(this.length / s) * s > this.shownUpTo || this.testLog.items.length > this.testShown);
  }

  /** Draw what arrived since the last draw. */
  draw() {
    if (!Plotly()) return;
    if (this.history && this.history.epoch !== this.epoch) { // the history was cleared (a reset)
      this.epoch = this.history.epoch;
      this.rebuild = true;
    }
    const stride = strideFor(this.length, MAX_COST_POINTS);
    if (stride !== this.stride) {
      this.stride = stride;
      this.rebuild = true;
    }
    const test = this.testLog.items;
    if (this.shownEmpty && (this.length || test.length)) this.rebuild = true; // axes to the data
    if (this.rebuild || this.fontSize !== FONT.size) {
      this.rebuild = false;
      this.fontSize = FONT.size;
      this.ema = null;
      this.emaAt = 0;
      const { x, y, upTo } = this.sample(1);
      this.shownUpTo = upTo;
      const [tx, ty] = columns(test);
      const empty = !x.length && !tx.length;
      this.shownEmpty = empty;
      this.extent = positiveExtent(y, ty);
      const yaxis = this.view.log ? logAxis(...this.extent) : { type: 'linear', ...(empty ? { range: [0, 1] } : {}) };
      const layout = baseLayout({
        xaxis: { title: { text: 'iteration' }, rangemode: 'tozero', ...(empty ? { range: [0, 100] } : {}) },
        yaxis: { title: { text: 'cost J' }, ...yaxis },
        showlegend: !empty, legend: { x: 1, xanchor: 'right', y: 1, bgcolor: 'rgba(255,255,255,0.7)' },
        annotations: empty ? emptyNote('Press ▶ to train:<br>the cost J appears here') : [],
        shapes: this.marker == null ? [] : [{
          type: 'line', x0: this.marker, x1: this.marker, yref: 'paper', y0: 0, y1: 1, line: { color: '#b35900', width: 2, dash: 'dash' },
        }],
      });
      Plotly().react(this.el, [
        { type: 'scatter', mode: 'lines', name: 'train', x, y, line: { color: '#0877bd', width: 2 } },
        { type: 'scatter', mode: 'lines', name: 'test', x: tx, y: ty, line: { color: '#f59322', width: 2, dash: 'dot' } },
      ], layout, CONFIG);
      this.testShown = test.length;
      return;
    }
    const { x, y, upTo } = this.sample(this.shownUpTo + 1);
    const [tx, ty] = columns(test.slice(this.testShown));
    if (!x.length && !tx.length) return;
    this.shownUpTo = upTo;
    this.testShown = test.length;
    Plotly().extendTraces(this.el, { x: [x, tx], y: [y, ty] }, [0, 1]);
    if (this.view.log) { // a log axis has its own ticks (logAxis): follow the data's extent
      const none = Number.isNaN(this.extent[0]); // the axis was a placeholder (no cost yet)
      this.extent = positiveExtent(y, ty, this.extent);
      const [lo, hi] = this.extent.map(Math.log10);
      const shown = this.el.layout.yaxis.range;
      if ((none && !Number.isNaN(lo)) || lo < shown[0] || hi > shown[1]) {
        const { range, tickvals, ticktext } = logAxis(...this.extent);
        Plotly().relayout(this.el, { 'yaxis.range': range, 'yaxis.tickvals': tickvals, 'yaxis.ticktext': ticktext });
      }
    }
  }

  /**
   * The curve from iteration `from` on, in buckets of `stride` iterations: raw, each bucket's min
   * and max; smoothed, the moving average at each bucket's end.
   * @returns {{x: number[], y: (number|null)[], upTo: number}}
   */
  sample(from) {
    if (!this.history || !this.length) return { x: [], y: [], upTo: from - 1 };
    const s = this.stride;
    if (!this.view.smooth) return this.history.downsample(MAX_COST_POINTS, from, s);
    const x = [];
    const y = [];
    let upTo = from - 1;
    for (let end = Math.ceil(from / s) * s; end <= this.length; end += s) {
      let v = NaN;
      while (this.emaAt < end) v = smoothStep(this, this.history.at(++this.emaAt));
      x.push(end);
      y.push(finiteOrNull(v));
      upTo = end;
    }
    return { x, y, upTo };
  }
}

/**
 * One step of the cost chart's exponential moving average (factor view.smooth): a non-finite
 * cost is shown as it is and leaves the average alone.
 */
function smoothStep(chart, v) {
  const a = chart.view.smooth;
  if (!Number.isFinite(v)) return v;
  chart.ema = chart.ema == null || !Number.isFinite(chart.ema) ? v : a * chart.ema + (1 - a) * v;
  return chart.ema;
}

/** Per-layer gradient norms ‖dW[l]‖ over iterations, log scale: vanishing gradients show here. */
export class GradientChart {
  /** @param {HTMLElement} el */
  constructor(el) {
    this.el = el;
    this.pending = null;
    this.lastIteration = -1;
    watchOnScreen(this);
  }

  /** @param {number} L number of weight layers */
  setRun(L) {
    this.L = L;
    this.pending = Array.from({ length: L }, () => ({ x: [], y: [] }));
    this.lastIteration = -1;
    this.needsCreate = true;
  }

  /** @param {object} header a frame header */
  add(header) {
    if (!this.pending || header.iteration === this.lastIteration) return;
    if (header.iteration < this.lastIteration) this.setRun(this.L);
    this.lastIteration = header.iteration;
    (header.gradient_norms || []).forEach((g, l) => {
      if (l >= this.L) return;
      const t = this.pending[l];
      t.x.push(header.iteration);
      t.y.push(g != null && g > 0 ? g : null);
      if (t.x.length > 2 * MAX_GRADIENT_POINTS) { // off screen a long time: the chart keeps the last ones only
        t.x.splice(0, t.x.length - MAX_GRADIENT_POINTS);
        t.y.splice(0, t.y.length - MAX_GRADIENT_POINTS);
      }
    });
  }

  /** @returns {boolean} whether draw() has anything to show */
  get needsDraw() {
    return this.pending !== null && Boolean(Plotly()) && (this.needsCreate || ((this.onScreen || !this.el.layout)
      && (this.fontSize !== FONT.size || this.pending.some((t) => t.x.length))));
  }

  draw() {
    if (!this.pending || !Plotly()) return;
    const p = this.pending;
    const margin = { l: 4 * FONT.size, r: FONT.size, t: 2 * FONT.size, b: 3 * FONT.size };
    const fresh = p.some((t) => t.x.length);
    if (this.shownEmpty && fresh) this.needsCreate = true; // the axes follow the first data
    if (this.needsCreate) {
      this.needsCreate = false;
      this.shownEmpty = !fresh;
      this.extent = positiveExtent(...p.map((t) => t.y));
      Plotly().react(this.el, p.map((t, l) => ({
        type: 'scatter', mode: 'lines', name: `dW[${l + 1}]`, x: t.x, y: t.y,
        line: { color: LAYER_COLORS[l % LAYER_COLORS.length], width: 2 },
      })), baseLayout({
        xaxis: { title: { text: 'iteration' }, rangemode: 'tozero', ...(fresh ? {} : { range: [0, 100] }) },
        yaxis: logAxis(...this.extent),
        showlegend: true, legend: { orientation: 'h', y: 1.02, yanchor: 'bottom', x: 0 }, margin,
        annotations: fresh ? [] : emptyNote('‖dW‖ of each layer<br>once training starts'),
      }), CONFIG);
    } else {
      if (this.fontSize !== FONT.size) Plotly().relayout(this.el, { font: { ...FONT }, margin });
      if (!fresh) return;
      Plotly().extendTraces(this.el, { x: p.map((t) => t.x), y: p.map((t) => t.y) }, p.map((_, l) => l), MAX_GRADIENT_POINTS);
      const none = Number.isNaN(this.extent[0]); // the axis was a placeholder (no norm yet)
      this.extent = positiveExtent(...p.map((t) => t.y), this.extent);
      const [lo, hi] = this.extent.map(Math.log10);
      const shown = this.el.layout.yaxis.range;
      if ((none && !Number.isNaN(lo)) || lo < shown[0] || hi > shown[1]) { // log ticks of our own (logAxis) for the wider extent
        const { range, tickvals, ticktext } = logAxis(...this.extent);
        Plotly().relayout(this.el, { 'yaxis.range': range, 'yaxis.tickvals': tickvals, 'yaxis.ticktext': ticktext });
      }
    }
    this.fontSize = FONT.size;
    this.pending = p.map(() => ({ x: [], y: [] }));
  }
}

/** Per hidden layer: share of saturated unit-examples (tanh, sigmoid) or of dead units (ReLU). */
export class SaturationChart {
  /** @param {HTMLElement} el */
  constructor(el) {
    this.el = el;
    this.stats = null;
    this.activations = [];
    watchOnScreen(this);
  }

  /** @param {string[]} activations hidden layers' activations */
  setRun(activations) {
    this.activations = activations;
    this.stats = [];
    this.dirty = true;
  }

  /** @param {object[]} stats header.activation_stats */
  update(stats) {
    this.stats = stats || [];
    this.dirty = true;
  }

  /** @returns {boolean} whether draw() has anything to show */
  get needsDraw() {
    return this.stats !== null && Boolean(Plotly()) && (this.onScreen || !this.el.layout) && (Boolean(this.dirty) || this.fontSize !== FONT.size);
  }

  draw() {
    if (!this.needsDraw) return;
    this.dirty = false;
    this.fontSize = FONT.size;
    const names = this.activations.map((a, l) => `layer ${l + 1} (${a})`);
    const saturated = this.activations.map((_, l) => this.stats[l]?.saturated ?? null);
    const dead = this.activations.map((_, l) => this.stats[l]?.dead ?? null);
    Plotly().react(this.el, [
      { type: 'bar', name: 'saturated', x: names, y: saturated, marker: { color: '#f59322' }, hovertemplate: '%{y:.1%} saturated<extra></extra>' },
      { type: 'bar', name: 'dead', x: names, y: dead, marker: { color: '#555' }, hovertemplate: '%{y:.1%} dead<extra></extra>' },
    ], baseLayout({
      barmode: 'group', yaxis: { range: [0, 1], tickformat: '.0%' }, showlegend: true,
      legend: { orientation: 'h', y: 1.02, yanchor: 'bottom', x: 0 }, margin: { l: 4 * FONT.size, r: FONT.size, t: 2 * FONT.size, b: 3 * FONT.size },
    }), CONFIG);
  }
}
