/**
 * The data panel: dataset choice (with a small preview of each dataset's points), noise,
 * number of points, train share, classes, seed, regenerate and derived input features.
 * Owns the DOM of its panel; reports changes as {key: value} patches.
 */

import { CLASS_COLORS, NEG, POS, tint } from './colors.js';
import { html, setHtml } from './html.js';
import { OWN_DATA, OWN_DATASETS } from './state.js';

const PREVIEW_PX = 64;

export class DataPanel {
  /**
   * @param {object} options GET /api/options
   */
  constructor(options) {
    this.options = options;
    this.datasets = Object.fromEntries([...options.datasets, ...OWN_DATASETS].map((d) => [d.name, d]));
    this.el = {
      select: document.getElementById('dataset'),
      previews: document.getElementById('dataset-previews'),
      noise: document.getElementById('noise'),
      noiseValue: document.getElementById('noise-value'),
      size: document.getElementById('size'),
      sizeValue: document.getElementById('size-value'),
      train: document.getElementById('train-fraction'),
      trainValue: document.getElementById('train-value'),
      classes: document.getElementById('classes'),
      classesLabel: document.getElementById('classes-label'),
      seed: document.getElementById('data-seed'),
      regenerate: document.getElementById('regenerate'),
      features: document.getElementById('features'),
    };
    this.previewButtons = {};
    for (const d of options.datasets) {
      this.el.select.add(new Option(d.title, d.name));
      const button = document.createElement('button');
      button.className = 'preview';
      button.dataset.testid = `dataset-${d.name}`;
      button.title = d.description || d.title;
      setHtml(button, html`<canvas width="${PREVIEW_PX}" height="${PREVIEW_PX}"></canvas><span>${d.title.replace(/ \(.*\)/, '')}</span>`);
      this.el.previews.append(button);
      this.previewButtons[d.name] = button;
    }
    for (const d of OWN_DATASETS) {
      this.el.select.add(new Option(d.title, d.name));
      const button = document.createElement('button');
      button.className = 'preview own';
      button.dataset.testid = `dataset-${d.name}`;
      button.title = d.description;
      setHtml(button, html`<span class="own-icon" aria-hidden="true">${d.icon}</span><span>${d.title.replace('Upload a ', '').replace('Draw your own', 'Draw')}</span>`);
      this.el.previews.append(button);
      this.previewButtons[d.name] = button;
    }
    this.featureBoxes = {};
    for (const f of options.features) {
      const label = document.createElement('label');
      label.className = 'check';
      setHtml(label, html`<input type="checkbox" data-testid="feature-${f.name}"> ${f.label}`);
      this.el.features.append(label);
      this.featureBoxes[f.name] = label.querySelector('input');
    }
  }

  /**
   * Call `handler(patch)` when the user changes the data.
   * @param {(patch: object) => void} handler
   */
  bindChange(handler) {
    const el = this.el;
    el.select.addEventListener('change', () => handler(this.datasetPatch(el.select.value)));
    for (const [name, button] of Object.entries(this.previewButtons)) {
      button.addEventListener('click', () => handler(this.datasetPatch(name)));
    }
    el.noise.addEventListener('input', () => { el.noiseValue.value = el.noise.value; });
    el.noise.addEventListener('change', () => handler({ noise: Number(el.noise.value) }));
    el.size.addEventListener('input', () => { el.sizeValue.value = el.size.value; });
    el.size.addEventListener('change', () => handler({ size: Number(el.size.value) }));
    el.train.addEventListener('input', () => { el.trainValue.value = pct(el.train.value); });
    el.train.addEventListener('change', () => handler({ train: Number(el.train.value) }));
    el.classes.addEventListener('change', () => handler({ classes: Math.trunc(Number(el.classes.value)) }));
    el.seed.addEventListener('change', () => handler({ dseed: Math.max(0, Math.trunc(Number(el.seed.value))) }));
    el.regenerate.addEventListener('click', () => handler({ dseed: Number(el.seed.value) + 1 }));
    for (const box of Object.values(this.featureBoxes)) {
      box.addEventListener('change', () => handler({
        features: Object.keys(this.featureBoxes).filter((n) => this.featureBoxes[n].checked),
      }));
    }
  }

  /** The patch for choosing a dataset: its own defaults for noise, size and classes. */
  datasetPatch(name) {
    const d = this.datasets[name];
    if (d.own) return { dataset: name, noise: null, size: null, classes: null, ...(name === OWN_DATA.DRAW ? {} : { features: [] }) };
    const patch = { dataset: name, noise: d.default_noise, size: d.default_size, classes: d.default_classes ?? null };
    if (d.n_inputs !== 2) patch.features = [];
    return patch;
  }

  /** Show the state. */
  render(state) {
    const d = this.datasets[state.dataset];
    const el = this.el;
    el.select.value = state.dataset;
    for (const [name, button] of Object.entries(this.previewButtons)) {
      button.classList.toggle('selected', name === state.dataset);
      button.setAttribute('aria-pressed', String(name === state.dataset));
    }
    const own = Boolean(d.own);
    for (const key of ['noise', 'size']) el[key].closest('label').hidden = own;
    el.train.closest('label').hidden = state.dataset === OWN_DATA.IMAGES; // the files hold the split
    el.seed.closest('.row').hidden = state.dataset === OWN_DATA.IMAGES;
    el.regenerate.hidden = own;
    el.features.closest('fieldset').hidden = own && state.dataset !== OWN_DATA.DRAW;
    if (own) {
      el.classesLabel.hidden = true;
      for (const [name, box] of Object.entries(this.featureBoxes)) box.checked = state.features.includes(name);
      el.train.value = state.train;
      el.trainValue.value = pct(state.train);
      el.seed.value = state.dseed;
      return;
    }
    el.noise.max = d.max_noise;
    el.noise.step = d.max_noise / 20;
    el.noise.value = state.noise ?? d.default_noise;
    el.noiseValue.value = el.noise.value;
    el.size.min = d.min_size;
    el.size.max = d.max_size;
    el.size.value = state.size ?? d.default_size;
    el.sizeValue.value = el.size.value;
    el.train.value = state.train;
    el.trainValue.value = pct(state.train);
    el.classesLabel.hidden = d.task !== 'multiclass';
    if (d.max_classes != null) el.classes.max = d.max_classes; // multiclass datasets only
    el.classes.value = state.classes ?? d.default_classes ?? '';
    el.seed.value = state.dseed;
    const twoD = d.n_inputs === 2;
    for (const [name, box] of Object.entries(this.featureBoxes)) {
      box.checked = state.features.includes(name);
      box.disabled = !twoD;
    }
  }

  /**
   * Draw each dataset's points into its preview (from POST /api/datasets/preview).
   * @param {(name: string) => Promise<object>} fetchPreview
   */
  async drawPreviews(fetchPreview) {
    await Promise.all(Object.entries(this.previewButtons).filter(([name]) => !this.datasets[name].own).map(async ([name, button]) => {
      try {
        drawPoints(button.querySelector('canvas'), await fetchPreview(name));
      } catch {
        button.classList.add('no-preview');
      }
    }));
  }
}

function pct(value) {
  return `${Math.round(Number(value) * 100)}%`;
}

function drawPoints(canvas, preview) {
  const ctx = canvas.getContext('2d');
  const [x1lo, x1hi, x2lo, x2hi] = preview.bounds;
  const { x1, x2, y } = preview.train;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, PREVIEW_PX, PREVIEW_PX);
  let ylo = Infinity;
  let yhi = -Infinity;
  for (const v of y) { ylo = Math.min(ylo, v); yhi = Math.max(yhi, v); }
  for (let i = 0; i < x1.length; i++) {
    const px = ((x1[i] - x1lo) / (x1hi - x1lo)) * PREVIEW_PX;
    let py;
    if (x2) py = PREVIEW_PX - ((x2[i] - x2lo) / (x2hi - x2lo)) * PREVIEW_PX;
    else py = PREVIEW_PX - ((y[i] - ylo) / (yhi - ylo || 1)) * (PREVIEW_PX - 8) - 4;
    if (preview.task === 'multiclass') ctx.fillStyle = CLASS_COLORS[y[i] % CLASS_COLORS.length];
    else if (preview.task === 'binary') ctx.fillStyle = y[i] > 0.5 ? tint(POS, 1) : tint(NEG, 1);
    else {
      const t = (y[i] - ylo) / (yhi - ylo || 1);
      ctx.fillStyle = x2 ? tint(t > 0.5 ? POS : NEG, Math.abs(t - 0.5) * 2) : tint(POS, 1);
    }
    ctx.fillRect(px - 1.5, py - 1.5, 3, 3);
  }
}
