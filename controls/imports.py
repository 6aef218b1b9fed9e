"""Reading a CSV of requirements (identifier, title, parent identifier, guidance) with per-line errors.

Nothing here writes: ``parse_requirements_csv`` turns the bytes into rows, each with the line it starts
on, and lists what is wrong with each line; ``controls.services.requirements_import`` applies the rows
when there is nothing wrong at all (all or nothing, so a file is never half-imported).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.utils.text import capfirst
from django.utils.translation import gettext

from controls.constants import RequirementKind

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
COLUMNS = ("identifier", "title", "parent", "guidance", "kind", "assessable")
REQUIRED = ("identifier", "title")
# Header spellings accepted for each column (compared lower-case, with spaces, hyphens and underscores equal).
ALIASES = {
    "identifier": "identifier",
    "id": "identifier",
    "ref": "identifier",
    "title": "title",
    "name": "title",
    "parent": "parent",
    "parent identifier": "parent",
    "parent id": "parent",
    "guidance": "guidance",
    "description": "guidance",
    "kind": "kind",
    "type": "kind",
    "assessable": "assessable",
}
TRUE = {"yes", "y", "true", "1"}
FALSE = {"no", "n", "false", "0"}
TEMPLATE = "identifier,title,parent identifier,guidance\nQ1,Data protection,,Questions about personal data.\n"


@dataclass
class CsvRow:
    line: int
    identifier: str
    title: str
    parent: str
    guidance: str
    kind: str
    assessable: bool | None


@dataclass
class ParsedCsv:
    rows: list[CsvRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message); line 0 = the file
    columns: set[str] = field(default_factory=set)


def _header_key(text: str) -> str:
    cleaned = " ".join(text.replace("_", " ").replace("-", " ").lower().split())
    return ALIASES.get(cleaned, "")


def _clean(value: str) -> str:
    value = (value or "").strip()
    # Our exports prefix formula characters with a quote so spreadsheets do not run them; take it off.
    # (aims.exports also writes a lone quote for an empty cell.)
    if value == "'":
        return ""
    return value[1:] if value[:2] in ("'=", "'+", "'-", "'@") else value


def parse_requirements_csv(content: bytes) -> ParsedCsv:
    """Rows and per-line errors of an uploaded CSV (UTF-8, comma, semicolon or tab separated)."""
    parsed = ParsedCsv()
    if len(content) > MAX_BYTES:
        parsed.errors.append(
            (0, gettext("The file is larger than %(size)s MB; split it.") % {"size": MAX_BYTES // (1024 * 1024)})
        )
        return parsed
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        parsed.errors.append((0, gettext("The file is not UTF-8 text: save it as “CSV UTF-8” and upload it again.")))
        return parsed
    if not text.strip():
        parsed.errors.append((0, gettext("The file is empty.")))
        return parsed
    first_line = text.splitlines()[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except csv.Error as exc:
        parsed.errors.append((1, gettext("The header line cannot be read: %(error)s.") % {"error": exc}))
        return parsed
    columns = [_header_key(name) for name in header]
    unknown = [name for name, key in zip(header, columns, strict=True) if not key and name.strip()]
    missing = [name for name in REQUIRED if name not in columns]
    if unknown:
        parsed.errors.append(
            (
                1,
                gettext("Unknown column(s): %(columns)s. Use: identifier, title, parent identifier, guidance.")
                % {"columns": ", ".join(unknown)},
            )
        )
    if missing:
        parsed.errors.append((1, gettext("Missing column(s): %(columns)s.") % {"columns": ", ".join(missing)}))
    if unknown or missing:
        return parsed
    kinds = {choice.value for choice in RequirementKind}
    parsed.columns = set(columns)
    line = reader.line_num + 1
    try:
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            if len(parsed.rows) >= MAX_ROWS:
                parsed.errors.append(
                    (start, gettext("More than %(count)s rows: split the file.") % {"count": MAX_ROWS})
                )
                break
            if len(cells) > len(columns):
                parsed.errors.append(
                    (
                        start,
                        gettext("%(cells)s cells but %(columns)s columns: check the quoting.")
                        % {"cells": len(cells), "columns": len(columns)},
                    )
                )
                continue
            values = {key: _clean(cell) for key, cell in zip(columns, cells, strict=False) if key}
            problems = []
            if not values.get("identifier"):
                problems.append(gettext("the identifier is empty"))
            elif len(values["identifier"]) > 100:
                problems.append(gettext("the identifier is longer than 100 characters"))
            if not values.get("title"):
                problems.append(gettext("the title is empty"))
            elif len(values["title"]) > 300:
                problems.append(gettext("the title is longer than 300 characters"))
            kind = values.get("kind", "").lower().replace(" ", "_")
            if kind and kind not in kinds:
                problems.append(
                    gettext("the kind “%(kind)s” is not one of %(kinds)s")
                    % {"kind": values["kind"], "kinds": ", ".join(sorted(kinds))}
                )
            raw_assessable = values.get("assessable", "").lower()
            assessable = True if raw_assessable in TRUE else False if raw_assessable in FALSE else None
            if raw_assessable and assessable is None:
                problems.append(gettext("assessable must be yes or no"))
            if problems:
                parsed.errors.append((start, capfirst("; ".join(problems)) + "."))
                continue
            parsed.rows.append(
                CsvRow(
                    line=start,
                    identifier=values["identifier"],
                    title=values["title"],
                    parent=values.get("parent", ""),
                    guidance=values.get("guidance", ""),
                    kind=kind,
                    assessable=assessable,
                )
            )
    except csv.Error as exc:
        parsed.errors.append((line, gettext("This line cannot be read: %(error)s.") % {"error": exc}))
    return parsed
