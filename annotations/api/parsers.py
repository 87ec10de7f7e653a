from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser as DRFJSONParser


class JSONParser(DRFJSONParser):
    """DRF's parser, but JSON nested deeper than Python's recursion limit is a 400, not a 500,
    and a number too long to convert says so instead of advising a Python setting."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None
        except ParseError as exc:
            if "integer string conversion" in str(exc.detail):
                raise ParseError("JSON parse error - a number has too many digits.") from None
            raise
