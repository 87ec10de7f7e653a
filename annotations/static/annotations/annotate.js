/* The admin's Annotate workspace (SPEC.md, "Web admin"): the entry module, which wires the page
 * to the modules that do the work.
 *
 *   api.js        the HTTP client (CSRF, If-Match / ETag, paging through `next`)
 *   data.js       loading the article, spans and rulings; the drafts a span is saved with
 *   state.js      the page's config and the state the modules share
 *   offsets.js    UTF-16 geometry: DOM selections to offsets into the body and back
 *   highlight.js  painting nested and overlapping highlights
 *   view.js       the body and the side lists, drawn from the state
 *   panel.js      the editing panel; picker.js its ruling picker
 *   ui.js         DOM helpers and the page's messages
 *
 * It talks only to the REST API (/api/v1/), as any other client does, and reads who may do what
 * from the server's `permissions` instead of deciding it. Article and user text is only ever
 * inserted with textContent / createTextNode, never as HTML.
 *
 * Loaded with <script type="module">: the imports are relative, so they resolve next to this
 * file wherever the static files are served from, with no build step.
 */
import { loadAll } from "./data.js";
import { scrollToSpan, spansOf } from "./highlight.js";
import { rangeToOffsets } from "./offsets.js";
import { closePanel, openEdit, openNew, remove, save, setKind } from "./panel.js";
import { addNewRuling, searchRulings } from "./picker.js";
import { config, state } from "./state.js";
import { $, status } from "./ui.js";
import { container, redraw } from "./view.js";

const KEYS = { c: "claim", e: "evidence", d: "disputed" };

// --- Selecting text ----------------------------------------------------------------------------

function captureSelection() {
  if (!config.permissions.annotate || !state.body) return;
  const selection = window.getSelection();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return;
  const range = selection.getRangeAt(0);
  if (!range.intersectsNode(container)) return;
  const offsets = rangeToOffsets(container, state.body, range);
  if (!offsets) return;
  const { start, end } = offsets;
  const p = state.panel;
  if (p && p.mode === "new" && p.start === start && p.end === end) return;
  openNew(start, end);
}

// A mouse selection is taken when the button is released, not while it is still being dragged.
let pointerDown = false;
let selectionTimer = null;
container.addEventListener("mousedown", () => {
  pointerDown = true;
});
document.addEventListener("mouseup", () => {
  if (!pointerDown) return;
  pointerDown = false;
  setTimeout(captureSelection, 0);
});
// Keyboard selections (shift + arrows) and any other: taken once the selection settles.
document.addEventListener("selectionchange", () => {
  if (pointerDown) return;
  clearTimeout(selectionTimer);
  selectionTimer = setTimeout(captureSelection, 150);
});

// --- Opening spans -----------------------------------------------------------------------------

container.addEventListener("click", (event) => {
  // The end of a drag is a click too: a selection just made is for a new span, not an edit.
  const selection = window.getSelection();
  if (selection && !selection.isCollapsed && container.contains(selection.anchorNode)) return;
  const seg = event.target.closest(".seg");
  if (!seg) return;
  // The innermost span first; the others covering this spot are a click away in the panel.
  const here = spansOf(seg)
    .map((id) => state.byId.get(id))
    .filter(Boolean)
    .sort((a, b) => a.end - a.start - (b.end - b.start))
    .map((s) => s.id);
  if (here.length) openEdit(here[0], here);
});

// One handler for both side lists, which are redrawn after every change.
for (const list of [$("span-list"), $("orphan-list")]) {
  list.addEventListener("click", (event) => {
    const item = event.target.closest(".span-open") && event.target.closest(".span-item");
    const span = item && state.byId.get(Number(item.dataset.id));
    if (!span) return;
    openEdit(span.id);
    if (span.state === "anchored") scrollToSpan(container, span.id);
  });
}

// --- Keys and buttons --------------------------------------------------------------------------

document.addEventListener("keydown", (event) => {
  if (!state.panel || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
  const target = event.target;
  // Typing a note or a search must not change the kind.
  if (target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
  if (event.key === "Escape") {
    closePanel();
    return;
  }
  const kind = KEYS[event.key.toLowerCase()];
  if (!kind || !config.permissions.annotate) return;
  event.preventDefault();
  setKind(kind);
});

for (const button of document.querySelectorAll(".kind-button")) {
  button.addEventListener("click", () => setKind(button.dataset.kind));
}
$("panel-save").addEventListener("click", save);
$("panel-cancel").addEventListener("click", closePanel);
// Deleting asks first, in the panel itself.
$("panel-delete").addEventListener("click", () => {
  $("panel-confirm").hidden = false;
  $("panel-delete-confirm").focus();
});
$("panel-delete-cancel").addEventListener("click", () => {
  $("panel-confirm").hidden = true;
});
$("panel-delete-confirm").addEventListener("click", remove);
$("ruling-create").addEventListener("click", addNewRuling);
// Searched once typing pauses, not on every key.
let searchTimer = null;
$("ruling-search").addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(searchRulings, 250);
});

// --- Start -------------------------------------------------------------------------------------

async function start() {
  try {
    await loadAll();
  } catch (err) {
    status("The article could not be loaded: " + err.message);
    return;
  }
  redraw();
  // Says the body and the spans are drawn (the browser tests wait for it).
  document.querySelector(".annotate").classList.add("is-ready");
  status(
    config.permissions.annotate
      ? "Select a passage to mark it, or click a highlight to edit it."
      : "You may read these spans but not change them: only annotators and editors may."
  );
}

start();
