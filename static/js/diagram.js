/**
 * The live network diagram: one column per layer, each unit a small canvas showing its
 * activation over the input plane, edges coloured by the sign of w and thick by |w| (an absolute
 * scale, with its legend in #edge-legend). Hover (on a touch screen, a tap) shows exact values,
 * a click enlarges a unit's map; an example followed (exampleFollow.js) is traced through it.
 * Owns #diagram, #edge-legend, #tooltip and #unit-zoom.
 * Built once per run (and on resize); updates only touch attributes and pixels. With no run,
 * waiting for data, it draws the network the settings will build, without weights.
 */

import { CLASS_COLORS, divergingLut } from './colors.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const LUT = divergingLut();
const POS_COLOR = '#0877bd';
const NEG_COLOR = '#f59322';
const RAW_LABELS = { x1: 'x₁', x2: 'x₂' };
/**
 * Edge width is absolute (as in TensorFlow Playground), not relative to the frame's largest |w|:
 * it grows linearly with |w| up to this weight and stays full beyond, so weights of 0.01 at
 * initialization look thin and trained weights of 3 look thick, and a legend can say so.
 */
export const EDGE_FULL_WEIGHT = 4;
const EDGE_LEGEND = [0.1, 1, 2, EDGE_FULL_WEIGHT];
/** A traced example's edges drawn bold: its terms W[l]_kj a[l-1]_j at least this share of the layer's largest. */
const EDGE_TRACE_SHARE = 0.25;
const FEATURE_FN = {
  x1: (a) => a, x2: (a, b) => b, x1_squared: (a) => a * a, x2_squared: (a, b) => b * b,
  x1_x2: (a, b) => a * b, sin_x1: (a) => Math.sin(a), sin_x2: (a, b) => Math.sin(b),
};

export class Diagram {
  /**
   * @param {HTMLElement} root the #diagram container
   * @param {object} options GET /api/options (feature labels)
   */
  constructor(root, options) {
    this.root = root;
    this.labels = { ...RAW_LABELS, ...Object.fromEntries(options.features.map((f) => [f.name, f.label])) };
    this.tooltip = document.getElementById('tooltip');
    this.zoom = document.getElementById('unit-zoom');
    this.zoomCanvas = document.getElementById('zoom-canvas');
    this.zoomTitle = document.getElementById('zoom-title');
    this.zoomValues = document.getElementById('zoom-values');
    this.legend = document.getElementById('edge-legend');
    this.created = null;
    this.params = null;
    this.maps = null;
    this.zoomed = null;
    /** What a planned network waits for (setPlanned), shown over it; null with a run. */
    this.note = null;
    /** The edge or input ("l,k,j" / "0,k") whose values a tap pinned, or false. */
    this.pinned = false;
    this.bindPointer();
    new ResizeObserver(() => this.onResize()).observe(root);
  }

  /**
   * Build the diagram for a new run (the `created` payload).
   * @param {object} created
   */
  setNetwork(created) {
    this.created = created;
    this.note = null;
    delete this.root.dataset.planned;
    // What the server built, for tests and curious readers: the diagram shows exactly this.
    Object.assign(this.root.dataset, {
      run: created.run,
      layerDims: created.network.layer_dims.join(','),
      activations: created.network.activations.join(','),
      dataset: created.dataset.name,
    });
    this.params = null;
    this.maps = null;
    this.boundary = null;
    this.traced = null;
    this.dirty = false; // what the last run's details asked to draw is gone with them
    this.boundaryDirty = false;
    this.unpin();
    this.build();
  }

  /**
   * No run yet, waiting for data: the network the settings will build (state.js
   * plannedNetwork), with neutral edges and empty unit maps (no weights yet), under a note of
   * what it waits for. Not a run: the root gets data-planned, no data-run.
   * @param {object} planned plannedNetwork's
   */
  setPlanned(planned) {
    this.clear();
    this.created = planned;
    this.note = planned.waiting;
    Object.assign(this.root.dataset, {
      planned: 'true',
      layerDims: planned.network.layer_dims.join(','),
      activations: planned.network.activations.join(','),
    });
    this.build();
  }

  /** No run: an empty diagram. */
  clear() {
    this.note = null;
    delete this.root.dataset.planned;
    this.created = null;
    this.traced = null;
    this.params = null;
    this.maps = null;
    this.boundary = null;
    this.dirty = false;
    this.boundaryDirty = false;
    this.root.replaceChildren();
    delete this.root.dataset.run;
    delete this.root.dataset.dataset;
  }

  onResize() {
    const { clientWidth: w, clientHeight: h } = this.root;
    if (!this.created || (w === this.size?.w && h === this.size?.h)) return;
    clearTimeout(this.resizeTimer);
    this.resizeTimer = setTimeout(() => {
      this.build();
      if (this.params) this.drawEdges();
      if (this.maps) this.drawMaps();
      if (this.boundary) this.drawOutput();
    }, 80);
  }

  build() {
    const dims = shownDims(this.created);
    const w = this.root.clientWidth || 600;
    const h = this.root.clientHeight || 360;
    this.size = { w, h };
    const columns = dims.length;
    const colWidth = w / columns;
    const most = Math.max(...dims);
    const em = parseFloat(getComputedStyle(this.root).fontSize);
    const noteHeight = this.note ? 2.4 * em : 0; // the note's line (or two) above the units
    const room = h - noteHeight;
    const node = Math.max(10, Math.min(colWidth * 0.42, (room - 16) / (most * 1.2), 5.5 * em));
    const gap = Math.min(node * 1.35, (room - 8) / most);
    this.node = node;
    this.positions = dims.map((n, l) => {
      const x = (l + 0.5) * colWidth;
      const top = noteHeight + room / 2 - ((n - 1) * gap) / 2;
      return Array.from({ length: n }, (_, k) => ({ x, y: top + k * gap }));
    });
    const svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('width', w);
    svg.setAttribute('height', h);
    svg.setAttribute('viewBox', `0 0 ${w} ${h}`);
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', `network ${dims.join(' → ')}`);
    const edges = document.createElementNS(SVG_NS, 'g');
    const hits = document.createElementNS(SVG_NS, 'g');
    hits.setAttribute('class', 'hits');
    this.edges = [];
    for (let l = 1; l < columns; l++) {
      const layer = [];
      for (let k = 0; k < dims[l]; k++) {
        for (let j = 0; j < dims[l - 1]; j++) {
          const a = this.positions[l - 1][j];
          const b = this.positions[l][k];
          const x0 = a.x + node / 2;
          const x1 = b.x - node / 2;
          const mx = (x0 + x1) / 2;
          const d = `M${x0},${a.y} C${mx},${a.y} ${mx},${b.y} ${x1},${b.y}`;
          const path = document.createElementNS(SVG_NS, 'path');
          path.setAttribute('d', d);
          path.setAttribute('class', 'edge');
          path.setAttribute('stroke', '#c8cfd6');
          edges.append(path);
          const hit = document.createElementNS(SVG_NS, 'path');
          hit.setAttribute('d', d);
          hit.dataset.edge = `${l},${k},${j}`;
          hits.append(hit);
          layer.push(path);
        }
      }
      this.edges.push(layer);
    }
    svg.append(edges, hits);
    const units = document.createElement('div');
    units.className = 'units-layer';
    this.canvases = [];
    this.dims = dims;
    const inputs = this.inputNames();
    dims.forEach((n, l) => {
      const column = [];
      for (let k = 0; k < n; k++) {
        const p = this.positions[l][k];
        const box = document.createElement('div');
        box.className = `unit ${l === 0 ? 'input' : l === columns - 1 ? 'output' : 'hidden'}`;
        box.dataset.unit = `${l},${k}`;
        box.dataset.testid = `unit-${l}-${k}`;
        box.style.cssText = `left:${p.x - node / 2}px;top:${p.y - node / 2}px;width:${node}px;height:${node}px`;
        const canvas = document.createElement('canvas');
        canvas.width = canvas.height = 1;
        box.append(canvas);
        if (l === 0) {
          const label = document.createElement('span');
          label.className = 'input-label';
          label.textContent = this.labels[inputs[k]] || inputs[k];
          box.append(label);
        }
        units.append(box);
        column.push(canvas);
      }
      this.canvases.push(column);
    });
    this.root.replaceChildren(svg, units);
    if (this.note) {
      const note = document.createElement('p');
      note.className = 'diagram-note';
      note.dataset.testid = 'diagram-waiting';
      note.textContent = this.note;
      this.root.append(note);
    }
    this.drawInputs();
    this.drawLegend();
    this.applyTrace();
  }

  /**
   * Trace one example's path through the network (the server's `example` answer): every unit
   * ringed in the colour of its activation for this example (inputs: their value), the layer's
   * strongest terms W[l]_kj a[l-1]_j drawn bold, the other edges dimmed.
   * @param {object} example
   */
  trace(example) {
    this.traced = example;
    this.applyTrace();
  }

  /** No example traced. */
  untrace() {
    this.traced = null;
    this.applyTrace();
  }

  applyTrace() {
    const t = this.traced;
    this.root.classList.toggle('tracing', Boolean(t && this.dims));
    for (const box of this.root.querySelectorAll('.unit.traced')) {
      box.classList.remove('traced');
      box.style.removeProperty('--trace');
      delete box.dataset.activation;
    }
    for (const path of this.root.querySelectorAll('.edge.traced-edge')) {
      path.classList.remove('traced-edge');
      delete path.dataset.traced;
      path.style.removeProperty('stroke-width');
    }
    if (!t || !this.dims || t.layers.length !== this.dims.length - 1) return;
    const ring = (l, k, value, scale) => {
      const box = this.root.querySelector(`[data-unit="${l},${k}"]`);
      if (!box || value == null) return;
      const i = Math.max(0, Math.min(255, Math.round((value / (scale || 1) + 1) * 127.5))) * 3;
      box.classList.add('traced');
      box.style.setProperty('--trace', `rgb(${LUT[i]},${LUT[i + 1]},${LUT[i + 2]})`);
      box.dataset.activation = String(value);
    };
    const largest = (values) => Math.max(...values.map((v) => Math.abs(v ?? 0))) || 1;
    const allInputs = this.dims[0] === t.input.n;
    if (allInputs) t.input.units.forEach((j, i) => ring(0, j, t.input.x[i], largest(t.input.x)));
    t.layers.forEach((layer) => {
      const scale = largest(layer.a); // relative to the layer's largest |a|: the path shows even at small weights
      layer.a.forEach((a, k) => ring(layer.l, k, a, scale));
      if (layer.l === 1 && !allInputs) return; // one input node: its edges are row norms
      const paths = this.edges[layer.l - 1];
      // The strongest terms only: within a factor EDGE_TRACE_SHARE of the layer's largest.
      const top = Math.max(...layer.edges.map(([, , v]) => Math.abs(v ?? 0)));
      for (const [k, j, v] of layer.edges) {
        if (!(Math.abs(v ?? Infinity) >= EDGE_TRACE_SHARE * top)) continue;
        const path = paths?.[k * this.dims[layer.l - 1] + j];
        if (!path) continue;
        path.classList.add('traced-edge');
        path.dataset.traced = `${layer.l},${k},${j}`;
        const width = parseFloat(path.getAttribute('stroke-width')) || 1;
        path.style.setProperty('stroke-width', `${Math.max(width, this.edgeThickness() * 0.8, 2.5).toFixed(2)}px`);
      }
    });
  }

  inputNames() {
    if (this.created.inputs) return this.created.inputs; // a planned network's
    const d = this.created.dataset;
    if (d.train == null) { // no plane: images (one node for all pixels) or a table's columns
      if (shownDims(this.created)[0] < d.n_x) return [`${d.n_x} ${d.source?.kind === 'images' ? 'pixels' : 'inputs'}`];
      return d.source?.feature_names || Array.from({ length: d.n_x }, (_, k) => `x${k + 1}`);
    }
    const raw = d.train.x2 == null ? ['x1'] : ['x1', 'x2'];
    return [...raw, ...(d.features || [])];
  }

  drawInputs() {
    const d = this.created.dataset;
    if (d.train == null) return; // no plane to draw the inputs over
    const r = 24;
    const [x1lo, x1hi, x2lo, x2hi] = d.bounds;
    this.inputNames().forEach((name, k) => {
      const fn = FEATURE_FN[name];
      const canvas = this.canvases[0][k];
      if (!fn) return;
      const oneD = d.train.x2 == null;
      const values = new Float32Array(r * (oneD ? 1 : r));
      let max = 0;
      for (let i = 0; i < (oneD ? 1 : r); i++) {
        const b = x2lo + ((x2hi - x2lo) * i) / (r - 1);
        for (let j = 0; j < r; j++) {
          const a = x1lo + ((x1hi - x1lo) * j) / (r - 1);
          const v = fn(a, b);
          values[i * r + j] = v;
          max = Math.max(max, Math.abs(v));
        }
      }
      paint(canvas, r, oneD ? 1 : r, (i) => (values[i] / (max || 1) + 1) * 127.5);
    });
  }

  /**
   * Take a `detail` message's parameters and maps.
   * @param {{W: Float32Array[], b: Float32Array[]}} params
   * @param {{data: Uint8Array, meta: object}|undefined} maps
   */
  updateDetail(params, maps) {
    if (!this.created) return;
    this.params = params;
    if (maps) this.maps = maps;
    this.dirty = true;
  }

  /** @param {{data: Uint8Array, meta: object}} boundary the frame's boundary blob */
  updateBoundary(boundary) {
    this.boundary = boundary;
    this.boundaryDirty = true;
  }

  /** Draw what changed since the last draw (called once per animation frame at most). */
  draw() {
    if (this.dirty) {
      this.dirty = false;
      this.drawEdges();
      if (this.maps) this.drawMaps();
      if (this.zoomed) this.drawZoom();
    }
    if (this.boundaryDirty) {
      this.boundaryDirty = false;
      this.drawOutput();
    }
  }

  drawEdges() {
    const { W } = this.params;
    const thick = this.edgeThickness();
    W.forEach((Wl, l) => {
      const paths = this.edges[l];
      if (!paths) return;
      for (let i = 0; i < Wl.length; i++) {
        const w = Wl[i];
        const { width, opacity } = edgeStyle(w, thick);
        const path = paths[i];
        path.setAttribute('stroke', w >= 0 ? POS_COLOR : NEG_COLOR);
        path.setAttribute('stroke-width', width.toFixed(2));
        path.setAttribute('stroke-opacity', opacity.toFixed(2));
      }
    });
  }

  /** The extra width of an edge at |w| ≥ EDGE_FULL_WEIGHT, px: grows with the units. */
  edgeThickness() {
    return Math.max(1.5, (this.node || 24) / 6);
  }

  /** The legend under the diagram: the same edge widths at a few |w| (owns #edge-legend). */
  drawLegend() {
    if (!this.legend) return;
    const thick = this.edgeThickness();
    const samples = EDGE_LEGEND.map((w) => {
      const { width, opacity } = edgeStyle(w, thick);
      const h = Math.ceil(width) + 2;
      const svg = document.createElementNS(SVG_NS, 'svg');
      svg.setAttribute('width', '28');
      svg.setAttribute('height', String(h));
      svg.setAttribute('aria-hidden', 'true');
      const line = document.createElementNS(SVG_NS, 'line');
      Object.entries({ x1: 1, x2: 27, y1: h / 2, y2: h / 2, stroke: '#556', 'stroke-width': width.toFixed(2), 'stroke-opacity': opacity.toFixed(2) })
        .forEach(([k, v]) => line.setAttribute(k, String(v)));
      svg.append(line);
      const item = document.createElement('span');
      item.className = 'edge-sample';
      item.dataset.weight = String(w);
      item.dataset.width = width.toFixed(2);
      const label = document.createElement('span');
      label.textContent = w >= EDGE_FULL_WEIGHT ? `≥ ${w}` : String(w);
      item.append(svg, label);
      return item;
    });
    const title = document.createElement('span');
    title.className = 'edge-legend-title';
    title.textContent = 'edge width, |w|:';
    this.legend.replaceChildren(title, ...samples);
  }

  drawMaps() {
    const { data, meta } = this.maps;
    const [count, r1, r2] = meta.shape;
    const rows = r2 === undefined ? 1 : r1;
    const cols = r2 === undefined ? r1 : r2;
    const size = rows * cols;
    let unit = 0;
    for (let l = 1; l < this.dims.length - 1 && unit < count; l++) {
      for (let k = 0; k < this.dims[l]; k++, unit++) {
        const lo = meta.lo[unit];
        const hi = meta.hi[unit];
        const scale = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
        const span = (hi - lo) / 255;
        const offset = unit * size;
        paint(this.canvases[l][k], cols, rows, (i) => ((lo + data[offset + i] * span) / scale + 1) * 127.5);
      }
    }
  }

  drawOutput() {
    const canvas = this.canvases?.[this.dims.length - 1];
    if (!canvas || !this.boundary) return;
    const { data, meta } = this.boundary;
    const r = meta.shape[0];
    const rows = meta.shape.length === 1 ? 1 : r;
    if (meta.encoding === 'class-confidence') {
      const K = meta.levels;
      const image = new ImageData(r, rows);
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < r; j++) {
          const q = data[i * r + j];
          const hex = CLASS_COLORS[Math.floor(q / K) % CLASS_COLORS.length];
          const t = 0.25 + 0.75 * ((q % K) / K);
          const o = ((rows - 1 - i) * r + j) * 4;
          for (let c = 0; c < 3; c++) image.data[o + c] = 255 + (parseInt(hex.slice(1 + 2 * c, 3 + 2 * c), 16) - 255) * t;
          image.data[o + 3] = 255;
        }
      }
      canvas.forEach((cv) => putImage(cv, image));
      return;
    }
    canvas.forEach((cv) => paint(cv, r, rows, (i) => data[i]));
  }

  bindPointer() {
    this.root.addEventListener('pointermove', (event) => {
      if (event.pointerType === 'mouse') this.pinned = false;
      if (!this.pinned) this.hover(event);
    });
    this.root.addEventListener('pointerleave', () => { if (!this.pinned) this.tooltip.hidden = true; });
    // A touch screen has no hover: a tap on an edge (or an input) pins its values until the
    // next tap elsewhere; a tap on the same edge again unpins them.
    document.addEventListener('pointerdown', (event) => {
      if (this.pinned && !this.root.contains(event.target)) this.unpin();
    });
    this.root.addEventListener('click', (event) => {
      const edge = event.target.dataset?.edge;
      if (edge || event.target.closest('[data-unit^="0,"]')) {
        if (this.pinned === (edge || event.target.closest('[data-unit]').dataset.unit)) this.unpin();
        else if (this.hover(event)) this.pinned = edge || event.target.closest('[data-unit]').dataset.unit;
        return;
      }
      this.unpin();
      const box = event.target.closest('[data-unit]');
      if (!box) return;
      const [l, k] = box.dataset.unit.split(',').map(Number);
      if (l === 0) return;
      this.zoomed = { l, k };
      this.zoom.hidden = false;
      this.drawZoom();
    });
    this.zoom.addEventListener('click', (event) => {
      if (event.target === this.zoom || event.target.closest('[data-close]')) this.closeZoom();
    });
  }

  /** Close the enlarged map. */
  closeZoom() {
    this.zoomed = null;
    this.zoom.hidden = true;
  }

  /** Take the pinned values away. */
  unpin() {
    this.pinned = false;
    this.tooltip.hidden = true;
  }

  /** @returns {boolean} whether the pointer is over something with values (shown) */
  hover(event) {
    const text = this.describe(event.target);
    if (!text) {
      this.tooltip.hidden = true;
      return false;
    }
    this.tooltip.textContent = text;
    this.tooltip.hidden = false;
    // Beside the pointer, kept on screen (a tap near the right edge of a tablet).
    const { width, height } = this.tooltip.getBoundingClientRect();
    this.tooltip.style.left = `${Math.max(4, Math.min(event.clientX + 14, innerWidth - width - 4))}px`;
    this.tooltip.style.top = `${Math.max(4, Math.min(event.clientY + 14, innerHeight - height - 4))}px`;
    return true;
  }

  describe(target) {
    if (!this.created) return null;
    const edge = target.dataset?.edge;
    if (edge) {
      const [l, k, j] = edge.split(',').map(Number);
      const w = this.params?.W[l - 1][k * this.dims[l - 1] + j];
      return `W[${l}][${k + 1},${j + 1}] = ${num(w)}\nfrom ${this.unitName(l - 1, j)} to ${this.unitName(l, k)}`;
    }
    const box = target.closest?.('[data-unit]');
    if (!box) return null;
    const [l, k] = box.dataset.unit.split(',').map(Number);
    if (l === 0) return `input ${this.unitName(0, k)}`;
    if (this.created.planned) {
      const act = this.created.network.activations[l - 1];
      return `${this.unitName(l, k)} (${act === '?' ? 'its activation follows the label column' : act})\nno weights yet: ${this.note}`;
    }
    const b = this.params?.b[l - 1][k];
    const act = this.created.network.activations[l - 1];
    const n = this.dims[l - 1];
    const weights = this.params ? Array.from(this.params.W[l - 1].subarray(k * n, k * n + n), num).join(', ') : '…';
    const traced = this.traced?.layers[l - 1];
    const example = traced ? `\nthe example followed: z = ${num(traced.z[k])}, a = ${num(traced.a[k])}` : '';
    return `${this.unitName(l, k)} (${act})\nb[${l}][${k + 1}] = ${num(b)}\nW[${l}][${k + 1},:] = [${weights}]${example}`;
  }

  unitName(l, k) {
    if (l === 0) return this.labels[this.inputNames()[k]] || `x${k + 1}`;
    if (l === this.dims.length - 1) return `output unit ${k + 1}`;
    return `unit ${k + 1} of layer ${l}`;
  }

  drawZoom() {
    const { l, k } = this.zoomed;
    this.zoomTitle.textContent = `${this.unitName(l, k)} — ${this.created.network.activations[l - 1]}`;
    const source = this.canvases[l]?.[k];
    if (source) {
      this.zoomCanvas.width = source.width;
      this.zoomCanvas.height = source.height;
      this.zoomCanvas.getContext('2d').drawImage(source, 0, 0);
    }
    const unit = this.maps && l < this.dims.length - 1 ? this.dims.slice(1, l).reduce((a, b) => a + b, 0) + k : null;
    const range = unit != null ? `\nmap range: ${num(this.maps.meta.lo[unit])} … ${num(this.maps.meta.hi[unit])}` : '';
    this.zoomValues.textContent = this.describe(this.root.querySelector(`[data-unit="${l},${k}"]`)) + range;
  }
}

/**
 * How an edge of weight w is drawn: its stroke width (px) and opacity, on the absolute scale.
 * @param {number} w
 * @param {number} thick the extra width at |w| ≥ EDGE_FULL_WEIGHT, px
 * @returns {{width: number, opacity: number}}
 */
export function edgeStyle(w, thick) {
  const t = Number.isFinite(w) ? Math.min(1, Math.abs(w) / EDGE_FULL_WEIGHT) : 1;
  return { width: 0.4 + thick * t, opacity: 0.3 + 0.7 * t };
}

function num(v) {
  return v == null ? '…' : Number(v).toPrecision(4);
}

/** Paint a (rows × cols) grid, row 0 = lowest x2, into a canvas through the diverging LUT. */
function paint(canvas, cols, rows, indexOf) {
  const image = new ImageData(cols, rows);
  const px = image.data;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const idx = Math.max(0, Math.min(255, Math.round(indexOf(i * cols + j)))) * 3;
      const o = ((rows - 1 - i) * cols + j) * 4;
      px[o] = LUT[idx];
      px[o + 1] = LUT[idx + 1];
      px[o + 2] = LUT[idx + 2];
      px[o + 3] = 255;
    }
  }
  putImage(canvas, image);
}

function putImage(canvas, image) {
  if (canvas.width !== image.width || canvas.height !== image.height) {
    canvas.width = image.width;
    canvas.height = image.height;
  }
  canvas.getContext('2d').putImageData(image, 0, 0);
}

/**
 * The layer sizes the diagram draws: wide inputs (images) are one node, whose edges carry the
 * norms of W[1]'s rows (the server sends them so, see `network.inputs_shown`).
 * @param {object} created
 * @returns {number[]}
 */
export function shownDims(created) {
  const dims = created.network.layer_dims;
  return [created.network.inputs_shown ?? dims[0], ...dims.slice(1)];
}
