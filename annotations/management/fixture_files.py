"""Reading fixture files: their text, and where in a TOML file each entry stands (tomllib gives
values but no positions), so that an error names the file and line."""

import re
from pathlib import Path

from django.core.management.base import CommandError

TOML_TABLES = ("users", "rulings", "spans")


def read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise CommandError(f"{path}: not valid UTF-8 (byte offset {exc.start})") from None
    except OSError as exc:
        raise CommandError(f"{path}: cannot be read: {exc.strerror}") from None


class TomlLines:
    """Line numbers of the entries of a TOML file, found by scanning its raw text.

    tomllib gives values but no positions: the N-th `[[spans]]` header is the N-th span, and a
    span's errors point at its `quote =` line. If the scan disagrees with the parsed count (a
    header-like line inside a multi-line string, say) lines are left out rather than guessed.
    """

    def __init__(self, text: str, data: dict):
        self.lines = text.split("\n")
        self.headers = {}
        for table in TOML_TABLES:
            pattern = re.compile(rf"^\s*\[\[\s*{table}\s*\]\]\s*(#.*)?$")
            found = [n for n, line in enumerate(self.lines, 1) if pattern.match(line)]
            expected = data.get(table)
            if isinstance(expected, list) and len(found) == len(expected):
                self.headers[table] = found

    def header(self, table: str, index: int) -> int | None:
        found = self.headers.get(table)
        return found[index] if found else None

    def key(self, table: str, index: int, key: str) -> int | None:
        """The line of `key = ...` within the index-th table, else the table's header line."""
        start = self.header(table, index)
        if start is None:
            return None
        pattern = re.compile(rf"^\s*[\"']?{key}[\"']?\s*=")
        for number in range(start + 1, len(self.lines) + 1):
            line = self.lines[number - 1]
            if pattern.match(line):
                return number
            if line.lstrip().startswith("["):
                break
        return start


def file_line(path, line):
    return f"{path}:{line}" if line is not None else str(path)
