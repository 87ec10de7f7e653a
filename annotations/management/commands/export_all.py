import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from annotations import backup

# The desk's models, for tests that look at them (what a backup holds: backup.exported_models).
MODELS = backup.DESK_MODELS


class _Stream:
    """self.stdout as a plain text stream: OutputWrapper would end every fragment the JSON
    encoder writes with a newline."""

    def __init__(self, wrapper):
        self.wrapper = wrapper

    def write(self, text):
        self.wrapper.write(text, ending="")


class Command(BaseCommand):
    help = (
        "Writes the desk (articles, spans, links, rulings, reviews and the whole history of "
        "each) and everything it refers to (users, groups with their permissions, memberships, "
        "the admin's log) as JSON Lines to PATH or stdout, for import_all to restore into "
        "another installation. No password hashes or API token keys unless --with-secrets. "
        "A backup of this installation's database is pg_dump's job (README, Operations)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", type=Path, help="output file (default: stdout)")
        parser.add_argument(
            "--with-secrets",
            action="store_true",
            help="also write password hashes and API token keys, so that people log in and API "
            "clients keep working after the restore; PATH is then created mode 600",
        )

    def handle(self, *args, path=None, with_secrets=False, **options):
        if path is None:
            if with_secrets:
                raise CommandError(
                    "--with-secrets writes password hashes and API token keys: give a PATH, "
                    "so that the file is created readable by its owner only (mode 600), "
                    "instead of writing them to stdout"
                )
            counts = backup.write(_Stream(self.stdout), with_secrets=False)
        else:
            try:
                tmp, out = backup.open_for_writing(path, private=with_secrets)
            except OSError as exc:
                raise CommandError(f"{path}: {exc.strerror}") from None
            try:
                with out:
                    counts = backup.write(out, with_secrets=with_secrets)
                os.replace(tmp, path)
            except OSError as exc:
                tmp.unlink(missing_ok=True)
                raise CommandError(
                    f"{path}: {exc.strerror or exc}; nothing was written there (an earlier "
                    "file of that name is as it was)"
                ) from None
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
        summary = ", ".join(f"{n} {label}" for label, n in counts.items())
        self.stderr.write(f"exported {summary}")
        if with_secrets:
            self.stderr.write(
                f"{path} holds password hashes and API token keys and is readable by its "
                "owner only (mode 600): keep it like a password",
            )
        else:
            self.stderr.write(
                "no password hashes or API token keys (--with-secrets adds them): restored "
                "users will need new passwords, and API clients new tokens",
            )
