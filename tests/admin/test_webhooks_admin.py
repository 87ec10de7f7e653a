"""The webhook pages of the admin: administrators only, and the service's URL check on the form."""

import pytest
from django.test import Client

from annotations.models import WebhookEndpoint
from tests.factories import UserFactory

PAGES = [
    "/admin/annotations/webhookendpoint/",
    "/admin/annotations/webhookendpoint/add/",
    "/admin/annotations/webhookdelivery/",
]


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def client_of(user):
    client = Client()
    if user:
        client.force_login(user)
    return client


@pytest.mark.parametrize("who", ["root", "erin", "alice", None])
def test_webhook_pages_are_for_administrators_only(request, who, db):
    user = request.getfixturevalue(who) if who else None
    client = client_of(user)
    for url in PAGES:
        status = client.get(url).status_code
        if who == "root":
            assert status == 200, url
        else:
            # Staff without the right get 403; anyone else is sent to the login page.
            assert status in (302, 403), (url, status)
    if who != "root":
        response = client.post(
            PAGES[1], {"url": "https://93.184.215.14/", "events": ["ruling.published"]}
        )
        assert response.status_code in (302, 403) and not WebhookEndpoint.objects.exists()


def test_the_form_refuses_a_private_address_naming_the_field_and_keeps_the_input(root):
    response = client_of(root).post(
        PAGES[1],
        {"url": "https://169.254.169.254/latest/", "events": ["ruling.published"], "active": "on"},
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "loopback, private or link-local" in form.errors["url"][0]
    assert 'value="https://169.254.169.254/latest/"' in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_an_administrator_registers_an_endpoint_and_sees_its_secret(root):
    client = client_of(root)
    response = client.post(
        PAGES[1],
        {
            "url": "https://93.184.215.14/hook",
            "description": "<b>aggregator</b>",
            "events": ["ruling.published", "ruling.retracted"],
            "active": "on",
        },
    )
    assert response.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.created_by == root and endpoint.events == [
        "ruling.published",
        "ruling.retracted",
    ]
    assert len(endpoint.secret) >= 40
    page = client.get(f"/admin/annotations/webhookendpoint/{endpoint.pk}/change/").content.decode()
    assert endpoint.secret in page and "X-Factcheck-Signature" in page
    # The description is text: escaped wherever it is shown.
    listing = client.get(PAGES[0]).content.decode()
    assert "&lt;b&gt;aggregator&lt;/b&gt;" in listing and "<b>aggregator</b>" not in listing
