"""Import of register rows from CSV, JSON and Excel (XLSX) files, shared by every app.

``ModelImporter`` describes how one register is imported (columns, converters, the service calls that
write a row); ``register_importer`` makes it available to the import page and the import API endpoint.
See ``aims.imports.engine`` for how a file is previewed and written.
"""

from aims.imports.converters import (
    Boolean,
    CellError,
    Choice,
    ChoiceList,
    Converter,
    Date,
    Integer,
    Member,
    Related,
    RelatedMany,
    Text,
    TextList,
)
from aims.imports.engine import ImportColumn, ModelImporter
from aims.imports.parsing import CSV, FORMATS, JSON, XLSX, ImportFileError, detect_format, max_bytes, too_large_message
from aims.imports.report import (
    ALL,
    CREATE,
    ERROR,
    MODES,
    OUTCOMES,
    UNCHANGED,
    UPDATE,
    VALID,
    ImportReport,
    RowResult,
)

_IMPORTERS: dict[str, ModelImporter] = {}


def register_importer(importer: ModelImporter) -> None:
    """Offer ``importer`` on the import page and API (call from ``AppConfig.ready``)."""
    _IMPORTERS[importer.key] = importer


def importer_for(key: str) -> ModelImporter | None:
    return _IMPORTERS.get(key)


def all_importers() -> list[ModelImporter]:
    return list(_IMPORTERS.values())


__all__ = [
    "ALL",
    "CREATE",
    "CSV",
    "ERROR",
    "FORMATS",
    "JSON",
    "MODES",
    "OUTCOMES",
    "UNCHANGED",
    "UPDATE",
    "VALID",
    "XLSX",
    "Boolean",
    "CellError",
    "Choice",
    "ChoiceList",
    "Converter",
    "Date",
    "ImportColumn",
    "ImportFileError",
    "ImportReport",
    "Integer",
    "Member",
    "ModelImporter",
    "Related",
    "RelatedMany",
    "RowResult",
    "Text",
    "TextList",
    "all_importers",
    "detect_format",
    "importer_for",
    "max_bytes",
    "register_importer",
    "too_large_message",
]
