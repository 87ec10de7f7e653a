"""Webhooks without a worker: who may register, what a URL may be, and what the state changes
leave in the queue (a delivery row and a procrastinate job each, in the same transaction)."""

import json

import pytest
from django.db import transaction
from procrastinate.contrib.django.models import ProcrastinateJob

from annotations import services
from annotations.errors import InvalidInput, PermissionDenied
from annotations.models import DeliveryStatus, Status, WebhookDelivery, WebhookEndpoint
from annotations.services import webhooks
from tests.factories import UserFactory
from tests.helpers import CLAIMED, drive

ALL_EVENTS = ["ruling.published", "ruling.retracted", "ruling.superseded"]
PUBLIC = "https://93.184.215.14/hook"  # a public address literal: no DNS needed


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def endpoint(root):
    return webhooks.endpoint_save(user=root, url=PUBLIC, events=ALL_EVENTS)


# --- Bad input first ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, words",
    [
        ("", "https:// URL with a host"),
        ("ftp://93.184.215.14/", "https:// URL with a host"),
        ("https://", "https:// URL with a host"),
        ("https://user:pw@93.184.215.14/", "user name or password"),
        ("http://93.184.215.14/hook", "must be https://"),
        ("https://127.0.0.1/hook", "loopback, private or link-local"),
        ("https://localhost:9/hook", "loopback, private or link-local"),
        ("https://10.1.2.3/hook", "loopback, private or link-local"),
        ("https://192.168.0.10/hook", "loopback, private or link-local"),
        ("https://169.254.169.254/latest/meta-data/", "loopback, private or link-local"),
        ("https://[::1]/hook", "loopback, private or link-local"),
        ("https://[::ffff:127.0.0.1]/hook", "loopback, private or link-local"),
        ("https://no-such-host.invalid/hook", "does not resolve"),
    ],
)
def test_a_url_that_could_reach_inside_is_refused_naming_url(root, url, words):
    with pytest.raises(InvalidInput) as refused:
        webhooks.endpoint_save(user=root, url=url, events=ALL_EVENTS)
    assert refused.value.field == "url" and words in refused.value.message
    assert not WebhookEndpoint.objects.exists()


def test_private_addresses_and_plain_http_to_them_need_the_setting(root, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    endpoint = webhooks.endpoint_save(user=root, url="http://127.0.0.1:9/hook", events=ALL_EVENTS)
    assert endpoint.url == "http://127.0.0.1:9/hook"
    # Plain http to a public host stays refused: the setting is about one's own network.
    with pytest.raises(InvalidInput, match="must be https://"):
        webhooks.endpoint_save(user=root, url="http://93.184.215.14/", events=ALL_EVENTS)


@pytest.mark.parametrize("events", [[], ["ruling.deleted"], "ruling.published", None])
def test_events_must_be_a_list_of_known_events(root, events):
    with pytest.raises(InvalidInput) as refused:
        webhooks.endpoint_save(user=root, url=PUBLIC, events=events)
    assert refused.value.field == "events"


@pytest.mark.parametrize("who", ["alice", "erin", None])
def test_only_administrators_register_endpoints(request, who, db):
    user = request.getfixturevalue(who) if who else None
    with pytest.raises(PermissionDenied):
        webhooks.endpoint_save(user=user, url=PUBLIC, events=ALL_EVENTS)


# --- What a state change leaves in the queue ---------------------------------------------------


def jobs():
    return list(
        ProcrastinateJob.objects.filter(task_name="annotations.tasks.deliver_webhook").values_list(
            "args", flat=True
        )
    )


def test_a_publication_queues_one_delivery_and_one_job_per_endpoint(endpoint, make_ruling, root):
    # One more endpoint, wanting retractions only: not told of a publication.
    webhooks.endpoint_save(user=root, url=PUBLIC + "2", events=["ruling.retracted"])
    ruling = make_ruling(Status.PUBLISHED)
    [delivery] = WebhookDelivery.objects.all()
    assert (delivery.endpoint, delivery.event, delivery.ruling) == (
        endpoint,
        "ruling.published",
        ruling,
    )
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 0
    body = json.loads(delivery.body)
    assert body["event"] == "ruling.published"
    assert body["ruling"]["slug"] == ruling.slug and body["ruling"]["status"] == "published"
    assert body["ruling"]["url"].endswith(f"/rulings/{ruling.slug}/")
    assert [args["delivery_id"] for args in jobs()] == [delivery.pk]


def test_retraction_and_supersession_are_announced(endpoint, make_ruling, frank, erin):
    old = make_ruling(Status.RETRACTED)
    # Only an editor drafts a successor; another editor approves it.
    successor = services.ruling_create(
        **CLAIMED,
        author=erin,
        statement="The corrected verdict",
        rating="false",
        supersedes=old,
        annotations=list(old.annotations.all()),
    )
    drive(successor, Status.PUBLISHED, approvers=[frank])
    events = list(WebhookDelivery.objects.order_by("id").values_list("event", "ruling__slug"))
    assert events == [
        ("ruling.published", old.slug),
        ("ruling.retracted", old.slug),
        ("ruling.published", successor.slug),
        ("ruling.superseded", old.slug),
    ]
    superseded = json.loads(WebhookDelivery.objects.get(event="ruling.superseded").body)
    assert superseded["ruling"]["superseded_by"] == successor.slug
    assert len(jobs()) == 4


def test_a_publication_rolled_back_queues_nothing(endpoint, make_ruling, frank):
    ruling = make_ruling(Status.IN_REVIEW)
    with pytest.raises(RuntimeError), transaction.atomic():
        drive(ruling, Status.PUBLISHED, approvers=[frank])
        assert WebhookDelivery.objects.count() == 1  # inside the transaction, it is there
        raise RuntimeError("the request failed after the publication")
    assert not WebhookDelivery.objects.exists() and jobs() == []


def test_no_endpoint_no_row(make_ruling):
    make_ruling(Status.RETRACTED)
    assert not WebhookDelivery.objects.exists() and jobs() == []


def test_an_inactive_endpoint_is_not_told(endpoint, make_ruling):
    endpoint.active = False
    endpoint.save()
    make_ruling(Status.PUBLISHED)
    assert not WebhookDelivery.objects.exists()


def test_redelivery_is_for_administrators_and_queues_a_new_job(endpoint, make_ruling, root, erin):
    make_ruling(Status.PUBLISHED)
    delivery = WebhookDelivery.objects.get()
    with pytest.raises(PermissionDenied):
        webhooks.delivery_redeliver(delivery=delivery, user=erin)
    assert len(jobs()) == 1
    webhooks.delivery_redeliver(delivery=delivery, user=root)
    assert [args["delivery_id"] for args in jobs()] == [delivery.pk, delivery.pk]


# --- The backoff -------------------------------------------------------------------------------


def test_backoff_doubles_to_an_hour_and_stops_after_a_day(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    day = 86400
    delays = []
    now, attempt = 0.0, 1
    while (delay := webhooks.retry_delay(attempt, now=now, give_up_at=day)) is not None:
        delays.append(delay)
        now += delay
        attempt += 1
    assert delays[:8] == [30, 60, 120, 240, 480, 960, 1920, 3600]
    assert set(delays[7:]) == {3600}
    # Attempts run until the next would fall past the day: the last one is within an hour of it.
    assert day - 3600 < now <= day
    assert len(delays) == 7 + (day - 3810) // 3600


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body():
    import hashlib
    import hmac

    body = '{"a":"é"}'.encode()
    expected = hmac.new(b"s3cret", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert webhooks.sign("s3cret", 1700000000, body) == "sha256=" + expected


def test_links_are_absolute_under_the_public_base_url(endpoint, make_ruling, settings):
    settings.FACTCHECK_PUBLIC_BASE_URL = "https://desk.example.org"
    ruling = make_ruling(Status.PUBLISHED)
    links = json.loads(WebhookDelivery.objects.get().body)["ruling"]
    assert links["url"] == f"https://desk.example.org/rulings/{ruling.slug}/"
    assert links["api_url"] == f"https://desk.example.org/api/v1/rulings/{ruling.slug}/"
