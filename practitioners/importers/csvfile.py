"""Streaming CSV reading that survives real-world files.

- Reads the file line by line (constant memory, however large the file).
- Decodes each line as UTF-8; a line that is not valid UTF-8 is read as
  Windows-1252 (or Latin-1 for the five bytes cp1252 leaves undefined), and the
  first such line is reported once, with a count at the end.
- Reports, with the line number, rows whose field count differs from the header
  (e.g. a truncated last line) and rows the csv module cannot parse; the caller
  decides to skip them. Problems are handed to a callback as they happen, not
  collected, so memory stays constant.
- Counts bytes read so a progress bar can follow the file.
"""

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

# NPPES fields are short; a field this long means a broken file, not data.
csv.field_size_limit(1_000_000)

Report = Callable[[int | None, str], None]


class HeaderError(ValueError):
    """The file's first line is not the header we need. The message says what is missing."""


@dataclass
class DecodeStats:
    fallback_lines: int = 0
    first_fallback_line: int | None = None


def decode_line(raw: bytes) -> tuple[str, bool]:
    """(text, used_fallback). UTF-8 first; otherwise cp1252, whose gaps fall back to Latin-1."""
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), True
    except UnicodeDecodeError:
        return raw.decode("latin-1"), True


class StreamingCsv:
    """Iterate `(line_number, fields)` over a CSV file opened in binary mode.

    `line_number` is the physical line where the row starts (the header is line 1).
    """

    def __init__(
        self,
        stream: BinaryIO,
        *,
        report: Report,
        on_bytes: Callable[[int], None] | None = None,
    ) -> None:
        self._stream = stream
        self._report = report
        self._on_bytes = on_bytes
        self.decode = DecodeStats()
        self.skipped_rows = 0  # rows reported and skipped here (broken CSV, wrong field count)
        self._physical_line = 0
        self._reader = csv.reader(self._lines(), strict=False)
        try:
            header = next(self._reader)
        except StopIteration:
            raise HeaderError("The file is empty: no header line.") from None
        except csv.Error as exc:
            raise HeaderError(f"The header line cannot be read as CSV: {exc}.") from None
        self.header = [name.strip() for name in header]
        self._last_line = self._reader.line_num

    def _lines(self) -> Iterator[str]:
        first = True
        for raw in self._stream:
            self._physical_line += 1
            if self._on_bytes is not None:
                self._on_bytes(len(raw))
            if first and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            first = False
            text, fallback = decode_line(raw)
            if fallback:
                if self.decode.first_fallback_line is None:
                    self.decode.first_fallback_line = self._physical_line
                    self._report(
                        self._physical_line,
                        "not valid UTF-8; read as Windows-1252 (further such lines are counted in the summary).",
                    )
                self.decode.fallback_lines += 1
            yield text

    def rows(self, *, expected_fields: int | None = None) -> Iterator[tuple[int, list[str]]]:
        """Rows with exactly `expected_fields` fields (default: the header's); others are reported."""
        width = expected_fields or len(self.header)
        while True:
            start = self._last_line + 1
            try:
                fields = next(self._reader)
            except StopIteration:
                return
            except csv.Error as exc:
                self._last_line = self._reader.line_num
                self._report(start, f"cannot be read as CSV ({exc}); skipped.")
                self.skipped_rows += 1
                continue
            self._last_line = self._reader.line_num
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue  # blank line
            if len(fields) != width:
                hint = " (truncated?)" if len(fields) < width else ""
                self._report(start, f"has {len(fields)} fields, expected {width}{hint}; skipped.")
                self.skipped_rows += 1
                continue
            yield start, fields


def header_index(header: list[str], wanted: list[str]) -> dict[str, int]:
    """Column positions by name (case-insensitive); HeaderError naming every missing column."""
    positions = {name.strip().lower(): i for i, name in enumerate(header)}
    missing = [name for name in wanted if name.lower() not in positions]
    if missing:
        shown = ", ".join(f"“{name}”" for name in missing[:8])
        more = f" and {len(missing) - 8} more" if len(missing) > 8 else ""
        found = ", ".join(f"“{name}”" for name in header[:6])
        raise HeaderError(
            f"The header is missing {len(missing)} required column(s): {shown}{more}. "
            f"The file's header starts with: {found}."
        )
    return {name: positions[name.lower()] for name in wanted}
