/**
 * The teacher's class board: a tile per student (its best run's boundary thumbnail, name,
 * architecture, parameters, iteration, accuracies, cost; the challenge's broken rules and
 * whether it reached the target), sorted as chosen, and the challenge form. A tile's click
 * spotlights its student; its ✕ removes the student (after a confirm). Owns #class-board; what students sent (names, numbers) is written as
 * text (html.js escapes it). The thumbnails use the boundary chart's colour scale (colors.js).
 */

import { BINARY_SCALE, scaleRgb } from './colors.js';
import { paintGrid } from './boundaryGrid.js';
import { formatCount, setHidden, setText } from './domWrite.js';
import { html, setHtml } from './html.js';
import { SORTS, architecture, bestRun, decodeThumbnail, sortStudents } from './classroom.js';

/** P(y = 1) byte → RGB, as the boundary chart colours a binary task. */
const LUT = (() => {
  const lut = new Uint8ClampedArray(256 * 3);
  for (let q = 0; q < 256; q++) lut.set(scaleRgb(BINARY_SCALE, q / 255), q * 3);
  return lut;
})();

const pct = (v) => (v == null ? '–' : `${(v * 100).toFixed(1)}%`);
const cost = (v) => (v == null ? '–' : v.toFixed(4));

export class BoardView {
  /** @param {object} options GET /api/options (the challenge's datasets) */
  constructor(options) {
    const $ = (id) => document.getElementById(id);
    this.el = {
      panel: $('class-board'), sort: $('board-sort'), count: $('board-count'), tiles: $('board-tiles'),
      form: $('board-challenge'), dataset: $('challenge-dataset'), layers: $('challenge-layers'), units: $('challenge-units'),
      iterations: $('challenge-iterations'), target: $('challenge-target'), clear: $('challenge-clear'), said: $('challenge-said'),
    };
    for (const [value, label] of Object.entries(SORTS)) this.el.sort.add(new Option(label, value));
    for (const d of options.datasets) this.el.dataset.add(new Option(d.title || d.name, d.name));
    this.by = 'accuracy';
    this.el.sort.value = this.by;
    this.last = null;
  }

  /** @param {{spotlight(student: string), remove(student: string), challenge(challenge: object|null)}} handlers */
  bind(handlers) {
    const el = this.el;
    el.sort.addEventListener('change', () => {
      this.by = el.sort.value;
      if (this.last) this.render(this.last);
    });
    el.tiles.addEventListener('click', (event) => {
      const remove = event.target.closest('button[data-remove]');
      if (remove) {
        event.stopPropagation();
        const name = remove.dataset.name;
        if (window.confirm(`Remove ${name} from the class? They cannot join it again.`)) handlers.remove(remove.dataset.remove);
        return;
      }
      const tile = event.target.closest('[data-student]');
      if (tile) handlers.spotlight(tile.dataset.student);
    });
    el.tiles.addEventListener('keydown', (event) => {
      const tile = event.target.closest('[data-student]');
      if (tile && (event.key === 'Enter' || event.key === ' ')) {
        event.preventDefault();
        handlers.spotlight(tile.dataset.student);
      }
    });
    const number = (input) => (input.value === '' ? null : Math.trunc(Number(input.value)));
    el.form.addEventListener('submit', (event) => {
      event.preventDefault();
      handlers.challenge({
        target: Math.min(1, Math.max(0, Number(el.target.value) / 100)),
        dataset: el.dataset.value || null,
        max_layers: number(el.layers),
        max_units: number(el.units),
        max_iterations: number(el.iterations),
      });
    });
    el.clear.addEventListener('click', () => handlers.challenge(null));
  }

  show(open) {
    setHidden(this.el.panel, !open);
    if (!open) this.last = null;
  }

  /** The class's challenge, in words beside the form. */
  setChallenge(challenge) {
    if (!challenge) {
      setText(this.el.said, 'none set');
      return;
    }
    const rules = [
      challenge.dataset && `on ${challenge.dataset}`,
      challenge.max_layers != null && `≤ ${challenge.max_layers} hidden layers`,
      challenge.max_units != null && `≤ ${challenge.max_units} units a layer`,
      challenge.max_iterations != null && `≤ ${formatCount(challenge.max_iterations)} iterations`,
    ].filter(Boolean);
    setText(this.el.said, `Set: test accuracy ≥ ${pct(challenge.target)}${rules.length ? `, ${rules.join(', ')}` : ''}`);
  }

  /**
   * A `board` message: every student's tile, in the chosen order.
   * @param {{students: object[], challenge: object|null}} board
   */
  render(board) {
    this.last = board;
    const students = sortStudents(board.students, this.by);
    setText(this.el.count, `${students.length} student${students.length === 1 ? '' : 's'}`);
    setHtml(this.el.tiles, html`${students.map((s) => this.tile(s, board.challenge))}`);
    const byId = new Map(students.map((s) => [s.student, s]));
    for (const tile of this.el.tiles.children) {
      const canvas = tile.querySelector('canvas[data-thumbnail]');
      const run = bestRun(byId.get(tile.dataset.student));
      if (canvas && run?.thumbnail) drawThumbnail(canvas, run.thumbnail, run.thumbnail_side);
    }
  }

  tile(student, challenge) {
    const run = bestRun(student);
    const broken = student.broken || [];
    const reached = student.reached;
    const classes = ['board-tile', broken.length ? 'broken' : '', reached ? 'reached' : ''].join(' ');
    const facts = run ? html`
      <span class="tile-arch" data-testid="tile-arch">${architecture(run)}</span>
      <dl class="tile-facts">
        <div><dt>params</dt><dd data-testid="tile-parameters">${formatCount(run.parameters)}</dd></div>
        <div><dt>iteration</dt><dd data-testid="tile-iteration" data-value="${run.iteration}">${formatCount(run.iteration)}</dd></div>
        <div><dt>train</dt><dd data-testid="tile-train">${pct(run.train_accuracy)}</dd></div>
        <div><dt>test</dt><dd data-testid="tile-test">${pct(run.test_accuracy)}</dd></div>
        <div><dt>cost</dt><dd data-testid="tile-cost">${cost(run.train_cost)}</dd></div>
      </dl>` : html`<p class="muted">no run yet</p>`;
    return html`<li class="${classes}" data-student="${student.student}" data-testid="board-tile" tabindex="0"
        role="button" title="Show this student's run to the class">
      ${run?.thumbnail ? html`<canvas data-thumbnail width="${run.thumbnail_side}" height="${run.thumbnail_side}"></canvas>`
        : html`<span class="tile-blank"></span>`}
      <button type="button" class="tile-remove" data-remove="${student.student}" data-name="${student.name}"
        data-testid="tile-remove" title="Remove this student from the class" aria-label="Remove ${student.name}">✕</button>
      <div class="tile-text">
        <b class="tile-name" data-testid="tile-name">${student.name}</b>
        ${facts}
        ${challenge && reached ? html`<p class="tile-reached" data-testid="tile-reached">reached in ${reached.seconds} s</p>` : ''}
        ${broken.length ? html`<ul class="tile-broken" data-testid="tile-broken">${broken.map((b) => html`<li>${b}</li>`)}</ul>` : ''}
      </div>
    </li>`;
  }
}

/**
 * Draw a thumbnail's codes (row 0 the lowest x2, as the frames' boundary) into its canvas.
 * @param {HTMLCanvasElement} canvas side × side
 * @param {string} base64
 * @param {number} side
 */
function drawThumbnail(canvas, base64, side) {
  const codes = decodeThumbnail(base64);
  if (codes.length !== side * side) return;
  const ctx = canvas.getContext('2d');
  const image = ctx.createImageData(side, side);
  paintGrid(image.data, codes, side, LUT);
  ctx.putImageData(image, 0, 0);
}
