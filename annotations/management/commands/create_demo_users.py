import os
import secrets
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from annotations import roles

DEMO_USERS = [
    # username, group, superuser
    ("annotator", roles.ANNOTATORS, False),
    ("editor", roles.EDITORS, False),
    ("admin", None, True),
]
# Membership marks an account this command made: `make run` may point DATABASE_URL at a database
# with real people in it, and their passwords and rights are not the demo's to reset.
DEMO_GROUP = "demo accounts"


class Command(BaseCommand):
    help = (
        "Creates the demo accounts (annotator, editor, admin) with random passwords, prints them "
        "and keeps them in --credentials-file (never committed) so later runs print the same. "
        f"Only accounts this command made (group {DEMO_GROUP!r}, or whose password in the "
        "credentials file still works) are touched; an existing account of the same name is "
        "left alone and reported, unless --force makes it a demo account."
    )

    def add_arguments(self, parser):
        parser.add_argument("--credentials-file", type=Path, required=True)
        parser.add_argument(
            "--force",
            action="store_true",
            help="take over existing accounts named annotator/editor/admin: new passwords, "
            "demo rights (admin becomes a superuser)",
        )

    @transaction.atomic
    def handle(self, *args, credentials_file: Path, force: bool, **options):
        known = {}
        if credentials_file.exists():
            for line in credentials_file.read_text().splitlines():
                name, _, password = line.partition(" ")
                known[name] = password
        User = get_user_model()
        demo_group, _ = Group.objects.get_or_create(name=DEMO_GROUP)
        lines = []
        for username, group, superuser in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            password = known.get(username)
            works = user is not None and bool(password) and user.check_password(password)
            ours = user is None or works or user.groups.filter(pk=demo_group.pk).exists()
            if not ours and not force:
                self.stderr.write(
                    f"warning: user {username!r} already exists and was not made by this "
                    "command; left alone (--force makes it a demo account with a new password)"
                )
                continue
            if user is None:
                user = User(username=username)
            if not works:
                password = secrets.token_urlsafe(12)
                user.set_password(password)
            user.is_staff = True
            user.is_superuser = superuser
            user.save()
            user.groups.add(demo_group)
            if group:
                user.groups.add(Group.objects.get(name=group))
            lines.append(f"{username} {password}")
        credentials_file.parent.mkdir(parents=True, exist_ok=True)
        # Private from its first byte, not just after a chmod.
        fd = os.open(credentials_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write("".join(f"{line}\n" for line in lines))
        credentials_file.chmod(0o600)
        self.stdout.write("Demo accounts (username password):")
        for line in lines:
            self.stdout.write(f"  {line}")
