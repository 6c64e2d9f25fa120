/**
 * Text into HTML: the one helper the views that build markup from user data (file names, column
 * and class names) share.
 */

const ENTITIES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/**
 * @param {unknown} text
 * @returns {string} the text with &, <, > and " escaped
 */
export function escapeHtml(text) {
  return String(text).replace(/[&<>"]/g, (c) => ENTITIES[c]);
}
