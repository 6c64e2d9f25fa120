/**
 * The course panel: for the network in use, the shapes of X, W[l], b[l], Z[l], A[l] in the
 * course's notation and the forward and backward equations of its layers. Owns #course.
 */

import { html, setHtml } from './html.js';

const G = {
  sigmoid: { g: html`σ(Z) = 1 / (1 + e<sup>−Z</sup>)`, dg: html`A<sup>[l]</sup> (1 − A<sup>[l]</sup>)` },
  tanh: { g: html`tanh(Z)`, dg: html`1 − (A<sup>[l]</sup>)<sup>2</sup>` },
  relu: { g: html`max(0, Z)`, dg: html`1 where Z<sup>[l]</sup> &gt; 0, else 0` },
  leaky_relu: { g: html`max(0.01 Z, Z)`, dg: html`1 where Z<sup>[l]</sup> &gt; 0, else 0.01` },
  linear: { g: html`Z`, dg: html`1` },
  softmax: { g: html`e<sup>Z</sup> / Σ<sub>c</sub> e<sup>Z<sub>c</sub></sup>`, dg: html`` },
};

const sup = (l) => html`<sup>[${l}]</sup>`;
/** Fragments one per line. */
const lines = (items) => items.map((item, i) => html`${i ? html`<br>` : ''}${item}`);

export class CoursePanel {
  /** @param {HTMLElement} root */
  constructor(root) {
    this.root = root;
  }

  /** No run: nothing to show. */
  clear() {
    this.root.replaceChildren();
  }

  /**
   * Show the shapes and equations of a run (the `created` payload).
   * @param {object} created
   */
  render(created) {
    const dims = created.network.layer_dims;
    const acts = created.network.activations;
    const L = dims.length - 1;
    const m = created.dataset.m_train ?? created.dataset.train.y.length;
    const output = acts[L - 1];
    const rows = [html`<tr><td>X = A${sup(0)}</td><td>(n<sub>x</sub>, m) = (${dims[0]}, ${m})</td><td colspan="3"></td></tr>`];
    for (let l = 1; l <= L; l++) {
      rows.push(html`<tr><td>layer ${l}${l === L ? ' (output)' : ''}: ${acts[l - 1]}</td>
        <td>W${sup(l)} (${dims[l]}, ${dims[l - 1]})</td><td>b${sup(l)} (${dims[l]}, 1)</td>
        <td>Z${sup(l)} (${dims[l]}, ${m})</td><td>A${sup(l)} (${dims[l]}, ${m})</td></tr>`);
    }
    const Yshape = output === 'softmax' ? `(C, m) = (${dims[L]}, ${m}), one-hot` : `(1, m) = (1, ${m})`;
    rows.push(html`<tr><td>Y</td><td>${Yshape}</td><td colspan="3"></td></tr>`);
    const cost = {
      sigmoid: html`J = −(1/m) Σ [Y log A<sup>[L]</sup> + (1 − Y) log(1 − A<sup>[L]</sup>)]`,
      softmax: html`J = −(1/m) Σ Σ<sub>c</sub> Y<sub>c</sub> log A<sub>c</sub><sup>[L]</sup>`,
      linear: html`J = (1/m) Σ (A<sup>[L]</sup> − Y)<sup>2</sup>`,
    }[output] || '';
    const dZL = output === 'linear' ? html`dZ${sup('L')} = 2 (A${sup('L')} − Y) ∗ g′(Z${sup('L')}) = 2 (A${sup('L')} − Y)` : html`dZ${sup('L')} = A${sup('L')} − Y`;
    const hidden = [...new Set(acts.slice(0, -1))];
    const l2 = created.config.l2 > 0 ? html` + (λ/m) W${sup('l')}` : '';
    const l1 = created.config.l1 > 0 ? html` + (λ₁/m) sign(W${sup('l')})` : '';
    setHtml(this.root, html`
      <table class="shapes" data-testid="course-shapes"><tbody>${rows}</tbody></table>
      <div class="equations" data-testid="course-equations">
        <h3>Forward, for l = 1 … ${L}</h3>
        <p>Z${sup('l')} = W${sup('l')} A${sup('l−1')} + b${sup('l')} &nbsp; A${sup('l')} = g${sup('l')}(Z${sup('l')})</p>
        <p>${lines([...new Set(acts)].map((a) => html`${a}: g(Z) = ${G[a]?.g || a}`))}</p>
        <p>${cost}${created.config.l2 > 0 ? html` + (λ/2m) Σ ‖W<sup>[l]</sup>‖²` : ''}${created.config.l1 > 0 ? html` + (λ₁/m) Σ |W<sup>[l]</sup>|` : ''}</p>
        <h3>Backward</h3>
        <p>${dZL}</p>
        <p>dW${sup('l')} = (1/m) dZ${sup('l')} A${sup('l−1')}<sup>T</sup>${l2}${l1} &nbsp; db${sup('l')} = (1/m) Σ<sub>i</sub> dZ${sup('l')}</p>
        ${L > 1 ? html`<p>dZ${sup('l')} = W<sup>[l+1]T</sup> dZ${sup('l+1')} ∗ g′(Z${sup('l')}), with</p>
        <p>${lines(hidden.map((a) => html`${a}: g′(Z${sup('l')}) = ${G[a]?.dg ?? ''}`))}</p>` : ''}
        <p>W${sup('l')} := W${sup('l')} − α dW${sup('l')} &nbsp; b${sup('l')} := b${sup('l')} − α db${sup('l')} <span class="muted">(${created.config.optimizer}, α = ${created.config.learning_rate})</span></p>
      </div>`);
  }
}
