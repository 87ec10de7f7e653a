"""Many clients at once against a real PostgreSQL: row locks and If-Match keep every write, lose
none and apply none twice. Each client is a thread with its own database connection."""

import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from annotations import services
from annotations.models import Annotation, Decision, Review, Ruling, Status

from ..factories import UserFactory

# serialized_rollback: a transactional test ends by emptying every table, including the groups
# that a data migration made; this puts them back for the next one.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CLIENTS = 8
ROUNDS = 4


def race(work, args):
    """Runs work(arg) for each arg in its own thread, all released at once; returns results."""
    barrier = threading.Barrier(len(args))
    results = [None] * len(args)

    def run(i, arg):
        try:
            barrier.wait(timeout=30)
            results[i] = work(arg)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(args)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert all(r is not None for r in results), results
    return results


def test_concurrent_patches_of_one_span_one_write_per_version(api, alice, world):
    span = world.draft_claim
    url = f"/api/v1/annotations/{span.pk}/"
    clients = [api(alice) for _ in range(CLIENTS)]
    history_before = Annotation.history.filter(id=span.pk).count()
    version_before = Annotation.objects.get(pk=span.pk).version
    wins = 0
    for round_no in range(ROUNDS):
        tag = clients[0].get(url)["ETag"]

        def patch(i, tag=tag, round_no=round_no):
            return clients[i].patch(url, {"note": f"r{round_no} c{i}"}, HTTP_IF_MATCH=tag)

        statuses = sorted(r.status_code for r in race(patch, list(range(CLIENTS))))
        assert statuses == [200] + [412] * (CLIENTS - 1), statuses
        wins += 1
    span.refresh_from_db()
    assert span.version == version_before + wins
    # No update lost or doubled: one history row per successful write.
    assert Annotation.history.filter(id=span.pk).count() == history_before + wins
    out = StringIO()
    call_command("check_annotations", stdout=out)
    assert "All anchored spans match" in out.getvalue()


def test_concurrent_patches_of_one_ruling_one_write_per_version(api, alice, world):
    ruling = world.draft
    url = f"/api/v1/rulings/{ruling.slug}/"
    clients = [api(alice) for _ in range(CLIENTS)]
    history_before = Ruling.history.filter(id=ruling.pk).count()
    for round_no in range(ROUNDS):
        tag = clients[0].get(url)["ETag"]

        def patch(i, tag=tag, round_no=round_no):
            return clients[i].patch(url, {"summary": f"r{round_no} c{i}"}, HTTP_IF_MATCH=tag)

        statuses = sorted(r.status_code for r in race(patch, list(range(CLIENTS))))
        assert statuses == [200] + [412] * (CLIENTS - 1), statuses
    assert Ruling.history.filter(id=ruling.pk).count() == history_before + ROUNDS
    assert Ruling.objects.get(pk=ruling.pk).version == ruling.version + ROUNDS


@pytest.mark.parametrize("required", [2, 3])
def test_concurrent_approvals_publish_exactly_once(api, world, settings, required):
    settings.FACTCHECK_REQUIRED_APPROVALS = required
    editors = [UserFactory(username=f"editor{i}", group="editors") for i in range(4)]
    ruling = world.in_review
    url = f"/api/v1/rulings/{ruling.slug}/reviews/"

    def approve(editor):
        body = {"decision": "approve", "ruling_version": ruling.version}
        return api(editor).post(url, body).status_code

    statuses = race(approve, editors)
    ruling.refresh_from_db()
    assert ruling.status == Status.PUBLISHED
    # Exactly `required` approvals got in; the rest found the ruling already published.
    assert sorted(statuses) == [201] * required + [409] * (len(editors) - required)
    assert ruling.reviews.filter(decision=Decision.APPROVE).count() == required
    published = [
        h for h in Ruling.history.filter(id=ruling.pk) if h.history_change_reason == "published"
    ]
    assert len(published) == 1


def test_one_editor_approving_twice_at_once_counts_once(api, erin, world, settings):
    settings.FACTCHECK_REQUIRED_APPROVALS = 2
    ruling = world.in_review
    url = f"/api/v1/rulings/{ruling.slug}/reviews/"
    clients = [api(erin) for _ in range(CLIENTS)]
    body = {"decision": "approve", "ruling_version": ruling.version}
    statuses = sorted(race(lambda c: c.post(url, body).status_code, clients))
    assert statuses == [201] + [409] * (CLIENTS - 1)
    assert Review.objects.filter(ruling=ruling, reviewer=erin).count() == 1
    assert Ruling.objects.get(pk=ruling.pk).status == Status.IN_REVIEW
    assert services.approvals_of_current_version(Ruling.objects.get(pk=ruling.pk)) == 1
