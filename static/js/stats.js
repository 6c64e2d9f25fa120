/**
 * Always-on, cheap rendering counters, readable as `window.nnplayStats` (main.js puts them there) by benchmarks
 * (bench/bench_browser.py), tests and curious readers in the console. Counting is a few integer
 * increments and performance.now() calls per animation frame: it costs nothing measurable.
 * Times are performance.now() milliseconds (from navigation start).
 */

export const stats = {
  /** Binary frames of the current run received (detail messages not counted). */
  framesReceived: 0,
  /**
   * Of those, the frames that brought a boundary: the server sends one only when it has changed
   * (docs/protocol.md, "boundary"), so this is what there is to draw.
   */
  boundariesReceived: 0,
  /** Boundary heatmaps actually drawn (with a new grid: Plotly updates, or the canvas shown before Plotly loads). */
  boundaryDraws: 0,
  /** Boundaries drawn in compare mode, every run's (a newly received grid put on its canvas). */
  compareDraws: 0,
  /** Boundaries received but replaced by a newer one before they could be drawn. */
  framesCoalesced: 0,
  /** Iteration of the last boundary drawn. */
  drawnIteration: null,
  /** Total time spent in the per-animation-frame draw, ms. */
  drawMs: 0,
  /** When the first run was created (play acts from then on). */
  firstCreatedAt: null,
  /** When the first boundary was drawn. */
  firstBoundaryAt: null,
  /** When play was last pressed (click or key). */
  playAt: null,
  /** When the first boundary of a trained iteration (> 0) was drawn after the last play. */
  firstTrainedAt: null,
};


let boundaryShown;
/** Resolves when the first boundary has been drawn. */
export const firstBoundaryDrawn = new Promise((resolve) => { boundaryShown = resolve; });

/** Record a press of play. */
export function notePlay() {
  stats.playAt = performance.now();
  stats.firstTrainedAt = null;
}

/**
 * Record a received frame.
 * @param {boolean} withBoundary whether it brought a boundary
 */
export function noteFrame(withBoundary) {
  stats.framesReceived += 1;
  if (withBoundary) stats.boundariesReceived += 1;
}

/**
 * Record a boundary drawn for `iteration` (after the draw call returned).
 * @param {number} iteration
 */
export function noteBoundaryDraw(iteration) {
  const now = performance.now();
  stats.boundaryDraws += 1;
  stats.framesCoalesced = stats.boundariesReceived - stats.boundaryDraws;
  stats.drawnIteration = iteration;
  if (stats.firstBoundaryAt == null) {
    stats.firstBoundaryAt = now;
    boundaryShown();
  }
  if (iteration > 0 && stats.playAt != null && stats.firstTrainedAt == null) stats.firstTrainedAt = now;
}

/** Record a boundary drawn in compare mode (the first one is the page's first boundary too). */
export function noteCompareDraw() {
  stats.compareDraws += 1;
  if (stats.firstBoundaryAt == null) {
    stats.firstBoundaryAt = performance.now();
    boundaryShown();
  }
}

/** Record that the first run was created. */
export function noteCreated() {
  if (stats.firstCreatedAt == null) stats.firstCreatedAt = performance.now();
}
