"""The article admin's change page: it opens for editors and admins, saves through the services
(re-anchoring spans on a body edit), and a form opened before someone else's edit cannot undo it.
"""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.messages import get_messages

from annotations import services
from annotations.errors import PreconditionFailed
from annotations.models import Annotation

from ..helpers import BODY, reload

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    return services.article_create(
        slug="zhanaozen", title="Zhanaozen", publisher="Example Wire", body=BODY
    )


def change_url(article):
    return f"/admin/annotations/article/{article.pk}/change/"


class ChangeForm(HTMLParser):
    """The article form's fields as a browser would submit them."""

    def __init__(self, html):
        super().__init__()
        self.fields = {}
        self._inside = False
        self._textarea = None
        self._select = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == "article_form":
            self._inside = True
        if not self._inside or not attrs.get("name"):
            return
        name = attrs["name"]
        if tag == "input" and attrs.get("type") not in ("submit", "checkbox"):
            self.fields[name] = attrs.get("value") or ""
        elif tag == "textarea":
            self._textarea = name
            self.fields[name] = ""
        elif tag == "select":
            self._select = name
            self.fields[name] = ""
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields[self._select] = attrs.get("value", "")

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._inside = False


def form_of(client, article):
    response = client.get(change_url(article))
    assert response.status_code == 200
    fields = ChangeForm(response.content.decode()).fields
    # The browser's textarea sends CRLF line ends, as a real form post would.
    fields["body"] = fields["body"].lstrip("\n").replace("\n", "\r\n")
    return fields


@pytest.mark.parametrize("who", ["erin", "root"])
def test_the_change_page_opens_for_editors_and_admins(client, article, erin, root, who):
    client.force_login({"erin": erin, "root": root}[who])
    response = client.get(change_url(article))
    assert response.status_code == 200
    html = response.content.decode()
    # The slug is shown, fixed: no input, and no script filling it in from the title.
    assert 'name="slug"' not in html
    assert "zhanaozen" in html
    assert 'data-prepopulated-fields="[]"' in html
    assert re.search(r'<input type="hidden" name="expected_version" value="1"', html)


def test_the_add_page_still_fills_the_slug_from_the_title(client, root):
    client.force_login(root)
    response = client.get("/admin/annotations/article/add/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="slug"' in html
    assert "&quot;dependency_ids&quot;: [&quot;#id_title&quot;]" in html


def test_an_editor_edits_the_body_and_the_spans_are_reanchored(client, article, alice, erin):
    span = services.span_create(
        article=article, kind="claim", author=alice, quote="terrorists trained abroad"
    )
    client.force_login(erin)
    fields = form_of(client, article)
    fields["body"] = "Update: " + fields["body"]

    response = client.post(change_url(article), fields)

    assert response.status_code == 302, response.content.decode()[:2000]
    fresh = reload(article)
    assert fresh.body == "Update: " + BODY
    assert fresh.version == article.version + 1
    assert fresh.history.latest().history_user == erin
    moved = Annotation.objects.get(pk=span.pk)
    assert fresh.body[moved.start : moved.end] == "terrorists trained abroad"
    messages = [m.message for m in get_messages(response.wsgi_request)]
    assert "Body changed; spans re-anchored: 1 moved." in messages


def test_a_metadata_edit_leaves_the_body_and_spans_alone(client, article, alice, erin):
    span = services.span_create(article=article, kind="claim", author=alice, quote="fuel prices")
    client.force_login(erin)
    fields = form_of(client, article)
    fields["title"] = "Zhanaozen, 2022"

    response = client.post(change_url(article), fields)

    assert response.status_code == 302
    fresh = reload(article)
    assert (fresh.title, fresh.body) == ("Zhanaozen, 2022", BODY)
    assert fresh.history.latest().history_change_reason is None  # no "body edited" row
    assert Annotation.objects.get(pk=span.pk).version == span.version
    messages = [m.message for m in get_messages(response.wsgi_request)]
    assert not any(m.startswith("Body changed") for m in messages)


def test_a_form_opened_before_someone_elses_edit_cannot_undo_it(client, article, erin, frank):
    client.force_login(erin)
    fields = form_of(client, article)
    # frank edits the body while erin's form is open; erin then changes only the title.
    services.article_update(article=article, user=frank, body=BODY + " The curfew stayed.")
    fields["title"] = "Erin's title"

    response = client.post(change_url(article), fields)

    # The form comes back with a plain error and erin's text, and nothing is saved.
    assert response.status_code == 200
    html = response.content.decode()
    assert "someone else changed this article after you opened it" in html
    assert "Erin&#x27;s title" in html
    fresh = reload(article)
    assert fresh.body == BODY + " The curfew stayed."
    assert fresh.title == "Zhanaozen"
    assert fresh.version == article.version + 1


def test_a_refusal_within_the_save_is_a_message_not_a_500(client, article, erin, monkeypatch):
    """The service decides under a row lock; a refusal it makes after the form passed (someone
    saved in between) is shown as a message and nothing is saved."""
    client.force_login(erin)
    fields = form_of(client, article)
    fields["body"] = "Update: " + fields["body"]

    def stale(**kwargs):
        raise PreconditionFailed("This article was changed by someone else. Reload it.")

    monkeypatch.setattr(services, "article_update", stale)
    response = client.post(change_url(article), fields)

    assert response.status_code == 302
    assert response["Location"] == change_url(article)
    messages = [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)]
    assert messages == [
        ("error", "Not saved: This article was changed by someone else. Reload it.")
    ]
    assert reload(article).body == BODY


def test_a_form_without_its_version_is_refused(client, article, erin):
    client.force_login(erin)
    fields = form_of(client, article)
    del fields["expected_version"]
    fields["title"] = "No version"
    response = client.post(change_url(article), fields)
    assert response.status_code == 200
    assert reload(article).title == "Zhanaozen"


def test_an_annotator_may_look_but_not_save(client, article, alice):
    client.force_login(alice)
    assert client.get(change_url(article)).status_code == 200
    response = client.post(change_url(article), {"title": "Alice's title", "body": "Short."})
    assert response.status_code == 403
    assert reload(article).title == "Zhanaozen"
