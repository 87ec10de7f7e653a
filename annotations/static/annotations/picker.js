/* The ruling picker in the panel: the rulings chosen for the span, a search to link more, and
 * new drafts noted for creation when the span is saved (data.js creates them).
 *
 * Whether a ruling may be linked or unlinked is the server's answer (`permissions.relink`:
 * linking a span edits the ruling's evidence); this module only words it.
 */
import { request, rulingSearchUrl } from "./data.js";
import { config, remember, state } from "./state.js";
import { $, clearError, el, shorten, showError, status } from "./ui.js";

const mayRelink = (ruling) => Boolean(ruling && ruling.permissions && ruling.permissions.relink);

const statusLabel = (ruling) => config.statuses[ruling.status] || ruling.status;

// Why a ruling is listed but not offered. The decision is already made (relink is false); this
// only picks the words: a ruling that has been published (published_at, kept when it is
// retracted) is closed to everyone, any other was refused for who is asking.
function unavailable(ruling) {
  const closed = Boolean(ruling.published_at);
  const why = el("span", "ruling-unavailable", closed ? "Closed" : "Author or editor only");
  why.title = closed
    ? "A " + ruling.status + " ruling takes no new spans: draft one that supersedes it."
    : `${ruling.author}'s draft: only its author or an editor may link spans to it.`;
  return why;
}

// The aria-label names the ruling, since every row's button reads the same.
function removeButton(text, label, onClick) {
  const button = el("button", "ruling-remove", text);
  button.type = "button";
  button.setAttribute("aria-label", label);
  button.addEventListener("click", onClick);
  return button;
}

export function renderChosen() {
  const list = $("panel-chosen");
  const p = state.panel;
  const chosen = p ? p.rulings : [];
  const drafts = p ? p.newRulings : [];
  const items = chosen.map((slug) => {
    const li = el("li", "chosen-ruling");
    const ruling = state.rulings.get(slug);
    const text = el("span", "ruling-text");
    text.appendChild(el("span", "ruling-statement", ruling ? ruling.statement : slug));
    if (ruling) {
      const meta = `${statusLabel(ruling)} · ${ruling.rating_label}`;
      text.appendChild(el("span", "ruling-meta status-" + ruling.status, meta));
    }
    li.appendChild(text);
    if (p.editable && mayRelink(ruling)) {
      li.appendChild(
        removeButton("Unlink", "Unlink " + ruling.statement, () => {
          state.panel.rulings = state.panel.rulings.filter((s) => s !== slug);
          renderChosen();
          renderResults(state.lastResults);
        })
      );
    }
    return li;
  });
  for (const draft of drafts) {
    const li = el("li", "chosen-ruling is-new");
    const text = el("span", "ruling-text");
    text.appendChild(el("span", "ruling-statement", draft.statement || "(no statement yet)"));
    text.appendChild(
      el("span", "ruling-meta status-draft", `New draft · ${draft.ratingLabel} · created when you save`)
    );
    li.appendChild(text);
    li.appendChild(
      removeButton("Remove", "Remove new draft " + draft.statement, () => {
        state.panel.newRulings = state.panel.newRulings.filter((d) => d !== draft);
        renderChosen();
      })
    );
    items.push(li);
  }
  list.replaceChildren(...items);
  if (!items.length) list.appendChild(el("li", "empty", "No ruling linked yet."));
}

function renderResults(rulings) {
  state.lastResults = rulings;
  const chosen = new Set(state.panel ? state.panel.rulings : []);
  const list = $("ruling-results");
  list.replaceChildren(
    ...rulings.map((ruling) => {
      const li = el("li", "ruling-result");
      const text = el("span", "ruling-text");
      text.appendChild(el("span", "ruling-statement", ruling.statement));
      text.appendChild(
        el(
          "span",
          "ruling-meta status-" + ruling.status,
          `${statusLabel(ruling)} · ${ruling.rating_label} · ${ruling.author}`
        )
      );
      li.appendChild(text);
      if (chosen.has(ruling.slug)) {
        li.appendChild(el("span", "ruling-unavailable", "Linked"));
        return li;
      }
      if (!mayRelink(ruling)) {
        // Said, not offered: the API would refuse the link.
        li.appendChild(unavailable(ruling));
        return li;
      }
      const link = el("button", "button ruling-link", "Link");
      link.type = "button";
      link.addEventListener("click", () => {
        remember(ruling);
        if (!state.panel.rulings.includes(ruling.slug)) state.panel.rulings.push(ruling.slug);
        renderChosen();
        renderResults(rulings);
      });
      li.appendChild(link);
      return li;
    })
  );
  if (!rulings.length) {
    const none = $("ruling-search").value.trim() ? "No ruling matches." : "No rulings yet.";
    list.appendChild(el("li", "empty", none));
  }
}

export async function searchRulings() {
  const seq = (state.searchSeq += 1);
  const query = $("ruling-search").value.trim();
  const params = { page_size: 20 };
  if (query) params.search = query;
  try {
    const { data } = await request("GET", rulingSearchUrl(params));
    if (seq === state.searchSeq) renderResults(data.results);
  } catch (err) {
    if (seq === state.searchSeq) showError(err.message);
  }
}

// A freshly opened panel: an empty search (which lists the latest rulings) and the form closed.
// Someone who may not change the span is not shown the picker at all.
export function resetRulingForm() {
  $("ruling-search").value = "";
  for (const id of ["ruling-claim", "ruling-claimant", "ruling-statement"]) $(id).value = "";
  $("ruling-new").open = false;
  $("ruling-picker").hidden = !state.panel.editable;
  renderChosen();
  if (state.panel.editable) searchRulings();
}

// Only noted here: the draft is created when the span is saved, together with the span that
// needs it, so an abandoned panel leaves no draft behind.
export function addNewRuling() {
  const p = state.panel;
  if (!p || p.loading || !p.editable) return;
  clearError();
  const rating = $("ruling-rating");
  const statement = $("ruling-statement").value.trim();
  p.newRulings.push({
    claim: $("ruling-claim").value.trim(),
    claimant: $("ruling-claimant").value.trim(),
    statement,
    rating: rating.value,
    ratingLabel: rating.selectedOptions[0] ? rating.selectedOptions[0].textContent : rating.value,
  });
  for (const id of ["ruling-claim", "ruling-claimant", "ruling-statement"]) $(id).value = "";
  $("ruling-new").open = false;
  renderChosen();
  status(`New draft ruling “${shorten(statement, 80)}”: it is created when you save the span.`);
}
