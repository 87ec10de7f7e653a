"""Who reads what (SPEC.md: the public sees published data only). Every read that depends on
the reader starts from one of these querysets; nothing else filters by visibility."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from .. import roles
from ..models import PUBLIC_STATUSES, Annotation, AnnotationRuling, Article, Ruling


@dataclass(frozen=True)
class Reader:
    """Stands for every user who reads as the desk does (or as the public does), where a
    query depends on that alone (and so can be built once and reused)."""

    desk: bool


def is_desk(user):
    """Annotators and editors read everything; anyone else reads published data only."""
    if isinstance(user, Reader):
        return user.desk
    return roles.is_annotator(user)


def articles():
    """Articles are public material, whoever reads (lists never need the body)."""
    return Article.objects.all()


def rulings_for(user):
    qs = Ruling.objects.all()
    if not is_desk(user):
        qs = qs.filter(status__in=PUBLIC_STATUSES)
    return qs


def public_links():
    """Links of a span (the outer query's row) to published or retracted rulings."""
    return AnnotationRuling.objects.filter(
        annotation=OuterRef("pk"), ruling__status__in=PUBLIC_STATUSES
    )


def spans_for(user):
    """The desk reads every span; anyone else the spans of public rulings."""
    qs = Annotation.objects.all()
    if not is_desk(user):
        qs = qs.filter(Exists(public_links()))
    return qs


def links_for(user):
    """A span's links (the outer query's row) to the rulings this user may see, by ruling id."""
    links = AnnotationRuling.objects.filter(annotation=OuterRef("pk")).order_by("ruling_id")
    if not is_desk(user):
        links = links.filter(ruling__status__in=PUBLIC_STATUSES)
    return links
