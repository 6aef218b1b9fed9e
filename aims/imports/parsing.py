"""Reading an uploaded CSV, JSON or Excel (XLSX) file into rows, within limits, with errors a person can act on.

Nothing here knows about registers: it turns bytes into ``SourceFile`` (headers and rows with their line
numbers) or raises ``ImportFileError`` saying what is wrong with the file as a whole and how to fix it.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

CSV = "csv"
JSON = "json"
XLSX = "xlsx"
FORMATS = (CSV, JSON, XLSX)
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The CSV export prefixes these with a quote so spreadsheets do not run them as formulas; we take it off again.
_NEUTRALISED = ("'=", "'+", "'-", "'@", "'\t", "'\r")


class ImportFileError(Exception):
    """The file as a whole cannot be read (size, encoding, format, shape). The message says what to do."""


def max_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_BYTES", 5 * 1024 * 1024))


def max_rows() -> int:
    return int(getattr(settings, "IMPORT_MAX_ROWS", 20_000))


def _size_text(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB" if size >= 1024 * 1024 else f"{size / 1024:g} KB"


def too_large_message() -> str:
    return _("The file is larger than %(size)s: split it into smaller files.") % {"size": _size_text(max_bytes())}


@dataclass
class SourceRow:
    """One data row. ``line``: the CSV line it starts on (the header is line 1), or the JSON item's position."""

    line: int
    cells: dict[str, object]
    problem: str = ""  # a defect of the row as a whole (more cells than headers, not an object)


@dataclass
class SourceFile:
    format: str
    headers: list[str]
    rows: list[SourceRow] = field(default_factory=list)


def detect_format(filename: str = "", content_type: str = "", content: bytes = b"") -> str:
    """CSV, JSON or XLSX, from the file name, else the content type, else the first bytes."""
    name = (filename or "").lower()
    if name.endswith(".json"):
        return JSON
    if name.endswith(".xlsx"):
        return XLSX
    if name.endswith((".csv", ".tsv", ".txt")):
        return CSV
    media = (content_type or "").split(";")[0].strip().lower()
    if media in ("application/json", "text/json"):
        return JSON
    if media == XLSX_MEDIA_TYPE:
        return XLSX
    if media in ("text/csv", "application/csv", "text/plain", "text/tab-separated-values"):
        return CSV
    if content.startswith(b"PK\x03\x04"):
        return XLSX
    head = content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return JSON if head in (b"[", b"{") else CSV


def read_source(content: bytes, fmt: str) -> SourceFile:
    """Decode and split ``content``; raises ``ImportFileError`` for anything that is not a readable table."""
    if fmt not in FORMATS:
        raise ImportFileError(_("Upload a CSV, JSON or Excel (.xlsx) file."))
    if len(content) > max_bytes():
        raise ImportFileError(too_large_message())
    if fmt == XLSX:
        return _read_xlsx(content)
    if content.startswith(b"PK\x03\x04"):
        raise ImportFileError(_("This is an Excel workbook or a ZIP archive: upload it as an .xlsx file."))
    text = _decode(content)
    if not text.strip():
        raise ImportFileError(_("The file is empty."))
    if "\x00" in text:
        raise ImportFileError(_("The file contains binary data: upload a CSV (UTF-8) or a JSON file."))
    return _read_json(text) if fmt == JSON else _read_csv(text)


def _decode(content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError(
            _("The file is UTF-16 text: save it as UTF-8 (in Excel: “CSV UTF-8”) and upload it again.")
        )
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            _(
                "The file is not UTF-8 text (the byte at position %(position)s cannot be read). "
                "Save it with the UTF-8 encoding (in Excel: “CSV UTF-8”) and upload it again."
            )
            % {"position": exc.start}
        ) from None


def _unneutralise(cell: str) -> str:
    # A lone quote is how the CSV export has written empty cells: read it as empty.
    return cell[1:] if cell.startswith(_NEUTRALISED) or cell == "'" else cell


def _read_csv(text: str) -> SourceFile:
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)  # Excel in some locales writes ";"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    limit = max_rows()
    try:
        headers = [h.strip() for h in next(reader)]
        _check_headers(headers)
        source = SourceFile(format=CSV, headers=headers)
        start = reader.line_num + 1
        for record in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            if len(source.rows) >= limit:
                raise ImportFileError(
                    _("The file has more than %(rows)s rows: split it into smaller files.") % {"rows": f"{limit:,}"}
                )
            row = SourceRow(line=line, cells={})
            for index, header in enumerate(headers):
                row.cells[header] = _unneutralise(record[index]) if index < len(record) else ""
            if any(cell.strip() for cell in record[len(headers) :]):
                row.problem = _("This row has %(cells)s cells but the header names %(columns)s columns.") % {
                    "cells": len(record),
                    "columns": len(headers),
                }
            source.rows.append(row)
    except csv.Error as exc:
        raise ImportFileError(
            _("Line %(line)s: the CSV cannot be read (%(error)s).") % {"line": reader.line_num, "error": exc}
        ) from None
    if not source.rows:
        raise ImportFileError(_("The file has a header line but no rows."))
    return source


def _check_headers(headers: list[str]) -> None:
    if not any(headers):
        raise ImportFileError(_("The first line must name the columns (use the template)."))
    seen: set[str] = set()
    for header in headers:
        key = header.lower()
        if key and key in seen:
            raise ImportFileError(_("The column “%(header)s” appears twice.") % {"header": header})
        seen.add(key)


def _read_json(text: str) -> SourceFile:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            _("The JSON cannot be read: %(error)s (line %(line)s, column %(column)s).")
            % {"error": exc.msg, "line": exc.lineno, "column": exc.colno}
        ) from None
    except RecursionError:
        raise ImportFileError(_("The JSON is nested too deeply: give a list of objects, one per row.")) from None
    if isinstance(data, dict) and isinstance(data.get("rows"), list):
        data = data["rows"]
    if not isinstance(data, list):
        raise ImportFileError(_("The JSON must be a list of objects, one per row (as the JSON export writes them)."))
    if len(data) > max_rows():
        raise ImportFileError(
            _("The file has more than %(rows)s rows: split it into smaller files.") % {"rows": f"{max_rows():,}"}
        )
    if not data:
        raise ImportFileError(_("The file has no rows."))
    headers: dict[str, None] = {}
    source = SourceFile(format=JSON, headers=[])
    for position, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            source.rows.append(SourceRow(line=position, cells={}, problem=_("This item is not an object of columns.")))
            continue
        cells = {str(key).strip(): value for key, value in item.items()}
        headers.update(dict.fromkeys(cells))
        source.rows.append(SourceRow(line=position, cells=cells))
    source.headers = list(headers)  # items may differ: one may say "name", another "Name"
    return source


def _xlsx_cell(value):
    """A worksheet value as the CSV reader would give it: text, with dates as YYYY-MM-DD."""
    import datetime as dt

    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return _unneutralise(str(value))


def _read_xlsx(content: bytes) -> SourceFile:
    """The first worksheet of an Excel workbook, laid out like the XLSX export: a header row, then rows.
    ``line`` is the worksheet's row number, so errors point at the row a person sees in Excel."""
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise ImportFileError(
            _("The Excel workbook cannot be read (%(error)s): save it as .xlsx again.") % {"error": type(exc).__name__}
        ) from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise ImportFileError(_("The workbook has no worksheet."))
        limit = max_rows()
        rows = sheet.iter_rows(values_only=True)
        header_row = next(rows, None)
        if header_row is None:
            raise ImportFileError(_("The worksheet is empty."))
        headers = [_xlsx_cell(h).strip() for h in header_row]
        while headers and not headers[-1]:
            headers.pop()
        _check_headers(headers)
        source = SourceFile(format=XLSX, headers=headers)
        for number, record in enumerate(rows, start=2):
            cells = [_xlsx_cell(value) for value in record]
            if not any(cell.strip() for cell in cells):
                continue
            if len(source.rows) >= limit:
                raise ImportFileError(
                    _("The worksheet has more than %(rows)s rows: split it into smaller files.")
                    % {"rows": f"{limit:,}"}
                )
            row = SourceRow(line=number, cells={})
            for index, header in enumerate(headers):
                if header:
                    row.cells[header] = cells[index] if index < len(cells) else ""
            if any(cell.strip() for cell in cells[len(headers) :]):
                row.problem = _("This row has values beyond the %(columns)s named columns.") % {"columns": len(headers)}
            source.rows.append(row)
    finally:
        workbook.close()
    if not source.rows:
        raise ImportFileError(_("The worksheet has a header row but no rows."))
    return source
