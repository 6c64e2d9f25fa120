/**
 * Drawing your own points on the decision-boundary plot: click adds a point of the chosen class,
 * shift-click one of the other class (the next class, with more than two), and a press-and-drag
 * paints them along its path (one every DRAG_SPACING_PX); the eraser or an alt-click /
 * right-click removes the nearest point (a drag, those along its path); Clear removes all.
 * Undo and Redo (the buttons, Ctrl+Z and Ctrl+Shift+Z or Ctrl+Y: shortcuts.js) step through
 * strokes (strokes.js: a stroke, a click or a Clear is one step). Owns #draw-tools, #draw-prompt
 * and the transparent layer laid over the boundary chart while drawing; reports the new points
 * as a `{pts}` patch (the controller sends them to the run, which keeps training): a stroke's
 * first is a new entry of the browser's history, the rest of it replace that entry.
 */

import { CLASS_COLORS } from './colors.js';
import { OWN_DATA, snap, trainable } from './state.js';
import { StrokeHistory, spacedAlong } from './strokes.js';

/** A click this close to a point (in plot units; the plane is 12 wide) erases it. */
const ERASE_RADIUS = 0.45;
/** A drag paints a point every this many screen pixels along its path. */
export const DRAG_SPACING_PX = 10;
/** While a stroke goes on, its points reach the run at most this often, ms (then at its end). */
const STROKE_EMIT_MS = 80;

export class DrawTool {
  /**
   * @param {import('./charts.js').BoundaryChart} boundary converts clicks to plot coordinates
   * @param {object} options GET /api/options (limits.max_drawn_points, draw_bounds)
   */
  constructor(boundary, options) {
    const $ = (id) => document.getElementById(id);
    this.boundary = boundary;
    this.maxPoints = options.limits.max_drawn_points;
    /** The plane points are drawn on: [x1 lo, x1 hi, x2 lo, x2 hi]. */
    this.bounds = options.draw_bounds;
    this.el = {
      tools: $('draw-tools'), classes: $('draw-classes-bar'), erase: $('draw-erase'), clear: $('draw-clear'),
      count: $('draw-count'), prompt: $('draw-prompt'), chart: $('boundary-chart'), undo: $('draw-undo'), redo: $('draw-redo'),
    };
    this.history = new StrokeHistory();
    /** The stroke under way: {erase, cls, before, last: [x, y] px, pointer, pushed, emittedAt, dirty}. */
    this.stroke = null;
    this.layer = Object.assign(document.createElement('div'), { className: 'draw-layer' });
    this.layer.dataset.testid = 'draw-layer';
    this.selected = 0;
    this.erasing = false;
    /** A stroke reached the most points a drawing holds (said once it ends). */
    this.limitHit = false;
    this.active = false;
    this.pts = { x1: [], x2: [], y: [] };
    this.nClasses = 2;
  }

  /**
   * Call `handler({pts}, {push})` when the user adds, erases or clears points (push: whether
   * it is a new entry of the browser's history, or goes on with the stroke of the last one).
   * @param {(patch: object, how: {push: boolean}) => void} handler
   */
  bind(handler) {
    this.handler = handler;
    this.el.erase.addEventListener('click', () => {
      this.erasing = !this.erasing;
      this.renderTools();
    });
    this.el.clear.addEventListener('click', () => this.change({ x1: [], x2: [], y: [] }));
    this.el.undo.addEventListener('click', () => this.undo());
    this.el.redo.addEventListener('click', () => this.redo());
    this.layer.addEventListener('pointerdown', (event) => this.onPointerDown(event));
    this.layer.addEventListener('pointermove', (event) => this.onPointerMove(event));
    for (const end of ['pointerup', 'pointercancel', 'lostpointercapture']) this.layer.addEventListener(end, (event) => this.endStroke(event));
    this.layer.addEventListener('contextmenu', (event) => event.preventDefault());
  }

  /**
   * Undo the last stroke (or Clear).
   * @returns {boolean} whether drawing is on (the key is the draw tool's then)
   */
  undo() {
    if (!this.active) return false;
    if (this.stroke) return true;
    const pts = this.history.undo(this.pts);
    if (pts) this.emit(pts);
    return true;
  }

  /**
   * Redo what the last undo took away.
   * @returns {boolean} whether drawing is on
   */
  redo() {
    if (!this.active) return false;
    if (this.stroke) return true;
    const pts = this.history.redo(this.pts);
    if (pts) this.emit(pts);
    return true;
  }

  /** A change in one step (Clear): recorded, then sent. */
  change(pts) {
    if (this.history.record(this.pts, pts)) this.emit(pts);
  }

  /** Show the state: the tools only while the data is drawn. */
  render(state) {
    this.active = state.dataset === OWN_DATA.DRAW;
    if (!this.stroke) this.pts = state.pts; // a stroke's points not sent yet stay
    this.nClasses = state.pclasses;
    if (this.selected >= this.nClasses) this.selected = 0;
    this.el.tools.hidden = !this.active;
    this.el.chart.classList.toggle('drawing', this.active);
    if (this.active && this.layer.parentElement !== this.el.chart) this.el.chart.append(this.layer);
    if (!this.active) this.layer.remove();
    this.renderTools();
  }

  renderTools() {
    const el = this.el;
    el.classes.replaceChildren(...Array.from({ length: this.nClasses }, (_, c) => {
      const button = document.createElement('button');
      button.className = 'draw-class';
      button.style.background = CLASS_COLORS[c];
      button.textContent = String(c);
      button.title = `Draw class ${c}`;
      button.dataset.testid = `draw-class-${c}`;
      button.setAttribute('aria-pressed', String(c === this.selected && !this.erasing));
      button.addEventListener('click', () => {
        this.selected = c;
        this.erasing = false;
        this.renderTools();
      });
      return button;
    }));
    el.erase.setAttribute('aria-pressed', String(this.erasing));
    el.undo.disabled = !this.history.canUndo;
    el.redo.disabled = !this.history.canRedo;
    el.chart.classList.toggle('erasing', this.active && this.erasing);
    const n = this.pts.y.length;
    el.count.value = `${n} point${n === 1 ? '' : 's'}`;
    if (this.stroke) return; // the prompt changes once the stroke ends: the plot must not move under the pointer
    if (this.limitHit) {
      this.limitHit = false;
      el.prompt.hidden = false;
      el.prompt.textContent = `At most ${this.maxPoints} points: erase some to add more.`;
      return;
    }
    el.prompt.hidden = !this.active || trainable(this.pts);
    el.prompt.textContent = n === 0
      ? 'Click on the plot to add points, or drag to paint them; shift adds the other class.'
      : 'Add points of a second class to start training.';
  }

  /** The plane's coordinates under a screen point, or null off the plane. */
  planeAt(clientX, clientY) {
    const xy = this.boundary.toData(clientX, clientY);
    if (!xy) return null;
    const [x, y] = xy;
    const [lo, hi, lo2, hi2] = this.bounds;
    return x < lo || x > hi || y < lo2 || y > hi2 ? null : xy;
  }

  onPointerDown(event) {
    event.preventDefault();
    if (this.stroke && this.layer.hasPointerCapture?.(this.stroke.pointer)) return; // a second finger: the first one's stroke goes on
    if (this.stroke) this.endStroke({ pointerId: this.stroke.pointer, timeStamp: event.timeStamp }); // its end never came
    const xy = this.planeAt(event.clientX, event.clientY);
    if (!xy) return;
    this.stroke = {
      erase: this.erasing || event.altKey || event.button === 2,
      cls: event.shiftKey ? (this.selected + 1) % this.nClasses : this.selected,
      before: this.pts, last: [event.clientX, event.clientY], pointer: event.pointerId, pushed: false, emittedAt: -Infinity, dirty: false,
    };
    try { this.layer.setPointerCapture(event.pointerId); } catch { /* a synthetic pointer */ }
    this.paintAt(xy);
    this.flush(event.timeStamp);
  }

  onPointerMove(event) {
    const stroke = this.stroke;
    if (!stroke || event.pointerId !== stroke.pointer) return;
    for (const place of spacedAlong(stroke.last, [event.clientX, event.clientY], DRAG_SPACING_PX)) {
      stroke.last = place;
      const xy = this.planeAt(...place);
      if (xy) this.paintAt(xy);
    }
    if (event.timeStamp - stroke.emittedAt >= STROKE_EMIT_MS) this.flush(event.timeStamp);
  }

  endStroke(event) {
    const stroke = this.stroke;
    if (!stroke || event.pointerId !== stroke.pointer) return;
    this.flush(event.timeStamp);
    this.stroke = null;
    this.history.record(stroke.before, this.pts);
    this.renderTools();
  }

  /** The stroke paints (or erases) at a place of the plane: the points change here, sent by flush. */
  paintAt([x, y]) {
    const stroke = this.stroke;
    if (stroke.erase) {
      const pts = this.withoutNearest(this.pts, x, y);
      if (pts) [this.pts, stroke.dirty] = [pts, true];
      return;
    }
    if (this.pts.y.length >= this.maxPoints) {
      this.limitHit = true; // said when the stroke ends
      return;
    }
    const [lo, hi, lo2, hi2] = this.bounds;
    const pts = this.pts;
    this.pts = { x1: [...pts.x1, snap(x, [lo, hi])], x2: [...pts.x2, snap(y, [lo2, hi2])], y: [...pts.y, stroke.cls] };
    stroke.dirty = true;
  }

  /** Send what the stroke changed since it last did: its first change is a new history entry. */
  flush(time) {
    const stroke = this.stroke;
    if (!stroke || !stroke.dirty) return;
    stroke.dirty = false;
    stroke.emittedAt = time;
    const push = !stroke.pushed;
    stroke.pushed = true;
    this.emit(this.pts, { push });
  }

  /** The points without the one nearest (x, y) within ERASE_RADIUS, or null if none is. */
  withoutNearest(pts, x, y) {
    let best = -1;
    let bestD = ERASE_RADIUS ** 2;
    pts.y.forEach((_, i) => {
      const d = (pts.x1[i] - x) ** 2 + (pts.x2[i] - y) ** 2;
      if (d <= bestD) [best, bestD] = [i, d];
    });
    if (best < 0) return null;
    const keep = (_, i) => i !== best;
    return { x1: pts.x1.filter(keep), x2: pts.x2.filter(keep), y: pts.y.filter(keep) };
  }

  emit(pts, { push = true } = {}) {
    this.pts = pts;
    this.renderTools();
    this.handler?.({ pts }, { push });
  }
}
