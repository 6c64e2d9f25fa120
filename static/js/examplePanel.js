/**
 * The example panel: one example followed through the network, in the course's notation with
 * its numbers (the server's `example` answer, docs/protocol.md): x, z[l] = W[l] a[l-1] + b[l],
 * a[l] = g[l](z[l]), …, ŷ = a[L] and its loss L(ŷ, y); then, for the current step, dz[l] and the
 * example's share of dW[l] and db[l]. Vectors are columns; a layer wider than the server shows
 * (8 units) lists its largest contributions and says "showing k of n". Owns #example-panel.
 * Every number is text (html.js escapes it).
 */

import { html, setHtml } from './html.js';

const G = { sigmoid: 'σ', tanh: 'tanh', relu: 'ReLU', leaky_relu: 'leaky ReLU', linear: 'linear', softmax: 'softmax' };
const LABELS = { x1: 'x₁', x2: 'x₂', x1_squared: 'x₁²', x2_squared: 'x₂²', x1_x2: 'x₁x₂', sin_x1: 'sin(x₁)', sin_x2: 'sin(x₂)' };

const sup = (l) => html`<sup>[${l}]</sup>`;

/**
 * A number as the panel shows it: 4 significant digits, a real minus sign, "—" for none.
 * @param {number|null} v
 * @returns {string}
 */
export function formatNumber(v) {
  if (v == null || !Number.isFinite(v)) return '—';
  if (v === 0) return '0';
  const abs = Math.abs(v);
  const text = abs >= 1e5 || abs < 1e-4 ? v.toExponential(3) : v.toPrecision(4);
  return text.replace('-', '−');
}

/** A column vector of `values` at `units` (indices), each cell tagged with its unit. */
function column(values, units, testid, labels = null) {
  return html`<span class="ex-vec" data-testid="${testid}">${units.map((k, i) => html`<span class="ex-cell" data-unit="${k}"${labels ? html` title="${labels[i]}"` : ''}>${formatNumber(values[i])}</span>`)}</span>`;
}

/** A matrix (rows of numbers) as a grid between brackets. */
function matrix(rows, testid) {
  const cols = rows[0]?.length ?? 0;
  return html`<span class="ex-mat" style="grid-template-columns: repeat(${cols}, auto)" data-testid="${testid}">${rows.map((row) => row.map((v) => html`<span class="ex-cell">${formatNumber(v)}</span>`))}</span>`;
}

/** Row labels of a column that shows some of a layer's n units: which (1-based, as the course counts). */
function unitLabels(units, n) {
  if (units.length >= n) return '';
  return html`<span class="ex-rows" aria-hidden="true">${units.map((k) => html`<span>#${k + 1}</span>`)}</span>`;
}

/** The values of `all` (a layer's whole vector) at `units`. */
const at = (all, units) => units.map((k) => all[k]);

export class ExamplePanel {
  /**
   * @param {{relayout?: () => void}} [hooks] relayout: called when the panel opens or closes (the
   *   page's layout changed: the charts fit their new size; presenter mode shares one screen)
   */
  constructor({ relayout = () => {} } = {}) {
    this.relayout = relayout;
    const $ = (id) => document.getElementById(id);
    this.el = $('example-panel');
    this.title = $('example-title');
    this.note = $('example-note');
    this.body = $('example-body');
    this.closeButton = $('example-close');
  }

  /** @param {() => void} handler called when the user closes the panel */
  bindClose(handler) {
    this.closeButton.addEventListener('click', handler);
  }

  /** @returns {boolean} whether the panel is on screen */
  get open() {
    return !this.el.hidden;
  }

  /** Open the panel for a pick, before its numbers arrive. */
  waiting(pick) {
    this.setOpen(true);
    this.scrollPending = true; // once its numbers are in, the whole panel comes into view
    this.title.textContent = pick.split != null ? `Following ${pick.split} example ${pick.index + 1}` : 'Following a spot of the plane';
    this.note.textContent = 'computing…';
  }

  setOpen(open) {
    if (this.el.hidden === !open) return;
    this.el.hidden = !open;
    this.relayout();
  }

  /** Bring the panel into view (after a pick, not at every live update): all of it if it fits. */
  reveal() {
    if (!this.el.scrollIntoView) return;
    const fits = this.el.getBoundingClientRect().height < innerHeight * 0.8;
    this.el.scrollIntoView({ block: fits ? 'end' : 'start' });
  }

  /** A refusal (the run changed under it, say). */
  error(text) {
    this.note.textContent = text;
  }

  hide() {
    this.setOpen(false);
    this.body.replaceChildren();
    delete this.el.dataset.iteration;
  }

  /**
   * Show an `example` answer.
   * @param {object} m the server's `example` message
   */
  render(m) {
    this.setOpen(true);
    this.el.dataset.iteration = String(m.iteration);
    const { source } = m;
    const where = source.kind === 'point'
      ? `the spot (${source.point.map(formatNumber).join(', ')})`
      : `${source.kind} example ${source.index + 1}`;
    this.title.textContent = `Following ${where}`;
    const labelled = m.loss != null;
    this.note.textContent = `iteration ${m.iteration.toLocaleString('en-US')}`
      + (labelled ? ` · shares of a batch of m = ${m.m}${m.m < m.m_train ? ` (mini-batch; the training set has ${m.m_train})` : ' (the whole training set)'}` : ' · no label here: the forward pass only')
      + (m.l2 > 0 && labelled ? ` · L2 adds (λ/m) W[l] to the batch's dW, not to any one example's` : '');
    const L = m.layers.length;
    const input = m.input;
    const inputNames = input.names.map((name) => LABELS[name] || name);
    const why = 'the units whose |a| × Σ|W| of their edges to the next layer (how much they move it) is largest; the output layer: the largest |ŷ|';
    const shownNote = (shown, n, what) => (shown < n ? html`<span class="ex-showing" data-testid="ex-showing" title="${why}">showing ${shown} of ${n} ${what} (largest contributions)</span>` : '');
    const forward = [html`<div class="ex-eq" data-testid="ex-x"><span class="ex-name">x = a${sup(0)} =</span>
      <span class="ex-labelled">${html`<span class="ex-rows" aria-hidden="true">${inputNames.map((n) => html`<span>${n}</span>`)}</span>`}${column(input.x, input.units, 'ex-x-values', inputNames)}</span>
      ${shownNote(input.units.length, input.n, 'inputs')}</div>`];
    m.layers.forEach((layer, i) => {
      const l = layer.l;
      const prev = i === 0 ? input.units : m.layers[i - 1].units;
      const prevValues = i === 0 ? input.x : at(m.layers[i - 1].a, prev);
      const rows = layer.units;
      const out = l === L;
      forward.push(html`<div class="ex-eq" data-testid="ex-forward-${l}">
        <span class="ex-name">z${sup(l)} = W${sup(l)} a${sup(l - 1)} + b${sup(l)} =</span>
        ${matrix(layer.W, `ex-W-${l}`)}${column(prevValues, prev, `ex-a-prev-${l}`)}
        <span class="ex-op">+</span>${column(layer.b, rows, `ex-b-${l}`)}<span class="ex-op">=</span>
        <span class="ex-labelled">${unitLabels(rows, layer.n)}${column(at(layer.z, rows), rows, `ex-z-${l}`)}</span>
        <span class="ex-name">a${sup(l)} = ${G[layer.activation] || layer.activation}(z${sup(l)})${out ? html` = ŷ` : ''} =</span>
        ${column(at(layer.a, rows), rows, `ex-a-${l}`)}
        ${shownNote(rows.length, layer.n, 'units')}</div>`);
    });
    let result = html`<div class="ex-eq ex-result" data-testid="ex-yhat"><span class="ex-name">ŷ = a${sup(L)} =</span>${column(m.y_hat, m.y_hat.map((_, k) => k), 'ex-yhat-values')}${this.verdict(m)}</div>`;
    if (labelled) {
      result = html`${result}<div class="ex-eq ex-result" data-testid="ex-loss">
        <span class="ex-name">y =</span>${column(m.y, m.y.map((_, k) => k), 'ex-y-values')}
        <span class="ex-name">${lossFormula(m.loss_name)} =</span><span class="ex-scalar" data-testid="ex-loss-value">${formatNumber(m.loss)}</span>
        ${m.target_scale ? html`<span class="ex-showing">(y standardized: (y − ${formatNumber(m.target_scale.mean)}) / ${formatNumber(m.target_scale.std)})</span>` : ''}</div>`;
    }
    const backward = labelled ? m.layers.slice().reverse().map((layer) => {
      const l = layer.l;
      const rows = layer.units;
      const prevName = l === 1 ? html`x` : html`a${sup(l - 1)}`;
      const dzText = l === L ? dzOutput(m.loss_name, L) : html`dz${sup(l)} = W${sup(l + 1)}ᵀ dz${sup(l + 1)} ∗ g′(z${sup(l)})`;
      return html`<div class="ex-eq" data-testid="ex-backward-${l}">
        <span class="ex-name">${dzText} =</span>
        <span class="ex-labelled">${unitLabels(rows, layer.n)}${column(at(layer.dz, rows), rows, `ex-dz-${l}`)}</span>
        <span class="ex-name">dW${sup(l)} share = (1/m) dz${sup(l)} ${prevName}ᵀ =</span>${matrix(layer.dW, `ex-dW-${l}`)}
        <span class="ex-name">db${sup(l)} share = (1/m) dz${sup(l)} =</span>${column(layer.db, rows, `ex-db-${l}`)}
        ${shownNote(rows.length, layer.n, 'units')}</div>`;
    }) : [];
    setHtml(this.body, html`
      <div class="ex-part"><h3>Forward</h3>${forward}${result}</div>
      ${labelled ? html`<div class="ex-part"><h3>Backward, this example's part of the step (m = ${m.m})</h3>${backward}</div>` : ''}`);
    if (this.scrollPending) {
      this.scrollPending = false;
      this.reveal();
    }
  }

  /** What ŷ says: the predicted class (or value). */
  verdict(m) {
    const y = m.y_hat;
    if (m.task === 'regression') {
      const s = m.target_scale;
      return s ? html`<span class="ex-showing">prediction ${formatNumber(y[0] * s.std + s.mean)} in the data's units</span>` : '';
    }
    const predicted = y.length === 1 ? (y[0] > 0.5 ? 1 : 0) : y.indexOf(Math.max(...y));
    const truth = m.label == null ? '' : ` (label ${m.label})`;
    return html`<span class="ex-showing" data-testid="ex-predicted">predicted class ${predicted}${truth}</span>`;
  }
}

function lossFormula(name) {
  if (name === 'binary_cross_entropy') return html`L(ŷ, y) = −[y log ŷ + (1 − y) log(1 − ŷ)]`;
  if (name === 'categorical_cross_entropy') return html`L(ŷ, y) = −Σ<sub>c</sub> y<sub>c</sub> log ŷ<sub>c</sub>`;
  return html`L(ŷ, y) = Σ (ŷ − y)²`;
}

function dzOutput(name, L) {
  if (name === 'mean_squared_error') return html`dz${sup(L)} = 2 (ŷ − y) ∗ g′(z${sup(L)})`;
  return html`dz${sup(L)} = ŷ − y`;
}
