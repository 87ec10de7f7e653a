"""GET /api/v1/claims/search/ (issue 17): rulings whose claim a passage repeats. Bad input
first, then what each reader may find."""

import pytest

from annotations import services

from ..helpers import API, CLAIMED

pytestmark = pytest.mark.usefixtures("fast_passwords")

SEARCH = API + "claims/search/"
LONG = "Officials blamed terrorists trained abroad for the unrest in the western city of Zhanaozen"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "q"),
        ({"q": ""}, "q"),
        ({"q": "ab"}, "q"),
        ({"q": "x" * 2001}, "q"),
        ({"q": "terrorists", "language": "xx"}, "language"),
        ({"q": "terrorists", "language": "english"}, "language"),
        ({"q": "terrorists", "page_size": "51"}, "page_size"),
        ({"q": "terrorists", "page_size": "1000000"}, "page_size"),
        ({"q": "terrorists", "page_size": "0"}, "page_size"),
        ({"q": "terrorists", "page_size": "ten"}, "page_size"),
    ],
)
def test_it_refuses_bad_input_naming_the_field(api, query, field):
    response = api().get(SEARCH, query)
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]


def test_q_of_exactly_3_and_2000_characters_is_accepted(api):
    assert api().get(SEARCH, {"q": "abc"}).status_code == 200
    assert api().get(SEARCH, {"q": "a" * 2000}).status_code == 200


@pytest.fixture
def desk(alice, frank, erin):
    """A published ruling and a draft, each with a claim span saying its claim."""
    article = services.article_create(
        slug="zhanaozen",
        body=f"{LONG}. A secret plan to raise fuel subsidies across the region was drafted by the "
        "ministry in December.",
    )
    public_span = services.span_create(article=article, kind="claim", author=alice, quote=LONG)
    published = services.ruling_create(
        **CLAIMED, author=alice, statement="No evidence", rating="unsupported"
    )
    services.ruling_update(ruling=published, user=alice, annotations=[public_span])
    services.ruling_advance(ruling=published, status="published", reviewers=[frank, erin])
    secret = (
        "A secret plan to raise fuel subsidies across the region was drafted by the ministry "
        "in December."
    )
    draft_span = services.span_create(article=article, kind="claim", author=alice, quote=secret)
    draft = services.ruling_create(
        claim="The ministry drafted a plan to raise fuel subsidies",
        author=alice,
        statement="Draft about subsidies",
        rating="false",
        annotations=[draft_span],
    )
    return {"published": published.slug, "draft": draft.slug, "secret": secret}


def test_a_repeated_claim_is_a_match_with_its_span(api, desk):
    response = api().get(SEARCH, {"q": LONG, "language": "en"})
    assert response.status_code == 200
    first = response.json()["results"][0]
    assert first["ruling"]["slug"] == desk["published"]
    assert first["level"] == "match"
    assert first["span"]["quote"] == LONG and first["span"]["article"] == "zhanaozen"
    assert 0 < first["score"] <= 1
    assert first["ruling"]["url"].endswith(f"/api/v1/rulings/{desk['published']}/")
    assert set(first["ruling"]) == {"slug", "statement", "claim", "rating", "status", "url"}


@pytest.mark.parametrize("persona", [None, "charlie"])
def test_anonymous_clients_and_readers_never_find_a_draft(api, desk, persona, request):
    user = request.getfixturevalue(persona) if persona else None
    response = api(user).get(SEARCH, {"q": desk["secret"], "page_size": 50})
    assert response.status_code == 200
    found = response.json()["results"]
    assert desk["draft"] not in [r["ruling"]["slug"] for r in found]
    assert all(r["ruling"]["status"] in ("published", "retracted") for r in found)
    assert desk["secret"] not in response.content.decode()


def test_the_desk_finds_the_draft(api, desk, bob):
    found = api(bob).get(SEARCH, {"q": desk["secret"]}).json()["results"]
    assert found[0]["ruling"]["slug"] == desk["draft"]
    assert found[0]["ruling"]["status"] == "draft"


def test_page_size_limits_the_results(api, desk, bob):
    found = api(bob).get(SEARCH, {"q": "fuel subsidies terrorists", "page_size": 1}).json()
    assert len(found["results"]) <= 1


RUSSIAN = "Обученные боевики из нескольких стран действуют в охваченном беспорядками Казахстане"
KAZAKH = "Қазақстанға шетелде дайындалған террористер шабуыл жасады деп мәлімдеді президент"


@pytest.fixture
def cyrillic(alice, frank, erin):
    """A published ruling with a Russian and a Kazakh claim span."""
    spans = []
    for slug, language, text in (("ria", "ru", RUSSIAN), ("kaz", "kk", KAZAKH)):
        article = services.article_create(slug=slug, language=language, body=f"{text}. Конец.")
        spans.append(services.span_create(article=article, kind="claim", author=alice, quote=text))
    ruling = services.ruling_create(
        **CLAIMED, author=alice, statement="No evidence", rating="unsupported", annotations=spans
    )
    services.ruling_advance(ruling=ruling, status="published", reviewers=[frank, erin])
    return ruling.slug


@pytest.mark.parametrize("language", ["ru", "kk", "en", None])
@pytest.mark.parametrize("text", [RUSSIAN, KAZAKH], ids=["russian", "kazakh"])
def test_a_repeat_in_cyrillic_matches_whatever_language_the_query_names(
    api, cyrillic, text, language
):
    # The trigram stage does not depend on the language, so a query named in another
    # language than the stored text still finds it.
    query = {"q": text, **({"language": language} if language else {})}
    first = api().get(SEARCH, query).json()["results"][0]
    assert (first["ruling"]["slug"], first["level"], first["span"]["quote"]) == (
        cyrillic,
        "match",
        text,
    )


def test_a_russian_light_edit_is_found_with_russian_stemming(api, cyrillic):
    edited = "Обученный боевик из нескольких стран действует в охваченном беспорядками Казахстане"
    found = api().get(SEARCH, {"q": edited, "language": "ru"}).json()["results"]
    assert cyrillic in [r["ruling"]["slug"] for r in found][:5]


def test_a_query_in_cyrillic_is_answered(api, desk):
    response = api().get(
        SEARCH, {"q": "Террористы, прошедшие подготовку за рубежом", "language": "ru"}
    )
    assert response.status_code == 200
    assert isinstance(response.json()["results"], list)


def test_a_search_costs_the_same_few_queries_whatever_it_finds(
    api, desk, bob, django_assert_max_num_queries
):
    # Thresholds, two stages on two sources, the rulings and the spans found: 7, plus the
    # token's and the groups' lookups and the savepoint the thresholds are set in.
    client = api(bob)
    for page_size in (1, 50):
        with django_assert_max_num_queries(11):
            response = client.get(SEARCH, {"q": LONG, "page_size": page_size})
        assert response.status_code == 200
