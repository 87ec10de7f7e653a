import sys
from pathlib import Path

import orjson
from django.core.management.base import BaseCommand
from django.db import transaction

from annotations import selectors

FIELDS = tuple(selectors.SPAN_OUTPUT_COLUMNS)
# Rows fetched per round trip of the server-side cursor: memory stays flat whatever the count.
CHUNK = 5000


class Command(BaseCommand):
    help = (
        "Writes every span (anchored and orphaned, with the slugs of all its rulings) as JSON "
        "Lines, in the API's field names and code-point offsets, to PATH or stdout. Streamed "
        "from a server-side cursor, so memory does not grow with the number of spans."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", type=Path, help="output file (default: stdout)")

    def handle(self, *args, path=None, **options):
        out = path.open("wb") if path else sys.stdout.buffer
        count = 0
        try:
            # Inside a transaction the cursor is a plain one; in autocommit Django declares it
            # WITH HOLD, which makes PostgreSQL materialise the whole result first.
            with transaction.atomic():
                for row in selectors.span_export_rows().iterator(chunk_size=CHUNK):
                    out.write(orjson.dumps(dict(zip(FIELDS, row, strict=True))) + b"\n")
                    count += 1
        finally:
            if path:
                out.close()
            else:
                out.flush()
        self.stderr.write(f"Exported {count:,} spans.")
