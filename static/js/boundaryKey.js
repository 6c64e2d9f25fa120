/**
 * The colour key under the decision boundary: one line saying what the points' colours and the
 * background mean for this run's task (classes, P(y = 1), a regression's y), and what the
 * diamonds are. Owns #boundary-key.
 */

import { BINARY_SCALE, CLASS_COLORS, NEG, POS, tint } from './colors.js';
import { html, setHtml } from './html.js';

const RAMP = `linear-gradient(to right, ${BINARY_SCALE.map(([, c]) => c).join(', ')})`;

function dot(color, test = false) {
  return html`<span class="dot${test ? ' test' : ''}" style="background: ${color}"></span>`;
}

function num(v) {
  return Number(v).toPrecision(3).replace(/\.?0+$/, '');
}

export class BoundaryKey {
  constructor() {
    this.el = document.getElementById('boundary-key');
  }

  /**
   * Say what the colours mean.
   * @param {object|null} dataset the run's dataset summary (null or not plottable: no key)
   * @param {{test: boolean, discrete: boolean}} view what the plot shows
   */
  render(dataset, view) {
    const d = dataset;
    this.el.hidden = !d || d.plottable === false || !d.train;
    if (this.el.hidden) return;
    const test = view.test ? html`<span class="item">${dot('#ccc', true)}test points (held out)</span>` : '';
    let key;
    if (d.task === 'binary') {
      const names = d.source?.label_names || ['class 0', 'class 1'];
      const background = view.discrete
        ? html`the prediction, ŷ = 1 where P(y = 1) ≥ 0.5`
        : html`P(y = 1) from 0<span class="ramp" style="background: ${RAMP}"></span>1, pale where unsure`;
      key = html`<span class="item">${dot(tint(NEG, 1))}<span class="neg">${names[0]}</span> (y = 0)</span>
        <span class="item">${dot(tint(POS, 1))}<span class="pos">${names[1]}</span> (y = 1)</span>
        <span class="item">background: ${background}</span>`;
    } else if (d.task === 'multiclass') {
      const names = d.source?.label_names;
      const classes = Array.from({ length: d.n_classes }, (_, c) => html`<span class="item">${dot(CLASS_COLORS[c % CLASS_COLORS.length])}${names?.[c] ?? `class ${c}`}</span>`);
      key = html`${classes}<span class="item">background: the predicted class${view.discrete ? '' : ', paler where unsure'}</span>`;
    } else if (d.train.x2 == null) {
      key = html`<span class="item">dots: the data (x₁, y)</span><span class="item">line: the network's prediction ŷ</span>`;
    } else {
      const y = [...d.train.y, ...d.test.y];
      key = html`<span class="item">colour: y from ${num(Math.min(...y))}<span class="ramp" style="background: ${RAMP}"></span>${num(Math.max(...y))}, points and the network's ŷ alike</span>`;
    }
    setHtml(this.el, html`${key}${test}`);
  }
}
