"""Streaming CSV reading for CRM exports: encoding detection, rows with line numbers, values.

Files are read row by row through the ``csv`` module, so memory stays constant however long
the export is; a byte counter lets the caller drive a progress bar.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from dealgraph.errors import ImportFailed

CHUNK = 1 << 16
FALLBACK_ENCODING = "cp1252"


class RowError(Exception):
    """A value in one row cannot be read; ``column`` names the CSV column."""

    def __init__(self, message: str, *, column: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


@dataclass(frozen=True)
class CsvRow:
    """One data row: its 1-based line in the file and its values by column name."""

    line: int
    values: dict[str, str]

    def get(self, column: str | None) -> str:
        """The stripped value of ``column`` ('' when the column is absent or not mapped)."""
        if column is None:
            return ""
        return (self.values.get(column) or "").strip()


def detect_encoding(path: Path) -> str:
    """'utf-8-sig' when the file has a BOM, 'utf-8' when it decodes strictly, else cp1252.

    Windows-1252 decodes almost any byte, so it is the fallback rather than a guess.
    """
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    with _open_binary(path) as handle:
        first = handle.read(CHUNK)
        if first.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        chunk = first
        try:
            while chunk:
                decoder.decode(chunk)
                chunk = handle.read(CHUNK)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return FALLBACK_ENCODING
    return "utf-8"


def check_encoding(encoding: str) -> str:
    """The codec's canonical name; ImportFailed for an unknown encoding."""
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise ImportFailed(f"unknown encoding {encoding!r}", where="--encoding") from None


class _CountingReader(io.RawIOBase):
    """A binary file that reports how many bytes have been read (for a progress bar)."""

    def __init__(self, raw: io.BufferedReader, on_bytes: Callable[[int], None] | None) -> None:
        self._raw = raw
        self._on_bytes = on_bytes

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        if self._on_bytes is not None and data:
            self._on_bytes(len(data))
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()


def _open_binary(path: Path) -> io.BufferedReader:
    try:
        return path.open("rb")
    except OSError as error:
        raise ImportFailed(f"cannot read the file: {error.strerror}", where=str(path)) from None


def read_rows(
    path: Path,
    *,
    encoding: str,
    required: tuple[str, ...] = (),
    on_bytes: Callable[[int], None] | None = None,
) -> Iterator[CsvRow]:
    """Yield the data rows of a CSV file with a header, one at a time.

    Raises ImportFailed naming the file when a ``required`` column is missing from the header,
    and naming the line when the text is not in ``encoding`` or the CSV is malformed.
    """
    raw = io.BufferedReader(_CountingReader(_open_binary(path), on_bytes), CHUNK)
    with io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline="") as text:
        reader = csv.reader(text, strict=True)
        try:
            header = [name.strip() for name in next(reader, [])]
            missing = [name for name in required if name not in header]
            if missing:
                raise ImportFailed(
                    f"missing column(s) {', '.join(missing)}; the header has "
                    f"{', '.join(header) or 'nothing'}",
                    where=f"{path}:1",
                )
            for values in reader:
                if not any(value.strip() for value in values):
                    continue  # blank lines in exports carry nothing
                if len(values) != len(header):
                    raise ImportFailed(
                        f"{len(values)} values for {len(header)} columns",
                        where=f"{path}:{reader.line_num}",
                    )
                yield CsvRow(reader.line_num, dict(zip(header, values, strict=True)))
        except UnicodeDecodeError as error:
            # Text is decoded in chunks, so the failing line is only known to come later.
            raise ImportFailed(
                f"not {encoding} text after line {reader.line_num} ({error.reason}); "
                "pass --encoding",
                where=str(path),
            ) from None
        except csv.Error as error:
            raise ImportFailed(f"bad CSV: {error}", where=f"{path}:{reader.line_num}") from None


def parse_datetime(text: str, *, column: str | None, date_format: str | None = None) -> datetime:
    """An ISO date or date-time (or ``date_format``) as a naive UTC datetime."""
    try:
        if date_format:
            value = datetime.strptime(text, date_format)
        else:
            value = datetime.fromisoformat(text)
    except ValueError:
        expected = date_format or "an ISO date such as 2024-03-01 or 2024-03-01T10:00:00Z"
        raise RowError(f"{text!r} is not a date ({expected})", column=column) from None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def parse_date(text: str, *, column: str | None, date_format: str | None = None) -> date:
    """A date (a date-time keeps its day)."""
    return parse_datetime(text, column=column, date_format=date_format).date()


def parse_amount(text: str, *, column: str | None) -> float:
    """A non-negative amount; thousands separators (commas) are allowed."""
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        raise RowError(f"{text!r} is not a number", column=column) from None
    if value < 0 or value != value:
        raise RowError(f"{text!r} is not an amount of 0 or more", column=column)
    return value


def parse_flag(text: str, *, column: str | None) -> bool:
    """A CRM boolean: true/false, 1/0, yes/no (any case)."""
    lowered = text.lower()
    if lowered in {"true", "1", "yes", "y"}:
        return True
    if lowered in {"false", "0", "no", "n", ""}:
        return False
    raise RowError(f"{text!r} is not true or false", column=column)
