/**
 * The share menu: copy the page's link (the URL hash holds the whole state, so the link
 * reproduces a run, a comparison or a lesson), the same link with chosen controls hidden (a
 * reduced page for a class: hiding.js), download the shown run's history and parameters, and
 * any visible chart as PNG. Owns #share-menu.
 */

import { copyText, downloadChart } from './exporter.js';
import { HIDEABLE, hideList } from './hiding.js';
import { html, setHtml } from './html.js';
import { dismissable } from './menus.js';
import { toHash } from './state.js';

export class SharePanel {
  /** @param {import('./store.js').Store} store the page's mode (comparing: no single run to download) */
  constructor(store) {
    this.store = store;
    const $ = (id) => document.getElementById(id);
    this.menu = $('share-menu');
    this.link = $('share-link');
    this.charts = $('share-charts');
    this.runItems = $('share-run');
    this.hide = {
      toggle: $('share-hide-toggle'), body: $('share-hide-body'), list: $('share-hide-list'), link: $('share-hide-link'), copy: $('share-hide-copy'),
      classGroup: $('share-hide-class'), join: $('share-hide-join'),
    };
    /** The join link of the class this page leads, or null (bind's joinLink). */
    this.joinLink = () => null;
    setHtml(this.hide.list, html`${Object.entries(HIDEABLE).map(([name, { label }]) => html`<label class="check">
      <input type="checkbox" value="${name}" data-testid="hide-${name}"> ${label}</label>`)}`);
    dismissable(this.menu);
    this.menu.addEventListener('toggle', () => {
      if (!this.menu.open) return;
      this.listCharts();
      for (const box of this.hideBoxes) box.checked = this.store.state.hide.includes(box.value); // the page's own, to start from
      this.writeHideLink();
    });
    this.hide.list.addEventListener('change', () => this.writeHideLink());
    this.hide.toggle.addEventListener('click', () => {
      this.hide.body.hidden = !this.hide.body.hidden;
      this.hide.toggle.setAttribute('aria-expanded', String(!this.hide.body.hidden));
    });
  }

  get hideBoxes() {
    return [...this.hide.list.querySelectorAll('input[type=checkbox]')];
  }

  /**
   * The page's link with the ticked controls hidden; for a class's teacher, the class's join
   * link with them too (the join keeps the part after '#': the students' pages hide them).
   */
  writeHideLink() {
    const hide = hideList(this.hideBoxes.filter((box) => box.checked).map((box) => box.value));
    this.hide.link.value = `${location.origin}${location.pathname}${toHash({ ...this.store.state, hide })}`;
    const join = this.joinLink();
    this.hide.classGroup.hidden = !join;
    this.hide.join.value = join ? `${join}#hide=${hide.join(',')}` : '';
  }

  /**
   * @param {{download(what: string), joinLink?: () => string|null}} handlers download the
   *   single-run view's run; joinLink: the join link of the class this page leads (else null)
   */
  bind(handlers) {
    if (handlers.joinLink) this.joinLink = handlers.joinLink;
    document.getElementById('copy-link').addEventListener('click', async () => {
      const url = location.href;
      this.link.value = url;
      this.link.hidden = false;
      this.link.select();
      const copied = await copyText(url);
      this.link.dataset.copied = String(copied);
    });
    this.hide.copy.addEventListener('click', async () => {
      this.writeHideLink();
      this.hide.link.select();
      this.hide.link.dataset.copied = String(await copyText(this.hide.link.value));
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
