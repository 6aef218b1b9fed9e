"""Spreadsheet round-trip: every register's XLSX export imports back unchanged; XLSX is read like CSV."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from aims.imports import ALL, XLSX, ImportFileError, all_importers, detect_format, importer_for
from integrations.spreadsheets import registers

pytestmark = pytest.mark.django_db

# Registers whose XLSX layout cannot be loaded back, with the reason (every other one must round-trip).
NOT_IMPORTABLE = {
    "registry:modelversion": "identified by model and version label, not a reference (the MLOps API upserts them)",
    "risk:criteria": "versioned settings edited through their own page, not a list of records",
    "controls:framework": "identified by key; requirements import from CSV or an OSCAL catalog",
    "controls:requirement": "rows of a framework: the framework's CSV import or an OSCAL catalog",
    "controls:mapping": "a link between two requirements, without a reference",
    "controls:policy": "versioned documents: the versions of a policy share its reference",
    "governance:roleassignment": "a link of a member to a role, without a reference",
    "reviews:task": "generated from each object's review cycle; completed in the workflow, not bulk-edited",
}


def _history_rows() -> int:
    return sum(m.objects.count() for m in apps.get_models() if m.__name__.startswith("Historical"))


def _xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def demo(seeded_demo):
    """Northwind (seeded once for the module) and its officer."""
    return seeded_demo.northwind, seeded_demo.users["officer"]


def test_every_register_with_a_list_page_imports_or_says_why_not():
    from django.urls import get_resolver

    from aims.crud import RegisterListView
    from integrations.spreadsheets import _walk_patterns

    importable = {importer.list_url_name.removesuffix("-list") for importer in all_importers()}
    for name, pattern in _walk_patterns(get_resolver().url_patterns):
        view = getattr(pattern.callback, "view_class", None)
        if name.endswith("-list") and isinstance(view, type) and issubclass(view, RegisterListView):
            base = name.removesuffix("-list")
            assert (base in importable) != (base in NOT_IMPORTABLE), base
    assert len(importable) >= 25


@pytest.mark.parametrize("language", ["en-gb", "de"])
def test_an_xlsx_round_trip_of_every_register_changes_nothing(demo, client_for, language):
    """Exports write choice labels in the reader's language; a German reader's file must load back unchanged."""
    organisation, officer = demo
    client = client_for(officer)
    checked = 0
    before = _history_rows()
    for importer in all_importers():
        response = client.get(reverse(importer.list_url_name), {"export": "xlsx"}, HTTP_ACCEPT_LANGUAGE=language)
        assert response["Content-Language"] == language, importer.key
        assert response.status_code == 200, importer.key
        content = response.content
        assert detect_format(f"{importer.key}.xlsx", "", content[:8]) == XLSX
        preview = importer.run(content, fmt=XLSX, actor=officer, organisation=organisation, dry_run=True)
        assert preview.counts["total"] > 0, f"{importer.key}: the demo data should have rows"
        changed = [
            (r.line, r.reference, r.outcome, r.errors, r.changes) for r in preview.rows if r.outcome != "unchanged"
        ]
        assert changed == [], importer.key
        assert preview.warnings == [], importer.key  # every export column is either read or known as read only
        written = importer.run(content, fmt=XLSX, actor=officer, organisation=organisation, dry_run=False, mode=ALL)
        assert written.counts["unchanged"] == written.counts["total"]
        checked += 1
    assert _history_rows() == before  # nothing was saved: no new history rows
    assert checked == len(all_importers()) >= 25


def test_an_edited_spreadsheet_updates_and_creates_through_the_services(demo, client_for):
    from governance.models import Competence

    organisation, officer = demo
    importer = importer_for("competences")
    exported = client_for(officer).get(reverse(importer.list_url_name), {"export": "xlsx"}).content
    sheet = load_workbook(io.BytesIO(exported)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    headers = rows[0]
    first = dict(zip(headers, rows[1], strict=True))
    first["Name"] = "Renamed in Excel"
    new = dict.fromkeys(headers, "")
    new.update({"Reference": "", "Name": "Prompt engineering"})
    content = _xlsx([headers, [first[h] for h in headers], [new[h] for h in headers]])

    preview = importer.run(content, fmt=XLSX, actor=officer, organisation=organisation, dry_run=True)
    assert [r.outcome for r in preview.rows] == ["update", "create"]
    assert preview.rows[0].changes == ["name"] and preview.rows[0].line == 2
    assert not Competence.objects.filter(name="Renamed in Excel").exists()  # a dry run writes nothing

    importer.run(content, fmt=XLSX, actor=officer, organisation=organisation, dry_run=False)
    renamed = Competence.objects.get(organisation=organisation, reference=first["Reference"])
    assert renamed.name == "Renamed in Excel"
    assert renamed.history.first().history_change_reason
    assert Competence.objects.filter(organisation=organisation, name="Prompt engineering").exists()


def test_bad_rows_are_reported_with_their_worksheet_row_and_nothing_is_written(demo):
    from audits.models import KPI

    organisation, officer = demo
    importer = importer_for("kpis")
    count = KPI.objects.count()
    content = _xlsx(
        [
            ["Reference", "Name", "Direction", "Target", "Owner"],
            ["", "Good KPI", "at_least", 5, "officer"],
            [],
            ["", "Bad direction", "sideways", "ten", "nobody"],
        ]
    )
    report = importer.run(content, fmt=XLSX, actor=officer, organisation=organisation, dry_run=False, mode=ALL)
    by_line = {r.line: r for r in report.rows}
    assert sorted(by_line) == [2, 4]  # the row numbers Excel shows (the empty row 3 is skipped)
    assert set(by_line[4].errors) >= {"direction", "target", "owner"}
    assert KPI.objects.count() == count


def test_excel_typed_cells_read_like_text(demo):
    import datetime as dt

    organisation, officer = demo
    importer = importer_for("context-issues")
    content = _xlsx(
        [["Reference", "Title", "Kind", "Next review"], ["CTX-900", 42, "internal", dt.datetime(2031, 5, 6)]]
    )
    report = importer.run(content, fmt=XLSX, actor=officer, organisation=organisation, dry_run=True)
    assert report.rows[0].outcome == "create", report.rows[0].errors


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04 not really a zip", "cannot be read"),
        (_xlsx([]), "empty"),
        (_xlsx([["Reference", "Name"]]), "no rows"),
        (_xlsx([["Name", "name"], ["a", "b"]]), "twice"),
    ],
)
def test_unreadable_workbooks_say_why(content, message):
    from aims.imports.parsing import read_source

    with pytest.raises(ImportFileError, match=message):
        read_source(content, XLSX)


def test_the_import_page_previews_an_xlsx_upload(demo, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    organisation, officer = demo
    content = _xlsx([["Reference", "Name"], ["", "From the import page"]])
    upload = SimpleUploadedFile("competences.xlsx", content, content_type="application/octet-stream")
    response = client_for(officer).post(reverse("registry:import"), {"register": "competences", "file": upload})
    assert response.status_code == 200
    assert "From the import page" in response.content.decode() or "create" in response.content.decode().lower()


def test_the_column_reference_is_up_to_date():
    call_command("spreadsheet_columns", "--check")


def test_registers_are_found_from_the_url_map():
    bases = {r.url_base for r in registers()}
    assert {"registry:aisystem", "risk:risk", "controls:control", "audits:nonconformity"} <= bases


def test_register_lists_offer_the_import_to_those_who_may_import(members, client_for):
    page = client_for(members["officer"]).get(reverse("risk:risk-list"))
    assert 'data-testid="import-link"' in page.content.decode() and "register=risks" in page.content.decode()
    page = client_for(members["viewer"]).get(reverse("risk:risk-list"))
    assert 'data-testid="import-link"' not in page.content.decode()
