"""The import endpoint (/api/v1/imports/{register}/) and the import page: modes, errors, uploads, links."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from registry.models import AISystem, Supplier
from registry.tests.factories import SupplierFactory
from registry.tests.test_import import API, BAD_LINES, csv_bytes, run, system_row, thousand_rows_with_three_bad


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def supplier(org):
    return SupplierFactory(organisation=org, reference="SUP-001", name="Claims AI Ltd")


# --- API -------------------------------------------------------------------------------------------


def test_api_dry_run_reports_and_writes_nothing(officer, org, api_for, supplier):
    content = thousand_rows_with_three_bad()

    response = api_for(officer, org).post(
        API.format("ai-systems") + "?dry_run=true", {"file": SimpleUploadedFile("systems.csv", content)}
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["written"] is False and body["dry_run"] is True
    assert body["counts"]["error"] == 3
    assert [(r["line"], list(r["errors"])) for r in body["rows"] if r["outcome"] == "error"] == [
        (line, [field]) for line, field in BAD_LINES.items()
    ]
    assert not AISystem.objects.exists()


def test_api_all_or_nothing_with_errors_answers_400_with_the_report(officer, org, api_for, supplier):
    content = csv_bytes([system_row(1), system_row(2, Criticality="extreme")])

    response = api_for(officer, org).post(API.format("ai-systems"), {"file": SimpleUploadedFile("s.csv", content)})

    assert response.status_code == 400
    assert response.json()["written"] is False
    assert response.json()["rows"][1]["errors"]["criticality"]
    assert not AISystem.objects.exists()


def test_api_valid_mode_with_a_json_body(officer, org, api_for):
    rows = [{"name": "Good", "scope_justification": "Core."}, {"name": "Bad", "criticality": "extreme"}]

    response = api_for(officer, org).post(API.format("ai-systems") + "?mode=valid", rows, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["created"] == 1
    assert list(AISystem.objects.values_list("name", flat=True)) == ["Good"]


def test_api_accepts_a_csv_body(officer, org, api_for):
    response = api_for(officer, org).post(
        API.format("suppliers"), b"Name,Supply type\nCSV Co,data\n", content_type="text/csv"
    )

    assert response.status_code == 200, response.content
    assert Supplier.objects.get().name == "CSV Co"


@pytest.mark.parametrize(
    ("path", "data", "status", "key"),
    [
        ("ai-systems/?mode=some", [{"name": "A"}], 400, "mode"),
        ("ai-systems/?dry_run=perhaps", [{"name": "A"}], 400, "dry_run"),
        ("ai-systems/", b"{not json", 400, "detail"),
        ("ai-systems/", {"rows": "nope"}, 400, "detail"),
        ("unicorns/", [{"name": "A"}], 404, "detail"),
    ],
)
def test_api_bad_requests_answer_json_errors(officer, org, api_for, path, data, status, key):
    api = api_for(officer, org)
    url = "/api/v1/imports/" + path
    if isinstance(data, bytes):
        response = api.post(url, data, content_type="application/json")
    else:
        response = api.post(url, data, format="json")

    assert response.status_code == status
    assert key in response.json()


def test_api_oversize_upload_is_a_400(officer, org, api_for, settings):
    settings.IMPORT_MAX_BYTES = 50
    api = api_for(officer, org)

    upload = api.post(API.format("ai-systems"), {"file": SimpleUploadedFile("big.csv", b"Name\n" + b"x" * 100)})
    body = api.post(API.format("ai-systems"), [{"name": "x" * 100}], format="json")

    assert upload.status_code == body.status_code == 400
    assert "larger than" in upload.json()["detail"] and "larger than" in body.json()["detail"]


def test_api_without_a_file_is_a_400(officer, org, api_for):
    response = api_for(officer, org).post(API.format("ai-systems"), {}, format="multipart")

    assert response.status_code == 400
    assert "file" in response.json()


# --- The import page -------------------------------------------------------------------------------


def test_import_page_previews_then_imports(officer, org, client_for, supplier):
    client = client_for(officer)
    content = csv_bytes([system_row(1), system_row(2, Criticality="extreme"), system_row(3)])

    preview = client.post(
        reverse("registry:import"),
        {"action": "preview", "register": "ai-systems", "file": SimpleUploadedFile("systems.csv", content)},
    )

    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Import the 2 valid rows" in html
    assert 'value="all" disabled' in html
    assert html.index('data-line="3"') < html.index('data-line="2"')  # errors first
    assert "extreme" in html
    assert not AISystem.objects.exists()
    token = preview.context["token"]

    done = client.post(reverse("registry:import"), {"action": "import", "token": token, "mode": "valid"})

    assert done.status_code == 302
    assert done.url == reverse("registry:aisystem-list")
    assert sorted(AISystem.objects.values_list("reference", flat=True)) == ["AIS-0001", "AIS-0003"]
    again = client.post(reverse("registry:import"), {"action": "import", "token": token, "mode": "valid"})
    assert again.status_code == 302 and again.url == reverse("registry:import")  # the file was discarded


def test_import_page_refuses_all_or_nothing_when_rows_fail(officer, org, client_for):
    client = client_for(officer)
    content = csv_bytes([{"Name": "A"}], ["Name"])  # no scope justification
    preview = client.post(
        reverse("registry:import"),
        {"action": "preview", "register": "ai-systems", "file": SimpleUploadedFile("a.csv", content)},
    )

    response = client.post(reverse("registry:import"), {"action": "import", "token": preview.context["token"]})

    assert response.status_code == 200
    assert "Nothing was imported" in response.content.decode()
    assert not AISystem.objects.exists()


def test_import_page_shows_file_errors_on_the_form(officer, org, client_for):
    response = client_for(officer).post(
        reverse("registry:import"),
        {
            "action": "preview",
            "register": "datasets",
            "file": SimpleUploadedFile("a.csv", "Name\nCafé".encode("latin-1")),
        },
    )

    assert response.status_code == 200
    assert "not UTF-8" in response.content.decode()
    assert response.context["report"] is None


def test_an_upload_token_of_another_user_finds_nothing(members, org, client_for):
    officer, contributor = members["officer"], members["contributor"]
    content = csv_bytes([{"Name": "A", "Scope justification": "B"}], ["Name", "Scope justification"])
    preview = client_for(officer).post(
        reverse("registry:import"),
        {"action": "preview", "register": "ai-systems", "file": SimpleUploadedFile("a.csv", content)},
    )

    response = client_for(contributor).post(
        reverse("registry:import"), {"action": "import", "token": preview.context["token"], "mode": "all"}
    )

    assert response.status_code == 302 and response.url == reverse("registry:import")
    assert not AISystem.objects.exists()


def test_template_download_has_the_columns_and_an_example_row(officer, org, client_for):
    response = client_for(officer).get(reverse("registry:import-template", args=["ai-systems"]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="ai-systems-import-template.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Reference", "Name", "Description"]
    assert rows[1][rows[0].index("Business owner")] == officer.username
    report = run(officer, org, response.content)
    assert [r.outcome for r in report.rows] == ["create"], report.rows[0].errors


@pytest.mark.parametrize("register", ["datasets", "suppliers"])
def test_every_template_example_row_imports(officer, org, client_for, register):
    response = client_for(officer).get(reverse("registry:import-template", args=[register]))

    report = run(officer, org, response.content, register=register, dry_run=False)

    assert report.created == 1, report.rows[0].errors


def test_template_of_an_unknown_register_is_404(officer, client_for):
    assert client_for(officer).get(reverse("registry:import-template", args=["unicorns"])).status_code == 404


def test_inventory_list_links_to_the_import_page_only_for_roles_that_may_import(members, client_for):
    url = reverse("registry:aisystem-list")

    officer_page = client_for(members["officer"]).get(url).content.decode()
    viewer_page = client_for(members["viewer"]).get(url).content.decode()

    assert 'data-testid="import-link"' in officer_page
    assert 'data-testid="import-link"' not in viewer_page
