/* Reading the article, its spans and rulings into the shared state, and creating or discarding
 * the draft rulings a span is saved with. Drawing is view.js's business.
 */
import { createClient, url } from "./api.js";
import { config, remember, setSpans, state } from "./state.js";
import { shorten } from "./ui.js";

// The admin template renders {% csrf_token %} in the page; the session cookie goes with it.
const csrfToken = document.querySelector("#content-main input[name=csrfmiddlewaretoken]").value;
export const { request, getAll } = createClient(csrfToken);

// Every offset read or sent is in UTF-16 units (see offsets.js).
const UTF16 = { offset_unit: "utf-16" };
export const annotationsUrl = () => url(config.annotationsUrl, UTF16);
export const annotationUrl = (id) => url(config.annotationsUrl + id + "/", UTF16);
const rulingUrl = (slug) => url(config.rulingsUrl + encodeURIComponent(slug) + "/");
export const rulingSearchUrl = (params) => url(config.rulingsUrl, params);

async function loadArticle() {
  const { data } = await request("GET", url(config.articleUrl, UTF16));
  state.body = data.body;
}

async function loadSpans() {
  setSpans(await getAll(url(config.articleAnnotationsUrl, { ...UTF16, page_size: 200 })));
}

async function loadRulings() {
  const rulings = await getAll(url(config.rulingsUrl, { article: config.article, page_size: 200 }));
  rulings.forEach(remember);
}

export async function loadAll() {
  await Promise.all([loadArticle(), loadSpans(), loadRulings()]);
}

// After a write: the spans and their rulings afresh (the body does not change here).
export async function reload() {
  await Promise.all([loadSpans(), loadRulings()]);
}

// New draft rulings are created only when the span is saved, just before it, so that closing
// the panel leaves nothing behind. Each is created with its ETag, to delete it again exactly
// as created if the span then fails to save.
export async function createDrafts(drafts) {
  const created = [];
  for (const draft of drafts) {
    try {
      const { data, etag } = await request("POST", config.rulingsUrl, {
        body: {
          claim: draft.claim,
          claimant: { name: draft.claimant },
          statement: draft.statement,
          rating: draft.rating,
        },
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
export async function discardDrafts(created) {
  const stuck = [];
  for (const draft of created) {
    try {
      await request("DELETE", rulingUrl(draft.slug), { etag: draft.etag });
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
