from pathlib import Path

from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction

from .export_all import MODELS


class Command(BaseCommand):
    help = (
        "Restores an export_all file into a database that has no articles, spans, rulings or "
        "reviews yet (it never merges into live data). All or nothing: one transaction. Users "
        "that already exist are matched by username; new ones get no usable password."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        busy = [m._meta.label for m in MODELS if m.objects.exists()]
        if busy:
            raise CommandError(
                f"The database is not empty ({', '.join(busy)} present): import_all restores "
                "into an empty database only."
            )
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path}: {exc}") from None
        counts = {}
        User = get_user_model()
        try:
            with transaction.atomic():
                for record in serializers.deserialize(
                    "jsonl", text, handle_forward_references=True
                ):
                    if isinstance(record.object, User):
                        # Backups hold no passwords: keep an existing user's, lock a new one's.
                        known = User.objects.filter(pk=record.object.pk).first()
                        if known is not None:
                            record.object.password = known.password
                        else:
                            record.object.set_unusable_password()
                    record.save()
                    label = record.object._meta.label
                    counts[label] = counts.get(label, 0) + 1
                # Ids were restored as they were: move each sequence past the highest one.
                models = [*MODELS, *(m.history.model for m in MODELS)]
                with connection.cursor() as cursor:
                    for sql in connection.ops.sequence_reset_sql(no_style(), models):
                        cursor.execute(sql)
        except serializers.base.DeserializationError as exc:
            raise CommandError(f"{path}: {exc}") from None
        self.stdout.write(", ".join(f"{n} {label}" for label, n in counts.items()) or "nothing")
