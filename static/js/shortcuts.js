/**
 * Classroom helpers: keyboard shortcuts (space, s, r, p, ?, Esc, Ctrl+Z and Ctrl+Shift+Z / Ctrl+Y
 * for drawing; those of controls a link hides
 * are off: hiding.js), the help overlay and the presenter toggle (large type; the mode itself is
 * the store's, remembered here across visits). Owns #overlay and #presenter.
 */

import { hiddenKeys } from './hiding.js';

const PRESENTER_KEY = 'nnplay.presenter';

/**
 * Bind the shortcuts.
 * @param {{toggle: Function, step: Function, reset: Function, closeZoom: Function, undo?: () => boolean,
 *   redo?: () => boolean}} actions undo, redo: a drawn stroke's (Ctrl+Z; Ctrl+Shift+Z, Ctrl+Y),
 *   true if they took the key
 * @param {import('./store.js').Store} store holds the presenter mode and what the link hides
 */
export function bindShortcuts(actions, store) {
  const overlay = document.getElementById('overlay');
  const presenter = document.getElementById('presenter');
  const help = document.getElementById('help');
  const showHelp = (show) => { overlay.hidden = !show; };
  const setPresenter = (on) => {
    presenter.setAttribute('aria-pressed', String(on));
    try { localStorage.setItem(PRESENTER_KEY, on ? '1' : '0'); } catch { /* private mode */ }
    store.setMode({ presenter: on });
  };
  let stored = null;
  try { stored = localStorage.getItem(PRESENTER_KEY); } catch { /* private mode */ }
  if (stored === '1') setPresenter(true);
  presenter.addEventListener('click', () => setPresenter(!store.mode.presenter));
  help.addEventListener('click', () => showHelp(true));
  overlay.addEventListener('click', (event) => {
    if (event.target === overlay || event.target.closest('[data-close]')) showHelp(false);
  });
  document.addEventListener('keydown', (event) => {
    const tag = event.target.tagName;
    if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA') return;
    if ((event.ctrlKey || event.metaKey) && !event.altKey) {
      const key = event.key.toLowerCase();
      const redo = key === 'y' || (key === 'z' && event.shiftKey);
      if (key !== 'z' && key !== 'y') return;
      if ((redo ? actions.redo : actions.undo)?.()) event.preventDefault(); // else the browser's own
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === 'Escape') {
      showHelp(false);
      actions.closeZoom();
      return;
    }
    const action = {
      ' ': actions.toggle,
      s: actions.step,
      r: actions.reset,
      p: () => setPresenter(!store.mode.presenter),
      '?': () => showHelp(overlay.hidden),
    }[event.key];
    if (!action || hiddenKeys(store.state.hide).has(event.key)) return;
    event.preventDefault();
    action();
  });
}
