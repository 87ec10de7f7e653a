"""Writing a backup: Django's JSON Lines, secrets only when asked for."""

import datetime
import os
from pathlib import Path

from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.serializers import jsonl
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

from .contents import (
    SECRET_FIELDS,
    SECRET_MODELS,
    TOKEN_MODELS,
    WITHHELD,
    exported_models,
)


class ExactEncoder(DjangoJSONEncoder):
    """Django's encoder cuts times to milliseconds (the ECMAScript form); a backup keeps them
    to the microsecond, as stored, so a restore is exact."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class _Writer(jsonl.Serializer):
    """Django's JSON Lines with natural foreign keys, plus what a backup needs: a reference to a
    user who has since been deleted (a history row's author: history tables have no foreign-key
    constraints) stays the id it was instead of failing the export, natural keys are looked up
    once per user instead of once per row, and token keys are blanked out of admin log entries
    when the backup has no secrets."""

    with_secrets = False

    def start_serialization(self):
        super().start_serialization()
        self._natural = {}

    def _natural_key(self, model, pk):
        if model not in self._natural:
            self._natural[model] = {
                obj.pk: obj.natural_key() for obj in model._default_manager.all().iterator()
            }
        return self._natural[model].get(pk)

    def handle_fk_field(self, obj, field):
        related = field.remote_field.model
        raw = getattr(obj, field.attname)
        if raw is None or not hasattr(related, "natural_key"):
            super().handle_fk_field(obj, field)
            return
        key = self._natural_key(related, raw)
        self._current[field.name] = list(key) if key is not None else raw

    def get_dump_object(self, obj):
        data = super().get_dump_object(obj)
        if isinstance(obj, LogEntry) and not self.with_secrets:
            fields = data["fields"]
            if ".".join(fields.get("content_type") or ()) in TOKEN_MODELS:
                fields["object_repr"] = WITHHELD
                if fields["content_type"][1] == "token":  # its id is the key itself
                    fields["object_id"] = None
        return data


def _fields(model, *, with_secrets):
    names = [f.name for f in model._meta.concrete_fields if not f.primary_key]
    names += [f.name for f in model._meta.local_many_to_many]
    secret = set() if with_secrets else SECRET_FIELDS.get(model._meta.label, set())
    return [name for name in names if name not in secret]


def _ordering(model):
    if model is get_user_model():
        return ["username"]
    if model is Group:
        return ["name"]
    if model._meta.pk.name == "history_id":
        return ["history_id"]
    return ["pk"]


def write(out, *, with_secrets: bool) -> dict[str, int]:
    """Writes a backup to `out` (a text stream); returns the number of rows of each model.

    Outside a transaction it reads one consistent snapshot of the database (REPEATABLE READ),
    so a backup taken while people work never holds a link whose span it missed."""
    counts = {}
    outermost = not connection.in_atomic_block
    connection.ensure_connection()
    with transaction.atomic():
        if outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        for model in exported_models():
            label = model._meta.label
            if label in SECRET_MODELS and not with_secrets:
                continue
            queryset = model._default_manager.order_by(*_ordering(model))
            counts[label] = queryset.count()
            writer = _Writer()
            writer.with_secrets = with_secrets
            writer.serialize(
                queryset.iterator(chunk_size=2000),
                stream=out,
                cls=ExactEncoder,
                fields=_fields(model, with_secrets=with_secrets),
                use_natural_foreign_keys=True,
            )
    return counts


def open_for_writing(path: Path, *, private: bool):
    """(temporary path, open file) beside `path`; the caller renames it onto `path` once the
    export is complete, so a failed export never leaves half a backup under the backup's name.
    A private file is mode 600 from its first byte, not after a chmod."""
    tmp = path.with_name(f".{path.name}.partial")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o666)
    if private:
        os.fchmod(fd, 0o600)  # the file may have been there already, with other rights
    return tmp, os.fdopen(fd, "w", encoding="utf-8")
