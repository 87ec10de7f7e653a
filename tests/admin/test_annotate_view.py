"""The Annotate view's server side: a page shell reached from the article's change page, for
logged-in staff only, that hands its script the API's URLs. What the script does is shown in a
real browser by admin/test_annotate_browser.py.
"""

import json
import re
from html import escape

import pytest

from annotations import services

from ..helpers import HOSTILE_SCRIPT

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    return services.article_create(
        slug="zhanaozen",
        title=f"Zhanaozen {HOSTILE_SCRIPT}",
        body="Protests began over fuel prices.",
    )


def annotate_url(article):
    return f"/admin/annotations/article/{article.pk}/annotate/"


def config_of(html):
    match = re.search(
        r'<script id="annotate-config" type="application/json">(.*?)</script>', html, re.DOTALL
    )
    assert match, "no annotate-config"
    return json.loads(match.group(1))


def test_the_article_change_page_links_to_annotate(client, alice, article):
    client.force_login(alice)
    html = client.get(f"/admin/annotations/article/{article.pk}/change/").content.decode()
    assert f'<a href="{annotate_url(article)}" class="annotate-link">Annotate</a>' in html


def test_it_requires_a_staff_login(client, article):
    response = client.get(annotate_url(article))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=")


def test_it_hands_the_script_the_api_urls_and_escapes_article_text(client, alice, article):
    client.force_login(alice)
    response = client.get(annotate_url(article))
    assert response.status_code == 200
    html = response.content.decode()
    assert config_of(html) == {
        "article": "zhanaozen",
        "articleUrl": "/api/v1/articles/zhanaozen/",
        "articleAnnotationsUrl": "/api/v1/articles/zhanaozen/annotations/",
        "annotationsUrl": "/api/v1/annotations/",
        "rulingsUrl": "/api/v1/rulings/",
        "permissions": {"annotate": True},
        "kinds": {"claim": "Claim", "evidence": "Evidence", "disputed": "Disputed"},
        "statuses": {
            "draft": "Draft",
            "in_review": "In review",
            "published": "Published",
            "retracted": "Retracted",
        },
    }
    assert 'name="csrfmiddlewaretoken"' in html
    assert "annotations/annotate.js" in html
    assert HOSTILE_SCRIPT not in html
    assert f"<h1>Annotate: Zhanaozen {escape(HOSTILE_SCRIPT, quote=False)}</h1>" in html
    # The body reaches the page through the API only, never through the template.
    assert "Protests began over fuel prices." not in html


@pytest.mark.parametrize("who", ["alice", "erin", "root"])
def test_the_script_is_told_what_the_user_may_do_and_decides_nothing_itself(
    client, article, alice, erin, root, who
):
    # Each span and ruling carries its own permissions from the API (tests/api); the page says
    # only whether this user may annotate at all. Who they are is not the script's business.
    client.force_login({"alice": alice, "erin": erin, "root": root}[who])
    config = config_of(client.get(annotate_url(article)).content.decode())
    assert config["permissions"] == {"annotate": True}
    assert not {"user", "isEditor", "canAnnotate"} & set(config)


def test_staff_outside_the_desk_may_look_but_the_script_is_told_they_cannot_annotate(
    client, article, django_user_model
):
    from django.contrib.auth.models import Permission

    viewer = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(viewer)
    response = client.get(annotate_url(article))
    assert response.status_code == 200
    config = config_of(response.content.decode())
    assert config["permissions"] == {"annotate": False}


def test_staff_without_view_permission_is_refused(client, article, django_user_model):
    nobody = django_user_model.objects.create_user("nobody", password="x", is_staff=True)
    client.force_login(nobody)
    assert client.get(annotate_url(article)).status_code == 403


def test_an_unknown_article_goes_back_to_the_admin_with_a_message(client, alice, article):
    client.force_login(alice)
    response = client.get(f"/admin/annotations/article/{article.pk + 1000}/annotate/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
