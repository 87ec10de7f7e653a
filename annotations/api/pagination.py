import re

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination

_PAGE_SIZE = re.compile(r"[0-9]{1,9}")


class Cursor(CursorPagination):
    """Cursor pagination (stable under inserts, constant cost for deep pages) on the primary key."""

    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = "id"
    cursor_query_description = (
        "The `next` or `previous` link of a page; anything else is 404 (Invalid cursor)."
    )

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        # ASCII digits only: int() would also take " 7", "+7", "7_0" and other scripts' digits,
        # none of which the document's `integer` allows.
        size = int(raw) if _PAGE_SIZE.fullmatch(raw) else 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {"page_size": [f"page_size must be a whole number from 1 to {self.max_page_size}."]}
            )
        return size

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters


class NewestFirst(Cursor):
    ordering = "-id"
