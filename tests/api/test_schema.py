"""The OpenAPI document (/api/v1/schema/) and the interactive page (/api/v1/docs/).

Output serializers declare their fields for the document but build their dicts by hand
(annotations/api/serializers.py), so the two can drift: here every documented 2xx response is
compared, key by key and type by type, with what the endpoint really answers.
"""

import json

import pytest
from django.core.management import call_command
from drf_spectacular.validation import validate_schema

from ..helpers import API, fill

# Personas are created per test.
pytestmark = pytest.mark.usefixtures("fast_passwords")

OPENAPI_JSON = "application/vnd.oai.openapi+json"

# SPEC.md, "REST API": every path of the table with exactly its methods.
SPEC_TABLE = {
    "articles/": {"get", "post"},
    "articles/{slug}/": {"get", "patch"},
    "articles/{slug}/annotations/": {"get"},
    "annotations/": {"get", "post"},
    "annotations/{id}/": {"get", "patch", "delete"},
    "rulings/": {"get", "post"},
    "rulings/{slug}/": {"get", "patch", "delete"},
    "rulings/{slug}/submit/": {"post"},
    "rulings/{slug}/reviews/": {"get", "post"},
    "rulings/{slug}/retract/": {"post"},
    "rulings/{slug}/claimreview/": {"get"},
    # Issue 19: the ClaimReview DataFeed.
    "claimreview/feed/": {"get"},
    # Issue 17: claim matching (the dismissal is not in SPEC.md's table; the issue asks for it).
    "claims/search/": {"get"},
    "articles/{slug}/suggestions/": {"get"},
    "articles/{slug}/suggestions/dismiss/": {"post"},
}

# SPEC.md: the filters of each list, besides the cursor pagination every list takes.
FILTERS = {
    "articles/": {"search", "publisher"},
    "annotations/": {"article", "kind", "ruling", "author", "state"},
    "rulings/": {"status", "rating", "article", "search"},
}

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def document(api):
    response = api().get(API + "schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield path.removeprefix("/api/v1/"), method, operation


# --- The document itself -------------------------------------------------------------------------


def test_the_generated_document_validates_without_warnings(tmp_path, db):
    # --fail-on-warn: a view the generator cannot read (a missing extend_schema) fails here.
    target = tmp_path / "openapi.json"
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", "--file", target
    )
    generated = json.loads(target.read_text())
    assert generated["openapi"].startswith("3.")


@pytest.mark.parametrize(
    ("query", "headers"),
    [({"format": "json"}, {}), ({}, {"Accept": OPENAPI_JSON})],
    ids=["format=json", "Accept"],
)
def test_it_serves_a_valid_openapi_3_document_as_json(api, query, headers):
    response = api().get(API + "schema/", query, headers=headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(OPENAPI_JSON)
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] and document["info"]["version"]
    validate_schema(document)


def test_it_serves_the_document_as_yaml_by_default(api):
    response = api().get(API + "schema/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    assert response.content.startswith(b"openapi: 3.")


def test_every_path_of_the_spec_table_is_documented_with_its_methods(document):
    # schema/ and docs/ serve the document and are left out of it (SERVE_INCLUDE_SCHEMA off);
    # the tests above and below show they answer.
    documented = {}
    for path, method, _ in _operations(document):
        documented.setdefault(path, set()).add(method)
    assert documented == SPEC_TABLE


def test_lists_document_their_filters_and_cursor_pagination(document):
    for path, method, operation in _operations(document):
        names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        if method == "get" and path in FILTERS:
            assert FILTERS[path] <= names, path
        schema = operation["responses"].get("200", {}).get("content", {})
        ref = schema.get("application/json", {}).get("schema", {}).get("$ref", "")
        if ref.startswith("#/components/schemas/Paginated"):
            assert {"cursor", "page_size"} <= names, path


def test_every_operation_answering_offsets_documents_offset_unit(document):
    # SPEC.md: every endpoint that reads or writes offsets accepts offset_unit=utf-16, and the
    # document is where clients learn that.
    missing = []
    for path, method, operation in _operations(document):
        names = {p["name"] for p in operation.get("parameters", [])}
        answers_offsets = any(
            "offset_unit" in _property_names(document, media.get("schema", {}))
            for status, response in operation["responses"].items()
            if status.startswith("2")
            for media in response.get("content", {}).values()
        )
        if answers_offsets and "offset_unit" not in names:
            missing.append(f"{method.upper()} {path}")
    assert missing == [], "offset_unit undocumented on: " + ", ".join(missing)


def test_the_docs_page_is_html_that_loads_the_document(api):
    response = api().get(API + "docs/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "swagger-ui" in page.lower()
    # The start-up script is a file of its own (no inline script, for the CSP): the page loads
    # it, and it names the document.
    assert "<script>" not in page and f'src="{API}docs/?script=' in page
    script = api().get(API + "docs/", {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert f"{API}schema/" in script.content.decode()


# --- Documented responses against real ones ------------------------------------------------------


def _resolve(document, schema):
    """The schema with $ref and one-element allOf followed; outer keys (nullable) are kept."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        outer = {k: v for k, v in schema.items() if k != "$ref"}
        return {**_resolve(document, document["components"]["schemas"][name]), **outer}
    if len(schema.get("allOf", ())) == 1:
        outer = {k: v for k, v in schema.items() if k != "allOf"}
        return {**_resolve(document, schema["allOf"][0]), **outer}
    return schema


def _property_names(document, schema, seen=None):
    """Every property name anywhere inside the schema."""
    seen = set() if seen is None else seen
    schema = _resolve(document, schema)
    names = set(schema.get("properties", {}))
    for child in [*schema.get("properties", {}).values(), schema.get("items", {})]:
        key = json.dumps(child, sort_keys=True)
        if key not in seen:
            seen.add(key)
            names |= _property_names(document, child, seen)
    return names


TYPES = {
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "array": list,
    "object": dict,
}


def _drift(document, schema, value, where="$"):
    """Every difference between a documented schema and a real value, as readable lines."""
    schema = _resolve(document, schema)
    if value is None:
        return [] if schema.get("nullable") else [f"{where}: null, but not nullable"]
    if "oneOf" in schema:
        if any(not _drift(document, option, value, where) for option in schema["oneOf"]):
            return []
        return [f"{where}: {value!r} matches none of oneOf"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{where}: {value!r} not in {schema['enum']}"]
    kind = schema.get("type")
    if kind in TYPES:
        ok = isinstance(value, TYPES[kind]) and not (
            kind in ("integer", "number") and isinstance(value, bool)
        )
        if not ok:
            return [f"{where}: {type(value).__name__} {value!r}, documented {kind}"]
    problems = []
    if isinstance(value, dict) and "properties" in schema:
        declared, actual = set(schema["properties"]), set(value)
        if actual - declared:
            problems.append(f"{where}: undocumented keys {sorted(actual - declared)}")
        if declared - actual:
            problems.append(f"{where}: documented keys missing {sorted(declared - actual)}")
        for key in sorted(declared & actual):
            problems += _drift(document, schema["properties"][key], value[key], f"{where}.{key}")
    elif isinstance(value, dict) and isinstance(schema.get("additionalProperties"), dict):
        for key, item in value.items():
            problems += _drift(document, schema["additionalProperties"], item, f"{where}.{key}")
    elif isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            problems += _drift(document, schema["items"], item, f"{where}[{i}]")
    return problems


# (what, persona, method, path, documented path, body, status): every 2xx response shape.
RESPONSES = [
    ("article list", "erin", "get", "articles/", "articles/", None, 200),
    ("article detail", "anon", "get", "articles/{article}/", "articles/{slug}/", None, 200),
    (
        "article detail in utf-16",
        "anon",
        "get",
        "articles/{article}/?offset_unit=utf-16",
        "articles/{slug}/",
        None,
        200,
    ),
    (
        "article body edit",
        "erin",
        "patch",
        "articles/{article}/",
        "articles/{slug}/",
        {"body": "Protests began over fuel prices in Zhanaozen. Officials blamed terrorists."},
        200,
    ),
    (
        "article created",
        "erin",
        "post",
        "articles/",
        "articles/",
        {"slug": "new-article", "body": "Some text."},
        201,
    ),
    (
        "article spans",
        "erin",
        "get",
        "articles/{article}/annotations/",
        "articles/{slug}/annotations/",
        None,
        200,
    ),
    (
        "article spans as W3C",
        "erin",
        "get",
        "articles/{article}/annotations/?format=jsonld",
        "articles/{slug}/annotations/",
        None,
        200,
    ),
    ("span list", "anon", "get", "annotations/", "annotations/", None, 200),
    (
        "claim search",
        "anon",
        "get",
        "claims/search/?q=Officials+blamed+terrorists+trained+abroad",
        "claims/search/",
        None,
        200,
    ),
    (
        "claim search by the desk",
        "erin",
        "get",
        "claims/search/?q=Protests+began+over+fuel+prices&language=en&page_size=50",
        "claims/search/",
        None,
        200,
    ),
    (
        "article suggestions",
        "erin",
        "get",
        "articles/{article}/suggestions/?offset_unit=utf-16",
        "articles/{slug}/suggestions/",
        None,
        200,
    ),
    ("span detail", "erin", "get", "annotations/{span}/", "annotations/{id}/", None, 200),
    (
        "span edited",
        "alice",
        "patch",
        "annotations/{span}/",
        "annotations/{id}/",
        {"note": "Seen."},
        200,
    ),
    (
        "span created",
        "alice",
        "post",
        "annotations/",
        "annotations/",
        {"article": "zhanaozen", "kind": "evidence", "quote": "Protests", "rulings": ["{draft}"]},
        201,
    ),
    ("ruling list", "erin", "get", "rulings/", "rulings/", None, 200),
    ("draft detail", "alice", "get", "rulings/{draft}/", "rulings/{slug}/", None, 200),
    ("published detail", "anon", "get", "rulings/{published}/", "rulings/{slug}/", None, 200),
    ("retracted detail", "anon", "get", "rulings/{retracted}/", "rulings/{slug}/", None, 200),
    (
        "ruling edited",
        "alice",
        "patch",
        "rulings/{draft}/",
        "rulings/{slug}/",
        {"summary": "Better."},
        200,
    ),
    (
        "ruling created",
        "alice",
        "post",
        "rulings/",
        "rulings/",
        {"statement": "New", "rating": "false", "annotations": ["{unlinked}"]},
        201,
    ),
    ("submitted", "alice", "post", "rulings/{draft}/submit/", "rulings/{slug}/submit/", None, 200),
    (
        "reviews",
        "erin",
        "get",
        "rulings/{published}/reviews/",
        "rulings/{slug}/reviews/",
        None,
        200,
    ),
    (
        "review created",
        "erin",
        "post",
        "rulings/{in_review}/reviews/",
        "rulings/{slug}/reviews/",
        {"decision": "approve", "ruling_version": 1},
        201,
    ),
    (
        "retracted",
        "erin",
        "post",
        "rulings/{published}/retract/",
        "rulings/{slug}/retract/",
        {"reason": "Withdrawn."},
        200,
    ),
]


@pytest.mark.parametrize("case", RESPONSES, ids=[case[0] for case in RESPONSES])
def test_responses_have_exactly_the_documented_keys(case, document, world, api, alice, erin):
    what, persona, method, path, documented_path, body, status = case
    names = {
        "article": world.article.slug,
        "span": world.published_claim.pk,
        "unlinked": world.unlinked.pk,
        "draft": world.draft.slug,
        "in_review": world.in_review.slug,
        "published": world.published.slug,
        "retracted": world.retracted.slug,
    }
    client = {"anon": api(), "alice": api(alice), "erin": api(erin)}[persona]
    url = API + path.format(**names)
    if method == "get":
        response = client.get(url)
    else:
        response = getattr(client, method)(url, fill(body, names), format="json")
    assert response.status_code == status, response.content[:500]
    responses = document["paths"]["/api/v1/" + documented_path][method]["responses"]
    content = responses[str(status)]["content"]
    media_type = response["Content-Type"]
    if media_type not in content:
        media_type = media_type.split(";")[0]
    assert media_type in content, f"{what}: {media_type} is not documented ({sorted(content)})"
    schema = content[media_type]["schema"]
    if "properties" not in _resolve(document, schema):
        # A JSON-LD document is documented as a free-form object: nothing to compare but that.
        assert _resolve(document, schema).get("type") == "object", f"{what}: no schema"
        assert isinstance(json.loads(response.content), dict)
        return
    problems = _drift(document, schema, json.loads(response.content))
    assert problems == [], f"{what}: " + "\n".join(problems)
