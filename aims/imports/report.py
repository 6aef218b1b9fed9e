"""What an import found and did: one result per row, and the counts."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _

CREATE, UPDATE, UNCHANGED, ERROR = "create", "update", "unchanged", "error"
OUTCOMES = (CREATE, UPDATE, UNCHANGED, ERROR)
ALL, VALID = "all", "valid"
MODES = (ALL, VALID)
NON_FIELD = "non_field_errors"


@dataclass
class RowResult:
    line: int
    reference: str = ""
    outcome: str = ERROR
    errors: dict[str, list[str]] = field(default_factory=dict)
    changes: list[str] = field(default_factory=list)
    data: dict = field(default_factory=dict, repr=False)  # converted values the service receives
    obj: object = field(default=None, repr=False)  # the existing record, for updates

    def add_error(self, name: str, message: str) -> None:
        messages = self.errors.setdefault(NON_FIELD if name == "__all__" else name, [])
        if message not in messages:
            messages.append(message)

    def as_dict(self) -> dict:
        return {
            "line": self.line,
            "reference": self.reference,
            "outcome": self.outcome,
            "errors": self.errors,
            "changes": self.changes,
        }


@dataclass
class ImportReport:
    register: str
    format: str
    dry_run: bool
    mode: str
    columns: dict[str, str]  # field → header, for the columns the file has
    rows: list[RowResult]
    warnings: list[str] = field(default_factory=list)
    written: bool = False
    created: int = 0
    updated: int = 0

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(OUTCOMES, 0)
        for row in self.rows:
            counts[row.outcome] += 1
        return {"total": len(self.rows), **counts}

    @property
    def valid_count(self) -> int:
        return len(self.rows) - self.counts[ERROR]

    @property
    def to_write(self) -> int:
        counts = self.counts
        return counts[CREATE] + counts[UPDATE]

    def rows_errors_first(self) -> list[RowResult]:
        return sorted(self.rows, key=lambda row: (row.outcome != ERROR, row.line))

    def as_dict(self) -> dict:
        return {
            "register": self.register,
            "format": self.format,
            "dry_run": self.dry_run,
            "mode": self.mode,
            "written": self.written,
            "created": self.created,
            "updated": self.updated,
            "counts": self.counts,
            "warnings": self.warnings,
            "columns": self.columns,
            "rows": [row.as_dict() for row in self.rows],
        }


def error_dict(exc: Exception) -> dict[str, list[str]]:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        return {(NON_FIELD if k == "__all__" else k): list(v) for k, v in exc.message_dict.items()}
    if isinstance(exc, ValidationError):
        return {NON_FIELD: list(exc.messages)}
    if isinstance(exc, IntegrityError):
        return {NON_FIELD: [_("The row conflicts with an existing record (a reference already in use).")]}
    return {NON_FIELD: [str(exc) or _("You may not make this change.")]}
