/**
 * Your own data in the data panel: the number of drawn classes, a CSV upload with its label
 * column, what to learn the label as (auto, classes, regression) and the standardization the
 * course teaches, and image-set uploads (or the built-in example) with how the images became X.
 * Owns #own-data; uploads files itself (POST /api/uploads) and reports `{upload, label, ctask}`,
 * `{label}`, `{ctask}` or `{images}` patches; a refused file's message (what is wrong and where)
 * shows in #upload-error and nothing else changes.
 */

import { html, setHtml } from './html.js';
import { CSV_TASKS, OWN_DATA } from './state.js';

export class OwnDataPanel {
  /** @param {object} options GET /api/options (limits, uploads: what each chooser accepts) */
  constructor(options) {
    const $ = (id) => document.getElementById(id);
    this.limits = options.limits;
    this.el = {
      draw: $('draw-source'), drawClasses: $('draw-classes'),
      csv: $('csv-source'), csvFile: $('csv-file'), csvName: $('csv-name'), label: $('label-column'), task: $('csv-task'),
      standardization: $('standardization'),
      images: $('image-source'), imageFiles: $('image-files'), example: $('image-example'), imageInfo: $('image-info'),
      error: $('upload-error'),
    };
    this.el.drawClasses.max = options.max_drawn_classes;
    for (const t of CSV_TASKS) this.el.task.add(new Option(t.title, t.name));
    this.el.csvFile.accept = options.uploads.csv.join(',');
    this.el.imageFiles.accept = options.uploads.images.join(',');
    /** The file name suffixes of image sets (the others are CSV files). */
    this.imageSuffixes = options.uploads.images.filter((a) => a.startsWith('.'));
    /** The uploaded CSV's columns by upload id (a reloaded page learns them from `created`). */
    this.columns = {};
    this.names = {};
  }

  /**
   * Call `handler(patch)` when the user chooses files, a label column or a number of classes.
   * @param {(patch: object) => void} handler
   */
  bindChange(handler) {
    const el = this.el;
    el.drawClasses.addEventListener('change', () => {
      const n = Math.max(2, Math.min(Number(el.drawClasses.max), Math.trunc(Number(el.drawClasses.value)) || 2));
      handler({ pclasses: n }); // fewer classes: the controller drops the others' points
    });
    el.label.addEventListener('change', () => handler({ label: el.label.value }));
    el.task.addEventListener('change', () => handler({ ctask: el.task.value }));
    el.csvFile.addEventListener('change', async () => {
      const file = el.csvFile.files[0];
      if (!file) return;
      const upload = await this.upload(file);
      if (!upload) return;
      if (upload.kind !== 'csv') {
        this.showError(`${file.name} is an image set: choose “Images” to train on it.`);
        return;
      }
      this.columns[upload.id] = upload.columns;
      this.names[upload.id] = `${file.name}: ${upload.rows} rows, ${upload.columns.length} columns`;
      handler({ upload: upload.id, label: upload.label, ctask: '' }); // a new table: guess again
    });
    el.imageFiles.addEventListener('change', async () => {
      const files = [...el.imageFiles.files].slice(0, 2);
      if (!files.length) return;
      const ids = [];
      for (const file of files) {
        const upload = await this.upload(file);
        if (!upload) return;
        if (upload.kind !== 'images') {
          this.showError(`${file.name} is not an image set (.h5 or .npz in the course's layout).`);
          return;
        }
        ids.push(upload.id);
      }
      handler({ images: ids });
    });
    el.example.addEventListener('click', () => handler({ images: [] }));
  }


  /**
   * Send a file to the server; on refusal show its message and return null.
   * @param {File} file
   * @returns {Promise<object|null>} the UploadResponse
   */
  async upload(file) {
    this.clearError();
    const image = this.imageSuffixes.some((suffix) => file.name.toLowerCase().endsWith(suffix));
    const limit = image ? this.limits.max_image_bytes : this.limits.max_csv_bytes;
    if (limit && file.size > limit) {
      this.showError(`${file.name}: the file is too large: ${file.size} bytes, over the limit of ${limit} bytes.`);
      return null;
    }
    let response;
    try {
      response = await fetch(`/api/uploads?name=${encodeURIComponent(file.name)}`, {
        method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: file,
      });
    } catch (error) {
      this.showError(`${file.name}: the upload failed (${error.message}).`);
      return null;
    }
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const item = (body.errors || [])[0];
      this.showError(`${file.name}: ${item?.message || body.error || `HTTP ${response.status}`}`);
      return null;
    }
    return body;
  }

  showError(text) {
    this.el.error.textContent = text;
    this.el.error.hidden = false;
  }

  clearError() {
    this.el.error.hidden = true;
  }

  /** Show the state: the controls of the chosen source. */
  render(state) {
    const el = this.el;
    el.draw.hidden = state.dataset !== OWN_DATA.DRAW;
    el.csv.hidden = state.dataset !== OWN_DATA.CSV;
    el.images.hidden = state.dataset !== OWN_DATA.IMAGES;
    // A refused file's message belongs to its source: another source (or dataset) clears it.
    if (state.dataset !== this.source) this.clearError();
    this.source = state.dataset;
    el.drawClasses.value = state.pclasses;
    const columns = this.columns[state.upload] || (state.label ? [state.label] : []);
    el.label.replaceChildren(...columns.map((c) => new Option(c, c)));
    el.label.value = state.label;
    el.label.disabled = !columns.length;
    el.task.value = state.ctask;
    el.csvName.textContent = state.upload ? (this.names[state.upload] || 'uploaded file') : 'No file yet: choose one.';
    if (!state.upload) el.standardization.replaceChildren();
    if (state.dataset === OWN_DATA.IMAGES && !state.images.length) {
      el.imageInfo.textContent = 'Built-in example: bright-centre vs dark-centre images (generated).';
    }
  }

  /**
   * What the server made of the data (the `created` dataset): the label columns a reloaded page
   * did not know, the standardization of CSV features, the flattening of images.
   * @param {object} dataset
   */
  describe(dataset) {
    const source = dataset.source || {};
    if (source.kind === 'csv') {
      const s = source.standardization;
      const rows = s.feature_names.map((name, j) => html`<tr><td>${name}</td><td>${fmt(s.mean[j])}</td><td>${fmt(s.std[j])}</td></tr>`);
      setHtml(this.el.standardization, html`
        <p>Each feature is standardized as the course does, x′ = (x − μ) / σ, with μ and σ from the
        ${dataset.m_train} training rows only (the ${dataset.m_test} test rows use the same μ, σ).</p>
        <table><thead><tr><th>feature</th><th>μ</th><th>σ</th></tr></thead><tbody>${rows}</tbody></table>
        <p>Label “${source.label}”: ${describeLabels(dataset, source)}</p>`);
      return;
    }
    if (source.kind === 'images') {
      const [h, w, c] = source.image_shape;
      const files = source.files.length ? source.files.join(', ') : 'built-in example';
      setHtml(this.el.imageInfo, html`
        <p>${files}: ${dataset.m_train} training and ${dataset.m_test} test images of ${h} × ${w} × ${c}.</p>
        <p>As in the course: X = x.reshape(m, −1).T / 255, so X is (${h}·${w}·${c}, m) = (${dataset.n_x}, m) with values in [0, 1].</p>
        <p>Classes: ${(source.label_names || []).map((n, k) => `${k} = ${n}`).join(', ')}</p>`);
    }
  }

  /** Learn a CSV upload's columns from the server's description (a page opened from a link). */
  learnColumns(uploadId, dataset) {
    const source = dataset.source || {};
    if (source.kind !== 'csv' || this.columns[uploadId]) return;
    this.columns[uploadId] = [...source.feature_names, source.label];
    this.names[uploadId] = source.files?.[0] || 'uploaded file';
  }
}

function describeLabels(dataset, source) {
  if (dataset.task === 'regression') return 'numeric: regression (linear output, mean squared error).';
  const names = (source.label_names || []).map((n, k) => `${k} = ${n}`).join(', ');
  return `${dataset.task === 'binary' ? 'two classes' : `${dataset.n_classes} classes`}: ${names}.`;
}

function fmt(v) {
  return Number(v).toPrecision(4);
}
