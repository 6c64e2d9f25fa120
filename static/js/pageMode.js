/**
 * The page's mode on `document.body`: the one owner of the classes the style sheets read
 * (`comparing`, `opened`, `presenter`, `following`: a class's
 * student or teacher shows a run it watches, read-only), set from the store's mode (static/js/store.js) on each
 * change. A change of layout (compare mode shown or left, presenter mode) refits the charts.
 */

const CLASSES = ['comparing', 'opened', 'presenter', 'following'];

/**
 * Follow the store's mode.
 * @param {import('./store.js').Store} store
 * @param {{body: HTMLElement, relayout: () => void}} deps relayout: the layout changed
 *   (main.js: refit the charts, paint again)
 */
export function bindPageMode(store, { body, relayout }) {
  let shown = { comparing: false, opened: false, presenter: false, following: false };
  store.onMode((mode) => {
    for (const name of CLASSES) body.classList.toggle(name, Boolean(mode[name]));
    // Leaving compare mode too: the single-run view may come back with a run it drew while hidden
    // (a class's student following a comparison kept its own run).
    const layoutChanged = mode.presenter !== shown.presenter || mode.comparing !== shown.comparing;
    shown = { ...mode };
    if (layoutChanged) relayout();
  });
}
