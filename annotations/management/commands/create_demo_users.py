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


class Command(BaseCommand):
    help = (
        "Creates the demo accounts (annotator, editor, admin) with random passwords, prints them "
        "and keeps them in --credentials-file (never committed) so later runs print the same."
    )

    def add_arguments(self, parser):
        parser.add_argument("--credentials-file", type=Path, required=True)

    @transaction.atomic
    def handle(self, *args, credentials_file: Path, **options):
        known = {}
        if credentials_file.exists():
            for line in credentials_file.read_text().splitlines():
                name, _, password = line.partition(" ")
                known[name] = password
        User = get_user_model()
        lines = []
        for username, group, superuser in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            password = known.get(username)
            if user is None or password is None or not user.check_password(password):
                password = secrets.token_urlsafe(12)
                if user is None:
                    user = User(username=username)
                user.set_password(password)
            user.is_staff = True
            user.is_superuser = superuser
            user.save()
            if group:
                user.groups.add(Group.objects.get(name=group))
            lines.append(f"{username} {password}")
        credentials_file.parent.mkdir(parents=True, exist_ok=True)
        credentials_file.write_text("\n".join(lines) + "\n")
        credentials_file.chmod(0o600)
        self.stdout.write("Demo accounts (username password):")
        for line in lines:
            self.stdout.write(f"  {line}")
