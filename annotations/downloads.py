"""Files to download, shared by the API and the admin so both give the same bytes."""

from django.http import StreamingHttpResponse

from .standards import tables

# Rows read per round trip of the cursor: memory stays flat however many there are.
CSV_CHUNK = 2000
TABLES = {
    "spans": (tables.SPAN_COLUMNS, tables.span_record),
    "rulings": (tables.RULING_COLUMNS, tables.ruling_record),
}


def csv_download(rows, table: str, offsets=None) -> StreamingHttpResponse:
    """`rows` (selectors.span_rows or ruling_rows, filtered as the caller chose) as a CSV
    attachment named after `table`, streamed from one query, oldest first; `offsets` converts
    positions (api.serializers.Offsets), code points when None."""
    columns, record = TABLES[table]
    rows = rows.order_by("id").iterator(chunk_size=CSV_CHUNK)
    records = (record(row, offsets) if offsets else record(row) for row in rows)
    lines = tables.csv_lines(columns, records)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{table}.csv"'
    return response
