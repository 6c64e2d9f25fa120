/**
 * Drawing your own points on the decision-boundary plot: click adds a point of the chosen class,
 * shift-click one of the other class (the next class, with more than two), the eraser or an
 * alt-click / right-click removes the nearest point, Clear removes all. Owns #draw-tools,
 * #draw-prompt and the transparent layer laid over the boundary chart while drawing; reports
 * the new points as a `{pts}` patch (the controller sends them to the run, which keeps training).
 */

import { CLASS_COLORS } from './colors.js';
import { OWN_DATA, snap, trainable } from './state.js';

/** A click this close to a point (in plot units; the plane is 12 wide) erases it. */
const ERASE_RADIUS = 0.45;

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
      count: $('draw-count'), prompt: $('draw-prompt'), chart: $('boundary-chart'),
    };
    this.layer = Object.assign(document.createElement('div'), { className: 'draw-layer' });
    this.layer.dataset.testid = 'draw-layer';
    this.selected = 0;
    this.erasing = false;
    this.active = false;
    this.pts = { x1: [], x2: [], y: [] };
    this.nClasses = 2;
  }

  /**
   * Call `handler({pts})` when the user adds, erases or clears points.
   * @param {(patch: object) => void} handler
   */
  bind(handler) {
    this.handler = handler;
    this.el.erase.addEventListener('click', () => {
      this.erasing = !this.erasing;
      this.renderTools();
    });
    this.el.clear.addEventListener('click', () => this.emit({ x1: [], x2: [], y: [] }));
    this.layer.addEventListener('pointerdown', (event) => this.onPointer(event));
    this.layer.addEventListener('contextmenu', (event) => event.preventDefault());
  }

  /** Show the state: the tools only while the data is drawn. */
  render(state) {
    this.active = state.dataset === OWN_DATA.DRAW;
    this.pts = state.pts;
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
    el.chart.classList.toggle('erasing', this.active && this.erasing);
    const n = this.pts.y.length;
    el.count.value = `${n} point${n === 1 ? '' : 's'}`;
    el.prompt.hidden = !this.active || trainable(this.pts);
    el.prompt.textContent = n === 0
      ? 'Click on the plot to add points; shift-click adds the other class.'
      : 'Add points of a second class to start training.';
  }

  onPointer(event) {
    event.preventDefault();
    const xy = this.boundary.toData(event.clientX, event.clientY);
    if (!xy) return;
    const [x, y] = xy;
    const [lo, hi, lo2, hi2] = this.bounds;
    if (x < lo || x > hi || y < lo2 || y > hi2) return;
    if (this.erasing || event.altKey || event.button === 2) {
      this.eraseNear(x, y);
      return;
    }
    if (this.pts.y.length >= this.maxPoints) {
      this.el.prompt.hidden = false;
      this.el.prompt.textContent = `At most ${this.maxPoints} points: erase some to add more.`;
      return;
    }
    const c = event.shiftKey ? (this.selected + 1) % this.nClasses : this.selected;
    const pts = this.pts;
    this.emit({ x1: [...pts.x1, snap(x, [lo, hi])], x2: [...pts.x2, snap(y, [lo2, hi2])], y: [...pts.y, c] });
  }

  eraseNear(x, y) {
    const pts = this.pts;
    let best = -1;
    let bestD = ERASE_RADIUS ** 2;
    pts.y.forEach((_, i) => {
      const d = (pts.x1[i] - x) ** 2 + (pts.x2[i] - y) ** 2;
      if (d <= bestD) [best, bestD] = [i, d];
    });
    if (best < 0) return;
    const keep = (_, i) => i !== best;
    this.emit({ x1: pts.x1.filter(keep), x2: pts.x2.filter(keep), y: pts.y.filter(keep) });
  }

  emit(pts) {
    this.pts = pts;
    this.renderTools();
    this.handler?.({ pts });
  }
}
