import datetime
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.management.base import BaseCommand
from django.core.serializers.json import DjangoJSONEncoder

from annotations.models import Annotation, AnnotationRuling, Article, Review, Ruling

# Order matters only for readability: import_all loads everything in one transaction, and
# PostgreSQL checks foreign keys at commit.
MODELS = [Article, Ruling, Annotation, AnnotationRuling, Review]


class ExactEncoder(DjangoJSONEncoder):
    """Django's encoder cuts times to milliseconds (the ECMAScript form); a backup keeps them
    to the microsecond, as stored, so a restore is exact."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def exported_querysets():
    """(queryset, natural primary keys?) of everything a backup holds, in a stable order."""
    users = get_user_model().objects.order_by("username")
    yield users, True
    for model in MODELS:
        yield model.objects.order_by("pk"), False
    for model in MODELS:
        yield model.history.model.objects.order_by("history_id"), False


class Command(BaseCommand):
    help = (
        "Writes every user (without passwords or tokens), article, span, link, ruling and review, "
        "and the whole history of each, as JSON Lines (one object a line) to PATH or stdout. "
        "import_all restores it into an empty database. Users are named by username, so a "
        "backup loads into a database whose user ids differ."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", type=Path, help="output file (default: stdout)")

    def handle(self, *args, path=None, **options):
        out = path.open("w", encoding="utf-8") if path else sys.stdout
        counts = {}
        try:
            for queryset, natural_pk in exported_querysets():
                label = queryset.model._meta.label
                fields = None
                if queryset.model is get_user_model():
                    # Password hashes stay out of backups: restored users set a new password.
                    fields = [
                        "username", "first_name", "last_name", "email", "is_active",
                        "is_staff", "is_superuser", "date_joined", "last_login", "groups",
                    ]  # fmt: skip
                counts[label] = queryset.count()
                serializers.serialize(
                    "jsonl",
                    queryset.iterator(chunk_size=2000),
                    stream=out,
                    cls=ExactEncoder,
                    fields=fields,
                    use_natural_foreign_keys=True,
                    use_natural_primary_keys=natural_pk,
                )
        finally:
            if path:
                out.close()
        summary = ", ".join(f"{n} {label}" for label, n in counts.items())
        self.stderr.write(f"exported {summary}")
