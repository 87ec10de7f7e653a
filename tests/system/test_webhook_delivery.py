"""Webhooks for real: a procrastinate worker (`manage.py procrastinate worker`, a process of its
own, killed with SIGKILL in one test) delivering to an HTTP receiver on loopback, on this test's
committed data. The receiver checks each delivery with the snippet the README documents."""

import json
import os
import re
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection, transaction
from django.db.models import Max
from django.test import Client
from procrastinate.contrib.django.models import ProcrastinateWorker

from annotations.models import DeliveryStatus, Status, WebhookDelivery
from annotations.services import webhooks
from benchmarks.harness import BIN, ROOT, django_env
from tests.factories import UserFactory
from tests.helpers import drive

# serialized_rollback: the groups the roles migration made come back after each test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ALL_EVENTS = ["ruling.published", "ruling.retracted", "ruling.superseded"]


def readme_verify():
    """The README's verification snippet, run as a receiver would run it."""
    readme = (ROOT / "README.md").read_text()
    block = re.search(
        r"<!-- webhook-verify -->\n```python\n(.*?)```\n<!-- /webhook-verify -->", readme, re.S
    )
    assert block, "README.md lost its webhook verification snippet"
    namespace = {}
    exec(block[1], namespace)  # noqa: S102  (our own README, the point of the test)
    return namespace["verify"]


class Receiver:
    """An HTTP receiver on 127.0.0.1. `plan` says how to answer each request in turn (a status,
    or "hang": hold the request until the test ends); then 200."""

    def __init__(self, plan=()):
        self.plan = list(plan)
        self.requests = []
        self.release = threading.Event()
        self.arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                answer = receiver.plan.pop(0) if receiver.plan else 200
                with receiver.arrived:
                    receiver.requests.append(
                        {"headers": dict(self.headers), "body": body, "answer": answer}
                    )
                    receiver.arrived.notify_all()
                if answer == "hang":
                    receiver.release.wait(60)
                    return
                self.send_response(answer)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count, timeout=30):
        with self.arrived:
            assert self.arrived.wait_for(lambda: len(self.requests) >= count, timeout), (
                f"{len(self.requests)} of {count} requests arrived"
            )

    def close(self):
        self.release.set()
        self.server.shutdown()


@pytest.fixture
def receiver():
    made = []

    def make(plan=()):
        made.append(Receiver(plan))
        return made[-1]

    yield make
    for r in made:
        r.close()


@pytest.fixture
def worker(tmp_path):
    """`worker(**env)`: starts `manage.py procrastinate worker` on this test's database, with
    short retry and stall timings (overridable); every one is killed at the end."""
    url = urlsplit(os.environ["DATABASE_URL"])
    database_url = urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))
    started = []

    def start(**overrides):
        known = ProcrastinateWorker.objects.aggregate(Max("id"))["id__max"] or 0
        timings = {
            "WEBHOOK_ALLOW_PRIVATE_NETWORKS": "1",
            "WEBHOOK_RETRY_BASE_SECONDS": "1",
            "WEBHOOK_STALLED_AFTER_SECONDS": "2",
            "WORKER_HEARTBEAT_SECONDS": "1",
            "WEBHOOK_STALLED_CHECK_CRON": "* * * * * */1",
        }
        env = django_env(database_url, **{**timings, **overrides})
        log = open(tmp_path / f"worker{len(started)}.log", "w")  # noqa: SIM115
        process = subprocess.Popen(  # noqa: S603  (our own interpreter and manage.py)
            [str(BIN / "python"), "manage.py", "procrastinate", "worker"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append((process, log))
        # Ready once it has registered itself (its first heartbeat): timings measured from an
        # event are then not eaten by the worker's start-up.
        deadline = time.monotonic() + 30
        while not ProcrastinateWorker.objects.filter(id__gt=known).exists():
            assert process.poll() is None, (tmp_path / f"worker{len(started) - 1}.log").read_text()
            assert time.monotonic() < deadline, "the worker did not start"
            time.sleep(0.05)
        return process

    yield start
    for process, log in started:
        process.kill()
        process.wait()
        log.close()


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def register(root, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True

    def make(receiver, events=ALL_EVENTS):
        return webhooks.endpoint_save(user=root, url=receiver.url, events=events)

    return make


def settled(delivery, timeout=30):
    """The delivery once it is delivered or given up (the worker writes it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        delivery.refresh_from_db()
        if delivery.status != DeliveryStatus.PENDING:
            return delivery
        time.sleep(0.1)
    raise AssertionError(f"delivery {delivery.pk} still pending after {timeout} s")


def test_500_then_200_is_one_delivery_signed_as_the_readme_checks(
    receiver, register, worker, make_ruling
):
    r = receiver([500])
    endpoint = register(r)
    worker()
    ruling = make_ruling(Status.PUBLISHED)
    delivery = settled(WebhookDelivery.objects.get())
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 2 and delivery.last_status_code == 200
    assert delivery.last_response_ms is not None and delivery.last_error == ""
    assert [req["answer"] for req in r.requests] == [500, 200]
    verify = readme_verify()
    for req in r.requests:
        assert verify(endpoint.secret, req["headers"], req["body"])
        assert req["headers"]["X-Factcheck-Delivery"] == str(delivery.pk)
        assert req["headers"]["X-Factcheck-Event"] == "ruling.published"
    # The snippet refuses a body altered, a wrong secret and an old timestamp.
    req = r.requests[-1]
    assert not verify(endpoint.secret, req["headers"], req["body"] + b" ")
    assert not verify("not-the-secret", req["headers"], req["body"])
    old = {**req["headers"], "X-Factcheck-Timestamp": str(int(time.time()) - 3600)}
    assert not verify(endpoint.secret, old, req["body"])
    body = json.loads(req["body"])
    assert body["event"] == "ruling.published" and body["ruling"]["slug"] == ruling.slug


def test_a_retraction_sends_ruling_retracted(receiver, register, worker, make_ruling):
    r = receiver()
    register(r, events=["ruling.retracted"])
    worker()
    ruling = make_ruling(Status.RETRACTED)
    settled(WebhookDelivery.objects.get())
    [req] = r.requests
    assert req["headers"]["X-Factcheck-Event"] == "ruling.retracted"
    body = json.loads(req["body"])
    assert body["ruling"]["slug"] == ruling.slug and body["ruling"]["status"] == "retracted"
    assert body["ruling"]["retraction_reason"]


def test_a_worker_killed_mid_delivery_loses_nothing(receiver, register, worker, make_ruling):
    r = receiver(["hang"])
    register(r)
    first = worker()
    make_ruling(Status.PUBLISHED)
    r.wait_for(1)  # the first worker is inside the POST, its receiver holding the answer
    first.kill()
    first.wait()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 0
    worker()  # finds the dead worker's job stalled and runs it again
    delivery = settled(delivery)
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.last_status_code == 200
    assert [req["answer"] for req in r.requests] == ["hang", 200]
    # The same delivery both times: a receiver can tell the repeat by its number.
    assert {req["headers"]["X-Factcheck-Delivery"] for req in r.requests} == {str(delivery.pk)}


def test_a_publication_rolled_back_sends_nothing(receiver, register, worker, make_ruling, frank):
    r = receiver()
    register(r)
    worker()
    doomed = make_ruling(Status.IN_REVIEW, statement="Rolled back")
    with pytest.raises(RuntimeError), transaction.atomic():
        drive(doomed, Status.PUBLISHED, approvers=[frank])
        raise RuntimeError("the request failed after the publication")
    kept = make_ruling(Status.PUBLISHED, statement="Kept")
    settled(WebhookDelivery.objects.get())
    time.sleep(1.5)  # time enough for a stray second delivery to arrive, were there one
    assert [json.loads(req["body"])["ruling"]["slug"] for req in r.requests] == [kept.slug]


def test_a_receiver_always_failing_is_given_up_and_redelivered_from_the_admin(
    receiver, register, worker, make_ruling, root, settings
):
    r = receiver([500, 503, 500])
    register(r)
    # When to give up is fixed where the event is queued (here, this process): 3 s after it.
    # Retries come 1 s, then 2 s after a failure: the third attempt would fall past that.
    settings.WEBHOOK_RETRY_FOR_SECONDS = 3
    worker()
    make_ruling(Status.PUBLISHED)
    delivery = settled(WebhookDelivery.objects.get())
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 2 and delivery.last_status_code == 503
    assert "answered 503" in delivery.last_error
    admin = Client()
    admin.force_login(root)
    listing = admin.get("/admin/annotations/webhookdelivery/")
    assert listing.status_code == 200 and "failed (gave up)" in listing.content.decode()
    response = admin.post(
        "/admin/annotations/webhookdelivery/",
        {"action": "redeliver", "_selected_action": [delivery.pk]},
    )
    assert response.status_code == 302
    delivery = settled(delivery)
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 4
    assert [req["answer"] for req in r.requests] == [500, 503, 500, 200]


def test_a_url_that_turned_private_is_not_called(receiver, register, worker, make_ruling, settings):
    """The address is checked again before each attempt: a receiver allowed when saved is not
    called by a worker where the setting that allowed it is off."""
    r = receiver()
    register(r)
    settings.WEBHOOK_RETRY_FOR_SECONDS = 1  # the first retry (1 s) would already be too late
    worker(WEBHOOK_ALLOW_PRIVATE_NETWORKS="0")
    make_ruling(Status.PUBLISHED)
    delivery = settled(WebhookDelivery.objects.get())
    assert delivery.status == DeliveryStatus.FAILED and delivery.last_status_code is None
    assert "loopback, private or link-local" in delivery.last_error
    assert r.requests == []
