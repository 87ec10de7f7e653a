from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token


class Command(BaseCommand):
    help = (
        "Prints a user's API token (`Authorization: Token <key>`), creating it if needed. "
        "--rotate replaces it (the old key stops working at once); --revoke deletes it. "
        "A user has at most one token, so revoking is one step and leaves nothing behind."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--rotate", action="store_true")
        group.add_argument("--revoke", action="store_true")

    def handle(self, *args, username, rotate, revoke, **options):
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user {username!r}.") from None
        if revoke or rotate:
            deleted, _ = Token.objects.filter(user=user).delete()
            if revoke:
                self.stdout.write(f"revoked {deleted} token(s) of {username}")
                return
        if not user.is_active:
            raise CommandError(f"User {username!r} is inactive; a token would not work.")
        token, _ = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)
