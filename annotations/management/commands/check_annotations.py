from django.core.management.base import BaseCommand, CommandError

from annotations import selectors


class Command(BaseCommand):
    help = (
        "Reports every anchored span whose stored quote is not the article text at its offsets "
        "(body[start:end]). There never should be one: the services keep them equal, and "
        "re-anchoring orphans a span rather than leave it pointing at other text."
    )

    def handle(self, *args, **options):
        bad = list(selectors.spans_out_of_sync())
        for row in bad:
            self.stderr.write(
                f"span {row.id} in {row.article_slug}: {row.start}-{row.end} has "
                f"{row.actual!r}, stored quote {row.quote!r}"
            )
        if bad:
            raise CommandError(f"{len(bad)} span(s) out of sync with their article text")
        self.stdout.write("All anchored spans match their article text.")
