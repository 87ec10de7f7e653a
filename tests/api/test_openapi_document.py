"""The OpenAPI document tells the truth (issue 22): it validates against the OpenAPI 3
specification (openapi-spec-validator, independent of drf-spectacular), declares optional
security exactly where anonymous clients may read, states each parameter's bounds, and names
every error each operation can answer in the one error shape. What is documented is also what
the code enforces: a value at each documented bound is taken and one past it refused.
"""

import json

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

API = "/api/v1/"
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}

# The operations an anonymous client may make (SPEC.md: reads of public data).
ANONYMOUS = {
    ("get", "articles/"),
    ("get", "articles/{slug}/"),
    ("get", "articles/{slug}/annotations/"),
    ("get", "annotations/"),
    ("get", "annotations/{id}/"),
    ("get", "rulings/"),
    ("get", "rulings/{slug}/"),
    ("get", "rulings/{slug}/claimreview/"),
    ("get", "claimreview/feed/"),
    ("get", "claims/search/"),
}


@pytest.fixture
def document(api, db):
    response = api().get(API + "schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield path.removeprefix(API), method, operation


def test_the_document_validates_against_the_openapi_3_specification(document):
    validate(document)


def test_the_validator_would_catch_a_broken_document(document):
    # The check above can fail: an operation answering nothing is not OpenAPI 3.
    broken = json.loads(json.dumps(document))
    broken["paths"]["/api/v1/rulings/"]["get"]["responses"] = {}
    broken["paths"]["/api/v1/rulings/"]["get"]["parameters"][0]["in"] = "body"
    with pytest.raises(OpenAPIValidationError):
        validate(broken)


def test_exactly_the_anonymous_reads_declare_optional_security(document):
    optional = set()
    for path, method, operation in operations(document):
        security = operation["security"]
        assert {"tokenAuth": []} in security and {"cookieAuth": []} in security, path
        if {} in security:
            optional.add((method, path))
    assert optional == ANONYMOUS


def test_every_error_response_has_the_one_error_shape_in_json(document):
    for path, method, operation in operations(document):
        for status, response in operation["responses"].items():
            if not status.startswith(("4", "5")):
                continue
            content = response["content"]
            assert list(content) == ["application/json"], (method, path, status)
            schema = content["application/json"]["schema"]
            assert schema["type"] == "object" and "additionalProperties" in schema


@pytest.mark.parametrize(
    ("method", "path", "statuses"),
    [
        ("get", "rulings/", {"200", "400", "401", "404", "406", "429", "503"}),
        (
            "get",
            "rulings/{slug}/reviews/",
            {"200", "400", "401", "403", "404", "406", "429", "503"},
        ),
        (
            "patch",
            "annotations/{id}/",
            {"200", "400", "401", "403", "404", "406", "409", "412", "413", "415", "429", "503"},
        ),  # fmt: skip
        (
            "delete",
            "rulings/{slug}/",
            {"204", "400", "401", "403", "404", "406", "409", "412", "429", "503"},
        ),  # fmt: skip
        (
            "post",
            "rulings/{slug}/submit/",
            {"200", "400", "401", "403", "404", "406", "409", "429", "503"},
        ),  # fmt: skip
    ],
)
def test_each_operation_names_the_statuses_it_can_answer(document, method, path, statuses):
    assert set(document["paths"][API + path][method]["responses"]) == statuses


def test_media_types_of_the_standards_are_documented(document):
    w3c = document["paths"][API + "articles/{slug}/annotations/"]["get"]["responses"]["200"]
    assert set(w3c["content"]) == {
        "application/json",
        'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"',
    }
    claimreview = document["paths"][API + "rulings/{slug}/claimreview/"]["get"]
    assert set(claimreview["responses"]["200"]["content"]) == {
        "application/ld+json",
        "application/json",
    }


def parameter(document, method, path, name):
    found = [p for p in document["paths"][API + path][method]["parameters"] if p["name"] == name]
    assert len(found) == 1, (method, path, name)
    return found[0]["schema"]


def test_page_size_is_documented_as_the_code_bounds_it(document, api, world):
    schema = parameter(document, "get", "annotations/", "page_size")
    assert (schema["minimum"], schema["maximum"]) == (1, 200)
    client = api()
    for size, status in [(1, 200), (200, 200), (0, 400), (201, 400)]:
        response = client.get(API + "annotations/", {"page_size": size})
        assert response.status_code == status, size
    # Digits only, as `integer` says: int() alone would take these.
    for raw in (" 5", "+5", "5_0", "٥"):
        assert client.get(API + "annotations/", {"page_size": raw}).status_code == 400, raw


def test_input_objects_refuse_unknown_fields_and_say_so(document, api, erin, world):
    for name, schema in document["components"]["schemas"].items():
        if name.endswith("Request"):
            assert schema["additionalProperties"] is False, name
    response = api(erin).post(
        API + f"rulings/{world.published.slug}/retract/",
        {"reason": "Withdrawn.", "reasons": "typo"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"reasons": ["Unknown field."]}


def test_strings_document_and_refuse_nul_and_blank_text(document, api, alice, world):
    body = document["components"]["schemas"]["RulingCreateInputRequest"]["properties"]
    assert body["statement"]["pattern"].startswith("^[^\\x00]*[^\\x00")
    assert body["summary"]["pattern"] == "^[^\\x00]*$"
    client = api(alice)
    for statement in ["\u00a0\u3000 ", "A\x00B"]:
        response = client.post(
            API + "rulings/", {"statement": statement, "rating": "false"}, format="json"
        )
        assert response.status_code == 400 and "statement" in response.json(), statement


@pytest.mark.parametrize(
    "body",
    [
        {"statement": 12, "rating": "false"},
        {"statement": "Fine", "rating": "false", "slug": 12},
        {"statement": "Fine", "rating": "false", "annotations": ["1"]},
        {"statement": "Fine", "rating": "false", "annotations": [1.0]},
        {"statement": "Fine", "rating": "false", "annotations": [True]},
    ],
)
def test_numbers_and_strings_are_json_typed_as_documented(api, alice, world, body):
    response = api(alice).post(API + "rulings/", body, format="json")
    assert response.status_code == 400, response.content
    field = next(k for k in body if k not in ("rating",) and not isinstance(body[k], str))
    assert field in response.json()


def test_filters_document_their_bounds_and_empty_choices(document, api, world):
    kind = parameter(document, "get", "annotations/", "kind")
    assert "" in kind["enum"] and "claim" in kind["enum"]
    search = parameter(document, "get", "rulings/", "search")
    assert search["maxLength"] == 200
    client = api()
    assert client.get(API + "annotations/", {"kind": ""}).status_code == 200
    assert client.get(API + "annotations/", {"kind": "rumour"}).status_code == 400
    assert client.get(API + "rulings/", {"search": "x" * 201}).status_code == 400
    assert client.get(API + "rulings/", {"search": "a\x00b"}).status_code == 400


def test_if_match_is_documented_as_the_etags_the_api_writes(document, api, alice, world):
    import re

    pattern = re.compile(parameter(document, "patch", "annotations/{id}/", "If-Match")["pattern"])
    client = api(alice)
    url = API + f"annotations/{world.unlinked.pk}/"
    tag = client.get(url)["ETag"]
    assert pattern.fullmatch(tag) and pattern.fullmatch("*")
    assert pattern.fullmatch(f'W/"annotation-1-v1", {tag}')
    assert not pattern.fullmatch("0")
    # Not an ETag of this object: it can never match, 412 naming the current one.
    response = client.patch(url, {"note": "x"}, format="json", headers={"If-Match": "0"})
    assert response.status_code == 412 and tag in response.json()["detail"]


def test_unknown_paths_under_the_api_answer_json_404_with_debug_on_too(client, settings, db):
    settings.DEBUG = True
    response = client.get(API + "rulings/%C2%84/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    # An encoded newline in the path too.
    response = client.get(API + "rulings/a%0Ab/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}
    # Without the trailing slash, Django still redirects to the path with one.
    assert client.get(API + "rulings").status_code == 301
    # A POST with a (made-up) session cookie: still the JSON 404, not Django's CSRF page.
    client.cookies["sessionid"] = "made-up"
    response = client.post(API + "rulings/%C2%84/reviews/", {}, content_type="application/json")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_errors_are_json_even_where_the_answer_would_be_json_ld(api, db):
    response = api().get(API + "articles/no-such-article/annotations/", {"format": "jsonld"})
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    response = api().get(API + "rulings/no-such-ruling/claimreview/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
