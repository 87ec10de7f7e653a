/* Small DOM helpers and the page's messages. Article and user text only ever goes in through
 * textContent (here, in `el`) or text nodes, never as HTML.
 */

export const $ = (id) => document.getElementById(id);

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function shorten(text, max) {
  // By code points, so an emoji is never cut in half.
  const chars = Array.from(text);
  return chars.length <= max ? text : chars.slice(0, max - 1).join("") + "…";
}

// The line above the text (a polite live region): what just happened, page-wide.
export function status(text) {
  $("annotate-status").textContent = text;
}

// The panel's alert box: why the last action in the panel failed.
export function showError(text) {
  const box = $("panel-error");
  box.textContent = text;
  box.hidden = false;
}

export function clearError() {
  $("panel-error").textContent = "";
  $("panel-error").hidden = true;
}
