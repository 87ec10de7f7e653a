/* The editing panel: a new span's passage, or an existing span read afresh with its ETag; its
 * kind, rulings (picker.js) and note; save and delete.
 *
 * What it offers comes from the server's `permissions` (the span's, and `permissions.annotate`
 * from the page's config for a new span); the API still decides every request, and a refusal is
 * shown as the API words it.
 */
import {
  annotationUrl,
  annotationsUrl,
  createDrafts,
  discardDrafts,
  request,
} from "./data.js";
import { resetRulingForm } from "./picker.js";
import { config, state } from "./state.js";
import { $, clearError, el, shorten, showError, status } from "./ui.js";
import { markPanel, redraw, refresh } from "./view.js";

// While a write is under way, so that a second click cannot send it twice.
function busy(on) {
  for (const id of ["panel-save", "panel-delete", "panel-delete-confirm", "ruling-create"]) {
    $(id).disabled = on;
  }
}

function showPanel(title) {
  $("annotate-panel").hidden = false;
  $("annotate-help").hidden = true;
  $("panel-title").textContent = title;
  $("panel-confirm").hidden = true;
  clearError();
}

export function closePanel() {
  state.panel = null;
  state.panelSeq += 1;
  $("annotate-panel").hidden = true;
  $("annotate-help").hidden = false;
  markPanel();
  for (const li of document.querySelectorAll(".span-item.is-active")) li.classList.remove("is-active");
}

function renderKind() {
  const p = state.panel;
  const kind = p ? p.kind : null;
  for (const button of document.querySelectorAll(".panel-kinds .kind-button")) {
    button.setAttribute("aria-pressed", String(button.dataset.kind === kind));
    button.disabled = !p || !p.kindEditable;
  }
}

export function setKind(kind) {
  if (!state.panel || state.panel.loading || !state.panel.kindEditable) return;
  state.panel.kind = kind;
  renderKind();
  if (state.panel.mode === "new") {
    $("panel-meta").textContent = "Link a ruling if you can, add a note, then save.";
  }
}

// Only reached when the page's config says this user may annotate: a new span is then theirs
// to shape entirely.
export function openNew(start, end) {
  state.panelSeq += 1;
  state.panel = {
    mode: "new",
    start,
    end,
    kind: null,
    rulings: [],
    newRulings: [],
    editable: true,
    kindEditable: true,
  };
  showPanel("New span");
  $("panel-quote").textContent = state.body.slice(start, end);
  $("panel-meta").textContent = "Choose a kind: press c, e or d, or use the buttons below.";
  $("panel-others").hidden = true;
  $("panel-note").value = "";
  $("panel-note").readOnly = false;
  $("panel-speaker").value = "";
  $("panel-speaker").readOnly = false;
  $("panel-save").textContent = "Save span";
  $("panel-save").hidden = false;
  $("panel-delete").hidden = true;
  renderKind();
  resetRulingForm();
  markPanel();
}

// The other spans covering the spot clicked, each a click away.
function renderOthers(span) {
  const others = state.panel.here.filter((id) => id !== span.id && state.byId.has(id));
  $("panel-others").hidden = !others.length;
  $("panel-others-list").replaceChildren(
    ...others.map((id) => {
      const other = state.byId.get(id);
      const li = el("li");
      const button = el("button", "kind-button other-span");
      button.type = "button";
      button.appendChild(el("span", "swatch k-" + other.kind));
      button.appendChild(document.createTextNode(`${config.kinds[other.kind]} #${id}`));
      button.addEventListener("click", () => openEdit(id, state.panel.here));
      li.appendChild(button);
      return li;
    })
  );
}

function fillEdit(span, etag, here) {
  state.spans = state.spans.map((s) => (s.id === span.id ? span : s));
  state.byId.set(span.id, span);
  const editable = span.permissions.change;
  // A span that a public ruling relies on keeps its kind and place and cannot be deleted.
  const fixed = editable && !span.permissions.change_kind;
  state.panel = {
    mode: "edit",
    id: span.id,
    etag,
    span,
    kind: span.kind,
    rulings: [...span.rulings],
    newRulings: [],
    here: here || [span.id],
    editable,
    kindEditable: span.permissions.change_kind,
  };
  showPanel(`${config.kinds[span.kind] || span.kind} #${span.id}`);
  $("panel-quote").textContent = span.quote;
  const notes = [`by ${span.author}`, `version ${span.version}`];
  if (span.state === "orphaned") notes.push("orphaned: no longer found in the text");
  if (!editable && config.permissions.annotate) {
    notes.push("only its author or an editor may change it");
  } else if (fixed) {
    notes.push("linked to a published ruling: its kind is fixed and it cannot be deleted");
  }
  $("panel-meta").textContent = notes.join(" · ");
  $("panel-note").value = span.note;
  $("panel-note").readOnly = !editable;
  $("panel-speaker").value = span.speaker;
  $("panel-speaker").readOnly = !editable;
  $("panel-save").textContent = "Save changes";
  $("panel-save").hidden = !editable;
  $("panel-delete").hidden = !span.permissions.delete;
  renderOthers(span);
  renderKind();
  resetRulingForm();
  redraw();
}

// The span is read afresh (with its ETag) whenever the panel opens it: an edit then names the
// version the user saw, and the API refuses it with 412 if someone changed the span since.
export async function openEdit(id, here) {
  const seq = (state.panelSeq += 1);
  state.panel = { mode: "edit", id, loading: true, rulings: [], newRulings: [], editable: false };
  showPanel("Loading span #" + id + "…");
  $("panel-quote").textContent = "";
  $("panel-meta").textContent = "";
  // Nothing can be typed until the span is here: its fill would overwrite what was typed.
  for (const id of ["panel-note", "panel-speaker"]) {
    $(id).value = "";
    $(id).readOnly = true;
  }
  $("panel-save").hidden = true;
  $("panel-delete").hidden = true;
  markPanel();
  try {
    const { data, etag } = await request("GET", annotationUrl(id));
    if (seq === state.panelSeq) fillEdit(data, etag, here);
  } catch (err) {
    if (seq !== state.panelSeq) return;
    if (err.status === 404) {
      await refresh();
      closePanel();
      status(`Span #${id} no longer exists: someone deleted it.`);
    } else {
      showError(err.message);
    }
  }
}

// A refused edit or delete, said plainly: 412 and 404 mean someone else got there first.
async function refused(err, id, also) {
  const more = also ? "\n" + also : "";
  if (err.status === 412) {
    await refresh();
    await openEdit(id, state.panel && state.panel.here);
    showError(
      "Someone else changed this span after you opened it, so your change was not saved. " +
        "The panel now shows their version: make your change again if it is still needed." +
        more
    );
  } else if (err.status === 404) {
    await refresh();
    closePanel();
    status(`Span #${id} no longer exists: someone deleted it, so your change was not saved.${more}`);
  } else {
    showError(err.message + more);
  }
}

// The drafts the panel names, created just before the span is saved; on a refusal it says
// why, ends the busy state and returns null (nothing else was saved).
async function createDraftsOrSay(newRulings) {
  try {
    return await createDrafts(newRulings);
  } catch (err) {
    showError(err.message);
    busy(false);
    return null;
  }
}

async function saveNew(p, note, speaker) {
  if (!p.kind) {
    showError("Choose a kind first: claim (c), evidence (e) or disputed (d).");
    return;
  }
  busy(true);
  const created = await createDraftsOrSay(p.newRulings);
  if (created === null) return;
  try {
    const { data } = await request("POST", annotationsUrl(), {
      body: {
        article: config.article,
        kind: p.kind,
        start: p.start,
        end: p.end,
        note,
        speaker,
        rulings: [...p.rulings, ...created.map((d) => d.slug)],
      },
    });
    closePanel();
    window.getSelection().removeAllRanges();
    await refresh();
    status(`Saved ${config.kinds[data.kind].toLowerCase()} #${data.id}: “${shorten(data.quote, 80)}”.`);
  } catch (err) {
    const leftover = await discardDrafts(created);
    showError(err.message + (leftover ? "\n" + leftover : ""));
  } finally {
    busy(false);
  }
}

// Only what changed is sent, with the ETag of the version the panel showed.
async function saveChanges(p, note, speaker) {
  if (!p.editable) return;
  const changes = {};
  if (p.kind !== p.span.kind) changes.kind = p.kind;
  if (note !== p.span.note) changes.note = note;
  if (speaker !== p.span.speaker) changes.speaker = speaker;
  const before = [...p.span.rulings].sort().join("\n");
  const rulingsChanged = [...p.rulings].sort().join("\n") !== before;
  if (!Object.keys(changes).length && !rulingsChanged && !p.newRulings.length) {
    status(`Nothing to save: span #${p.id} is unchanged.`);
    return;
  }
  busy(true);
  const created = await createDraftsOrSay(p.newRulings);
  if (created === null) return;
  if (rulingsChanged || created.length) {
    changes.rulings = [...p.rulings, ...created.map((d) => d.slug)];
  }
  try {
    await request("PATCH", annotationUrl(p.id), { body: changes, etag: p.etag });
    await refresh();
    await openEdit(p.id, p.here);
    status(`Saved changes to span #${p.id}.`);
  } catch (err) {
    await refused(err, p.id, await discardDrafts(created));
  } finally {
    busy(false);
  }
}

export async function save() {
  const p = state.panel;
  if (!p || p.loading) return;
  clearError();
  const note = $("panel-note").value;
  const speaker = $("panel-speaker").value.trim();
  await (p.mode === "new" ? saveNew(p, note, speaker) : saveChanges(p, note, speaker));
}

export async function remove() {
  const p = state.panel;
  if (!p || p.mode !== "edit" || p.loading || !p.editable) return;
  clearError();
  busy(true);
  try {
    await request("DELETE", annotationUrl(p.id), { etag: p.etag });
    closePanel();
    await refresh();
    status(`Deleted span #${p.id}.`);
  } catch (err) {
    $("panel-confirm").hidden = true;
    await refused(err, p.id);
  } finally {
    busy(false);
  }
}
