from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from annotations import backup


class Command(BaseCommand):
    help = (
        "Restores an export_all file into a database that holds no desk data yet (a freshly "
        "migrated one; it never merges into live data). All or nothing: one transaction, and a "
        "bad record is reported by line, model, key, field and reason. Users and groups that "
        "exist already are matched by name (existing users keep their passwords); restored "
        "users without a password in the file are listed with how to set one."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        try:
            file = path.open("rb")
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from None
        with file:
            try:
                result = backup.restore(file)
            except backup.RestoreError as exc:
                reason = str(exc).rstrip(".")
                raise CommandError(f"{path}: {reason}. Nothing was imported.") from None
        counts = ", ".join(f"{n} {label}" for label, n in result.counts.items())
        self.stdout.write(f"restored {counts or 'nothing'}")
        for line in instructions(result):
            self.stdout.write(line, style_func=self.style.WARNING)


def instructions(result: backup.Restored) -> list[str]:
    """What an operator must do before people can work: the accounts that cannot log in."""
    lines = []
    if result.locked_out:
        why = (
            "no usable password in the backup either"
            if result.with_secrets
            else "the file holds no passwords, as export_all writes none without --with-secrets"
        )
        count = len(result.locked_out)
        lines.append(
            f"{count} restored {'user' if count == 1 else 'users'} cannot log in until a "
            f"password is set ({why}):"
        )
        if result.demo_accounts:
            lines.append(
                f"  {', '.join(result.demo_accounts)} (demo accounts): new passwords with "
                "manage.py create_demo_users --credentials-file .local/demo-accounts.txt"
            )
        for username in result.locked_out:
            if username not in result.demo_accounts:
                lines.append(f"  {username}: manage.py changepassword {username}")
    if result.counts and not result.with_secrets:
        lines.append(
            "API tokens are not in a file without secrets: each API client needs a new one "
            "(manage.py api_token USERNAME)."
        )
        lines.append(
            "Nor are webhook endpoints (each holds its receiver's signing secret): register "
            "them again in the admin."
        )
    return lines
