"""Reads that need care. Views, the admin and commands read through these."""

from django.db.models import F, Func, TextField

from .models import AnchorState, Annotation


class _Substr(Func):
    # SQL substr counts characters (code points) from 1, as Python str indices count from 0.
    function = "substr"
    output_field = TextField()


def annotations_out_of_sync():
    """Anchored spans whose quote differs from body[start:end], compared inside PostgreSQL."""
    actual = _Substr(
        F("article__body"), F("start") + 1, F("end") - F("start"), output_field=TextField()
    )
    return (
        Annotation.objects.filter(state=AnchorState.ANCHORED)
        .annotate(actual=actual, article_slug=F("article__slug"))
        .exclude(quote=F("actual"))
        .only("id", "start", "end", "quote")
        .order_by("id")
    )
