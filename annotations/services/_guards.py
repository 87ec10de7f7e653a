"""Checks every service shares. Private: callers outside services/ use the services themselves."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from .. import roles
from ..anchoring import SpanError
from ..errors import Conflict, InvalidInput, PermissionDenied, PreconditionFailed
from ..models import Annotation, Ruling

# `None` for an argument the caller did not give, where None is itself a value (no supersedes).
UNSET = object()


def require(condition, message):
    if not condition:
        raise PermissionDenied(message)


def check_version(obj, expected_version):
    if expected_version is not None and expected_version != obj.version:
        raise PreconditionFailed(
            f"This {obj._meta.verbose_name} was changed by someone else (now version "
            f"{obj.version}, you had version {expected_version}). Reload it and try again."
        )


def check_choice(name, value, choices):
    """A value of a TextChoices field, refused with the list of choices when it is not one."""
    if value not in choices.values:
        raise InvalidInput(
            f"{name} must be one of {', '.join(choices.values)}; got {value!r}.",
            field=name,
            code="invalid_choice",
        )


def check_known_fields(given, known):
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise InvalidInput(f"Unknown field {unknown[0]!r}.", field=unknown[0])


def full_clean(obj, exclude=None):
    """Model validation as a 400 naming the first field at fault."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        name, messages = next(iter(exc.message_dict.items()))
        name = None if name == "__all__" else name
        raise InvalidInput(" ".join(messages), field=name) from None


def span_error(exc: SpanError):
    return InvalidInput(exc.message, field=exc.field, code=exc.code)


def check_open(ruling):
    """A published or retracted ruling is fixed: its text, rating and spans."""
    if not roles.ruling_is_open(ruling.status):
        raise Conflict(
            f"Ruling {ruling.slug!r} is {ruling.status_words} and cannot be edited. An editor "
            "retracts it and drafts a new ruling that supersedes it.",
            code="ruling_published",
        )


def check_linkable(rulings):
    for ruling in rulings:
        if not roles.ruling_is_open(ruling.status):
            raise Conflict(
                f"Ruling {ruling.slug!r} is {ruling.status_words}: its spans cannot change. "
                "Draft a new ruling that supersedes it.",
                field="rulings",
                code="ruling_published",
            )


def lock_ruling(ruling) -> Ruling:
    return Ruling.objects.select_for_update().get(pk=ruling.pk)


def lock_spans(ids):
    """Locks spans before their rulings. Every write that touches both takes the spans first
    (by id), then the rulings (by id): a span edit relinking a ruling and a ruling edit
    relinking the span wait for each other instead of deadlocking."""
    list(Annotation.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))


def ruling_bump(ruling, user, reason):
    """A new version of the ruling (its evidence changed): approvals of the old one lapse."""
    ruling = lock_ruling(ruling)
    ruling.version += 1
    ruling._history_user = user
    ruling._change_reason = reason
    ruling.save(update_fields=["version", "updated_at"])
