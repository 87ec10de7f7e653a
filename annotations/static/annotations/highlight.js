/* Painting the highlights: the article's text split at every span boundary, each piece a
 * `.seg` carrying every span that covers it. Nesting and overlap stay visible because each span
 * draws its own line under the text (on a level of its own) and the tints add up.
 *
 * Nothing here reads the page's state: the caller says which spans to draw and which is open.
 */
import { rangeOf } from "./offsets.js";

const STEP = 5; // px between the lines drawn under nested spans (see annotate.css)

// Lines under the text: shorter spans get lower levels (closer to the text), and no two spans
// that overlap share a level, so every span keeps a line of its own where it meets others.
function assignLevels(spans) {
  const placed = [];
  const bySize = [...spans].sort((a, b) => a.end - a.start - (b.end - b.start) || a.start - b.start);
  let levels = 0;
  for (const span of bySize) {
    const used = new Set(
      placed.filter((o) => o.start < span.end && span.start < o.end).map((o) => o.level)
    );
    let level = 0;
    while (used.has(level)) level += 1;
    span.level = level;
    levels = Math.max(levels, level + 1);
    placed.push(span);
  }
  return levels;
}

// Each kind's line has its own pattern, so kinds stay apart without relying on colour alone.
const STRIPES = {
  claim: "linear-gradient(var(--k-claim), var(--k-claim))",
  evidence: "repeating-linear-gradient(90deg, var(--k-evidence) 0 7px, transparent 7px 10px)",
  disputed: "repeating-linear-gradient(90deg, var(--k-disputed) 0 3px, transparent 3px 5px)",
};

// Backgrounds rather than nested elements or borders: a piece of text can carry any number of
// lines and tints without its layout (and so the text's offsets on screen) moving.
function paint(el, covering) {
  const images = [];
  const sizes = [];
  const positions = [];
  for (const span of covering) {
    images.push(STRIPES[span.kind]);
    sizes.push("100% 3px");
    positions.push(`left 0 bottom calc((var(--levels) - ${span.level + 1}) * ${STEP}px + 1px)`);
  }
  for (const span of covering) {
    // Tints add up: nested text is darker, and two kinds mix.
    images.push(`linear-gradient(var(--t-${span.kind}), var(--t-${span.kind}))`);
    sizes.push(`100% calc(100% - var(--levels) * ${STEP}px)`);
    positions.push("left 0 top 0");
  }
  el.style.backgroundImage = images.join(", ");
  el.style.backgroundSize = sizes.join(", ");
  el.style.backgroundPosition = positions.join(", ");
}

// Draws `text` into `container` with the anchored `spans` (UTF-16 offsets) highlighted.
// `describe(span)` words a span for the tooltip of the pieces it covers.
export function drawBody(container, text, spans, describe) {
  const anchored = spans.filter(
    (s) => s.state === "anchored" && s.start >= 0 && s.start < s.end && s.end <= text.length
  );
  const levels = assignLevels(anchored);
  container.style.setProperty("--levels", String(Math.max(levels, 1)));

  // Split the text at every span boundary; each piece carries every span covering it.
  const starts = new Map();
  const ends = new Map();
  const points = new Set([0, text.length]);
  for (const span of anchored) {
    points.add(span.start);
    points.add(span.end);
    if (!starts.has(span.start)) starts.set(span.start, []);
    if (!ends.has(span.end)) ends.set(span.end, []);
    starts.get(span.start).push(span);
    ends.get(span.end).push(span);
  }
  const sorted = [...points].sort((a, b) => a - b);
  const active = new Set();
  const fragment = document.createDocumentFragment();
  for (let i = 0; i < sorted.length - 1; i += 1) {
    const from = sorted[i];
    const to = sorted[i + 1];
    (ends.get(from) || []).forEach((span) => active.delete(span));
    (starts.get(from) || []).forEach((span) => active.add(span));
    // Text nodes only: article text is never parsed as HTML.
    const piece = document.createTextNode(text.slice(from, to));
    if (!active.size) {
      fragment.appendChild(piece);
      continue;
    }
    const covering = [...active].sort((a, b) => a.level - b.level);
    const seg = document.createElement("span");
    seg.className = "seg " + [...new Set(covering.map((s) => "k-" + s.kind))].join(" ");
    seg.dataset.spans = covering.map((s) => s.id).join(" ");
    seg.title = covering.map(describe).join("\n");
    paint(seg, covering);
    seg.appendChild(piece);
    fragment.appendChild(seg);
  }
  container.replaceChildren(fragment);
}

// The ids of the spans a highlighted piece carries.
export const spansOf = (seg) => seg.dataset.spans.split(" ").map(Number);

const covers = (seg, id) => seg.dataset.spans.split(" ").includes(String(id));

// Outlines the pieces of the span open in the panel (`id`, or null for none).
export function markActive(container, id) {
  for (const seg of container.querySelectorAll(".seg")) {
    seg.classList.toggle("is-active", id !== null && covers(seg, id));
  }
}

// The pending selection stays visible while the user works in the panel (which takes the
// browser's own selection away). The CSS Custom Highlight API paints it without touching the
// DOM; browsers without it simply show the quote in the panel. `pending`: {start, end} or null.
export function markPending(container, pending) {
  if (!window.CSS || !CSS.highlights || typeof Highlight === "undefined") return;
  if (pending) {
    CSS.highlights.set(
      "annotate-pending",
      new Highlight(rangeOf(container, pending.start, pending.end))
    );
  } else {
    CSS.highlights.delete("annotate-pending");
  }
}

export function scrollToSpan(container, id) {
  const seg = [...container.querySelectorAll(".seg")].find((s) => covers(s, id));
  if (seg) seg.scrollIntoView({ block: "center", behavior: "smooth" });
}
