"""Restoring a backup into an empty database: one transaction; errors name the line, the
record, the field and the reason."""

import json
from collections import Counter
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.core.management.color import no_style
from django.core.serializers import base as serializers_base
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import DatabaseError, connection, models, transaction
from rest_framework.authtoken.models import Token, TokenProxy

from annotations.management.commands.create_demo_users import DEMO_GROUP, DEMO_USERS

from .contents import (
    exported_models,
)


class RestoreError(Exception):
    """Why a backup cannot be restored, and where in the file."""

    def __init__(self, reason, *, line=None, model=None, record=None, field=None, at_end=False):
        self.reason, self.line, self.model, self.record, self.field = (
            reason,
            line,
            model,
            record,
            field,
        )
        where = []
        if line:
            where.append(f"line {line}")
        elif at_end:
            where.append("after the last line")
        if model:
            where.append(f"{model} {record}" if record else model)
        if field:
            where.append(f"field {field!r}")
        super().__init__(f"{', '.join(where)}: {reason}" if where else reason)


@dataclass
class Restored:
    counts: Counter = field(default_factory=Counter)
    # Users this restore created whose password is unusable: they cannot log in yet.
    locked_out: list[str] = field(default_factory=list)
    demo_accounts: list[str] = field(default_factory=list)
    with_secrets: bool = False


# What the database must not hold yet: anything but users and groups, which a new installation
# may already have (createsuperuser, the roles migration) and which are matched by name.
def _busy_models():
    natural = {get_user_model(), Group}
    return [m for m in exported_models() if m not in natural]


def busy_tables() -> list[str]:
    return [m._meta.label for m in _busy_models() if m._default_manager.exists()]


def _describe(model, data):
    """How an error names a record: its key, and for a user or group its name too; never a
    token's key (it is the credential)."""
    fields = data.get("fields") if isinstance(data.get("fields"), dict) else {}
    if model is Token:
        return f"of user {json.dumps(fields.get('user'), ensure_ascii=False)}"
    text = f"pk={json.dumps(data.get('pk'), ensure_ascii=False)}"
    name = fields.get(getattr(model, "USERNAME_FIELD", "name"))
    if model in (get_user_model(), Group) and name is not None:
        text += f" ({json.dumps(name, ensure_ascii=False)})"
    return text


def _missing(field, value, exc):
    target = field.remote_field.model
    key = value[0] if isinstance(value, list | tuple) and len(value) == 1 else value
    extra = ""
    if target in (Group, get_user_model()):
        extra = "; it must come before this line in the file or be in the database already"
    return (
        f"no {target._meta.label} {json.dumps(key, ensure_ascii=False)}{extra} "
        f"({type(exc).__name__}: {exc})"
    )


def _message(exc):
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return f"{type(exc).__name__}: {exc}"


# Validators that mirror a database limit (a column's length, an integer's range): checked
# before the insert, because PostgreSQL's own error for them does not name the column.
_LIMITS = (MaxLengthValidator, MinValueValidator, MaxValueValidator)


def _build(model, data, where):
    """A model instance and its many-to-many values from one line's record."""
    meta = model._meta
    values, m2m = {}, {}
    if "pk" in data:
        try:
            values[meta.pk.attname] = meta.pk.to_python(data["pk"])
        except (ValidationError, TypeError, ValueError) as exc:
            raise RestoreError(_message(exc), field=meta.pk.name, **where) from None
    for name, value in data["fields"].items():
        try:
            f = meta.get_field(name)
        except FieldDoesNotExist:
            raise RestoreError(
                f"{meta.label} has no field {name!r} (a backup of another version of the service?)",
                field=name,
                **where,
            ) from None
        if not f.concrete or f.primary_key:
            raise RestoreError(f"{name!r} is not a stored field of {meta.label}", **where)
        try:
            if f.many_to_many:
                m2m[f.name] = serializers_base.deserialize_m2m_values(f, value, None, False)
            elif f.is_relation:
                values[f.attname] = serializers_base.deserialize_fk_value(f, value, None, False)
            else:
                python = f.to_python(value)
                if python is not None:
                    for validator in f.validators:
                        if isinstance(validator, _LIMITS):
                            validator(python)
                values[f.attname] = python
        except serializers_base.M2MDeserializationError as exc:
            original = exc.original_exc
            reason = (
                _missing(f, exc.pk, original)
                if isinstance(original, ObjectDoesNotExist)
                else _message(original)
            )
            raise RestoreError(reason, field=name, **where) from None
        except ObjectDoesNotExist as exc:
            raise RestoreError(_missing(f, value, exc), field=name, **where) from None
        except (ValidationError, TypeError, ValueError, AttributeError) as exc:
            raise RestoreError(_message(exc), field=name, **where) from None
    return model(**values), m2m


def _constraint_fields(model, name):
    """The fields a database constraint of `model` is about, for an error message."""
    for constraint in model._meta.constraints:
        if constraint.name != name:
            continue
        if getattr(constraint, "fields", None):
            return list(constraint.fields)
        names, todo = [], [getattr(constraint, "condition", None)]
        while todo:
            node = todo.pop()
            if isinstance(node, models.Q):
                todo.extend(node.children)
            elif isinstance(node, tuple):
                names.append(node[0].split("__")[0])
                todo.append(node[1])
            elif isinstance(node, models.F):
                names.append(node.name)
        return sorted(set(names), key=names.index)
    return []


def _database_error(model, exc):
    """(field, reason) of a failed insert, from PostgreSQL's report."""
    diag = getattr(exc.__cause__, "diag", None)
    if diag is None:
        return None, _message(exc)
    reason = diag.message_primary or str(exc)
    if diag.message_detail:
        # "Failing row contains (...)" may hold a whole article: the start says enough.
        detail = diag.message_detail
        reason += f" ({detail if len(detail) <= 300 else detail[:300] + '...'})"
    if diag.column_name:
        by_column = {f.column: f.name for f in model._meta.concrete_fields}
        return by_column.get(diag.column_name, diag.column_name), reason
    if diag.constraint_name:
        fields = _constraint_fields(model, diag.constraint_name)
        return ", ".join(fields) or None, reason
    return None, reason


def _pk_taken(model, pk):
    return pk is not None and model._default_manager.filter(pk=pk).exists()


class _Restore:
    def __init__(self):
        self.User = get_user_model()
        self.restorable = {m._meta.label_lower: m for m in exported_models()}
        self.result = Restored()
        self.lines = {}  # (model, pk) -> line, of rows whose key is kept
        self.names = {}  # (model, natural key) -> line
        self.ids = {self.User: {}, Group: {}}  # id in the file -> id here
        self.log_entries = []  # (line, LogEntry) whose object_id may name a user or group

    def record(self, lineno, text):
        where = {"line": lineno}
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise RestoreError(f"not a JSON object: {exc}", **where) from None
        if not isinstance(data, dict) or not isinstance(data.get("model"), str):
            raise RestoreError('not a record: expected {"model": ..., "fields": {...}}', **where)
        label = data["model"].lower()
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            raise RestoreError(f"unknown model {data['model']!r}", **where) from None
        where["model"] = model._meta.label
        if label not in self.restorable:
            known = ", ".join(m._meta.label for m in self.restorable.values())
            raise RestoreError(
                f"export_all never writes {model._meta.label} rows; a backup holds {known}",
                **where,
            )
        where["record"] = _describe(model, data)
        if not isinstance(data.get("fields"), dict):
            raise RestoreError('"fields" must be an object', **where)
        obj, m2m = _build(model, data, where)
        self.save(model, obj, m2m, data, where)
        self.result.counts[model._meta.label] += 1

    def save(self, model, obj, m2m, data, where):
        lineno = where["line"]
        force_insert = True
        if model in self.ids:
            natural = obj.natural_key()
            if natural in self.names.get(model, {}):
                raise RestoreError(
                    f"appears twice (first on line {self.names[model][natural]})", **where
                )
            self.names.setdefault(model, {})[natural] = lineno
            file_pk = obj.pk
            existing = model._default_manager.filter(
                **dict(zip(self._natural_fields(model), natural, strict=True))
            ).first()
            if existing is not None:
                obj.pk, force_insert = existing.pk, False
            elif _pk_taken(model, obj.pk):
                obj.pk = None  # someone else has that id here: a new one
            if model is self.User:
                self.user(obj, existing, data)
        else:
            if "pk" not in data:
                raise RestoreError(
                    'has no "pk": every row but a user or group keeps its key', **where
                )
            key = (model, obj.pk)
            if key in self.lines:
                raise RestoreError(f"appears twice (first on line {self.lines[key]})", **where)
        try:
            # raw: as stored, no auto_now timestamps and no new history rows.
            models.Model.save_base(obj, raw=True, force_insert=force_insert)
            for name, values in m2m.items():
                getattr(obj, name).set(values)
        except DatabaseError as exc:
            field_name, reason = _database_error(model, exc)
            raise RestoreError(reason, field=field_name, **where) from None
        if model in self.ids:
            self.ids[model][file_pk] = obj.pk
        else:
            self.lines[(model, obj.pk)] = lineno
        if model is LogEntry:
            self.log_entries.append(obj)

    @staticmethod
    def _natural_fields(model):
        return [model.USERNAME_FIELD] if hasattr(model, "USERNAME_FIELD") else ["name"]

    def user(self, obj, existing, data):
        if "password" in data["fields"]:
            self.result.with_secrets = True
        if existing is not None:
            # An account that is already here keeps its password: a restore never changes how
            # someone logs in to this installation.
            obj.password = existing.password
            return
        if "password" not in data["fields"]:
            obj.set_unusable_password()
        if not obj.has_usable_password():
            self.result.locked_out.append(obj.get_username())

    def remap_log_entries(self):
        """An admin log entry names its object by id; a user's or group's may differ here."""
        content_type = ContentType.objects.get_for_model
        by_type = {
            content_type(self.User).pk: self.ids[self.User],
            content_type(Group).pk: self.ids[Group],
            # The admin's token pages are keyed by the user's id (DRF's TokenProxy).
            content_type(TokenProxy, for_concrete_model=False).pk: self.ids[self.User],
        }
        for entry in self.log_entries:
            ids = by_type.get(entry.content_type_id)
            if not ids or entry.object_id is None:
                continue
            try:
                new = ids.get(int(entry.object_id))
            except ValueError:
                continue
            if new is not None and str(new) != entry.object_id:
                entry.object_id = str(new)
                entry.save(update_fields=["object_id"])

    def check_references(self):
        """References by id are checked by PostgreSQL only at commit, without saying which row
        made them: find the first one that points nowhere and name its line."""
        broken = []
        kept = {model for model, _ in self.lines}
        for model in kept:
            for f in model._meta.concrete_fields:
                if not f.is_relation or not f.many_to_one or not f.db_constraint:
                    continue
                target = f.remote_field.model
                dangling = (
                    model._base_manager.filter(**{f"{f.attname}__isnull": False})
                    .exclude(
                        **{f"{f.attname}__in": target._base_manager.values(f.target_field.attname)}
                    )
                    .values_list("pk", f.attname)
                )
                for pk, value in dangling:
                    broken.append((self.lines.get((model, pk), 0), model, pk, f, value))
        if broken:
            lineno, model, pk, f, value = min(broken, key=lambda b: b[0])
            target = f.remote_field.model._meta.label
            raise RestoreError(
                f"no {target} with {f.target_field.name}={json.dumps(value)} in the file or "
                "the database",
                line=lineno or None,
                at_end=True,
                model=model._meta.label,
                record="" if model is Token else f"pk={json.dumps(pk)}",
                field=f.name,
            )

    def finish(self):
        self.remap_log_entries()
        self.check_references()
        # Whatever else PostgreSQL defers to the commit is checked here, inside the transaction,
        # so that a failure is an error of this restore (in tests too, which never commit).
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        except DatabaseError as exc:
            raise RestoreError(_database_error(LogEntry, exc)[1], at_end=True) from None
        # Ids were restored as they were: move each sequence past the highest one.
        restored = {m for m in self.restorable.values()}
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), restored):
                cursor.execute(sql)
        demo_names = {username for username, _, _ in DEMO_USERS}
        demo = set(
            self.User.objects.filter(
                username__in=self.result.locked_out, groups__name=DEMO_GROUP
            ).values_list("username", flat=True)
        )
        self.result.demo_accounts = sorted(demo & demo_names)
        self.result.locked_out.sort()


def restore(lines) -> Restored:
    """Restores a backup from an iterable of lines (bytes are read as UTF-8, line by line, so
    that a bad byte is reported with its line), all or nothing; raises RestoreError."""
    with transaction.atomic():
        busy = busy_tables()
        if busy:
            raise RestoreError(
                f"the database is not empty ({', '.join(busy)} present): import_all restores "
                "into a database that holds no desk data yet (run `migrate` on a new, empty "
                "database first); it never merges into live data"
            )
        job = _Restore()
        for lineno, raw in enumerate(lines, 1):
            try:
                text = raw.decode() if isinstance(raw, bytes) else raw
            except UnicodeDecodeError as exc:
                raise RestoreError(f"not UTF-8 text ({exc})", line=lineno) from None
            if text.strip():
                job.record(lineno, text)
        job.finish()
    return job.result
