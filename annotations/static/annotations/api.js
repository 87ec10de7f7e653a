/* The HTTP client: the same REST API (/api/v1/) that every other client uses, with the session
 * cookie and the CSRF token. It knows nothing about the page; what it returns is the API's data
 * and, for single objects, the ETag to send back as If-Match.
 */

export class ApiError extends Error {
  constructor(status, data, message) {
    super(message);
    this.status = status;
    this.data = data;
  }
}

// A same-origin path with its query: the API's own `next` links come back in this shape too, so
// paging and first requests take the same road.
export function url(path, params) {
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

// The token is handed in rather than looked up here, so this module stays free of the page.
export function createClient(csrfToken) {
  // `etag`: the version the user saw. PATCH and DELETE send it as If-Match, and the API answers
  // 412 when someone changed the object since, instead of silently overwriting their change.
  async function request(method, path, options) {
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

  // Lists are cursor-paginated: follow `next` until the server says there is no more, so a long
  // article's spans are all drawn, not only the first page.
  async function getAll(path) {
    const results = [];
    let next = path;
    while (next) {
      const { data } = await request("GET", next);
      results.push(...data.results);
      next = data.next;
    }
    return results;
  }

  return { request, getAll };
}
