"""Import of AI systems, datasets and suppliers from CSV and JSON: preview, upsert, modes, limits, tenancy."""

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aims.imports import ALL, VALID, ImportFileError, importer_for
from aims.models import ReferenceCounter
from aims.permissions import forget_roles
from registry.models import AISystem, Dataset, Supplier
from registry.tests.factories import AISystemFactory, DatasetFactory, SupplierFactory

API = "/api/v1/imports/{}/"
HEADERS = [
    "Reference",
    "Name",
    "Business owner",
    "Criticality",
    "Suppliers",
    "Scope justification",
    "In scope",
    "AI techniques",
    "Deployment status",
    "Deployment date",
    "Tags",
]


def csv_bytes(rows, headers=HEADERS, *, bom=True) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=headers)
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" if bom else "").encode() + buffer.getvalue().encode("utf-8")


def system_row(number: int, **overrides) -> dict:
    row = {
        "Reference": f"AIS-{number:04d}",
        "Name": f"Imported system {number}",
        "Business owner": "officer-acme",
        "Criticality": "high" if number % 2 else "Medium",  # a key or a label
        "Suppliers": "SUP-001",
        "Scope justification": "Part of the claims process.",
        "In scope": "yes" if number % 3 else "no",
        "AI techniques": "machine_learning, generative",
        "Deployment status": "In production",
        "Deployment date": "2024-05-01",
        "Tags": "claims, triage",
    }
    row.update(overrides)
    return row


BAD_LINES = {11: "criticality", 501: "business_owner", 1000: "suppliers"}


def thousand_rows_with_three_bad() -> bytes:
    rows = []
    for number in range(1, 1001):
        line = number + 1  # the header is line 1
        if line == 11:
            rows.append(system_row(number, Criticality="extreme"))
        elif line == 501:
            rows.append(system_row(number, **{"Business owner": "nobody"}))
        elif line == 1000:
            rows.append(system_row(number, Suppliers="SUP-001, SUP-404"))
        else:
            rows.append(system_row(number))
    return csv_bytes(rows)


def run(user, org, content, *, register="ai-systems", fmt="csv", dry_run=True, mode=ALL):
    return importer_for(register).run(content, fmt=fmt, actor=user, organisation=org, dry_run=dry_run, mode=mode)


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    # The import page keeps previewed files under MEDIA_ROOT/imports/.
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def supplier(org):
    return SupplierFactory(organisation=org, reference="SUP-001", name="Claims AI Ltd")


# --- The 1,000-row file with three bad rows --------------------------------------------------------


def test_preview_of_1000_rows_reports_exactly_the_three_bad_lines_with_their_fields(officer, org, supplier):
    report = run(officer, org, thousand_rows_with_three_bad())

    errors = {row.line: row.errors for row in report.rows if row.outcome == "error"}
    assert {line: list(fields) for line, fields in errors.items()} == {
        line: [field] for line, field in BAD_LINES.items()
    }
    assert "extreme" in errors[11]["criticality"][0]
    assert "nobody" in errors[501]["business_owner"][0]
    assert "SUP-404" in errors[1000]["suppliers"][0] and "SUP-001" not in errors[1000]["suppliers"][0]
    assert report.counts == {"total": 1000, "create": 997, "update": 0, "unchanged": 0, "error": 3}
    assert report.written is False
    assert not AISystem.objects.exists()


def test_all_or_nothing_import_with_bad_rows_writes_nothing(officer, org, supplier):
    report = run(officer, org, thousand_rows_with_three_bad(), dry_run=False, mode=ALL)

    assert report.written is False
    assert report.counts["error"] == 3
    assert not AISystem.objects.exists()
    assert not AISystem.history.exists()
    assert not ReferenceCounter.objects.filter(organisation=org, prefix="AIS").exists()


def test_valid_rows_mode_writes_997_and_a_second_import_writes_nothing(officer, org, supplier):
    content = thousand_rows_with_three_bad()

    first = run(officer, org, content, dry_run=False, mode=VALID)

    assert first.written is True
    assert first.created == 997
    assert AISystem.objects.filter(organisation=org).count() == 997
    assert not AISystem.objects.filter(reference__in=["AIS-0010", "AIS-0500", "AIS-0999"]).exists()
    system = AISystem.objects.get(reference="AIS-0002")
    assert system.business_owner.username == "officer-acme"
    assert system.criticality == "medium"
    assert system.ai_techniques == "machine_learning,generative"
    assert system.tags == "claims,triage"
    assert list(system.suppliers.all()) == [supplier]
    assert system.next_review is not None
    history_after_first = AISystem.history.count()
    assert history_after_first == 997

    second = run(officer, org, content, dry_run=False, mode=VALID)

    assert second.counts == {"total": 1000, "create": 0, "update": 0, "unchanged": 997, "error": 3}
    assert (second.created, second.updated) == (0, 0)
    assert AISystem.history.count() == history_after_first
    assert AISystem.objects.count() == 997


# --- Upsert ----------------------------------------------------------------------------------------


def test_import_updates_an_existing_system_by_reference_and_keeps_other_fields(officer, org):
    system = AISystemFactory(organisation=org, reference="AIS-001", name="Old name", description="Kept as it is")
    content = csv_bytes(
        [{"Reference": "AIS-001", "Name": "New name", "Scope justification": system.scope_justification}],
        headers=["Reference", "Name", "Scope justification"],
    )

    preview = run(officer, org, content)
    assert [(r.outcome, r.changes) for r in preview.rows] == [("update", ["name"])]

    report = run(officer, org, content, dry_run=False)

    system.refresh_from_db()
    assert report.updated == 1
    assert system.name == "New name"
    assert system.description == "Kept as it is"
    assert system.history.first().history_change_reason == "Imported from a file"
    assert AISystem.objects.count() == 1


def test_row_without_reference_creates_a_record_with_the_next_number(officer, org):
    AISystemFactory(organisation=org)  # AIS-001
    content = csv_bytes(
        [{"Name": "No reference", "Scope justification": "Core process."}], ["Name", "Scope justification"]
    )

    report = run(officer, org, content, dry_run=False)

    assert report.created == 1
    assert AISystem.objects.filter(name="No reference").get().reference == "AIS-002"


def test_same_reference_twice_in_a_file_is_an_error_on_the_second_line(officer, org, supplier):
    content = csv_bytes([system_row(1), system_row(1, Name="Again")])

    report = run(officer, org, content)

    assert [r.outcome for r in report.rows] == ["create", "error"]
    assert report.rows[1].errors == {"reference": ["AIS-0001 is also on line 2."]}


def test_rules_of_the_service_apply_to_each_row(officer, org, supplier):
    content = csv_bytes(
        [
            system_row(1, **{"Scope justification": ""}),
            system_row(2, **{"Deployment date": ""}),
            system_row(3, **{"Deployment date": "31/12/2024"}),
            system_row(4, **{"In scope": "maybe"}),
            system_row(5, Tags="x" * 51),
        ]
    )

    report = run(officer, org, content)

    assert [list(r.errors) for r in report.rows] == [
        ["scope_justification"],
        ["deployment_date"],
        ["deployment_date"],
        ["in_scope"],
        ["tags"],
    ]
    assert report.rows[1].errors["deployment_date"] == ["A system in production needs its deployment date."]


def test_a_system_may_depend_on_a_system_created_later_in_the_same_file(officer, org, supplier):
    content = csv_bytes(
        [system_row(1, **{"Depends on": "AIS-0002"}), system_row(2), system_row(3, **{"Depends on": "AIS-0003"})],
        headers=[*HEADERS, "Depends on"],
    )

    preview = run(officer, org, content)
    assert [r.outcome for r in preview.rows] == ["create", "create", "error"]
    assert preview.rows[2].errors == {"depends_on": ["A record cannot be linked to itself."]}

    report = run(officer, org, content, dry_run=False, mode=VALID)

    assert report.written
    first = AISystem.objects.get(reference="AIS-0001")
    assert [s.reference for s in first.depends_on.all()] == ["AIS-0002"]


def test_a_row_linking_to_a_failing_row_of_the_file_fails_too(officer, org, supplier):
    content = csv_bytes(
        [system_row(1, **{"Depends on": "AIS-0002"}), system_row(2, Criticality="extreme")],
        headers=[*HEADERS, "Depends on"],
    )

    report = run(officer, org, content)

    assert [r.outcome for r in report.rows] == ["error", "error"]
    assert "line 3" in report.rows[0].errors["depends_on"][0]


def test_unknown_columns_are_reported_as_warnings_and_read_only_export_columns_are_ignored(officer, org):
    content = csv_bytes(
        [{"Name": "A", "Scope justification": "B", "Colour": "blue", "EU AI Act tier": "high"}],
        ["Name", "Scope justification", "Colour", "EU AI Act tier"],
    )

    report = run(officer, org, content)

    assert report.warnings == ["The column “Colour” is not known here and was ignored."]
    assert report.rows[0].outcome == "create"


def test_export_of_the_inventory_imports_back_unchanged(officer, org, client_for, supplier):
    owner_system = AISystemFactory(organisation=org, business_owner=officer, tags="a, b", ai_techniques="generative")
    AISystemFactory(organisation=org, description="=SUM(A1:A2) looks like a formula", in_scope=False)
    owner_system.suppliers.add(supplier)
    response = client_for(officer).get(reverse("registry:aisystem-list") + "?export=csv")
    content = b"".join(response.streaming_content)

    report = run(officer, org, content)

    assert report.counts["unchanged"] == 2, [r.as_dict() for r in report.rows]
    assert report.warnings == []


def test_dataset_and_supplier_exports_import_back_unchanged(officer, org, client_for, supplier):
    parent = DatasetFactory(organisation=org, version="2", contains_personal_data=True, legal_basis="consent")
    child = DatasetFactory(organisation=org, owner=officer, source="supplier", supplier=supplier)
    child.derived_from.add(parent)
    client = client_for(officer)

    for register, url_name, count in (("datasets", "dataset", 2), ("suppliers", "supplier", 1)):
        response = client.get(reverse(f"registry:{url_name}-list") + "?export=csv")
        content = b"".join(response.streaming_content)
        report = run(officer, org, content, register=register)

        assert report.counts["unchanged"] == count, [r.as_dict() for r in report.rows]
        assert report.warnings == []


def test_linked_records_may_be_named_by_reference_and_name_or_by_a_unique_name(officer, org, supplier):
    SupplierFactory(organisation=org, reference="SUP-002", name="Twin")
    SupplierFactory(organisation=org, reference="SUP-003", name="Twin")
    rows = [
        {"reference": "DS-1", "name": "A", "source": "supplier", "supplier": "SUP-001 Claims AI Ltd"},
        {"reference": "DS-2", "name": "B", "source": "supplier", "supplier": "Claims AI Ltd"},
        {"reference": "DS-3", "name": "C", "source": "supplier", "supplier": "Twin"},
    ]

    report = run(officer, org, json.dumps(rows).encode(), register="datasets", fmt="json")

    assert [r.outcome for r in report.rows] == ["create", "create", "error"]
    assert report.rows[2].errors == {"supplier": ["Several suppliers are named “Twin”: give the reference instead."]}


# --- JSON ----------------------------------------------------------------------------------------


def test_json_import_with_field_names_and_native_values(officer, org, supplier):
    rows = [
        {
            "reference": "AIS-100",
            "name": "From JSON",
            "business_owner": "officer-acme",
            "in_scope": False,
            "scope_justification": "Out of scope: a prototype.",
            "review_cadence_months": 6,
            "suppliers": ["SUP-001"],
            "tags": ["one", "two"],
        },
        {"Reference": "AIS-101", "Name": "Headers work too", "Scope justification": "Core.", "Criticality": "Low"},
    ]

    report = run(officer, org, json.dumps(rows).encode(), fmt="json", dry_run=False)

    assert report.created == 2, [r.as_dict() for r in report.rows]
    system = AISystem.objects.get(reference="AIS-100")
    assert (system.in_scope, system.review_cadence_months, system.tags) == (False, 6, "one,two")
    assert list(system.suppliers.all()) == [supplier]
    assert AISystem.objects.get(reference="AIS-101").criticality == "low"


def test_json_items_may_name_columns_differently_but_not_twice_in_one_item(officer, org):
    AISystemFactory(organisation=org, reference="AIS-007", name="Before")
    rows = [
        {"Reference": "AIS-007", "Name": "After"},
        {"reference": "AIS-008", "name": "New", "scope_justification": "Core."},
        {"name": "Twice", "Name": "Twice again", "scope_justification": "Core."},
    ]

    report = run(officer, org, json.dumps(rows).encode(), fmt="json")

    assert [r.outcome for r in report.rows] == ["update", "create", "error"]
    assert report.rows[2].errors == {"name": ["Given twice, as “name” and as “Name”."]}


def test_json_items_are_numbered_from_one_and_a_non_object_is_an_error(officer, org):
    content = json.dumps([{"name": "A", "scope_justification": "B"}, "not an object"]).encode()

    report = run(officer, org, content, fmt="json")

    assert [(r.line, r.outcome) for r in report.rows] == [(1, "create"), (2, "error")]


# --- Files that cannot be read ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "fmt", "message"),
    [
        ("Name\nCafé".encode("latin-1"), "csv", "not UTF-8"),
        ("Name\nCafé".encode("utf-16"), "csv", "UTF-16"),
        (b"PK\x03\x04rest-of-a-zip", "csv", "Excel"),
        (b"", "csv", "empty"),
        (b"Name,Scope justification\n", "csv", "no rows"),
        (b"Name,Name\nA,B\n", "csv", "appears twice"),
        (b"Colour,Size\nblue,L\n", "csv", "None of the columns"),
        (b"[{'name': 1}]", "json", "cannot be read"),
        (b'{"name": "A"}', "json", "list of objects"),
        (b"[" * 100_000, "json", "nested too deeply"),
        (b"Name\x00\nA", "csv", "binary"),
    ],
)
def test_unreadable_files_raise_a_clear_error(officer, org, content, fmt, message):
    with pytest.raises(ImportFileError, match=message):
        run(officer, org, content, fmt=fmt)


def test_utf8_without_bom_semicolons_and_a_formula_guard_are_read(officer, org):
    content = "Name;Scope justification;Description\nCafé;Core;'=1+1\n".encode()

    report = run(officer, org, content, dry_run=False)

    system = AISystem.objects.get()
    assert report.created == 1
    assert (system.name, system.description) == ("Café", "=1+1")


def test_a_row_with_more_cells_than_headers_is_an_error_with_its_line(officer, org):
    content = b"Name,Scope justification\nA,B\nC,D,E\n"

    report = run(officer, org, content)

    assert report.rows[1].line == 3
    assert "3 cells" in report.rows[1].errors["non_field_errors"][0]


def test_size_and_row_limits(officer, org, settings):
    content = csv_bytes([system_row(n) for n in range(1, 7)])
    settings.IMPORT_MAX_ROWS = 5
    with pytest.raises(ImportFileError, match="more than 5 rows"):
        run(officer, org, content)
    settings.IMPORT_MAX_BYTES = 100
    with pytest.raises(ImportFileError, match="larger than"):
        run(officer, org, content)


# --- Tenancy ---------------------------------------------------------------------------------------


def test_a_reference_of_another_organisation_is_new_here_and_theirs_is_untouched(officer, org, other_org):
    theirs = AISystemFactory(organisation=other_org, reference="AIS-001", name="Theirs")
    content = csv_bytes(
        [{"Reference": "AIS-001", "Name": "Mine", "Scope justification": "Core."}], HEADERS[:2] + [HEADERS[5]]
    )

    report = run(officer, org, content, dry_run=False)

    assert [r.outcome for r in report.rows] == ["create"]
    theirs.refresh_from_db()
    assert theirs.name == "Theirs"
    assert AISystem.objects.get(organisation=org).name == "Mine"
    assert theirs.history.count() == 1


def test_suppliers_and_members_of_another_organisation_are_errors(officer, org, other_org, outsider):
    SupplierFactory(organisation=other_org, reference="SUP-777")
    content = csv_bytes([system_row(1, Suppliers="SUP-777", **{"Business owner": outsider.username})])

    report = run(officer, org, content)

    assert report.rows[0].errors == {
        "business_owner": ["No member of this organisation has the username “mallory”."],
        "suppliers": ["No supplier with the reference “SUP-777” in this organisation."],
    }


# --- Permissions -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["viewer", "auditor", "admin"])
def test_roles_that_may_not_add_and_change_are_refused(members, org, api_for, client_for, role):
    user = members[role]
    content = csv_bytes([system_row(1)])

    api = api_for(user, org).post(API.format("ai-systems"), {"file": SimpleUploadedFile("a.csv", content)})
    page = client_for(user).get(reverse("registry:import"))

    assert api.status_code == 403
    if role == "auditor":  # auditors import the audit registers they write (integrations), never AI systems
        assert page.status_code == 200 and 'value="ai-systems"' not in page.content.decode()
    else:
        assert page.status_code == 403
    assert not AISystem.objects.exists()


def test_read_only_token_may_not_import(officer, org, api_for):
    response = api_for(officer, org, read_only=True).post(
        API.format("ai-systems") + "?dry_run=true", [{"name": "A"}], format="json"
    )

    assert response.status_code == 403


def test_contributor_may_not_update_a_system_they_do_not_own(members, org):
    contributor = members["contributor"]
    AISystemFactory(organisation=org, reference="AIS-001", business_owner=members["officer"])
    AISystemFactory(organisation=org, reference="AIS-002", business_owner=contributor)
    content = csv_bytes(
        [
            {"Reference": "AIS-001", "Name": "Theirs", "Scope justification": "x"},
            {"Reference": "AIS-002", "Name": "Mine", "Scope justification": "x"},
            {"Reference": "AIS-003", "Name": "New", "Scope justification": "x"},
        ],
        ["Reference", "Name", "Scope justification"],
    )

    report = run(contributor, org, content)

    assert [r.outcome for r in report.rows] == ["error", "update", "create"]
    assert "owner" in report.rows[0].errors["non_field_errors"][0]


# --- Queries ---------------------------------------------------------------------------------------


def _dry_run_queries(officer, org, count: int) -> int:
    rows = [system_row(n, **{"Depends on": "AIS-0001" if n > 1 else ""}) for n in range(1, count + 1)]
    content = csv_bytes(rows, headers=[*HEADERS, "Depends on", "Technical owner"])
    forget_roles(officer)  # the role is looked up once per request; count that query every time
    with CaptureQueriesContext(connection) as queries:
        report = run(officer, org, content)
    assert report.counts["error"] == 0, [r.as_dict() for r in report.rows if r.errors]
    return len(queries)


def test_dry_run_queries_do_not_grow_with_the_rows(officer, org, supplier):
    for number in (1, 3, 60):  # existing records, so updates and their links are compared too
        AISystemFactory(organisation=org, reference=f"AIS-{number:04d}", business_owner=officer).suppliers.add(supplier)

    assert _dry_run_queries(officer, org, 10) == _dry_run_queries(officer, org, 100)


# --- Datasets and suppliers ------------------------------------------------------------------------


def test_supplier_import_applies_the_due_diligence_rule(officer, org):
    rows = [
        {"Reference": "SUP-010", "Name": "Data Co", "Supply type": "Data", "Due diligence status": "approved"},
        {
            "Reference": "SUP-011",
            "Name": "Model Co",
            "Due diligence status": "Approved",
            "Due diligence date": "2025-01-31",
            "Owner": "officer-acme",
        },
    ]
    content = csv_bytes(
        rows, ["Reference", "Name", "Supply type", "Due diligence status", "Due diligence date", "Owner"]
    )

    report = run(officer, org, content, register="suppliers", dry_run=False, mode=VALID)

    assert [r.outcome for r in report.rows] == ["error", "create"]
    assert list(report.rows[0].errors) == ["due_diligence_date"]
    supplier = Supplier.objects.get(organisation=org)
    assert (supplier.reference, supplier.owner, supplier.supply_type) == ("SUP-011", officer, "model_api")


def test_dataset_import_links_supplier_and_lineage_and_checks_legal_basis(officer, org, supplier):
    parent = DatasetFactory(organisation=org, reference="DS-001")
    rows = [
        {
            "reference": "DS-010",
            "name": "Claims",
            "source": "supplier",
            "supplier": "SUP-001",
            "derived_from": "DS-001",
        },
        {"reference": "DS-011", "name": "Patients", "contains_personal_data": "yes"},
        {"reference": "DS-012", "name": "No supplier", "source": "Supplier"},
    ]

    report = run(officer, org, json.dumps(rows).encode(), register="datasets", fmt="json", dry_run=False, mode=VALID)

    assert [(r.outcome, list(r.errors)) for r in report.rows] == [
        ("create", []),
        ("error", ["legal_basis"]),
        ("error", ["supplier"]),
    ]
    dataset = Dataset.objects.get(reference="DS-010")
    assert dataset.supplier == supplier
    assert list(dataset.derived_from.all()) == [parent]


def test_a_refusal_only_the_service_can_see_rolls_back_everything_or_skips_the_row(officer, org):
    # A lineage cycle needs the database to be seen: the preview accepts it, the service refuses it.
    parent = DatasetFactory(organisation=org, reference="DS-001")
    child = DatasetFactory(organisation=org, reference="DS-002")
    child.derived_from.add(parent)
    content = json.dumps([{"reference": "DS-001", "derived_from": "DS-002"}, {"reference": "DS-003", "name": "New"}])

    preview = run(officer, org, content.encode(), register="datasets", fmt="json")
    everything = run(officer, org, content.encode(), register="datasets", fmt="json", dry_run=False, mode=ALL)

    assert [r.outcome for r in preview.rows] == ["update", "create"]
    assert everything.written is False
    assert [r.outcome for r in everything.rows] == ["error", "create"]
    assert "circle" in everything.rows[0].errors["derived_from"][0]
    assert not Dataset.objects.filter(reference="DS-003").exists()

    valid = run(officer, org, content.encode(), register="datasets", fmt="json", dry_run=False, mode=VALID)

    assert valid.written is True
    assert (valid.created, valid.updated, valid.counts["error"]) == (1, 0, 1)
    assert not parent.derived_from.exists()
    assert Dataset.objects.filter(reference="DS-003").exists()
