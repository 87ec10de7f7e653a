/* Offsets in UTF-16 code units: what JavaScript strings and DOM selections count. The page asks
 * the API for ?offset_unit=utf-16, so a selection's offsets are used as they are, whatever emoji
 * or combining marks the text holds; the server converts them to code points.
 *
 * Every function takes the container that holds the article's text and nothing else: the
 * highlights split that text into pieces, but never add or remove a character.
 */

function textNodes(container) {
  const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
  const nodes = [];
  let node;
  while ((node = walker.nextNode())) nodes.push(node);
  return nodes;
}

// A DOM boundary point to a UTF-16 offset into the text: the length of the text nodes before
// the point (a text node's own offsets are UTF-16 units already). Points outside clamp to either
// end, `length` being the text's.
function pointToOffset(container, length, node, offset) {
  const whole = document.createRange();
  whole.selectNodeContents(container);
  const where = whole.comparePoint(node, offset);
  if (where < 0) return 0;
  if (where > 0) return length;
  let total = 0;
  if (node.nodeType === Node.TEXT_NODE) {
    for (const text of textNodes(container)) {
      if (text === node) return total + offset;
      total += text.data.length;
    }
    return total;
  }
  const point = document.createRange();
  point.setStart(node, offset);
  for (const text of textNodes(container)) {
    if (point.comparePoint(text, 0) >= 0) break;
    total += text.data.length;
  }
  return total;
}

function offsetToPoint(container, offset) {
  let total = 0;
  const nodes = textNodes(container);
  for (const text of nodes) {
    if (offset <= total + text.data.length) return [text, offset - total];
    total += text.data.length;
  }
  const last = nodes[nodes.length - 1];
  return last ? [last, last.data.length] : [container, 0];
}

// The DOM range of [start, end), however many highlight pieces it crosses.
export function rangeOf(container, start, end) {
  const range = document.createRange();
  range.setStart(...offsetToPoint(container, start));
  range.setEnd(...offsetToPoint(container, end));
  return range;
}

const isSpace = (unit) => /\s/.test(unit);

// A selection's range as {start, end} into `text` (the container's text), or null when nothing
// of it is left. Spaces and line ends picked up at either edge are not part of the passage.
export function rangeToOffsets(container, text, range) {
  let start = pointToOffset(container, text.length, range.startContainer, range.startOffset);
  let end = pointToOffset(container, text.length, range.endContainer, range.endOffset);
  while (start < end && isSpace(text[start])) start += 1;
  while (end > start && isSpace(text[end - 1])) end -= 1;
  return start < end ? { start, end } : null;
}
