/**
 * The compare view: its toolbar (what varies, the values, the target cost, one set of transport
 * buttons), the decision boundaries as small multiples, the cost curves and per-layer gradient
 * norms overlaid (one fixed colour per run), the gradient norms' history (a panel per layer), and
 * a live summary table. Owns #compare; exposes
 * bind(handlers), show, setRuns, setRun, updateBoundary, draw and renderStatus.
 */

import { BoundaryChart, chartFontSize, logAxis, watchOnScreen } from './charts.js';
import { VARY } from './compare.js';
import { html, setHtml } from './html.js';
import { pickDue } from './renderLoop.js';
import { setData, setDisabled, setText } from './domWrite.js';
import { noteCompareDraw } from './stats.js';

const Plotly = () => window.Plotly;
const CONFIG = { displaylogo: false, responsive: true, displayModeBar: false };
const MAX_POINTS = 1500;
/** Points of each trace of the gradient norms' history (the recorder keeps up to 16384 frames). */
export const MAX_GRADIENT_POINTS = 400;
/** Panels of the gradient history in a row; more layers take another row. */
const HISTORY_COLUMNS = 4;
/** Shortest time between two redraws of the curves, ms: each is two whole Plotly.react calls. */
const COST_INTERVAL_MS = 250;

function fmt(v, digits = 4) {
  return v == null || !Number.isFinite(v) ? '–' : Number(v).toFixed(digits);
}

function pct(v) {
  return v == null || !Number.isFinite(v) ? '–' : `${(100 * v).toFixed(1)}%`;
}

function fontSize() {
  return Math.round(parseFloat(getComputedStyle(document.body).fontSize) * 0.85);
}

function layout(extra) {
  const f = fontSize();
  return {
    margin: { l: 4 * f, r: f, t: 2.4 * f, b: 3 * f }, font: { family: 'system-ui, sans-serif', size: f, color: '#334' },
    paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: '#fff', showlegend: true,
    legend: { orientation: 'h', x: 0, y: 1.02, yanchor: 'bottom' }, ...extra,
  };
}

/** The smallest and largest positive values the traces plot (for a log axis's ticks). */
function extentOf(traces) {
  const values = traces.flatMap((t) => t.y).filter((v) => v > 0 && Number.isFinite(v));
  return values.length ? [Math.min(...values), Math.max(...values)] : [NaN, NaN];
}

/**
 * What a comparison shows that would mislead without a word, or ''. ReLU last against sigmoid
 * and tanh on the flower with one small hidden layer (the page's default network): measured in
 * the engine at every initialization (tests/engine/test_lessons.py checks it), so the note says
 * why, and where ReLU does win.
 * @param {{kind: string, values: string[], state: object}} spec
 * @returns {string}
 */
export function comparisonNote({ kind, values, state }) {
  const layers = state.layers;
  const shallowFlower = state.dataset === 'flower' && layers.length === 1 && layers[0].units >= 2
    && layers[0].units <= RELU_NOTE_MAX_UNITS && state.opt === 'gd';
  if (kind !== 'activation' || !values.includes('relu') || !shallowFlower) return '';
  return `Why ReLU comes last here: with one hidden layer of ${layers[0].units} units each ReLU unit is a hinge, zero on one side `
    + 'of a line and a ramp on the other, so the boundary is made of a few straight pieces, too few for the petals; '
    + 'tanh and sigmoid units bend it smoothly. It is not the initialization: from × 0.01, Xavier or He weights alike, '
    + 'ReLU ends last on this network. ReLU wins where sigmoid\'s gradients vanish, in deep networks: see lesson 5.';
}

/**
 * At most `most` of a list, evenly spaced, the last one always in (the newest frame).
 * @template T
 * @param {T[]} items
 * @param {number} most
 * @returns {T[]}
 */
export function thin(items, most) {
  if (items.length <= most) return items;
  const stride = Math.ceil(items.length / most);
  const out = items.filter((_, i) => i % stride === 0);
  if (out[out.length - 1] !== items[items.length - 1]) out.push(items[items.length - 1]);
  return out;
}

/**
 * The gradient norms' history as small multiples: one panel per weight layer (dW[1] first),
 * in it one trace per run (its colour, its label: one legend entry per run), from the frames
 * the recorder kept (exporter.js RunRecord.points; iteration 0's has no backward pass yet), at
 * most `most` points a trace.
 * @param {{run: {label: string, color: string}, record: object|null}[]} rows
 * @param {number} [most]
 * @returns {{traces: object[], layers: number}} layers: the panels (the deepest run's)
 */
export function gradientHistoryTraces(rows, most = MAX_GRADIENT_POINTS) {
  const layers = Math.max(0, ...rows.map(({ record }) => record?.created?.network?.layer_dims?.length - 1 || 0));
  const traces = [];
  for (let l = 0; l < layers; l++) {
    const axis = l === 0 ? '' : String(l + 1);
    for (const { run, record } of rows) {
      const points = thin((record?.points || []).filter((p) => p.iteration > 0 && p.gradient_norms && l < p.gradient_norms.length), most);
      if (!points.length && (record?.created?.network?.layer_dims?.length ?? 0) - 1 <= l) continue; // a shallower run
      traces.push({
        type: 'scatter', mode: 'lines', name: run.label, legendgroup: run.label, showlegend: l === 0,
        x: points.map((p) => p.iteration), y: points.map((p) => (p.gradient_norms[l] > 0 ? p.gradient_norms[l] : null)),
        xaxis: `x${axis}`, yaxis: `y${axis}`, line: { color: run.color, width: 2 }, meta: { layer: l + 1 },
        hovertemplate: `${run.label}, ‖dW[${l + 1}]‖ = %{y:.3g} at %{x}<extra></extra>`,
      });
    }
  }
  return { traces, layers };
}

/** Up to this many units in the one hidden layer, the ReLU note was measured true. */
const RELU_NOTE_MAX_UNITS = 8;

/**
 * A row of the summary table brought to a run's last frame: the cells and data attributes the
 * markup of drawTable gives it, written only where they changed.
 * @param {HTMLTableRowElement} tr
 * @param {object|null} record the run's (exporter.js)
 * @param {number} target
 */
function fillRow(tr, record, target) {
  const f = record?.frame;
  const reached = record ? record.reached(target) : null;
  const diverged = f?.status === 'diverged' || f?.diverged_at != null;
  setData(tr, 'iteration', String(f?.iteration ?? 0));
  setData(tr, 'cost', String(f?.train_cost ?? ''));
  setData(tr, 'trainAccuracy', String(f?.train_accuracy ?? ''));
  setData(tr, 'testAccuracy', String(f?.test_accuracy ?? ''));
  setData(tr, 'reached', String(reached ?? ''));
  const c = tr.cells;
  setText(c[1], String(f?.iteration ?? 0));
  setText(c[2], fmt(f?.train_cost));
  setText(c[3], pct(f?.train_accuracy));
  setText(c[4], pct(f?.test_accuracy));
  setText(c[5], String(reached ?? '–'));
  const bad = diverged ? 'bad' : '';
  if (c[6].className !== bad) c[6].className = bad;
  setText(c[6], diverged ? `yes (at ${f.diverged_at ?? f.iteration})` : 'no');
}

export class CompareView {
  constructor() {
    const $ = (id) => document.getElementById(id);
    this.root = $('compare');
    this.kind = $('cmp-kind');
    this.values = $('cmp-values');
    this.target = $('cmp-target');
    this.play = $('cmp-play');
    this.pauseBtn = $('cmp-pause');
    this.iteration = $('cmp-iteration');
    this.statusEl = $('cmp-status');
    this.boundaries = $('cmp-boundaries');
    this.costEl = $('cmp-cost-chart');
    this.gradEl = $('cmp-gradient-chart');
    this.historyEl = $('cmp-gradient-history-chart');
    /** The gradient history, below the fold on a laptop: drawn only while on screen (charts.js). */
    this.history = { el: this.historyEl };
    watchOnScreen(this.history);
    this.history.onShown = () => {
      this.drawn = null; // the curves are due again: the history catches up
      this.h?.redraw?.();
    };
    this.table = $('cmp-table');
    this.base = $('cmp-base');
    this.note = $('cmp-note');
    this.enter = $('compare-toggle');
    this.logBox = $('cmp-log');
    this.scrub = {
      root: $('cmp-timeline'), input: $('cmp-scrub'), at: $('cmp-scrub-at'), live: $('cmp-scrub-live'),
      replay: $('cmp-replay'), speed: $('cmp-replay-speed'),
    };
    this.charts = [];
    this.costDrawnAt = -Infinity;
    for (const [key, vary] of Object.entries(VARY)) this.kind.add(new Option(vary.label, key));
  }

  /**
   * @param {object} h {change(patch), play, pause, step, reset, open(i), exit, download(i, what),
   *   toggle: the Compare button (enter, leave, or back from an opened run), seek(iteration),
   *   live() and replay(every): the timeline, redraw: paint again (a chart came on screen)}
   */
  bind(h) {
    this.h = h;
    this.scrub.input.addEventListener('input', () => h.seek(Number(this.scrub.input.value)));
    this.scrub.live.addEventListener('click', () => h.live());
    this.scrub.replay.addEventListener('click', () => h.replay(Number(this.scrub.speed.value)));
    this.enter.addEventListener('click', () => h.toggle());
    this.kind.addEventListener('change', () => h.change({ cmp: this.kind.value, lesson: '' }));
    this.values.addEventListener('change', () => {
      const vals = this.values.value.split(/[\s,]+/).filter(Boolean); // past MAX_VALUES: said, then cut
      h.change({ vals, lesson: '' });
    });
    this.target.addEventListener('change', () => {
      const t = Number(this.target.value);
      if (Number.isFinite(t) && t > 0) h.change({ target: t });
    });
    this.logBox.addEventListener('change', () => h.change({ logcost: this.logBox.checked }));
    this.play.addEventListener('click', () => h.play());
    this.pauseBtn.addEventListener('click', () => h.pause());
    document.getElementById('cmp-step').addEventListener('click', () => h.step());
    document.getElementById('cmp-reset').addEventListener('click', () => h.reset());
    document.getElementById('cmp-exit').addEventListener('click', () => h.exit());
    this.table.addEventListener('click', (event) => {
      const button = event.target.closest('button[data-run]');
      if (!button) return;
      const i = Number(button.dataset.run);
      if (button.dataset.action === 'open') h.open(i);
      else h.download(i, button.dataset.action);
    });
    this.boundaries.addEventListener('click', (event) => {
      const button = event.target.closest('button[data-open]');
      if (button) h.open(Number(button.dataset.open));
    });
  }

  /**
   * Show or hide compare mode (the page's mode, comparing or a run opened, is the store's: the
   * compare controller sets it).
   * @param {boolean} visible the compare view itself (false while a run is opened)
   * @param {object} [spec] {kind, values, state, caption?} (caption: instead of what is the same for every run)
   */
  show(visible, spec) {
    this.root.hidden = !visible;
    this.enter.setAttribute('aria-pressed', String(Boolean(spec)));
    this.enter.textContent = spec && !visible ? '← Back to comparison' : 'Compare';
    this.drawn = null; // the curves are drawn again
    if (!spec) return;
    this.log = Boolean(spec.state.logcost);
    this.logBox.checked = this.log;
    this.kind.value = spec.kind;
    this.values.value = spec.values.join(', ');
    this.target.value = String(spec.state.target);
    const s = spec.state;
    const layers = s.layers.length ? s.layers.map((l) => `${l.units} ${l.activation}`).join(' → ') : 'none';
    this.base.textContent = spec.caption ?? (`Same for every run: ${s.dataset} data (seed ${s.dseed}), hidden layers ${layers}, `
      + `init ${s.init}${s.init === 'random' ? ` × ${s.scale}` : ''}, α = ${s.lr}, ${s.opt}, seed ${s.seed} — except ${VARY[spec.kind].label.toLowerCase()}.`);
    const note = comparisonNote(spec);
    this.note.textContent = note;
    this.note.hidden = !note;
  }

  /**
   * The timeline: the iterations every run can show, the one the boundaries show (null: live),
   * and whether a replay is under way (its button then stops it).
   * @param {{start: number, end: number, shown: number|null, replaying?: boolean}} timeline
   */
  renderTimeline({ start, end, shown, replaying = false }) {
    const { root, input, at, live, replay } = this.scrub;
    input.min = String(start);
    input.max = String(end);
    const value = shown == null ? end : shown;
    if (Number(input.value) !== value) input.value = String(value);
    setDisabled(input, end <= start);
    input.setAttribute('aria-valuetext', shown == null ? `live, iteration ${end}` : `iteration ${shown} of ${end}`);
    setText(at, shown == null ? 'live' : `iteration ${shown.toLocaleString('en-US')}`);
    root.classList.toggle('past', shown != null);
    live.setAttribute('aria-pressed', String(shown == null));
    setText(replay, replaying ? 'Stop' : 'Replay');
    setDisabled(replay, end <= start && !replaying);
    if (shown !== (this.marker ?? null)) {
      this.marker = shown;
      this.drawn = null; // the cost curve marks it: drawn again
    }
  }

  /** One small multiple and one table row per run (values and colours). */
  setRuns(runs) {
    this.runs = runs;
    this.boundaries.replaceChildren();
    this.boundaries.style.setProperty('--n', String(runs.length));
    this.charts = runs.map((run, i) => {
      const figure = document.createElement('figure');
      figure.className = 'cmp-figure';
      figure.dataset.testid = `compare-boundary-${i}`;
      figure.setAttribute('data-testid', `compare-boundary-${i}`);
      setHtml(figure, html`<figcaption><span class="swatch" style="background:${run.color}"></span>${run.label}
        <button class="ghost small" data-open="${i}" data-testid="compare-open-${i}" title="Open in the single-run view">open ↗</button></figcaption>
        <div class="chart cmp-boundary" data-png="boundary-${run.value}"></div>`);
      this.boundaries.append(figure);
      return new BoundaryChart(figure.querySelector('.chart'));
    });
    this.costCreated = false;
    this.gradCreated = false;
    this.drawn = null;
  }

  /** A run's `created` payload arrived: its boundary can be drawn. */
  setRun(i, created) {
    const chart = this.charts[i];
    if (!chart) return;
    chart.setRun(created);
    chart.draw();
  }

  updateBoundary(i, blob) {
    if (this.charts[i]) this.charts[i].update(blob);
  }

  renderStatus(status) {
    this.play.hidden = status === 'running';
    this.pauseBtn.hidden = status !== 'running';
    this.statusEl.textContent = status;
    this.statusEl.dataset.status = status;
  }

  /**
   * Draw everything that changed: boundaries, table, counters; the charts at most every 200 ms.
   * @param {{run: object, record: object|null}[]} rows
   * @param {number} target the target cost
   * @param {number} now the frame's time, ms (renderLoop.js)
   * @returns {boolean} whether the curves wait for their turn (the render loop comes back)
   */
  draw(rows, target, now) {
    if (this.root.hidden) return false;
    for (const chart of this.charts) if (chart.data && chart.draw()) noteCompareDraw();
    this.drawTable(rows, target);
    const iterations = rows.map(({ record }) => record?.frame?.iteration ?? 0);
    this.iteration.textContent = String(Math.max(0, ...iterations));
    this.iteration.dataset.values = iterations.join(',');
    const { due, waiting } = pickDue({ curves: COST_INTERVAL_MS }, () => this.curvesWait(rows, target), { curves: this.costDrawnAt }, now);
    if (!Plotly()) return false; // main.js paints again once Plotly is loaded
    if (due) {
      this.costDrawnAt = now;
      this.drawn = this.curvesKey(rows, target);
      this.drawCost(rows, target);
      this.drawGradients(rows);
      if (this.history.onScreen || !this.historyEl.layout) this.drawGradientHistory(rows); // its first draw is made anyway
      return false;
    }
    return waiting;
  }

  /** What the curves show: they wait while it differs from what was drawn. */
  curvesKey(rows, target) {
    return JSON.stringify([target, this.log, chartFontSize(), rows.map(({ run, record }) => [run.id, record?.history.epoch, record?.history.length, record?.frame?.iteration])]);
  }

  curvesWait(rows, target) {
    return this.curvesKey(rows, target) !== this.drawn;
  }

  /**
   * The summary table: built whole when its runs (or the target) change, then each frame only its
   * cells' text and data attributes are written, and only those that changed (domWrite.js).
   */
  drawTable(rows, target) {
    const shape = JSON.stringify([target, rows.map(({ run }) => [run.label, run.color])]);
    const tbody = this.table.tBodies[0];
    if (shape === this.tableShape && tbody.rows.length === rows.length) {
      rows.forEach(({ record }, i) => fillRow(tbody.rows[i], record, target));
      return;
    }
    this.tableShape = shape;
    const body = rows.map(({ run, record }, i) => {
      const f = record?.frame;
      const reached = record ? record.reached(target) : null;
      const diverged = f?.status === 'diverged' || f?.diverged_at != null;
      return html`<tr data-testid="compare-row-${i}" data-iteration="${f?.iteration ?? 0}" data-cost="${f?.train_cost ?? ''}"
          data-train-accuracy="${f?.train_accuracy ?? ''}" data-test-accuracy="${f?.test_accuracy ?? ''}" data-reached="${reached ?? ''}">
        <th scope="row"><span class="swatch" style="background:${run.color}"></span>${run.label}</th>
        <td>${f?.iteration ?? 0}</td><td>${fmt(f?.train_cost)}</td><td>${pct(f?.train_accuracy)}</td><td>${pct(f?.test_accuracy)}</td>
        <td>${reached ?? '–'}</td><td class="${diverged ? 'bad' : ''}">${diverged ? `yes (at ${f.diverged_at ?? f.iteration})` : 'no'}</td>
        <td class="actions"><button data-run="${i}" data-action="open" data-testid="compare-row-open-${i}">open</button>
          <button data-run="${i}" data-action="csv" data-testid="compare-csv-${i}" title="History as CSV">CSV</button>
          <button data-run="${i}" data-action="json" data-testid="compare-json-${i}" title="History as JSON">JSON</button>
          <button data-run="${i}" data-action="parameters" data-testid="compare-params-${i}" title="Trained W, b as JSON">W, b</button></td></tr>`;
    });
    setHtml(tbody, html`${body}`);
    this.table.tHead.rows[0].cells[5].textContent = `iterations until J stays ≤ ${target}`;
  }

  drawCost(rows, target) {
    const traces = rows.map(({ run, record }) => {
      const { x, y } = record ? record.history.curve(MAX_POINTS) : { x: [], y: [] }; // min and max per bucket
      return { type: 'scatter', mode: 'lines', name: run.label, x, y, line: { color: run.color, width: 2 } };
    });
    const last = Math.max(1, ...traces.map((t) => t.x[t.x.length - 1] ?? 0));
    traces.push({
      type: 'scatter', mode: 'lines', name: `target ${target}`, x: [0, last], y: [target, target],
      line: { color: '#999', width: 1, dash: 'dot' }, hoverinfo: 'skip',
    });
    Plotly().react(this.costEl, traces, layout({
      xaxis: { title: { text: 'iteration' }, rangemode: 'tozero' },
      yaxis: { title: { text: 'cost J' }, ...(this.log ? logAxis(...extentOf(traces)) : { rangemode: 'tozero' }) },
      shapes: this.marker == null ? [] : [{ // the moment the boundaries show (the scrubber)
        type: 'line', x0: this.marker, x1: this.marker, yref: 'paper', y0: 0, y1: 1, line: { color: '#b35900', width: 2, dash: 'dash' },
      }],
    }), CONFIG);
  }

  drawGradients(rows) {
    const traces = rows.map(({ run, record }) => {
      const norms = record?.frame?.gradient_norms || [];
      return {
        type: 'scatter', mode: 'lines+markers', name: run.label, x: norms.map((_, l) => `dW[${l + 1}]`),
        y: norms.map((g) => (g != null && g > 0 ? g : null)), line: { color: run.color, width: 2 }, marker: { size: 7 },
      };
    });
    Plotly().react(this.gradEl, traces, layout({
      xaxis: { title: { text: 'layer' }, type: 'category' }, yaxis: { ...logAxis(...extentOf(traces)), automargin: true, title: { text: '‖dW[l]‖' } },
    }), CONFIG);
  }

  /** The gradient norms over the iterations: a panel per layer, one log scale for all (they compare). */
  drawGradientHistory(rows) {
    const { traces, layers } = gradientHistoryTraces(rows);
    const n = Math.max(1, layers);
    const columns = Math.min(n, HISTORY_COLUMNS);
    const extent = logAxis(...extentOf(traces));
    const axes = {};
    const annotations = [];
    for (let l = 0; l < n; l++) {
      const k = l === 0 ? '' : String(l + 1);
      const first = l % columns === 0;
      axes[`xaxis${k}`] = { rangemode: 'tozero', title: { text: l >= n - columns ? 'iteration' : '' }, automargin: true };
      axes[`yaxis${k}`] = { ...extent, showticklabels: first, automargin: true, title: { text: first ? '‖dW[l]‖' : '' } };
      annotations.push({
        text: `dW[${l + 1}]`, xref: `x${k} domain`, yref: `y${k} domain`, x: 0.5, y: 1, yanchor: 'bottom', showarrow: false,
      });
    }
    const f = fontSize();
    Plotly().react(this.historyEl, traces, layout({
      grid: { rows: Math.ceil(n / columns), columns, pattern: 'independent', xgap: 0.06, ygap: 0.25 }, ...axes, annotations,
      margin: { l: 4 * f, r: f, t: 4 * f, b: 3 * f }, legend: { orientation: 'h', x: 0, y: 1.12, yanchor: 'bottom' },
    }), CONFIG);
  }
}
