/**
 * What the single-run view shows of its run: the decision boundary and its key, the network
 * diagram, the cost, gradient and saturation charts, the gallery, the confusion tables and the
 * note on a missing boundary. Set up for a created run, fed with its frames, cleared when there
 * is none, and painted once an animation frame (renderLoop.js): the boundary and the diagram
 * every frame, then at most one secondary chart, the most overdue of those due. Each view keeps
 * owning its DOM; this only routes to them (no DOM of its own).
 */

import { splitParameters } from './frames.js';
import { pickDue } from './renderLoop.js';

/**
 * Shortest time between two updates of each secondary chart, ms. A Plotly update of a line or
 * bar chart costs ~12-20 ms (measured on this 2-core machine: extendTraces is a whole Plotly
 * redraw, fixed axis ranges or WebGL traces do not make it cheaper there): at every frame they
 * would halve the rate at which the boundary is drawn. The curves hardly move in a quarter of a
 * second, so they are refreshed less often, at most one of them per animation frame, and only
 * while on screen (charts.js watchOnScreen).
 */
export const CHART_INTERVAL_MS = { cost: 250, gradients: 400, saturation: 500 };

/**
 * While frames stream, a secondary chart is drawn in the animation frame that has just drawn a
 * new boundary: its 12-20 ms then fall in the gap before the next frame arrives (~33 ms at 30
 * frames/s), not across it, where two frames would come in one animation frame and the older
 * one would never be drawn. Without a new boundary for this long (paused, or no boundary), the
 * charts are drawn in any animation frame.
 */
export const QUIET_MS = 100;

export class RunView {
  /**
   * @param {object} views {boundary, boundaryKey, cost, gradients, saturation, diagram, gallery,
   *   confusion, noBoundary} (main.js)
   */
  constructor(views) {
    this.v = views;
    this.chartDrawnAt = { cost: -Infinity, gradients: -Infinity, saturation: -Infinity };
    this.freshAt = -Infinity;
  }

  /**
   * How the state wants the run shown: test points, a discrete boundary, the cost's scale.
   * @param {object} state
   * @param {boolean} drawing drawn data: every point shows (the test share as diamonds), so a
   *   click never adds a point unseen
   */
  setView(state, drawing) {
    const v = this.v;
    const view = { test: state.test || drawing, discrete: state.discrete };
    v.boundary.setView(view);
    v.boundaryKey.render(v.boundary.data ? v.boundary.dataset : null, view);
    v.cost.setView({ log: state.logcost, smooth: state.smooth });
  }

  /**
   * A new run: every view starts from its `created` payload; the cost chart reads `history`.
   * @param {object} created
   * @param {import('./history.js').CostHistory} history the recorder's record of the run
   * @param {() => void} setView called once the boundary has the run (it sizes the key)
   */
  showRun(created, history, setView) {
    const v = this.v;
    v.boundary.setRun(created);
    setView();
    v.diagram.setNetwork(created);
    const d = created.dataset;
    v.gallery.clear(d.m_test || d.m_train); // the gallery shows the test images (or train ones)
    v.confusion.setRun(d.source?.label_names ?? null);
    v.noBoundary.render(d);
    v.gradients.setRun(created.network.layer_dims.length - 1);
    v.saturation.setRun(created.network.activations.slice(0, -1));
    v.cost.reset(history); // the run's train costs: the one copy
  }

  /**
   * No run: clear what showed the last one (boundary, network, curves, gallery…).
   * @param {string|null} waiting what the page waits for, if anything (a CSV file)
   */
  clear(waiting = null) {
    const v = this.v;
    v.boundary.setRun({ dataset: { plottable: false } });
    v.boundaryKey.render(null);
    v.gallery.clear();
    v.confusion.setRun(null);
    v.noBoundary.render(null);
    v.diagram.clear();
    v.cost.reset(null);
    v.gradients.setRun(0);
    v.saturation.setRun([]);
    if (waiting) v.noBoundary.waiting(waiting);
  }

  /**
   * No run, waiting for data: the diagram draws the network the settings will build.
   * @param {object} planned state.js plannedNetwork
   */
  planned(planned) {
    this.v.diagram.setPlanned(planned);
  }

  /**
   * The plane drawn points lie on, before there is a run (or new points on it).
   * @param {object} dataset store.js planeDataset
   * @param {number} [resolution] the boundary's: a fresh plane; without, only new points
   */
  plane(dataset, resolution) {
    if (resolution === undefined) this.v.boundary.setPoints(dataset);
    else this.v.boundary.setRun({ dataset, boundary_resolution: resolution });
  }

  /** The curves start again (a reset): `layers` weight layers of gradients. */
  clearCurves(layers) {
    this.v.cost.reset();
    this.v.gradients.setRun(layers);
  }

  /** The test costs of the frames so far of a run opened from a comparison (the recorder's points). */
  testCosts(points) {
    for (const point of points) this.v.cost.add({ iteration: point.iteration, test_cost: point.test_cost });
  }

  /** The run's images (the binary `gallery` message). */
  images(header, images) {
    this.v.gallery.setImages(header, images);
  }

  /**
   * A `detail` message: the parameters (as the diagram shows them) and the hidden units' maps.
   * @param {object} blobs
   * @param {number[]} dims the shown layer dims (diagram.js shownDims)
   */
  detail(blobs, dims) {
    const theta = blobs.parameters?.data;
    if (theta) this.v.diagram.updateDetail(splitParameters(theta, dims), blobs.maps);
  }

  /** A live frame while a past moment is held: only the curves go on. */
  curves(header) {
    this.v.cost.add(header);
    this.v.gradients.add(header);
  }

  /**
   * A past moment (a `seek` answer): its boundary, saturation, predictions, confusion, maps and
   * parameters; not its costs (the curves stay the run's whole history, marked there).
   * @param {object} header
   * @param {object} blobs
   * @param {number[]} dims the shown layer dims (diagram.js shownDims)
   */
  past(header, blobs, dims) {
    this.moment(header, blobs);
    this.detail(blobs, dims);
  }

  /** A frame: its test cost, gradient norms, boundary, saturation, predictions and confusion. */
  frame(header, blobs) {
    this.curves(header);
    this.moment(header, blobs);
  }

  /** What a frame shows of its moment: boundary, saturation, predictions, confusion. */
  moment(header, blobs) {
    const v = this.v;
    if (blobs.boundary) {
      v.boundary.update(blobs.boundary);
      v.diagram.updateBoundary(blobs.boundary);
    }
    v.saturation.update(header.activation_stats);
    if (blobs.gallery) v.gallery.update(blobs.gallery);
    if (header.confusion) v.confusion.update(header.confusion);
  }

  /**
   * The frame's drawing: the boundary and the diagram, then at most one secondary chart (see
   * QUIET_MS for when).
   * @param {number} now the frame's time, ms
   * @param {() => void} onFresh called as soon as a newly received grid is drawn (stats.js)
   * @returns {boolean} whether a chart still waits (the loop comes back next frame)
   */
  paint(now, onFresh) {
    const v = this.v;
    const fresh = v.boundary.draw();
    if (fresh) {
      onFresh();
      this.freshAt = now;
    }
    v.diagram.draw();
    const { due, waiting } = pickDue(CHART_INTERVAL_MS, (name) => v[name].needsDraw, this.chartDrawnAt, now);
    if (due && (fresh || now - this.freshAt >= QUIET_MS)) {
      v[due].draw();
      this.chartDrawnAt[due] = now;
    }
    return waiting;
  }
}
