/**
 * Writes to the page that happen every animation frame (counters, scores, status words) made only
 * when the value changes: an equal write still replaces a text node or sets an attribute, which
 * invalidates style and layout, and the browser then recomputes them for nothing. Reading
 * textContent, hidden or a data attribute forces no layout.
 */

/**
 * @param {HTMLElement} el
 * @param {string} text
 */
export function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

/**
 * @param {HTMLElement} el
 * @param {boolean} hidden
 */
export function setHidden(el, hidden) {
  if (el.hidden !== hidden) el.hidden = hidden;
}

/**
 * @param {HTMLElement} el
 * @param {boolean} disabled
 */
export function setDisabled(el, disabled) {
  if (el.disabled !== disabled) el.disabled = disabled;
}

/**
 * @param {HTMLElement} el
 * @param {string} key a dataset key (camelCase)
 * @param {string} value
 */
export function setData(el, key, value) {
  if (el.dataset[key] !== value) el.dataset[key] = value;
}

const THOUSANDS = /\B(?=(\d{3})+(?!\d))/g;

/**
 * A count as the page shows it, 12,345: what toLocaleString('en-US') gives for an integer, by
 * hand, because the first Intl formatter a page builds loads the locale data (~20 ms on a first
 * visit, before the run can be created: it was built as this module loaded).
 * @param {number} n an integer
 * @returns {string}
 */
export function formatCount(n) {
  return Number.isInteger(n) ? String(n).replace(THOUSANDS, ',') : n.toLocaleString('en-US');
}
