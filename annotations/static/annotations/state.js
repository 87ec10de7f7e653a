/* What the modules share: the page's config (built by the admin view) and one state object.
 * Modules import these instead of keeping globals. data.js fills `body`, `spans` and `rulings`
 * (panel.js puts back a span it reads afresh); panel.js owns `panel`, whose chosen rulings
 * picker.js edits.
 */

// URLs, the kinds' and statuses' labels, and `permissions.annotate`: whether this user may
// annotate at all. Everything finer comes with each span and ruling as its own `permissions`.
export const config = JSON.parse(document.getElementById("annotate-config").textContent);

export const state = {
  body: "",
  spans: [], // as the API returns them, offsets in UTF-16 units
  byId: new Map(),
  rulings: new Map(), // slug -> ruling, for statements, statuses and permissions
  panel: null, // {mode: "new"|"edit", ...}; see panel.js
  panelSeq: 0, // a click on another span while one loads wins
  searchSeq: 0, // likewise for ruling searches: only the latest answer is shown
  lastResults: [], // the ruling search's last answer, redrawn when the chosen rulings change
};

export function setSpans(spans) {
  state.spans = spans;
  state.byId = new Map(spans.map((span) => [span.id, span]));
}

export function remember(ruling) {
  state.rulings.set(ruling.slug, ruling);
}
