/**
 * The share menu: copy the page's link (the URL hash holds the whole state, so the link
 * reproduces a run, a comparison or a lesson), download the shown run's history and parameters,
 * and any visible chart as PNG. Owns #share-menu.
 */

import { copyText, downloadChart } from './exporter.js';
import { html, setHtml } from './html.js';
import { dismissable } from './menus.js';

export class SharePanel {
  /** @param {import('./store.js').Store} store the page's mode (comparing: no single run to download) */
  constructor(store) {
    this.store = store;
    const $ = (id) => document.getElementById(id);
    this.menu = $('share-menu');
    this.link = $('share-link');
    this.charts = $('share-charts');
    this.runItems = $('share-run');
    dismissable(this.menu);
    this.menu.addEventListener('toggle', () => { if (this.menu.open) this.listCharts(); });
  }

  /**
   * @param {{download(what: string)}} handlers download the single-run view's run
   */
  bind(handlers) {
    document.getElementById('copy-link').addEventListener('click', async () => {
      const url = location.href;
      this.link.value = url;
      this.link.hidden = false;
      this.link.select();
      const copied = await copyText(url);
      this.link.dataset.copied = String(copied);
    });
    this.runItems.addEventListener('click', (event) => {
      const button = event.target.closest('button[data-what]');
      if (button) handlers.download(button.dataset.what);
    });
    this.charts.addEventListener('click', (event) => {
      const button = event.target.closest('button[data-chart]');
      if (!button) return;
      const el = document.querySelectorAll('[data-png]')[Number(button.dataset.chart)];
      if (el) downloadChart(el, `nnplay-${el.dataset.png}`);
    });
  }

  /** The charts on screen now, one PNG button each. */
  listCharts() {
    const all = [...document.querySelectorAll('[data-png]')];
    this.runItems.hidden = this.store.mode.comparing;
    setHtml(this.charts, html`${all.map((el, i) => (el.offsetParent && el.classList.contains('js-plotly-plot')
      ? html`<button type="button" data-chart="${i}" data-testid="png-${el.dataset.png}">${el.dataset.png}.png</button>` : ''))}`);
  }
}
