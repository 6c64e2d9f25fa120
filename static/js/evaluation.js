/**
 * Views for data with no plane to draw a boundary on: the gallery of test images with the
 * network's prediction for each (misclassified ones marked), the confusion tables of train and
 * test examples, and the note saying why there is no boundary (or what the page waits for). Owns
 * #gallery, #confusion and #no-boundary.
 */

import { html, setHtml } from './html.js';

/** The gallery: each image with its predicted label and probability, wrong ones marked. */
export class GalleryView {
  constructor() {
    this.root = document.getElementById('gallery');
    this.items = [];
    this.pending = null;
  }

  /**
   * Forget the images (a new run).
   * @param {number|null} [total] how many images the split shown holds (the confusion table
   *   counts them all; the gallery may show only the first ones)
   */
  clear(total = null) {
    this.total = total;
    this.items = [];
    this.pending = null;
    this.root.replaceChildren();
    this.root.hidden = true;
  }

  /**
   * The run's images (the binary `gallery` message).
   * @param {object} header {labels, label_names, split}
   * @param {{data: Uint8Array, meta: {shape: number[]}}} images uint8 (k, h, w, 3)
   */
  setImages(header, images) {
    const [k, h, w] = images.meta.shape;
    this.names = header.label_names || [];
    this.labels = header.labels;
    this.summary = Object.assign(document.createElement('p'), { className: 'gallery-summary' });
    this.summary.dataset.testid = 'gallery-summary';
    this.items = [];
    for (let i = 0; i < k; i++) {
      const figure = document.createElement('figure');
      figure.dataset.testid = 'gallery-item';
      const canvas = document.createElement('canvas');
      canvas.width = w;
      canvas.height = h;
      const pixels = new ImageData(w, h);
      const source = images.data.subarray(i * h * w * 3, (i + 1) * h * w * 3);
      for (let p = 0; p < h * w; p++) {
        pixels.data.set(source.subarray(p * 3, p * 3 + 3), p * 4);
        pixels.data[p * 4 + 3] = 255;
      }
      canvas.getContext('2d').putImageData(pixels, 0, 0);
      const caption = document.createElement('figcaption');
      caption.textContent = `true: ${this.name(header.labels[i])}`;
      figure.append(canvas, caption);
      this.items.push({ figure, caption });
    }
    this.root.replaceChildren(this.summary, ...this.items.map((item) => item.figure));
    this.root.hidden = false;
    this.split = header.split;
    if (this.pending) this.update(this.pending);
  }

  name(c) {
    return this.names[c] ?? String(c);
  }

  /**
   * A frame's predictions: float32 (2, k), each image's predicted class and its probability.
   * @param {{data: Float32Array}} blob
   */
  update(blob) {
    if (!this.items.length) {
      this.pending = blob;
      return;
    }
    this.pending = null;
    const k = this.items.length;
    let wrong = 0;
    this.items.forEach(({ figure, caption }, i) => {
      const predicted = blob.data[i];
      const p = blob.data[k + i];
      const right = predicted === this.labels[i];
      wrong += !right;
      figure.className = right ? 'right' : 'wrong';
      figure.dataset.correct = String(right);
      figure.dataset.predicted = String(predicted);
      figure.title = `true: ${this.name(this.labels[i])}; predicted: ${this.name(predicted)} with probability ${p.toFixed(3)}`;
      setHtml(caption, html`<span class="mark">${right ? '✓' : '✗'}</span> ${this.name(predicted)} ${(100 * p).toFixed(0)}%<br><span class="muted">true: ${this.name(this.labels[i])}</span>`);
    });
    const split = this.split || 'test';
    this.summary.textContent = this.total > k
      ? `The first ${k} of the ${this.total} ${split} images: ${k - wrong} right, ${wrong} misclassified (marked ✗). `
        + `The ${split} table counts all ${this.total}.`
      : `${k} ${split} images: ${k - wrong} right, ${wrong} misclassified (marked ✗).`;
  }
}

/**
 * A confusion matrix as the table shows it: one row per actual class, one cell per predicted
 * class (the server's `confusion.train[actual][predicted]`, app/frames.py), the diagonal a hit.
 * Pure.
 * @param {number[][]} counts counts[actual][predicted]
 * @returns {{rows: {actual: number, cells: {predicted: number, count: number, hit: boolean}[]}[], right: number, total: number}}
 */
export function confusionTable(counts) {
  let right = 0;
  let total = 0;
  const rows = counts.map((row, actual) => ({
    actual,
    cells: row.map((count, predicted) => {
      total += count;
      if (actual === predicted) right += count;
      return { predicted, count, hit: actual === predicted };
    }),
  }));
  return { rows, right, total };
}

/** Confusion tables: rows the actual class, columns the predicted one; the diagonal is right. */
export class ConfusionView {
  constructor() {
    this.root = document.getElementById('confusion');
    this.names = [];
  }

  /** @param {string[]|null} names class names, or null for 0, 1, … */
  setRun(names) {
    this.names = names || [];
    this.key = '';
    this.root.replaceChildren();
    this.root.hidden = true;
  }

  /** @param {{train: number[][], test: number[][]|null}|undefined} confusion a frame's */
  update(confusion) {
    if (!confusion) return;
    const key = JSON.stringify(confusion);
    if (key === this.key) return;
    this.key = key;
    const tables = [['train', confusion.train], ['test', confusion.test]]
      .filter(([, counts]) => counts)
      .map(([split, counts]) => this.table(split, counts));
    this.root.replaceChildren(...tables);
    this.root.hidden = false;
  }

  table(split, counts) {
    const name = (c) => this.names[c] ?? String(c);
    const { rows, right, total } = confusionTable(counts);
    const table = document.createElement('table');
    table.dataset.testid = `confusion-${split}`;
    setHtml(table, html`<caption>${split}: ${right} of ${total} right</caption>
      <thead><tr><th>actual ↓ predicted →</th>${rows.map((_, j) => html`<th>${name(j)}</th>`)}</tr></thead>
      <tbody>${rows.map((row) => html`<tr><th>${name(row.actual)}</th>${row.cells.map((cell) => html`<td class="${cell.hit ? 'hit' : ''}">${cell.count}</td>`)}</tr>`)}</tbody>`);
    return table;
  }
}

/** Why there is no boundary: more than two inputs. */
export class NoBoundaryNote {
  constructor() {
    this.root = document.getElementById('no-boundary');
  }

  /** @param {string} text what the page waits for (no data yet) */
  waiting(text) {
    this.root.textContent = text;
    this.root.hidden = false;
  }

  /** @param {object|null} dataset the `created` dataset, or null to hide */
  render(dataset) {
    this.root.hidden = !dataset || dataset.plottable;
    if (this.root.hidden) return;
    const kind = dataset.source?.kind;
    const what = kind === 'images' ? `${dataset.n_x} pixel values per image` : `${dataset.n_x} input features`;
    const shows = dataset.task === 'regression'
      ? 'Watch the cost fall.'
      : `Below: how the ${kind === 'images' ? 'images are' : 'examples are'} classified.`;
    this.root.textContent = `No decision boundary to draw: the inputs have ${what}, not a plane. ${shows}`;
  }
}
