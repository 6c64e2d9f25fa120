/**
 * Drop-down menus made of <details>: a click outside an open menu or Esc closes it (focus back
 * on its summary after Esc). The top bar's menus share a `name`, so opening one closes the
 * other and they never lie over each other. Each panel applies this to the menu it owns.
 */

/**
 * Make a <details> menu close on an outside click and on Esc.
 * @param {HTMLDetailsElement} menu
 */
export function dismissable(menu) {
  document.addEventListener('pointerdown', (event) => {
    if (menu.open && !menu.contains(event.target)) menu.open = false;
  });
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' || !menu.open) return;
    const inside = menu.contains(document.activeElement);
    menu.open = false;
    if (inside) menu.querySelector('summary').focus();
  });
}
