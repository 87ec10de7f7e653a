"""Words a person reads (issue 16's new-user trial): statuses as words, links as sentences, the
internal link model out of the navigation."""

import pytest
from django.test import Client

from annotations import services
from annotations.errors import Conflict
from annotations.models import AnnotationRuling

pytestmark = pytest.mark.usefixtures("fast_passwords")


def test_refusals_name_the_status_in_words(world, alice, erin):
    with pytest.raises(Conflict) as refused:
        services.ruling_submit(ruling=world.in_review, user=alice)
    assert refused.value.message == "Only drafts can be submitted; this ruling is in review."
    with pytest.raises(Conflict) as refused:
        services.ruling_retract(ruling=world.in_review, user=erin, reason="why")
    assert "this ruling is in review." in refused.value.message
    assert "in_review" not in refused.value.message


def test_a_link_reads_as_span_quote_and_verdict(world):
    link = AnnotationRuling.objects.get(annotation=world.published_claim)
    assert str(link) == (
        f"claim #{world.published_claim.pk} “terrorists trained abroad” → "
        "Statement of published-ruling"
    )


def test_long_quotes_and_statements_are_cut_with_an_ellipsis(world, alice):
    ruling = services.ruling_create(
        author=alice, statement="S" * 80, rating="false", annotations=[world.unlinked]
    )
    link = AnnotationRuling.objects.get(ruling=ruling)
    text = str(link)
    assert text.endswith("S" * 49 + "…") and "“2,500 troops”" in text


def test_the_link_model_is_not_in_the_navigation(world, erin):
    client = Client()
    client.force_login(erin)
    page = client.get("/admin/").content.decode()
    assert "/admin/annotations/annotationruling/" not in page
    assert "/admin/annotations/ruling/" in page
