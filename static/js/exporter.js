/**
 * Sharing and export: a recorder that keeps every run's history as it streams in (the train cost
 * of every iteration, test scores per frame, the newest parameters), and the files made from it —
 * history as CSV and JSON, parameters in the course's {"W1": [[…]], "b1": [[…]], …} form (what
 * `engine.Network.set_parameters` loads), charts as PNG. The recorder touches no DOM; `download`
 * and `copyText` are the only functions here that do.
 */

import { splitParameters } from './frames.js';
import { CostHistory, ScoreLog } from './history.js';

/**
 * One run's history, filled from its `created` payload, frames and `detail` messages. Its train
 * costs (`history`, static/js/history.js) are the only copy the page keeps: the charts read them.
 */
export class RunRecord {
  /**
   * @param {object} created the `created` payload
   * @param {object} [sizes] the history's sizes (history.js: EXACT, MAX_BUCKETS), smaller in tests
   */
  constructor(created, sizes) {
    this.created = created;
    this.history = new CostHistory(sizes);
    /** The frames' scores (test cost, accuracies), bounded: see ScoreLog. */
    this.scores = new ScoreLog();
    this.clear();
    this.initial = null;
    /** θ at iteration 0 as first received from the server (W1..WL, b1..bL, float32). */
  }

  clear() {
    this.history.clear();
    this.scores.clear();
    this.frame = null;
    this.boundary = null;
    this.theta = null;
    this.thetaIteration = null;
    this.maps = null;
  }

  /** @returns {object[]} each kept frame's scores {iteration, train_cost, test_cost, …, gradient_norms}, in order */
  get points() {
    return this.scores.items;
  }

  addFrame(header, blobs) {
    const last = this.frame ? this.frame.iteration : 0;
    if (header.iteration < last) this.clear(); // a reset: start over
    this.history.add(header.iteration, blobs.costs ? blobs.costs.data : []);
    const previous = this.scores.last;
    const point = {
      iteration: header.iteration, train_cost: header.train_cost, test_cost: header.test_cost,
      train_accuracy: header.train_accuracy, test_accuracy: header.test_accuracy,
      gradient_norms: header.gradient_norms ?? null, // ‖dW[l]‖ per layer: compare mode's history of them
    };
    if (previous && previous.iteration === header.iteration) this.scores.replaceLast(point);
    else this.scores.add(point); // bounded: evenly spaced over a long run
    this.frame = header;
    if (blobs.boundary) this.boundary = blobs.boundary;
  }

  addDetail(header, blobs) {
    const theta = blobs.parameters?.data;
    if (!theta) return;
    this.theta = Float32Array.from(theta);
    this.thetaIteration = header.iteration;
    if (blobs.maps) this.maps = blobs.maps; // the hidden units' maps: an opened run shows them at once
    if (header.iteration === 0 && this.initial === null) this.initial = this.theta;
  }

  /**
   * Iterations until the train cost fell to `target` and stayed there: the first iteration from
   * which every cost so far is ≤ target (null if the latest is above it). An oscillating run's
   * first dip does not count; a run that came back above the target has not reached it.
   * @param {number} target
   * @returns {number|null}
   */
  reached(target) {
    return this.history.reached(target);
  }

  /** The train costs held at full resolution, as an array (for the console and the browser tests). */
  get costs() {
    return this.history.toArray();
  }
}

/** Keeps the history of every run of the session, whoever shows it. */
export class Recorder {
  constructor() {
    /** @type {Map<string, RunRecord>} */
    this.runs = new Map();
  }

  /** Listen on a Socket (see Socket.listen). */
  attach(socket) {
    socket.listen({
      message: (message) => {
        if (message.type === 'created') this.open(message);
      },
      binary: ({ header, blobs }) => {
        const record = this.runs.get(header.run);
        if (!record) return;
        if (header.type === 'detail') record.addDetail(header, blobs);
        else if (header.type === 'frame') record.addFrame(header, blobs);
      },
      open: () => this.runs.clear(), // a new session: the old runs are gone
    });
  }

  /**
   * The record of a created run, made on its first call (the controller's handler of `created`
   * runs before this recorder's listener).
   * @param {object} created the `created` payload
   * @returns {RunRecord}
   */
  open(created) {
    if (!this.runs.has(created.run)) this.runs.set(created.run, new RunRecord(created));
    return this.runs.get(created.run);
  }

  /** @returns {RunRecord|undefined} */
  get(runId) {
    return this.runs.get(runId);
  }
}

/**
 * The history as rows: every iteration's train cost; test cost and accuracies where a frame
 * reported them (empty otherwise). Past history.js's EXACT newest iterations, the older ones come
 * one row per bucket, which says so: its last iteration, its mean train cost, and the
 * summary columns (first_iteration, train_cost_min, train_cost_max), empty on exact rows.
 * @param {RunRecord} record
 * @returns {object[]}
 */
export function historyRows(record) {
  const byIteration = new Map(record.points.map((p) => [p.iteration, p]));
  const finite = (v) => (v == null || !Number.isFinite(v) ? null : v);
  return record.history.rows().map(({ iteration, cost, first, min, max }) => {
    const p = byIteration.get(iteration) || {};
    const row = {
      iteration, train_cost: finite(cost), test_cost: finite(p.test_cost),
      train_accuracy: finite(p.train_accuracy), test_accuracy: finite(p.test_accuracy),
    };
    if (first === undefined) return row;
    return { ...row, first_iteration: first, train_cost_min: finite(min), train_cost_max: finite(max) };
  });
}

const COLUMNS = ['iteration', 'train_cost', 'test_cost', 'train_accuracy', 'test_accuracy'];
/** Only in a history with summarized rows (a run longer than history.js's EXACT iterations). */
const SUMMARY_COLUMNS = ['first_iteration', 'train_cost_min', 'train_cost_max'];

/** @returns {string} the history as CSV, one header line then one line per iteration (or bucket) */
export function historyCsv(record) {
  const rows = historyRows(record);
  const columns = rows.some((r) => 'first_iteration' in r) ? [...COLUMNS, ...SUMMARY_COLUMNS] : COLUMNS;
  const lines = [columns.join(',')];
  for (const row of rows) lines.push(columns.map((c) => (row[c] == null ? '' : row[c])).join(','));
  return lines.join('\n') + '\n';
}

/** @returns {string} the history as JSON: the run's config and network, then the rows */
export function historyJson(record) {
  const { config, network } = record.created;
  return JSON.stringify({ config, network, history: historyRows(record) });
}

/**
 * The newest parameters in the course's form, W[l] as (n[l], n[l-1]) and b[l] as (n[l], 1)
 * nested lists, with layer_dims and activations to rebuild the network.
 * @param {RunRecord} record
 * @returns {object|null} null before the first `detail`
 */
export function parametersObject(record) {
  if (!record.theta) return null;
  const { layer_dims: dims, activations } = record.created.network;
  const { W, b } = splitParameters(record.theta, dims);
  const out = { layer_dims: dims, activations, iteration: record.thetaIteration };
  W.forEach((w, i) => {
    const rows = dims[i + 1];
    const cols = dims[i];
    out[`W${i + 1}`] = Array.from({ length: rows }, (_, r) => Array.from(w.subarray(r * cols, (r + 1) * cols)));
    out[`b${i + 1}`] = Array.from(b[i], (v) => [v]);
  });
  return out;
}

/**
 * Offer a file for download.
 * @param {string} name file name
 * @param {string} text contents
 * @param {string} type MIME type
 */
export function download(name, text, type) {
  downloadBlob(name, new Blob([text], { type }));
}

/**
 * Offer a Blob for download (a recording: recording.js).
 * @param {string} name file name
 * @param {Blob} blob
 */
export function downloadBlob(name, blob) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * Download one run's history or parameters.
 * @param {RunRecord} record
 * @param {'csv'|'json'|'parameters'} what
 * @param {string} stem file name without extension
 */
export function downloadRun(record, what, stem) {
  if (what === 'csv') download(`${stem}-history.csv`, historyCsv(record), 'text/csv');
  else if (what === 'json') download(`${stem}-history.json`, historyJson(record), 'application/json');
  else {
    const parameters = parametersObject(record);
    if (parameters) download(`${stem}-parameters.json`, JSON.stringify(parameters), 'application/json');
  }
}

/** Width of an exported chart, px: sharp on a slide or a 1080p projector. */
export const PNG_WIDTH = 1600;

/**
 * Download a Plotly chart as PNG (drawn in the page: works offline), PNG_WIDTH pixels wide: the
 * chart as laid out on screen (its proportions, type and line widths), scaled up. A chart that
 * draws part of itself outside Plotly (the boundary's canvas) gives its whole figure as
 * `el.figure()`.
 * @param {HTMLElement & {figure?: () => object}} el a chart's div
 * @param {string} name file name without extension
 */
export function downloadChart(el, name) {
  const width = el.clientWidth || 700;
  const height = el.clientHeight || 450;
  const figure = el.figure ? el.figure() : el;
  return window.Plotly.downloadImage(figure, { format: 'png', filename: name, width, height, scale: PNG_WIDTH / width });
}

/**
 * Copy text to the clipboard; false where the browser refuses (then the caller shows it).
 * @param {string} text
 * @returns {Promise<boolean>}
 */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}
