"""The ruling editor in the admin (issues 15 and 16): a draft's claim, headline, claimant,
rating, summary, sources and linked spans, saved through the services with the version the
form was opened at. Bad input is named and changes nothing; a stale form keeps what was typed
and shows the newer version beside it.
"""

import pytest
from django.contrib.messages import get_messages

from annotations import services
from annotations.models import Status

from ..factories import ArticleFactory
from ..helpers import HOSTILE_IMG, HOSTILE_SCRIPT, reload

pytestmark = pytest.mark.django_db

LONG_CLAIM = "The protesters who stormed the akimat in Almaty were terrorists trained abroad"


def edit_url(ruling):
    return f"/admin/annotations/ruling/{ruling.pk}/edit/"


def change_url(ruling):
    return f"/admin/annotations/ruling/{ruling.pk}/change/"


def messages_of(response):
    return [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)]


def form_data(ruling, **changes):
    """The editor's form as a browser sends it for `ruling` unchanged, with `changes` (field
    names as in the form; `sources` a list of dicts; `spans` the span ids kept ticked)."""
    sources = changes.pop("sources", ruling.sources)
    spans = changes.pop("spans", list(ruling.links.values_list("annotation_id", flat=True)))
    data = {
        "claim": ruling.claim,
        "statement": ruling.statement,
        "claimant_name": ruling.claimant_name,
        "claimant_kind": ruling.claimant_kind,
        "claimant_url": ruling.claimant_url,
        "rating": ruling.rating,
        "summary": ruling.summary,
        "version": ruling.version,
        "sources-TOTAL_FORMS": len(sources),
        "sources-INITIAL_FORMS": len(ruling.sources),
        "sources-MIN_NUM_FORMS": 0,
        "sources-MAX_NUM_FORMS": 100,
        "span": spans,
        "_save": "Save",
    }
    for number, source in enumerate(sources):
        for name, value in source.items():
            data[f"sources-{number}-{name}"] = value
    data.update(changes)
    return data


def stored(ruling):
    fresh = reload(ruling)
    return {
        "version": fresh.version,
        "claim": fresh.claim,
        "statement": fresh.statement,
        "claimant": (fresh.claimant_name, fresh.claimant_kind, fresh.claimant_url),
        "rating": fresh.rating,
        "summary": fresh.summary,
        "sources": fresh.sources,
        "spans": sorted(fresh.links.values_list("annotation_id", flat=True)),
    }


# --- Bad input: named, nothing stored changes --------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"claimant_url": "javascript:alert(1)"}, "claimant_url", "http"),
        ({"claimant_kind": "robot"}, "claimant_kind", "robot"),
        ({"rating": "pants-on-fire"}, "rating", "pants-on-fire"),
        ({"claim": "x" * 201}, "claim", "200"),
        ({"statement": ""}, "statement", "required"),
        ({"statement": "y" * 501}, "statement", "500"),
        ({"version": "soon"}, "version", "number"),
    ],
)
def test_a_bad_field_is_named_and_nothing_is_saved(
    client, make_ruling, alice, changes, field, says
):
    ruling = make_ruling()
    before = stored(ruling)
    client.force_login(alice)
    response = client.post(edit_url(ruling), form_data(ruling, **changes))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors or any(says in e for e in errors.get("__all__", [])), errors
    assert says.lower() in " ".join(str(e) for e in errors.values()).lower()
    assert stored(ruling) == before


@pytest.mark.parametrize(
    ("source", "says"),
    [
        ({"url": "ftp://example.org/report"}, "Source 1: url must be an http:// or https:// URL"),
        ({"url": "javascript:alert(1)", "title": "x"}, "Source 1: url must be an http://"),
        ({"title": "A report without its address"}, "Source 1: url is required."),
    ],
)
def test_a_bad_source_is_named_by_its_number_and_nothing_is_saved(
    client, make_ruling, alice, source, says
):
    ruling = make_ruling()
    before = stored(ruling)
    client.force_login(alice)
    response = client.post(edit_url(ruling), form_data(ruling, sources=[source]))
    assert response.status_code == 200
    assert any(says in error for error in response.context["sources"].non_form_errors())
    assert says in response.content.decode()
    assert stored(ruling) == before


def test_a_span_deleted_meanwhile_is_said_and_nothing_is_saved(client, make_ruling, alice):
    ruling = make_ruling()
    (span_id,) = stored(ruling)["spans"]
    before = stored(ruling)
    client.force_login(alice)
    response = client.post(
        edit_url(ruling), form_data(ruling, spans=[span_id, 2_000_000], claim="Changed")
    )
    assert response.status_code == 200
    assert "span #2000000" in response.content.decode()
    assert stored(ruling) == before


# --- Who may edit --------------------------------------------------------------------------------


def test_only_who_may_change_the_ruling_gets_the_editor_and_a_forged_post_changes_nothing(
    client, make_ruling, bob, erin
):
    ruling = make_ruling()  # alice's draft
    before = stored(ruling)
    client.force_login(bob)
    assert 'id="workflow-edit"' not in client.get(change_url(ruling)).content.decode()
    for response in (
        client.get(edit_url(ruling)),
        client.post(edit_url(ruling), form_data(ruling, claim="Bob's claim")),
    ):
        assert response.status_code == 302
        assert response["Location"] == change_url(ruling)
        assert "not yours" in messages_of(response)[0][1]
    assert stored(ruling) == before

    # An editor may edit anyone's draft.
    client.force_login(erin)
    assert 'id="workflow-edit"' in client.get(change_url(ruling)).content.decode()
    assert client.get(edit_url(ruling)).status_code == 200


def test_a_published_ruling_is_not_edited(client, make_ruling, erin):
    ruling = make_ruling(Status.PUBLISHED)
    before = stored(ruling)
    client.force_login(erin)
    response = client.post(edit_url(ruling), form_data(ruling, claim="Rewritten after the fact"))
    assert response.status_code == 302
    assert "published" in messages_of(response)[0][1]
    assert stored(ruling) == before


def test_anonymous_visitors_are_sent_to_the_login(client, make_ruling):
    ruling = make_ruling()
    response = client.get(edit_url(ruling))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# --- Editing -----------------------------------------------------------------------------------


def test_the_author_edits_every_field_sources_and_links_in_one_save(client, make_ruling, alice):
    ruling = make_ruling()
    (kept,) = stored(ruling)["spans"]
    other_article = ArticleFactory(title="Another outlet", body="Troops arrived in Almaty today.")
    extra = services.span_create(
        article=other_article, kind="evidence", author=alice, quote="Troops arrived"
    )
    client.force_login(alice)
    page = client.get(edit_url(ruling))
    assert page.status_code == 200
    assert page.context["form"]["claim"].value() == ruling.claim

    # Searching keeps what is typed and saves nothing.
    typed = form_data(ruling, claim="Typed, not yet saved", span_search="troops arrived")
    typed["_search"] = "1"
    del typed["_save"]
    found = client.post(edit_url(ruling), typed)
    assert found.status_code == 200
    assert [s.pk for s in found.context["found"]] == [extra.pk]
    assert found.context["form"]["claim"].value() == "Typed, not yet saved"
    assert reload(ruling).claim != "Typed, not yet saved"

    sources = [
        {
            "url": "https://example.org/osce-report",
            "title": "OSCE report",
            "accessed": "2022-01-20",
        },
        {"url": "http://example.com/briefing", "publisher": "MFA", "note": "Transcript"},
    ]
    response = client.post(
        edit_url(ruling),
        form_data(
            ruling,
            claim="  Kazakhstan faced an external armed aggression  ",
            statement="No evidence of an external aggression",
            claimant_name="Kassym-Jomart Tokayev",
            claimant_kind="person",
            claimant_url="https://akorda.kz/en",
            rating="false",
            summary="The five texts show no attack by a state.\n\nThey report protests.",
            sources=sources,
            spans=[extra.pk],
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == change_url(ruling)
    assert messages_of(response) == [("success", f"Saved: version {ruling.version + 1}.")]
    after = stored(ruling)
    assert after == {
        "version": ruling.version + 1,
        "claim": "Kazakhstan faced an external armed aggression",
        "statement": "No evidence of an external aggression",
        "claimant": ("Kassym-Jomart Tokayev", "person", "https://akorda.kz/en"),
        "rating": "false",
        "summary": "The five texts show no attack by a state.\n\nThey report protests.",
        "sources": [
            {
                "url": "https://example.org/osce-report",
                "title": "OSCE report",
                "publisher": "",
                "accessed": "2022-01-20",
                "note": "",
            },
            {
                "url": "http://example.com/briefing",
                "title": "",
                "publisher": "MFA",
                "accessed": "",
                "note": "Transcript",
            },
        ],
        "spans": [extra.pk],
    }
    assert kept != extra.pk
    # History records who changed the claim, claimant and sources, as for the API.
    record = reload(ruling).history.latest()
    assert record.history_user == alice
    assert set(record.diff_against(record.prev_record).changed_fields) >= {
        "claim",
        "claimant_url",
        "sources",
    }


def test_a_deleted_source_row_is_removed_and_order_is_kept(client, make_ruling, alice):
    ruling = make_ruling()
    services.ruling_update(
        ruling=ruling,
        user=alice,
        sources=[{"url": f"https://example.org/{n}"} for n in (1, 2, 3)],
    )
    ruling = reload(ruling)
    client.force_login(alice)
    data = form_data(ruling)
    data["sources-1-DELETE"] = "on"
    assert client.post(edit_url(ruling), data).status_code == 302
    assert [s["url"] for s in reload(ruling).sources] == [
        "https://example.org/1",
        "https://example.org/3",
    ]


def test_a_long_claim_is_saved_with_a_warning_on_the_change_page(client, make_ruling, alice):
    ruling = make_ruling()
    assert len(LONG_CLAIM) > 75
    client.force_login(alice)
    response = client.post(edit_url(ruling), form_data(ruling, claim=LONG_CLAIM))
    assert response.status_code == 302
    levels = dict(messages_of(response))
    assert f"The claim is {len(LONG_CLAIM)} characters long" in levels["warning"]
    assert reload(ruling).claim == LONG_CLAIM
    # The change page says it again each time it is opened.
    page = client.get(change_url(ruling))
    assert f"The claim is {len(LONG_CLAIM)} characters long" in page.content.decode()


def test_a_stale_form_is_refused_keeps_the_typed_text_and_shows_their_version(
    client, make_ruling, alice, erin
):
    ruling = make_ruling()
    opened = form_data(ruling, summary="Alice's reasoning, typed at length.")
    # Erin saves a newer version after alice opened the form.
    services.ruling_update(ruling=ruling, user=erin, summary="Erin's reasoning.")
    theirs = stored(ruling)

    client.force_login(alice)
    response = client.post(edit_url(ruling), opened)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else saved version" in html
    assert 'id="their-version"' in html and "Erin&#x27;s reasoning." in html
    form = response.context["form"]
    assert form["summary"].value() == "Alice's reasoning, typed at length."
    assert form["version"].value() == theirs["version"]
    assert stored(ruling) == theirs

    # Saving again, having seen theirs, replaces it knowingly.
    again = dict(opened, version=theirs["version"])
    assert client.post(edit_url(ruling), again).status_code == 302
    assert stored(ruling)["summary"] == "Alice's reasoning, typed at length."
    assert stored(ruling)["version"] == theirs["version"] + 1


def test_every_text_on_the_editor_is_escaped(client, make_ruling, alice, erin):
    ruling = make_ruling()
    hostile = f"{HOSTILE_SCRIPT}{HOSTILE_IMG}"
    services.ruling_update(
        ruling=ruling,
        user=alice,
        claim=hostile[:200],
        statement=hostile,
        claimant_name=hostile,
        summary=hostile,
        sources=[{"url": "https://example.org/x", "title": hostile, "note": hostile}],
    )
    ruling = reload(ruling)
    client.force_login(alice)
    # The stale path shows their version too: every one of its texts escaped as well.
    stale = form_data(ruling, version=ruling.version - 1)
    for response in (client.get(edit_url(ruling)), client.post(edit_url(ruling), stale)):
        html = response.content.decode()
        assert HOSTILE_SCRIPT not in html and HOSTILE_IMG not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
