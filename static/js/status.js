/**
 * Status views: the connection badge, the short notices ("network rebuilt"), what a link held
 * that the page ignored, the diverged banner, the symmetry note, and server errors shown beside
 * the control they concern. Owns #connection, #notice, #ignored, #error, #diverged and #symmetry.
 * Everything here is written as text.
 */

import { setHidden, setText } from './domWrite.js';

const NOTICE_MS = 4000;
const SYMMETRY_EPS = 1e-6;

/** Where an error's field (e.g. "config.layers.0.units", "learning_rate") shows up. */
export function controlFor(field) {
  const path = String(field || '').replace(/^config\./, '');
  const candidates = [];
  const parts = path.split('.');
  for (let i = parts.length; i > 0; i--) candidates.push(parts.slice(0, i).join('.'));
  for (const name of candidates) {
    const el = document.querySelector(`[data-field="${CSS.escape(name)}"]`);
    if (el) return el;
  }
  if (path.startsWith('dataset')) return document.querySelector('[data-field="dataset.name"]');
  if (path.startsWith('init')) return document.querySelector('[data-field="init"]');
  return null;
}

export class StatusView {
  constructor() {
    const $ = (id) => document.getElementById(id);
    this.connection = $('connection');
    this.notice = $('notice');
    this.ignored = $('ignored');
    this.ignoredList = $('ignored-list');
    this.ignored.querySelector('[data-close]').addEventListener('click', () => { this.ignored.hidden = true; });
    this.error = $('error');
    this.diverged = $('diverged');
    this.symmetry = $('symmetry');
    this.home = this.error.parentElement;
    this.homeNext = this.error.nextSibling;
    this.error.addEventListener('click', () => this.clearError());
    this.notice.addEventListener('click', () => { this.notice.hidden = true; });
  }

  /**
   * @param {'connecting'|'connected'|'reconnecting'} state
   * @param {number} [delay] ms until the next attempt
   */
  setConnection(state, delay) {
    this.connection.dataset.state = state;
    this.connection.textContent = {
      connecting: 'connecting…',
      connected: 'connected',
      reconnecting: `offline — retrying in ${Math.ceil((delay || 0) / 1000)} s`,
    }[state];
  }

  /**
   * Show a short notice, e.g. that the run was rebuilt.
   * @param {string} text
   * @param {{sticky?: boolean}} [how] sticky: stays until clicked (what was lost must not
   *   vanish while the class looks at the projector)
   */
  showNotice(text, { sticky = false } = {}) {
    this.notice.textContent = sticky ? `${text} ✕` : text;
    this.notice.title = sticky ? 'click to dismiss' : '';
    this.notice.hidden = false;
    clearTimeout(this.noticeTimer);
    if (!sticky) this.noticeTimer = setTimeout(() => { this.notice.hidden = true; }, NOTICE_MS);
  }

  /**
   * Say what a link (or a change) held that the page ignored, one line each, until dismissed.
   * @param {string[]} lines e.g. "ignored unknown dataset 'x' from the link"; none: no change
   */
  showIgnored(lines) {
    if (!lines.length) return;
    this.ignoredList.replaceChildren(...[...new Set(lines)].map((line) => {
      const item = document.createElement('li');
      item.textContent = line;
      return item;
    }));
    this.ignored.hidden = false;
  }

  /**
   * Show an error beside the control it concerns (or at the top if none matches), and mark that
   * control's input as invalid (aria-invalid, described by the message) until cleared.
   * @param {{code?: string, message: string, errors?: {field: string, message: string}[]}} error
   * @param {string} [text] what to say (the student's words, static/js/rules.js); default: the
   *   error's own message
   */
  showError(error, text) {
    const item = (error.errors || [])[0];
    const control = item ? controlFor(item.field) : null;
    const said = text ?? (item ? `${item.message}${item.limit != null ? ` (limit ${item.limit})` : ''}` : error.message);
    this.unmark();
    this.error.textContent = `${said} ✕`;
    this.error.title = `${error.code || 'error'}: ${error.message} — click to dismiss`;
    this.error.dataset.field = item?.field || '';
    if (control) {
      // Inside a field's own label (below its input), else right after the control's box.
      if (control.tagName === 'LABEL') control.append(this.error);
      else control.after(this.error);
      this.error.classList.add('inline');
      this.marked = control.matches('input, select') ? control : control.querySelector('input, select');
      this.marked?.setAttribute('aria-invalid', 'true');
      this.marked?.setAttribute('aria-errormessage', this.error.id);
    } else {
      this.home.insertBefore(this.error, this.homeNext);
      this.error.classList.remove('inline');
    }
    this.error.hidden = false;
  }

  /** The field the shown error is about ("learning_rate", "config.layers.0.units"), or null. */
  get errorField() {
    return this.error.hidden ? null : this.error.dataset.field || null;
  }

  /** Remove the error message and the mark on its field. */
  clearError() {
    this.error.hidden = true;
    this.unmark();
  }

  unmark() {
    this.marked?.removeAttribute('aria-invalid');
    this.marked?.removeAttribute('aria-errormessage');
    this.marked = null;
  }

  /**
   * Show (or hide) the diverged banner and the symmetry note for a frame.
   * @param {object} header
   */
  renderFrame(header) {
    if (header.status === 'diverged') {
      // The engine's message starts with "diverged at iteration N: "; say it once.
      const reason = (header.message || '').replace(/^diverged at iteration \d+:\s*/i, '');
      // The counter shows the iterations done; the one that blew up is the next: say both.
      const at = header.diverged_at ?? header.iteration + 1;
      setText(this.diverged, `Diverged at iteration ${at}${reason ? `: ${reason.replace(/\.$/, '')}` : ''}. `
        + `Training stopped after iteration ${(at - 1).toLocaleString('en-US')}, the last one that finished (the counter). `
        + 'Lower the learning rate, then reset.');
      setHidden(this.diverged, false);
    } else {
      setHidden(this.diverged, true);
    }
    // symmetry[i] is hidden layer i + 1 (every hidden layer, the last one too; none for the output).
    const identical = (header.symmetry || [])
      .map((s, l) => (s != null && s < SYMMETRY_EPS ? l + 1 : null))
      .filter((l) => l != null);
    setText(this.symmetry, identical.length
      ? `Symmetry: the units of layer${identical.length > 1 ? 's' : ''} ${identical.join(', ')} are identical — ` +
        'they get the same gradient and can never differ (try a random initialization).'
      : '');
    setHidden(this.symmetry, !identical.length);
  }
}
