/**
 * Classroom helpers: keyboard shortcuts (space, s, r, p, ?, Esc), the help overlay and the
 * presenter mode (large type). Owns #overlay and #presenter.
 */

const PRESENTER_KEY = 'nnplay.presenter';

/**
 * Bind the shortcuts.
 * @param {{toggle: Function, step: Function, reset: Function, closeZoom: Function}} actions
 */
export function bindShortcuts(actions) {
  const overlay = document.getElementById('overlay');
  const presenter = document.getElementById('presenter');
  const help = document.getElementById('help');
  const showHelp = (show) => { overlay.hidden = !show; };
  const setPresenter = (on) => {
    document.body.classList.toggle('presenter', on);
    presenter.setAttribute('aria-pressed', String(on));
    try { localStorage.setItem(PRESENTER_KEY, on ? '1' : '0'); } catch { /* private mode */ }
    window.dispatchEvent(new Event('resize'));
  };
  let stored = null;
  try { stored = localStorage.getItem(PRESENTER_KEY); } catch { /* private mode */ }
  if (stored === '1') setPresenter(true);
  presenter.addEventListener('click', () => setPresenter(!document.body.classList.contains('presenter')));
  help.addEventListener('click', () => showHelp(true));
  overlay.addEventListener('click', (event) => {
    if (event.target === overlay || event.target.closest('[data-close]')) showHelp(false);
  });
  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const tag = event.target.tagName;
    if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA') return;
    if (event.key === 'Escape') {
      showHelp(false);
      actions.closeZoom();
      return;
    }
    const action = {
      ' ': actions.toggle,
      s: actions.step,
      r: actions.reset,
      p: () => setPresenter(!document.body.classList.contains('presenter')),
      '?': () => showHelp(overlay.hidden),
    }[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  });
}
