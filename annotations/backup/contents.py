"""What a backup holds: every model of the desk and what its rows refer to, and what is
left out (with the reason)."""

from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token

from annotations.models import (
    Annotation,
    AnnotationRuling,
    Article,
    DismissedSuggestion,
    Review,
    Ruling,
    WebhookDelivery,
    WebhookEndpoint,
)

# The desk's own data; each has a history model holding every change to it.
DESK_MODELS = [Article, Ruling, Annotation, AnnotationRuling, Review]


def exported_models():
    """Every model a backup holds, in file order: a row comes after the rows it names by natural
    key (import_all looks those up as it reads each line). References by id (a span's article, a
    ruling's predecessor) may point forward: they are checked once every line is in."""
    return [
        Group,  # by name, with its permissions by natural key
        get_user_model(),  # by username, with groups and own permissions; password: secrets only
        Token,  # secrets only: the key is the credential
        *DESK_MODELS,
        *(model.history.model for model in DESK_MODELS),
        # Suggestions the desk dismissed (claim matching): without them a restored desk would
        # be offered every dismissed suggestion again. No history of their own.
        DismissedSuggestion,
        # Where the desk's webhooks go: secrets only, as each carries the key its receiver
        # checks signatures with (restored, receivers keep working unchanged).
        WebhookEndpoint,
        # What was sent to them and how they answered: with its endpoints (secrets only).
        WebhookDelivery,
        # The admin's log of its own changes: the only history of users, groups and tokens.
        LogEntry,
    ]


# Installed models whose rows a backup deliberately does not hold, and why. (The task queue's
# tables, procrastinate's unmanaged models, are not a backup's either: its jobs are this
# installation's webhook attempts, and a restored desk starts with an empty queue.)
LEFT_OUT = {
    "contenttypes.ContentType": (
        "made by `migrate` in every installation, with ids of its own; a row that refers to a "
        "content type (an admin log entry) names it by app label and model"
    ),
    "auth.Permission": (
        "made by `migrate` in every installation, with ids of its own; groups and users name "
        "their permissions by codename, app label and model"
    ),
    "sessions.Session": (
        "logins to this installation: credentials signed with its SECRET_KEY, useless and "
        "dangerous anywhere else; people log in again after a move"
    ),
    "axes.AccessAttempt": (
        "failed-login counts and lockouts of this installation (django-axes): they expire by "
        "themselves (AXES_COOLOFF_MINUTES), and carried over would lock people out of the new one"
    ),
    "axes.AccessAttemptExpiration": "when each of those lockouts expires (see axes.AccessAttempt)",
    "axes.AccessLog": (
        "this installation's security log of logins (addresses, browsers): about the old "
        "host, not the desk's work; kept with that host's logs"
    ),
    "axes.AccessFailureLog": "the same log of failed logins (see axes.AccessLog)",
}

# Fields written only by `export_all --with-secrets`.
SECRET_FIELDS = {"auth.User": {"password"}}
SECRET_MODELS = {"authtoken.Token", "annotations.WebhookEndpoint", "annotations.WebhookDelivery"}
# An admin log entry about a token names it by its key (Token.__str__): blanked without secrets.
TOKEN_MODELS = {"authtoken.token", "authtoken.tokenproxy"}  # content type natural keys, joined
WITHHELD = "(API token; its key is left out of backups without secrets)"


def table_models(model):
    """The tables a model's rows fill: its own and the auto-created ones of its many-to-many
    fields (a user's group memberships live in auth_user_groups)."""
    tables = [model]
    for f in model._meta.local_many_to_many:
        if f.remote_field.through._meta.auto_created:
            tables.append(f.remote_field.through)
    return tables
