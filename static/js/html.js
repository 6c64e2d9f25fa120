/**
 * Markup from data, escaped by default: the one module that writes HTML into the page.
 *
 *   setHtml(cell, html`<td>${name}</td><td>${count}</td>`)
 *
 * `html` escapes every interpolated value (a file name, a class name, a value from the link)
 * unless that value is itself a fragment made by `html` (nested templates, arrays of them);
 * `setHtml(el, fragment)` is the only way other modules give an element markup, and it accepts
 * nothing but a fragment. What a user typed or uploaded thus always arrives as text.
 * (tests/test_no_raw_html.py checks that no other module assigns innerHTML itself.)
 */

const ENTITIES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Markup that `html` made: safe to put in the page as it is. */
class Fragment {
  /** @param {string} markup */
  constructor(markup) {
    this.markup = markup;
    Object.freeze(this);
  }

  toString() {
    return this.markup;
  }
}

/**
 * @param {unknown} text
 * @returns {string} the text with &, <, >, " and ' escaped (safe as text and in quoted attributes)
 */
export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** One interpolated value as markup: fragments as they are, arrays joined, the rest escaped. */
function markupOf(value) {
  if (value instanceof Fragment) return value.markup;
  if (Array.isArray(value)) return value.map(markupOf).join('');
  if (value == null) return '';
  return escapeHtml(value);
}

/**
 * A tagged template: `html\`<b>${text}</b>\`` is a fragment whose interpolated values are escaped.
 * Only a real template literal is accepted (its strings are the page's own code).
 * @param {TemplateStringsArray} strings
 * @param {...unknown} values
 * @returns {Fragment}
 */
export function html(strings, ...values) {
  if (!Array.isArray(strings?.raw) || !Object.isFrozen(strings)) {
    throw new TypeError('html is a template tag: html`…`');
  }
  let markup = strings[0];
  values.forEach((value, i) => { markup += markupOf(value) + strings[i + 1]; });
  return new Fragment(markup);
}

/**
 * Replace an element's content with a fragment made by `html`.
 * @param {Element} el
 * @param {Fragment} fragment
 */
export function setHtml(el, fragment) {
  if (!(fragment instanceof Fragment)) throw new TypeError('setHtml takes a fragment made by html`…`');
  el.innerHTML = fragment.markup;
}
