/* The admin's Annotate workspace (SPEC.md, "Web admin").
 *
 * It talks only to the REST API (/api/v1/), as any other client does, with the session cookie
 * and the CSRF token. Every offset it reads or sends is in UTF-16 code units
 * (?offset_unit=utf-16): JavaScript strings and DOM selections count those, so a selection's
 * offsets are used as they are, whatever emoji or combining marks the text holds.
 *
 * Article and user text is only ever inserted with textContent / createTextNode, never as HTML.
 */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("annotate-config").textContent);
  const csrfToken = document.querySelector("#content-main input[name=csrfmiddlewaretoken]").value;
  const KEYS = { c: "claim", e: "evidence", d: "disputed" };
  // Only these can take new spans; the API refuses the others with 409 all the same.
  const LINKABLE = new Set(["draft", "in_review"]);
  const STEP = 5; // px between the lines drawn under nested spans (see annotate.css)

  const $ = (id) => document.getElementById(id);
  const container = $("annotate-body");

  const state = {
    body: "",
    spans: [], // as the API returns them, offsets in UTF-16 units
    byId: new Map(),
    rulings: new Map(), // slug -> ruling, for statements and statuses
    panel: null, // {mode: "new"|"edit", ...}
    panelSeq: 0, // a click on another span while one loads wins
    searchSeq: 0,
  };

  // --- The API -------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, data, message) {
      super(message);
      this.status = status;
      this.data = data;
    }
  }

  function url(path, params) {
    const u = new URL(path, window.location.origin);
    for (const [key, value] of Object.entries(params || {})) u.searchParams.set(key, value);
    return u.pathname + u.search;
  }

  function flatten(value) {
    if (value === null || value === undefined) return [];
    if (typeof value === "string") return [value];
    if (Array.isArray(value)) return value.flatMap(flatten);
    if (typeof value === "object") {
      return Object.entries(value).flatMap(([key, inner]) =>
        flatten(inner).map((text) => (/^\d+$/.test(key) ? text : key + ": " + text))
      );
    }
    return [String(value)];
  }

  // DRF's error shape: {"field": ["message"]} or {"detail": "..."}. The field is named, so the
  // user knows what to fix.
  function describeError(response, data) {
    if (data && typeof data === "object" && !Array.isArray(data)) {
      const lines = Object.entries(data).map(([field, value]) => {
        const text = flatten(value).join(" ");
        return field === "detail" || field === "non_field_errors" ? text : field + ": " + text;
      });
      if (lines.length) return lines.join("\n");
    }
    return "The server answered " + response.status + " " + response.statusText + ".";
  }

  async function api(method, path, options) {
    const { body, etag } = options || {};
    const headers = { Accept: "application/json" };
    if (method !== "GET") headers["X-CSRFToken"] = csrfToken;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (etag) headers["If-Match"] = etag;
    let response;
    try {
      response = await fetch(path, {
        method,
        headers,
        credentials: "same-origin",
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new ApiError(0, null, "The server could not be reached (" + err.message + ").");
    }
    let data = null;
    if (response.status !== 204) {
      const text = await response.text();
      try {
        data = text ? JSON.parse(text) : null;
      } catch (err) {
        data = null;
      }
    }
    if (!response.ok) throw new ApiError(response.status, data, describeError(response, data));
    return { data, etag: response.headers.get("ETag") };
  }

  async function getAll(path) {
    const results = [];
    let next = path;
    while (next) {
      const { data } = await api("GET", next);
      results.push(...data.results);
      next = data.next;
    }
    return results;
  }

  const annotationUrl = (id) => url(config.annotationsUrl + id + "/", { offset_unit: "utf-16" });
  const rulingUrl = (slug) => url(config.rulingsUrl + encodeURIComponent(slug) + "/");

  // --- Who may do what -----------------------------------------------------------------------
  // The server decides (roles.py): every span and ruling the API returns carries its
  // `permissions`, and the page's config says whether this user may annotate at all. The page
  // offers only what those allow, so nobody is handed a button that can only fail; the API still
  // decides every request.

  // Linking a span to a ruling, or unlinking it, edits the ruling.
  const mayRelink = (ruling) => Boolean(ruling && ruling.permissions && ruling.permissions.relink);

  // --- Loading -------------------------------------------------------------------------------

  async function loadArticle() {
    const { data } = await api("GET", url(config.articleUrl, { offset_unit: "utf-16" }));
    state.body = data.body;
  }

  async function loadSpans() {
    const spans = await getAll(
      url(config.articleAnnotationsUrl, { offset_unit: "utf-16", page_size: 200 })
    );
    state.spans = spans;
    state.byId = new Map(spans.map((span) => [span.id, span]));
  }

  async function loadRulings() {
    const rulings = await getAll(url(config.rulingsUrl, { article: config.article, page_size: 200 }));
    rulings.forEach(remember);
  }

  function remember(ruling) {
    state.rulings.set(ruling.slug, ruling);
  }

  async function reloadSpans() {
    await Promise.all([loadSpans(), loadRulings()]);
    renderBody();
    renderLists();
  }

  // --- Text and offsets ----------------------------------------------------------------------

  function textNodes() {
    const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
    const nodes = [];
    let node;
    while ((node = walker.nextNode())) nodes.push(node);
    return nodes;
  }

  // A DOM boundary point to a UTF-16 offset into the body. The container holds the body's text
  // and nothing else, so the offset is the length of the text nodes before the point (a text
  // node's own offsets are UTF-16 units already). Points outside clamp to either end.
  function pointToOffset(node, offset) {
    const whole = document.createRange();
    whole.selectNodeContents(container);
    const where = whole.comparePoint(node, offset);
    if (where < 0) return 0;
    if (where > 0) return state.body.length;
    let total = 0;
    if (node.nodeType === Node.TEXT_NODE) {
      for (const text of textNodes()) {
        if (text === node) return total + offset;
        total += text.data.length;
      }
      return total;
    }
    const point = document.createRange();
    point.setStart(node, offset);
    for (const text of textNodes()) {
      if (point.comparePoint(text, 0) >= 0) break;
      total += text.data.length;
    }
    return total;
  }

  function offsetToPoint(offset) {
    let total = 0;
    const nodes = textNodes();
    for (const text of nodes) {
      if (offset <= total + text.data.length) return [text, offset - total];
      total += text.data.length;
    }
    const last = nodes[nodes.length - 1];
    return last ? [last, last.data.length] : [container, 0];
  }

  function rangeOf(start, end) {
    const range = document.createRange();
    range.setStart(...offsetToPoint(start));
    range.setEnd(...offsetToPoint(end));
    return range;
  }

  const isSpace = (unit) => /\s/.test(unit);

  function shorten(text, max) {
    // By code points, so an emoji is never cut in half.
    const chars = Array.from(text);
    return chars.length <= max ? text : chars.slice(0, max - 1).join("") + "…";
  }

  // --- The highlighted body ------------------------------------------------------------------

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

  const STRIPES = {
    claim: "linear-gradient(var(--k-claim), var(--k-claim))",
    evidence: "repeating-linear-gradient(90deg, var(--k-evidence) 0 7px, transparent 7px 10px)",
    disputed: "repeating-linear-gradient(90deg, var(--k-disputed) 0 3px, transparent 3px 5px)",
  };

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

  function renderBody() {
    const text = state.body;
    const anchored = state.spans.filter(
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
      const piece = document.createTextNode(text.slice(from, to));
      if (!active.size) {
        fragment.appendChild(piece);
        continue;
      }
      const covering = [...active].sort((a, b) => a.level - b.level);
      const seg = document.createElement("span");
      seg.className = "seg " + [...new Set(covering.map((s) => "k-" + s.kind))].join(" ");
      seg.dataset.spans = covering.map((s) => s.id).join(" ");
      seg.title = covering
        .map((s) => `${config.kinds[s.kind]} #${s.id}${s.note ? ": " + shorten(s.note, 80) : ""}`)
        .join("\n");
      paint(seg, covering);
      seg.appendChild(piece);
      fragment.appendChild(seg);
    }
    container.replaceChildren(fragment);
    markActive();
    markPending();
  }

  function markActive() {
    const id = state.panel && state.panel.mode === "edit" ? state.panel.id : null;
    for (const seg of container.querySelectorAll(".seg")) {
      seg.classList.toggle("is-active", id !== null && seg.dataset.spans.split(" ").includes(String(id)));
    }
  }

  // The pending selection stays visible while the user works in the panel (which takes the
  // browser's own selection away). The CSS Custom Highlight API paints it without touching the
  // DOM; browsers without it simply show the quote in the panel.
  function markPending() {
    if (!window.CSS || !CSS.highlights || typeof Highlight === "undefined") return;
    const p = state.panel;
    if (p && p.mode === "new") {
      CSS.highlights.set("annotate-pending", new Highlight(rangeOf(p.start, p.end)));
    } else {
      CSS.highlights.delete("annotate-pending");
    }
  }

  function scrollToSpan(id) {
    const seg = [...container.querySelectorAll(".seg")].find((s) =>
      s.dataset.spans.split(" ").includes(String(id))
    );
    if (seg) seg.scrollIntoView({ block: "center", behavior: "smooth" });
  }

  // --- Side lists ----------------------------------------------------------------------------

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function rulingLabel(slug) {
    const ruling = state.rulings.get(slug);
    if (!ruling) return slug;
    return `${ruling.statement} (${config.statuses[ruling.status] || ruling.status}, ${ruling.rating_label})`;
  }

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
    button.addEventListener("click", () => {
      openEdit(span.id);
      if (span.state === "anchored") scrollToSpan(span.id);
    });
    li.appendChild(button);
    if (span.rulings.length) {
      const rulings = el("ul", "span-rulings");
      span.rulings.forEach((slug) => rulings.appendChild(el("li", "", rulingLabel(slug))));
      li.appendChild(rulings);
    } else {
      li.appendChild(el("p", "span-none", "No ruling linked."));
    }
    if (span.note) li.appendChild(el("p", "span-note", shorten(span.note, 200)));
    if (state.panel && state.panel.mode === "edit" && state.panel.id === span.id) {
      li.classList.add("is-active");
    }
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

  // --- Status and errors ---------------------------------------------------------------------

  function status(text) {
    $("annotate-status").textContent = text;
  }

  function showError(text) {
    const box = $("panel-error");
    box.textContent = text;
    box.hidden = false;
  }

  function clearError() {
    $("panel-error").textContent = "";
    $("panel-error").hidden = true;
  }

  function busy(on) {
    for (const id of ["panel-save", "panel-delete", "panel-delete-confirm", "ruling-create"]) {
      $(id).disabled = on;
    }
  }

  // --- The panel -----------------------------------------------------------------------------

  function showPanel(title) {
    $("annotate-panel").hidden = false;
    $("annotate-help").hidden = true;
    $("panel-title").textContent = title;
    $("panel-confirm").hidden = true;
    clearError();
  }

  function closePanel() {
    state.panel = null;
    state.panelSeq += 1;
    $("annotate-panel").hidden = true;
    $("annotate-help").hidden = false;
    markActive();
    markPending();
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

  function setKind(kind) {
    if (!state.panel || state.panel.loading || !state.panel.kindEditable) return;
    state.panel.kind = kind;
    renderKind();
    if (state.panel.mode === "new") {
      $("panel-meta").textContent = "Link a ruling if you can, add a note, then save.";
    }
  }

  function renderChosen() {
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
        const meta = `${config.statuses[ruling.status] || ruling.status} · ${ruling.rating_label}`;
        text.appendChild(el("span", "ruling-meta status-" + ruling.status, meta));
      }
      li.appendChild(text);
      if (p.editable && mayRelink(ruling)) {
        const remove = el("button", "ruling-remove", "Unlink");
        remove.type = "button";
        remove.setAttribute("aria-label", "Unlink " + ruling.statement);
        remove.addEventListener("click", () => {
          state.panel.rulings = state.panel.rulings.filter((s) => s !== slug);
          renderChosen();
          renderResults(state.lastResults || []);
        });
        li.appendChild(remove);
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
      const remove = el("button", "ruling-remove", "Remove");
      remove.type = "button";
      remove.setAttribute("aria-label", "Remove new draft " + draft.statement);
      remove.addEventListener("click", () => {
        state.panel.newRulings = state.panel.newRulings.filter((d) => d !== draft);
        renderChosen();
      });
      li.appendChild(remove);
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
            `${config.statuses[ruling.status] || ruling.status} · ${ruling.rating_label} · ${ruling.author}`
          )
        );
        li.appendChild(text);
        if (chosen.has(ruling.slug)) {
          li.appendChild(el("span", "ruling-unavailable", "Linked"));
          return li;
        }
        if (!mayRelink(ruling)) {
          // Said, not offered: the API would refuse the link.
          const closed = !LINKABLE.has(ruling.status);
          const why = el("span", "ruling-unavailable", closed ? "Closed" : "Author or editor only");
          why.title = closed
            ? "A " + ruling.status + " ruling takes no new spans: draft one that supersedes it."
            : `${ruling.author}'s draft: only its author or an editor may link spans to it.`;
          li.appendChild(why);
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

  async function searchRulings() {
    const seq = (state.searchSeq += 1);
    const query = $("ruling-search").value.trim();
    const params = { page_size: 20 };
    if (query) params.search = query;
    try {
      const { data } = await api("GET", url(config.rulingsUrl, params));
      if (seq === state.searchSeq) renderResults(data.results);
    } catch (err) {
      if (seq === state.searchSeq) showError(err.message);
    }
  }

  function resetRulingForm() {
    $("ruling-search").value = "";
    $("ruling-statement").value = "";
    $("ruling-new").open = false;
    $("ruling-picker").hidden = !state.panel.editable;
    renderChosen();
    if (state.panel.editable) searchRulings();
  }

  function openNew(start, end) {
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
    $("panel-save").textContent = "Save span";
    $("panel-save").hidden = false;
    $("panel-delete").hidden = true;
    renderKind();
    resetRulingForm();
    markActive();
    markPending();
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
    } else if (editable && fixed) {
      notes.push("linked to a published ruling: its kind is fixed and it cannot be deleted");
    }
    $("panel-meta").textContent = notes.join(" · ");
    $("panel-note").value = span.note;
    $("panel-note").readOnly = !editable;
    $("panel-save").textContent = "Save changes";
    $("panel-save").hidden = !editable;
    $("panel-delete").hidden = !span.permissions.delete;
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
    renderKind();
    resetRulingForm();
    renderBody();
    renderLists();
  }

  // The span is read afresh (with its ETag) whenever the panel opens it: an edit then names the
  // version the user saw, and the API refuses it with 412 if someone changed the span since.
  async function openEdit(id, here) {
    const seq = (state.panelSeq += 1);
    state.panel = { mode: "edit", id, loading: true, rulings: [], newRulings: [], editable: false };
    showPanel("Loading span #" + id + "…");
    $("panel-quote").textContent = "";
    $("panel-meta").textContent = "";
    markPending();
    try {
      const { data, etag } = await api("GET", annotationUrl(id));
      if (seq === state.panelSeq) fillEdit(data, etag, here);
    } catch (err) {
      if (seq !== state.panelSeq) return;
      if (err.status === 404) {
        await reloadSpans();
        closePanel();
        status(`Span #${id} no longer exists: someone deleted it.`);
      } else {
        showError(err.message);
      }
    }
  }

  async function refused(err, id, also) {
    const more = also ? "\n" + also : "";
    if (err.status === 412) {
      await reloadSpans();
      await openEdit(id, state.panel && state.panel.here);
      showError(
        "Someone else changed this span after you opened it, so your change was not saved. " +
          "The panel now shows their version: make your change again if it is still needed." +
          more
      );
    } else if (err.status === 404) {
      await reloadSpans();
      closePanel();
      status(`Span #${id} no longer exists: someone deleted it, so your change was not saved.${more}`);
    } else {
      showError(err.message + more);
    }
  }

  // New draft rulings are created only when the span is saved, just before it, so that closing
  // the panel leaves nothing behind. Each is created with its ETag, to delete it again exactly
  // as created if the span then fails to save.
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

  async function createDrafts(drafts) {
    const created = [];
    for (const draft of drafts) {
      try {
        const { data, etag } = await api("POST", config.rulingsUrl, {
          body: { statement: draft.statement, rating: draft.rating },
        });
        remember(data);
        created.push({ slug: data.slug, statement: data.statement, etag });
      } catch (err) {
        const leftover = await discardDrafts(created);
        err.message += leftover ? "\n" + leftover : "";
        throw err;
      }
    }
    return created;
  }

  // The span was not saved: its fresh drafts would stay behind unlinked. Returns what the user
  // must know if one could not be removed.
  async function discardDrafts(created) {
    const stuck = [];
    for (const draft of created) {
      try {
        await api("DELETE", rulingUrl(draft.slug), { etag: draft.etag });
        state.rulings.delete(draft.slug);
      } catch (err) {
        stuck.push(`“${shorten(draft.statement, 80)}”`);
      }
    }
    if (!stuck.length) return "";
    return (
      `The new draft ruling ${stuck.join(", ")} was created but could not be removed again: ` +
      "delete it in the ruling admin."
    );
  }

  async function save() {
    const p = state.panel;
    if (!p || p.loading) return;
    clearError();
    const note = $("panel-note").value;
    if (p.mode === "new") {
      if (!p.kind) {
        showError("Choose a kind first: claim (c), evidence (e) or disputed (d).");
        return;
      }
      busy(true);
      const created = await createDraftsOrSay(p.newRulings);
      if (created === null) return;
      try {
        const { data } = await api("POST", url(config.annotationsUrl, { offset_unit: "utf-16" }), {
          body: {
            article: config.article,
            kind: p.kind,
            start: p.start,
            end: p.end,
            note,
            rulings: [...p.rulings, ...created.map((d) => d.slug)],
          },
        });
        closePanel();
        window.getSelection().removeAllRanges();
        await reloadSpans();
        status(`Saved ${config.kinds[data.kind].toLowerCase()} #${data.id}: “${shorten(data.quote, 80)}”.`);
      } catch (err) {
        const leftover = await discardDrafts(created);
        showError(err.message + (leftover ? "\n" + leftover : ""));
      } finally {
        busy(false);
      }
      return;
    }
    if (!p.editable) return;
    const changes = {};
    if (p.kind !== p.span.kind) changes.kind = p.kind;
    if (note !== p.span.note) changes.note = note;
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
      await api("PATCH", annotationUrl(p.id), { body: changes, etag: p.etag });
      await reloadSpans();
      await openEdit(p.id, p.here);
      status(`Saved changes to span #${p.id}.`);
    } catch (err) {
      await refused(err, p.id, await discardDrafts(created));
    } finally {
      busy(false);
    }
  }

  async function remove() {
    const p = state.panel;
    if (!p || p.mode !== "edit" || p.loading || !p.editable) return;
    clearError();
    busy(true);
    try {
      await api("DELETE", annotationUrl(p.id), { etag: p.etag });
      closePanel();
      await reloadSpans();
      status(`Deleted span #${p.id}.`);
    } catch (err) {
      $("panel-confirm").hidden = true;
      await refused(err, p.id);
    } finally {
      busy(false);
    }
  }

  // Only noted here: the draft is created by save(), together with the span that needs it.
  function addNewRuling() {
    const p = state.panel;
    if (!p || p.loading || !p.editable) return;
    clearError();
    const rating = $("ruling-rating");
    const statement = $("ruling-statement").value.trim();
    p.newRulings.push({
      statement,
      rating: rating.value,
      ratingLabel: rating.selectedOptions[0] ? rating.selectedOptions[0].textContent : rating.value,
    });
    $("ruling-statement").value = "";
    $("ruling-new").open = false;
    renderChosen();
    status(`New draft ruling “${shorten(statement, 80)}”: it is created when you save the span.`);
  }

  // --- Selecting text ------------------------------------------------------------------------

  function captureSelection() {
    if (!config.permissions.annotate || !state.body) return;
    const selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return;
    const range = selection.getRangeAt(0);
    if (!range.intersectsNode(container)) return;
    let start = pointToOffset(range.startContainer, range.startOffset);
    let end = pointToOffset(range.endContainer, range.endOffset);
    // Spaces and line ends picked up at either edge are not part of the passage.
    while (start < end && isSpace(state.body[start])) start += 1;
    while (end > start && isSpace(state.body[end - 1])) end -= 1;
    if (start >= end) return;
    const p = state.panel;
    if (p && p.mode === "new" && p.start === start && p.end === end) return;
    openNew(start, end);
  }

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

  container.addEventListener("click", (event) => {
    const selection = window.getSelection();
    if (selection && !selection.isCollapsed && container.contains(selection.anchorNode)) return;
    const seg = event.target.closest(".seg");
    if (!seg) return;
    const ids = seg.dataset.spans.split(" ").map(Number);
    // The innermost span first; the others covering this spot are a click away in the panel.
    const here = ids
      .map((id) => state.byId.get(id))
      .filter(Boolean)
      .sort((a, b) => a.end - a.start - (b.end - b.start))
      .map((s) => s.id);
    if (here.length) openEdit(here[0], here);
  });

  document.addEventListener("keydown", (event) => {
    if (!state.panel || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    const target = event.target;
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
  $("panel-delete").addEventListener("click", () => {
    $("panel-confirm").hidden = false;
    $("panel-delete-confirm").focus();
  });
  $("panel-delete-cancel").addEventListener("click", () => {
    $("panel-confirm").hidden = true;
  });
  $("panel-delete-confirm").addEventListener("click", remove);
  $("ruling-create").addEventListener("click", addNewRuling);
  let searchTimer = null;
  $("ruling-search").addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(searchRulings, 250);
  });

  // --- Start ---------------------------------------------------------------------------------

  async function start() {
    try {
      await Promise.all([loadArticle(), loadSpans(), loadRulings()]);
    } catch (err) {
      status("The article could not be loaded: " + err.message);
      return;
    }
    renderBody();
    renderLists();
    document.querySelector(".annotate").classList.add("is-ready");
    status(
      config.permissions.annotate
        ? "Select a passage to mark it, or click a highlight to edit it."
        : "You may read these spans but not change them: only annotators and editors may."
    );
  }

  start();
})();
