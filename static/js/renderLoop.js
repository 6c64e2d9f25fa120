/**
 * The render loop: one animation frame for every painter of the page (the single-run view, the
 * compare view), whatever the frame rate of the server; the secondary charts' throttle (which
 * one is drawn this frame); and what happens when the layout changes (the window's size, compare
 * mode shown, presenter mode): the charts' type size follows the page and every chart is fitted
 * to its box again. Callers say `relayout()`; no synthetic `resize` event is dispatched.
 * The scheduling is pure (the frame source and the clock are arguments), so Node tests it.
 */

/**
 * The chart to draw this frame: the most overdue of those that wait and are due (each at most
 * once per its interval), or null; and whether any waits (then come back next frame).
 * @param {Object<string, number>} intervals shortest time between two draws of each chart, ms
 * @param {(name: string) => boolean} waits whether a chart has something new to draw
 * @param {Object<string, number>} drawnAt when each was last drawn, ms
 * @param {number} now ms
 * @returns {{due: string|null, waiting: boolean}}
 */
export function pickDue(intervals, waits, drawnAt, now) {
  let due = null;
  let overdue = 0;
  let waiting = false;
  for (const [name, interval] of Object.entries(intervals)) {
    if (!waits(name)) continue;
    waiting = true;
    const late = now - (drawnAt[name] ?? -Infinity) - interval;
    if (late >= 0 && (due === null || late > overdue)) [due, overdue] = [name, late];
  }
  return { due, waiting };
}

export class RenderLoop {
  /**
   * @param {{frame?: (callback: Function) => number, now?: () => number, onLayout?: () => void}} [deps]
   *   frame: requestAnimationFrame; now: performance.now; onLayout: refit the charts to the
   *   layout (main.js: the chart font, Plotly's resize of each chart shown)
   */
  constructor({ frame = (callback) => requestAnimationFrame(callback), now = () => performance.now(), onLayout = () => {} } = {}) {
    this.frame = frame;
    this.now = now;
    this.onLayout = onLayout;
    /** @type {Set<{paint(now: number): boolean|void}>} painters waiting for the next frame */
    this.waiting = new Set();
    this.scheduled = 0;
    this.painters = new Set();
  }

  /**
   * Paint `painter` at the next animation frame (once, however often asked before it). Its
   * paint(now) returns true to be painted again at the frame after.
   * @param {{paint(now: number): boolean|void}} painter
   */
  request(painter) {
    this.painters.add(painter);
    this.waiting.add(painter);
    if (this.scheduled) return;
    this.scheduled = this.frame(() => this.tick());
  }

  tick() {
    this.scheduled = 0;
    const painters = [...this.waiting];
    this.waiting.clear();
    const now = this.now();
    for (const painter of painters) {
      if (painter.paint(now)) this.request(painter);
    }
  }

  /** The layout changed: fit the charts to it and paint every painter again. */
  relayout() {
    this.onLayout();
    for (const painter of this.painters) this.request(painter);
  }
}
