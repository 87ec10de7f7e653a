/* The body and the side lists, drawn from the shared state. Whatever changes the spans calls
 * redraw() (or refresh(), which reads them afresh first); the panel's own controls are
 * panel.js's.
 */
import { reload } from "./data.js";
import { drawBody, markActive, markPending } from "./highlight.js";
import { config, state } from "./state.js";
import { $, el, shorten } from "./ui.js";

// Holds the article's text and nothing else, so DOM offsets in it are offsets into the body.
export const container = $("annotate-body");

const openId = () => (state.panel && state.panel.mode === "edit" ? state.panel.id : null);

const describe = (s) => `${config.kinds[s.kind]} #${s.id}${s.note ? ": " + shorten(s.note, 80) : ""}`;

// The highlight of the span open in the panel, and the new span's passage while it is chosen.
export function markPanel() {
  const p = state.panel;
  markActive(container, openId());
  markPending(container, p && p.mode === "new" ? p : null);
}

function rulingLabel(slug) {
  const ruling = state.rulings.get(slug);
  if (!ruling) return slug;
  return `${ruling.statement} (${config.statuses[ruling.status] || ruling.status}, ${ruling.rating_label})`;
}

// A list item opens its span through the click handler in annotate.js (`.span-open`, by the
// item's data-id), so this module needs nothing from the panel.
function spanItem(span) {
  const li = el("li", "span-item k-" + span.kind);
  li.dataset.id = span.id;
  const button = el("button", "span-open");
  button.type = "button";
  const head = el("span", "span-head");
  head.appendChild(el("span", "swatch k-" + span.kind));
  head.appendChild(el("span", "span-kind", config.kinds[span.kind] || span.kind));
  head.appendChild(el("span", "span-id", "#" + span.id + " · " + span.author));
  button.appendChild(head);
  button.appendChild(el("q", "span-quote", shorten(span.quote, 160)));
  li.appendChild(button);
  if (span.rulings.length) {
    const rulings = el("ul", "span-rulings");
    span.rulings.forEach((slug) => rulings.appendChild(el("li", "", rulingLabel(slug))));
    li.appendChild(rulings);
  } else {
    li.appendChild(el("p", "span-none", "No ruling linked."));
  }
  if (span.note) li.appendChild(el("p", "span-note", shorten(span.note, 200)));
  if (openId() === span.id) li.classList.add("is-active");
  return li;
}

function renderLists() {
  const anchored = state.spans
    .filter((s) => s.state === "anchored")
    .sort((a, b) => a.start - b.start || b.end - a.end || a.id - b.id);
  const orphans = state.spans.filter((s) => s.state !== "anchored").sort((a, b) => a.id - b.id);
  $("span-list").replaceChildren(...anchored.map(spanItem));
  $("orphan-list").replaceChildren(...orphans.map(spanItem));
  $("span-count").textContent = "(" + anchored.length + ")";
  $("orphan-count").textContent = "(" + orphans.length + ")";
  if (!anchored.length) $("span-list").appendChild(el("li", "empty", "No spans yet."));
  if (!orphans.length) $("orphan-list").appendChild(el("li", "empty", "None."));
  $("orphans-section").classList.toggle("is-empty", !orphans.length);
}

export function redraw() {
  drawBody(container, state.body, state.spans, describe);
  markPanel();
  renderLists();
}

export async function refresh() {
  await reload();
  redraw();
}
