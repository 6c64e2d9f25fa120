/**
 * The live network diagram: one column per layer, each unit a small canvas showing its
 * activation over the input plane, edges coloured by the sign of w and thick by |w| (an absolute
 * scale, with its legend in #edge-legend). Hover (on a touch screen, a tap) shows exact values;
 * hovering (or focusing) a unit hands its map to `bindUnitShown`'s handler (the big boundary plot
 * shows it); a click on an edge opens an inline editor of its weight (#param-editor), a click on a
 * unit enlarges its map with editable b and W[l] row (#unit-zoom; Tab and Enter reach it too).
 * Over a plane, the first column holds every input the data may have (x₁, x₂ and each derived
 * feature), each with a checkbox: unticked ones are greyed and feed nothing (`bindFeatures`).
 * An example followed (exampleFollow.js) is traced through it.
 * Owns #diagram, #edge-legend, #tooltip, #param-editor and #unit-zoom.
 * Built once per run (and on resize); updates only touch attributes and pixels. With no run,
 * waiting for data, it draws the network the settings will build, without weights.
 */

import { CLASS_COLORS, divergingLut } from './colors.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const LUT = divergingLut();
const POS_COLOR = '#0877bd';
const NEG_COLOR = '#f59322';
const RAW_LABELS = { x1: 'x₁', x2: 'x₂' };
/** The largest |w| or |b| the editor sends (app/protocol.py PARAMETER_BOUND). */
export const PARAMETER_BOUND = 100;
const SUBSCRIPTS = '₀₁₂₃₄₅₆₇₈₉';
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
    /** The derived features, in the menus' order (the data panel's checkboxes too). */
    this.featureNames = options.features.map((f) => f.name);
    this.tooltip = document.getElementById('tooltip');
    this.editor = document.getElementById('param-editor');
    this.editorName = document.getElementById('param-name');
    this.editorValue = document.getElementById('param-value');
    this.zoomEdit = document.getElementById('zoom-edit');
    /** The parameter the inline editor edits: {layer, row, col} (col null: a bias), or null. */
    this.editing = null;
    /** Whether the run shown is this page's to change (not a watched one: a class's teacher's). */
    this.editable = true;
    /** The unit whose map the boundary plot shows ({l, k}), or null. */
    this.shown = null;
    this.handlers = { edit: () => {}, features: () => {}, unitShown: () => {} };
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
    this.bindEditor();
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
    this.closeEditor();
    this.showUnit(null);
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

  /**
   * Call `handler({layer, row, col, value})` when the user sets a weight W[layer][row, col]
   * (0-based row and col) or, col null, a bias b[layer][row].
   * @param {(p: {layer: number, row: number, col: number|null, value: number}) => void} handler
   */
  bindEdit(handler) {
    this.handlers.edit = handler;
  }

  /**
   * Call `handler(features)` with the derived features ticked on the input nodes (menu order).
   * @param {(features: string[]) => void} handler
   */
  bindFeatures(handler) {
    this.handlers.features = handler;
  }

  /**
   * Call `handler(unit)` when the unit the boundary plot should show changes, and with each new
   * map of it: {l, k, label, r, indices} (indices: r × r bytes into the diverging colour
   * table, row 0 the lowest x2, as the diagram paints it), or null for the output again.
   * @param {(unit: object|null) => void} handler
   */
  bindUnitShown(handler) {
    this.handlers.unitShown = handler;
  }

  /**
   * Whether the run shown may be changed from here (its weights, biases and inputs): not while
   * following someone else's run.
   * @param {boolean} editable
   */
  setEditable(editable) {
    this.editable = editable;
    this.root.classList.toggle('read-only', !editable);
    if (!editable) this.closeEditor();
    for (const box of this.root.querySelectorAll('.input-label input[data-feature]')) box.disabled = !editable;
    if (this.zoomed) this.buildZoomEdit();
  }

  /**
   * Tick the input nodes' checkboxes as the state says (the data panel shows the same state).
   * @param {string[]} features
   */
  renderFeatures(features) {
    for (const box of this.root.querySelectorAll('.input-label input[data-feature]')) {
      box.checked = features.includes(box.dataset.feature);
    }
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
    this.closeEditor();
    this.showUnit(null);
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
    const nodes = this.inputNodes();
    /** The input node each column j of W[1] comes from (unused features have no column). */
    this.inputSlot = nodes.map((node, i) => (node.used ? i : -1)).filter((i) => i >= 0);
    const layout = [nodes.length, ...dims.slice(1)];
    const w = this.root.clientWidth || 600;
    const h = this.root.clientHeight || 360;
    this.size = { w, h };
    const columns = dims.length;
    const colWidth = w / columns;
    const most = Math.max(...layout);
    const em = parseFloat(getComputedStyle(this.root).fontSize);
    const noteHeight = this.note ? 2.4 * em : 0; // the note's line (or two) above the units
    const room = h - noteHeight;
    const node = Math.max(10, Math.min(colWidth * 0.42, (room - 16) / (most * 1.2), 5.5 * em));
    const gap = Math.min(node * 1.35, (room - 8) / most);
    this.node = node;
    this.positions = layout.map((n, l) => {
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
          const a = this.positions[l - 1][l === 1 ? this.inputSlot[j] : j];
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
    this.nodes = nodes;
    layout.forEach((n, l) => {
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
          box.classList.toggle('unused', !nodes[k].used);
          box.append(this.inputLabel(nodes[k]));
        } else {
          // A unit is a button: Enter (or a click) enlarges its map and edits its parameters.
          box.tabIndex = 0;
          box.setAttribute('role', 'button');
          box.setAttribute('aria-label', `${this.unitName(l, k)}: show its map; Enter enlarges it and edits its bias`);
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
    if (this.shown) this.showUnit(this.shown); // a resize rebuilt it: the plot keeps showing it
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
    if (allInputs) t.input.units.forEach((j, i) => ring(0, this.inputSlot[j], t.input.x[i], largest(t.input.x))); // W[1]'s column j: its node
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

  /**
   * The input nodes the first column shows: over a plane whose inputs can be chosen (built-in
   * 2-D data, drawn points), x₁, x₂ and every derived feature, those the run uses marked
   * `used`; otherwise the run's own inputs (a table's columns, one node for an image's pixels).
   * @returns {{name: string, used: boolean, choosable: boolean}[]}
   */
  inputNodes() {
    const used = this.inputNames();
    if (!this.featuresChoosable()) return used.map((name) => ({ name, used: true, choosable: false }));
    return ['x1', 'x2', ...this.featureNames].map((name) => ({
      name, used: used.includes(name), choosable: !RAW_LABELS[name],
    }));
  }

  /** The names of the run's inputs, in the order of W[1]'s columns. */
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

  /** Whether the run's inputs are the plane's and derived features may be added to them. */
  featuresChoosable() {
    const d = this.created.dataset;
    return Boolean(this.featureNames.length && d.train && d.train.x2 != null
      && ['builtin', 'drawn'].includes(d.source?.kind ?? 'builtin'));
  }

  /** An input node's label: its name, after a checkbox where the inputs can be chosen. */
  inputLabel(node) {
    const label = document.createElement('label');
    label.className = 'input-label';
    const text = document.createElement('span');
    text.textContent = this.labels[node.name] || node.name;
    if (this.featuresChoosable()) {
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.checked = node.used;
      box.dataset.testid = `diagram-feature-${node.name}`;
      if (node.choosable) {
        box.dataset.feature = node.name;
        box.disabled = !this.editable;
        box.title = node.used ? `untick to stop feeding ${text.textContent} to the network` : `tick to feed ${text.textContent} to the network`;
        box.addEventListener('change', () => this.handlers.features(this.tickedFeatures()));
      } else {
        box.disabled = true; // the raw coordinates are always the network's first inputs
        box.title = `${text.textContent} is always an input`;
      }
      label.append(box);
    }
    label.append(text);
    return label;
  }

  /** The derived features ticked on the input nodes, in the menus' order. */
  tickedFeatures() {
    const ticked = new Set([...this.root.querySelectorAll('.input-label input[data-feature]')].filter((b) => b.checked).map((b) => b.dataset.feature));
    return this.featureNames.filter((name) => ticked.has(name));
  }

  drawInputs() {
    const d = this.created.dataset;
    this.inputMaps = [];
    if (d.train == null) return; // no plane to draw the inputs over
    const r = 24;
    const [x1lo, x1hi, x2lo, x2hi] = d.bounds;
    this.nodes.forEach(({ name }, k) => {
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
      const indices = lutIndices(values.length, (i) => (values[i] / (max || 1) + 1) * 127.5);
      if (!oneD) this.inputMaps[k] = { r, indices };
      paintIndices(canvas, r, oneD ? 1 : r, indices);
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
    /** Each hidden unit's map as colour-table indices, by "l,k" (what showUnit hands on). */
    this.unitMaps = {};
    let unit = 0;
    for (let l = 1; l < this.dims.length - 1 && unit < count; l++) {
      for (let k = 0; k < this.dims[l]; k++, unit++) {
        const lo = meta.lo[unit];
        const hi = meta.hi[unit];
        const scale = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
        const span = (hi - lo) / 255;
        const offset = unit * size;
        const indices = lutIndices(size, (i) => ((lo + data[offset + i] * span) / scale + 1) * 127.5);
        if (r2 !== undefined) this.unitMaps[`${l},${k}`] = { r: cols, indices };
        paintIndices(this.canvases[l][k], cols, rows, indices);
      }
    }
    if (this.shown) this.showUnit(this.shown); // its new map goes to the plot too
  }

  /**
   * Show a unit's map in the boundary plot (through `bindUnitShown`'s handler), or the output
   * again (null). Hidden units and the inputs over a plane have maps; the output is the plot.
   * @param {{l: number, k: number}|null} unit
   */
  showUnit(unit) {
    if (this.created?.dataset.train?.x2 == null) unit = null; // no plane: no map to show
    const before = this.shown;
    const map = unit && this.created ? (unit.l === 0 ? this.inputMaps?.[unit.k] : this.unitMaps?.[`${unit.l},${unit.k}`]) : null;
    const isOutput = unit && this.dims && unit.l === this.dims.length - 1;
    this.shown = unit && !isOutput && (map || unit.l > 0) ? { l: unit.l, k: unit.k } : null;
    if (before && (!this.shown || before.l !== this.shown.l || before.k !== this.shown.k)) {
      this.root.querySelector(`[data-unit="${before.l},${before.k}"]`)?.classList.remove('shown');
    }
    if (!this.shown) {
      if (before) this.handlers.unitShown(null);
      return;
    }
    this.root.querySelector(`[data-unit="${unit.l},${unit.k}"]`)?.classList.add('shown');
    if (!map) return; // its first map is on its way (drawMaps calls again)
    this.handlers.unitShown({ l: unit.l, k: unit.k, label: this.shownLabel(unit.l, unit.k), ...map });
  }

  /** What the plot says it shows: "layer 1, unit 3: a[1]₃" (an input: "input x₁²"). */
  shownLabel(l, k) {
    if (l === 0) return `input ${this.labels[this.nodes[k].name] || this.nodes[k].name}`;
    const sub = String(k + 1).replace(/\d/g, (c) => SUBSCRIPTS[c]);
    return `layer ${l}, unit ${k + 1}: a[${l}]${sub}`;
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
      if (event.pointerType === 'mouse') this.showUnit(this.unitAt(event.target));
    });
    this.root.addEventListener('pointerleave', (event) => {
      if (!this.pinned) this.tooltip.hidden = true;
      if (event.pointerType === 'mouse') this.showUnit(null);
    });
    // A touch screen has no hover: a tap on an edge (or an input) pins its values until the
    // next tap elsewhere; a tap on the same edge again unpins them. A tap on a unit shows its
    // map in the plot until the next tap elsewhere.
    document.addEventListener('pointerdown', (event) => {
      if (this.pinned && !this.root.contains(event.target) && !this.editor.contains(event.target)) this.unpin();
      if (this.editing && !this.editor.contains(event.target) && !event.target.dataset?.edge) this.closeEditor();
      if (event.pointerType !== 'mouse' && !this.zoom.contains(event.target)) this.showUnit(this.unitAt(event.target));
    });
    // Keyboard focus (Tab) shows a unit's map as hover does; a click's focus leaves it to hover.
    this.root.addEventListener('focusin', (event) => {
      if (event.target.matches(':focus-visible')) this.showUnit(this.unitAt(event.target));
    });
    this.root.addEventListener('focusout', (event) => {
      if (!this.root.contains(event.relatedTarget)) this.showUnit(null);
    });
    this.root.addEventListener('keydown', (event) => {
      const box = event.target.closest?.('[data-unit]');
      if (!box || event.target !== box || (event.key !== 'Enter' && event.key !== ' ')) return;
      event.preventDefault();
      event.stopPropagation(); // Space on a unit is the unit's, not play (shortcuts.js)
      this.openZoom(box);
    });
    this.root.addEventListener('click', (event) => {
      if (event.target.closest('.input-label')) return; // its checkbox
      const edge = event.target.dataset?.edge;
      if (edge || event.target.closest('[data-unit^="0,"]')) {
        if (this.pinned === (edge || event.target.closest('[data-unit]').dataset.unit)) {
          this.unpin();
          this.closeEditor();
        } else if (this.hover(event)) {
          this.pinned = edge || event.target.closest('[data-unit]').dataset.unit;
          if (edge) this.openEditor(edge, event);
        }
        return;
      }
      this.unpin();
      this.closeEditor();
      const box = event.target.closest('[data-unit]');
      if (box) this.openZoom(box);
    });
    this.zoom.addEventListener('click', (event) => {
      if (event.target === this.zoom || event.target.closest('[data-close]')) this.closeZoom();
    });
  }

  /** @returns {{l: number, k: number}|null} the unit under (or focused at) an element */
  unitAt(target) {
    const box = target?.closest?.('[data-unit]');
    if (!box || !this.root.contains(box)) return null;
    const [l, k] = box.dataset.unit.split(',').map(Number);
    return { l, k };
  }

  /** Enlarge a unit's map (hidden or output units), with its parameters to edit. */
  openZoom(box) {
    const [l, k] = box.dataset.unit.split(',').map(Number);
    if (l === 0) return;
    this.zoomed = { l, k };
    this.opener = box;
    this.zoom.hidden = false;
    this.drawZoom();
    this.buildZoomEdit();
    this.zoomEdit.querySelector('input')?.focus();
  }

  /** Close the enlarged map. */
  closeZoom() {
    if (!this.zoomed) return;
    this.zoomed = null;
    this.zoom.hidden = true;
    this.zoomEdit.replaceChildren();
    this.opener?.focus({ preventScroll: true });
    this.opener = null;
  }

  /** Take the pinned values away. */
  unpin() {
    this.pinned = false;
    this.tooltip.hidden = true;
  }

  // --- setting a weight or a bias -------------------------------------------------------------

  /** Whether W[l] can be set edge by edge here (an image's one input node carries row norms). */
  weightsEditable(l) {
    return this.editable && (l > 1 || shownDims(this.created)[0] === this.created.network.layer_dims[0]);
  }

  bindEditor() {
    this.editor.addEventListener('submit', (event) => {
      event.preventDefault();
      const value = this.checkedValue(this.editorValue);
      if (value === null || !this.editing) return;
      this.handlers.edit({ ...this.editing, value });
      this.closeEditor();
      this.unpin();
    });
    this.editor.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      this.closeEditor();
      this.unpin();
    });
    this.zoomEdit.addEventListener('submit', (event) => {
      event.preventDefault();
      for (const input of this.zoomEdit.querySelectorAll('input')) {
        if (input.value === input.dataset.shown) continue; // unchanged: not sent
        const value = this.checkedValue(input);
        if (value === null) return;
        const col = input.dataset.col === '' ? null : Number(input.dataset.col);
        this.handlers.edit({ layer: Number(input.dataset.layer), row: Number(input.dataset.row), col, value });
        input.dataset.shown = input.value;
      }
    });
    this.zoomEdit.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      this.closeZoom();
    });
  }

  /** A number input's value if it is one the server takes, else null (the input says why). */
  checkedValue(input) {
    const value = input.value.trim() === '' ? NaN : Number(input.value);
    const ok = Number.isFinite(value) && Math.abs(value) <= PARAMETER_BOUND;
    input.setCustomValidity(ok ? '' : `a number from −${PARAMETER_BOUND} to ${PARAMETER_BOUND}`);
    if (!ok) input.reportValidity();
    return ok ? value : null;
  }

  /**
   * The inline editor of the weight of edge "l,k,j", beside the pointer, focused.
   * @param {string} edge
   * @param {{clientX: number, clientY: number}} at
   */
  openEditor(edge, at) {
    const [l, k, j] = edge.split(',').map(Number);
    if (!this.weightsEditable(l) || !this.params) return;
    this.editing = { layer: l, row: k, col: j };
    this.editorName.textContent = `W[${l}][${k + 1},${j + 1}]`;
    this.editorValue.value = exact(this.params.W[l - 1][k * this.dims[l - 1] + j]);
    this.editorValue.setCustomValidity('');
    this.editor.hidden = false;
    const { width, height } = this.editor.getBoundingClientRect();
    this.editor.style.left = `${Math.max(4, Math.min(at.clientX - width / 2, innerWidth - width - 4))}px`;
    this.editor.style.top = `${Math.max(4, at.clientY - height - 12)}px`;
    this.editorValue.focus();
    this.editorValue.select();
  }

  closeEditor() {
    if (!this.editing) return;
    this.editing = null;
    this.editor.hidden = true;
    if (this.editor.contains(document.activeElement)) document.activeElement.blur();
  }

  /** The zoom's fields: the unit's bias b[l][k] and its incoming weights W[l][k, :]. */
  buildZoomEdit() {
    const { l, k } = this.zoomed;
    this.zoomEdit.hidden = !this.editable || !this.params;
    this.zoomEdit.replaceChildren();
    if (this.zoomEdit.hidden) return;
    const field = (name, layer, row, col, value, testid) => {
      const label = document.createElement('label');
      const text = document.createElement('span');
      text.textContent = `${name} = `;
      const input = document.createElement('input');
      Object.assign(input, { type: 'number', step: 'any', min: -PARAMETER_BOUND, max: PARAMETER_BOUND, value: exact(value) });
      Object.assign(input.dataset, { layer, row, col: col ?? '', shown: input.value, testid });
      label.append(text, input);
      return label;
    };
    this.zoomEdit.append(field(`b[${l}][${k + 1}]`, l, k, null, this.params.b[l - 1][k], 'zoom-bias'));
    const n = this.dims[l - 1];
    if (this.weightsEditable(l) && n <= 64) {
      const weights = document.createElement('fieldset');
      const legend = document.createElement('legend');
      legend.textContent = `its weights W[${l}][${k + 1},:], from ${l === 1 ? 'the inputs' : `layer ${l - 1}`}:`;
      weights.append(legend);
      for (let j = 0; j < n; j++) {
        weights.append(field(`W[${l}][${k + 1},${j + 1}]`, l, k, j, this.params.W[l - 1][k * n + j], `zoom-weight-${j}`));
      }
      this.zoomEdit.append(weights);
    }
    const set = document.createElement('button');
    set.type = 'submit';
    set.textContent = 'Set';
    set.dataset.testid = 'zoom-set';
    const hint = document.createElement('span');
    hint.className = 'param-hint';
    hint.textContent = 'Enter sets what you changed; training goes on from it';
    this.zoomEdit.append(set, hint);
  }

  /** New parameters while the zoom is open: its fields follow, but for the one being typed in. */
  refreshZoomEdit() {
    if (this.params && this.editable && !this.zoomEdit.firstChild) this.buildZoomEdit(); // θ just came
    if (!this.params || this.zoomEdit.hidden) return;
    for (const input of this.zoomEdit.querySelectorAll('input')) {
      if (input === document.activeElement && input.value !== input.dataset.shown) continue;
      const { layer, row, col } = input.dataset;
      const value = col === '' ? this.params.b[layer - 1][row] : this.params.W[layer - 1][row * this.dims[layer - 1] + Number(col)];
      input.value = exact(value);
      input.dataset.shown = input.value;
    }
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
      const how = this.weightsEditable(l) ? '\nclick to set it' : '';
      return `W[${l}][${k + 1},${j + 1}] = ${num(w)}\nfrom ${this.unitName(l - 1, j)} to ${this.unitName(l, k)}${how}`;
    }
    const box = target.closest?.('[data-unit]');
    if (!box || !this.root.contains(box)) return null;
    const [l, k] = box.dataset.unit.split(',').map(Number);
    if (l === 0) {
      const node = this.nodes[k];
      const name = this.labels[node.name] || node.name;
      return node.used ? `input ${name}` : `input ${name}: not fed to the network (tick it to add it)`;
    }
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
    this.refreshZoomEdit();
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

/** A parameter's value in an editor: 6 significant digits, as a number input takes it. */
function exact(v) {
  return v == null ? '' : String(Number(Number(v).toPrecision(6)));
}

function num(v) {
  return v == null ? '…' : Number(v).toPrecision(4);
}

/**
 * A grid's colour-table indices: Uint8Array(size) of each value `indexOf(i)` rounded into 0 … 255.
 * @param {number} size
 * @param {(i: number) => number} indexOf
 * @returns {Uint8Array}
 */
function lutIndices(size, indexOf) {
  const indices = new Uint8Array(size);
  for (let i = 0; i < size; i++) indices[i] = Math.max(0, Math.min(255, Math.round(indexOf(i))));
  return indices;
}

/** Paint a (rows × cols) grid of indices, row 0 = lowest x2, into a canvas through the diverging LUT. */
function paintIndices(canvas, cols, rows, indices) {
  const image = new ImageData(cols, rows);
  const px = image.data;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const idx = indices[i * cols + j] * 3;
      const o = ((rows - 1 - i) * cols + j) * 4;
      px[o] = LUT[idx];
      px[o + 1] = LUT[idx + 1];
      px[o + 2] = LUT[idx + 2];
      px[o + 3] = 255;
    }
  }
  putImage(canvas, image);
}

/** Paint a (rows × cols) grid, row 0 = lowest x2, into a canvas through the diverging LUT. */
function paint(canvas, cols, rows, indexOf) {
  paintIndices(canvas, cols, rows, lutIndices(cols * rows, indexOf));
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
